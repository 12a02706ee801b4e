// builtin: build/bin/mohqd --profile kamailio|strict with its own fake-rtpproxy (harness/mohqd's MohqdInstance).
#include <optional>

#include "mohqd/mohqd_instance.hpp"
#include "process/free_port.hpp"
#include "sut/sut_parts.hpp"

namespace mohq::harness::sut_detail {
namespace {

namespace fs = std::filesystem;

class BuiltinSut final : public LocalSut {
 public:
  BuiltinSut(SutSpec spec, std::vector<FakeRtpproxy> fakes, MohqdInstance mohqd, std::uint16_t sip_port,
             fs::path binary)
      : LocalSut(std::move(spec), std::move(fakes), mohqd.pid()), mohqd_(std::move(mohqd)),
        rpc_(mohqd_.rpc_address(), spec_.queue_name), sip_port_(sip_port), binary_(std::move(binary)) {}
  ~BuiltinSut() override { stop(); }

  std::string sip_host() const override { return "127.0.0.1"; }
  std::uint16_t sip_port() const override { return sip_port_; }
  Expected<bool, std::string> retrieve(const std::string& refer_to) override { return rpc_.retrieve(refer_to); }
  std::optional<std::size_t> queue_depth() override { return rpc_.count(); }
  std::optional<std::size_t> call_table_rows() override { return sut_detail::call_table_rows(mohqd_.db_path()); }
  nlohmann::json numbers() override {
    nlohmann::json numbers = rpc_.stats();
    if (!numbers.is_object()) return nullptr;
    if (auto rows = call_table_rows()) numbers["mohqcalls_rows"] = *rows;
    return numbers;
  }
  std::vector<fs::path> logs() const override { return with_fake_log({mohqd_.log_path()}); }
  reports::SutDescription description() const override {
    reports::SutDescription d;
    d.kind = "mohqd";
    d.profile = spec_.profile;
    d.address = "udp:127.0.0.1:" + std::to_string(sip_port_);
    d.description = "the built-in mohqd --profile " + spec_.profile + (has_fake() ? " + fake-rtpproxy" : "") +
                    " on 127.0.0.1, queue " + spec_.queue_name + " at " + queue_uri();
    d.details = {{"mohqd", binary_.string()},
                 {"rpc", rpc_.address()},
                 {"db", mohqd_.db_path().string()},
                 {"log", mohqd_.log_path().string()}};
    describe_fake(d.details);
    return d;
  }

 private:
  bool sut_running() override { return mohqd_.running(); }
  void stop_sut() override { mohqd_.stop(); }  // SIGTERM: mohqd writes its pending call-table changes

  MohqdInstance mohqd_;
  MohqdRpc rpc_;
  std::uint16_t sip_port_;
  fs::path binary_;
};

}  // namespace

Expected<std::unique_ptr<SystemUnderTest>, std::string> start_builtin(const SutSpec& spec,
                                                                      const SutStartOptions& options) {
  MohqdLaunch launch;
  launch.binary = options.bin_dir / "mohqd";
  auto sip = process::find_free_udp_port("127.0.0.1");
  auto rpc = process::find_free_udp_port("127.0.0.1");
  if (!sip || !rpc) return Unexpected{std::string("no free UDP ports on 127.0.0.1")};
  launch.sip_port = *sip;
  launch.rpc_port = *rpc;
  launch.profile = spec.profile;
  launch.maxcalls = options.maxcalls;
  launch.mohdir = options.mohdir;
  launch.mohfile = options.mohfile;
  launch.queue_name = spec.queue_name;
  launch.queue_user = spec.queue_user;

  auto rtpproxy = choose_rtpproxy(options);
  if (!rtpproxy) return Unexpected{rtpproxy.error()};
  launch.rtpproxy = rtpproxy->controls;
  auto mohqd = MohqdInstance::start(launch, options.dir);
  if (!mohqd) return Unexpected{"mohqd: " + mohqd.error()};  // the fake stops with its ChildProcess
  return std::unique_ptr<SystemUnderTest>(std::make_unique<BuiltinSut>(spec, std::move(rtpproxy->fakes),
                                                                       std::move(*mohqd), launch.sip_port,
                                                                       launch.binary));
}

}  // namespace mohq::harness::sut_detail
