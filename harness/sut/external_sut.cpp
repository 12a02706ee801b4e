// external: a queue somebody else runs at HOST:PORT. Nothing is started or stopped; retrieve, the depth and
// numbers only through a mohqd JSON-RPC address when one is given; its call table and rtpproxy are out of reach.
#include <optional>

#include "kamailio/kamailio_instance.hpp"
#include "sut/sut_parts.hpp"

namespace mohq::harness::sut_detail {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ExternalSut final : public SystemUnderTest {
 public:
  ExternalSut(SutSpec spec, HostPort sip) : SystemUnderTest(std::move(spec)), sip_(std::move(sip)) {
    if (!spec_.rpc_address.empty()) rpc_.emplace(spec_.rpc_address, spec_.queue_name);
  }

  std::string sip_host() const override { return sip_.host; }
  std::uint16_t sip_port() const override { return sip_.port; }
  Expected<bool, std::string> retrieve(const std::string& refer_to) override {
    if (!rpc_) return Unexpected{std::string("retrieve needs --sut-rpc HOST:PORT (a mohqd JSON-RPC address)")};
    return rpc_->retrieve(refer_to);
  }
  std::optional<std::size_t> queue_depth() override { return rpc_ ? rpc_->count() : std::nullopt; }
  std::optional<std::size_t> call_table_rows() override { return std::nullopt; }
  nlohmann::json numbers() override { return rpc_ ? rpc_->stats() : nlohmann::json(nullptr); }
  nlohmann::json fake_rtpproxy_stats() override { return nullptr; }
  // Nothing of ours to watch: alive while it still answers OPTIONS.
  bool alive() override {
    return kamailio::wait_for_sip_options(sip_.host, sip_.port, 1000ms, nullptr, kamailio::OptionsAnswer::any)
        .has_value();
  }
  std::vector<fs::path> logs() const override { return {}; }
  fs::path rtpproxy_log() const override { return {}; }
  reports::SutDescription description() const override {
    reports::SutDescription d;
    d.kind = "external";
    d.address = "udp:" + to_string(sip_);
    d.description = "the external SUT at " + to_string(sip_) + ", queue " + spec_.queue_name + " at " +
                    queue_uri() + (rpc_ ? ", mohqd JSON-RPC at " + rpc_->address() : ", no RPC");
    d.details = {{"rpc", spec_.rpc_address}};
    return d;
  }
  std::string capture_filter() const override { return sut_detail::capture_filter(sip_.port, {}); }
  std::vector<pid_t> pids() const override { return {}; }
  void stop() override {}

 private:
  HostPort sip_;
  std::optional<MohqdRpc> rpc_;
};

}  // namespace

Expected<std::unique_ptr<SystemUnderTest>, std::string> start_external(const SutSpec& spec) {
  auto sip = parse_host_port(spec.address);
  if (!sip) return Unexpected{"--sut " + spec.address + ": " + sip.error()};
  if (!spec.rpc_address.empty()) {
    auto rpc = parse_host_port(spec.rpc_address);
    if (!rpc) return Unexpected{"--sut-rpc " + spec.rpc_address + ": " + rpc.error()};
  }
  // Any answer will do (a 404 from a proxy still proves a SIP server listens); silence is the error.
  auto answered = kamailio::wait_for_sip_options(sip->host, sip->port, 3000ms, nullptr, kamailio::OptionsAnswer::any);
  if (!answered)
    return Unexpected{"the external SUT at " + spec.address + " does not answer SIP OPTIONS over UDP (" +
                      answered.error() + "): is it running and listening there?"};
  return std::unique_ptr<SystemUnderTest>(std::make_unique<ExternalSut>(spec, std::move(*sip)));
}

}  // namespace mohq::harness::sut_detail
