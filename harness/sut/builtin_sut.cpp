// builtin: build/bin/mohqd --profile kamailio|strict with its own fake-rtpproxy (harness/mohqd's MohqdInstance).
#include <optional>

#include "mohqd/mohqd_instance.hpp"
#include "process/free_port.hpp"
#include "sut/sut_parts.hpp"

namespace mohq::harness::sut_detail {
namespace {

namespace fs = std::filesystem;

class BuiltinSut final : public SystemUnderTest {
 public:
  BuiltinSut(SutSpec spec, std::optional<FakeRtpproxy> fake, MohqdInstance mohqd, std::uint16_t sip_port,
             fs::path binary)
      : SystemUnderTest(std::move(spec)), fake_(std::move(fake)), mohqd_(std::move(mohqd)),
        rpc_(mohqd_->rpc_address(), spec_.queue_name), sip_port_(sip_port), binary_(std::move(binary)) {
    pids_.push_back(mohqd_->pid());
    if (fake_) pids_.push_back(fake_->pid());
  }
  ~BuiltinSut() override { stop(); }

  std::string sip_host() const override { return "127.0.0.1"; }
  std::uint16_t sip_port() const override { return sip_port_; }
  Expected<bool, std::string> retrieve(const std::string& refer_to) override { return rpc_.retrieve(refer_to); }
  std::optional<std::size_t> queue_depth() override { return rpc_.count(); }
  std::optional<std::size_t> call_table_rows() override { return sut_detail::call_table_rows(mohqd_->db_path()); }
  nlohmann::json numbers() override {
    nlohmann::json numbers = rpc_.stats();
    if (!numbers.is_object()) return nullptr;
    if (auto rows = call_table_rows()) numbers["mohqcalls_rows"] = *rows;
    return numbers;
  }
  nlohmann::json fake_rtpproxy_stats() override { return fake_ ? fake_->stats() : nlohmann::json(nullptr); }
  bool alive() override { return !stopped_ && mohqd_->running() && (!fake_ || fake_->running()); }
  std::vector<fs::path> logs() const override {
    std::vector<fs::path> logs{mohqd_->log_path()};
    if (fake_) logs.push_back(fake_->log_path());
    return logs;
  }
  fs::path rtpproxy_log() const override { return fake_ ? fake_->log_path() : fs::path(); }
  reports::SutDescription description() const override {
    reports::SutDescription d;
    d.kind = "mohqd";
    d.profile = spec_.profile;
    d.address = "udp:127.0.0.1:" + std::to_string(sip_port_);
    d.description = "the built-in mohqd --profile " + spec_.profile + (fake_ ? " + fake-rtpproxy" : "") +
                    " on 127.0.0.1, queue " + spec_.queue_name + " at " + queue_uri();
    d.details = {{"mohqd", binary_.string()},
                 {"rpc", rpc_.address()},
                 {"db", mohqd_->db_path().string()},
                 {"log", mohqd_->log_path().string()}};
    if (fake_) {
      d.details["fake_rtpproxy_control"] = fake_->control();
      d.details["fake_rtpproxy_log"] = fake_->log_path().string();
    }
    return d;
  }
  std::string capture_filter() const override {
    return sut_detail::capture_filter(sip_port_, fake_ ? std::optional(fake_->ports()) : std::nullopt);
  }
  std::vector<pid_t> pids() const override { return pids_; }
  void stop() override {
    if (stopped_) return;
    stopped_ = true;
    mohqd_->stop();  // first: its call table flushed, its D commands sent while fake-rtpproxy still listens
    if (fake_) fake_->stop();
  }

 private:
  std::optional<FakeRtpproxy> fake_;
  std::optional<MohqdInstance> mohqd_;  // optional only so that it is constructed from the moved-in instance
  MohqdRpc rpc_;
  std::uint16_t sip_port_;
  fs::path binary_;
  std::vector<pid_t> pids_;
  bool stopped_ = false;
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

  std::optional<FakeRtpproxy> fake;
  if (options.rtpproxy_unreachable) {
    auto nobody = unreachable_rtpproxy();
    if (!nobody) return Unexpected{nobody.error()};
    launch.rtpproxy = {*nobody};
  } else {
    auto started = FakeRtpproxy::start(options);
    if (!started) return Unexpected{started.error()};
    fake.emplace(std::move(*started));
    launch.rtpproxy = {fake->control()};
  }
  auto mohqd = MohqdInstance::start(launch, options.dir);
  if (!mohqd) return Unexpected{"mohqd: " + mohqd.error()};  // fake stops with its ChildProcess
  return std::unique_ptr<SystemUnderTest>(
      std::make_unique<BuiltinSut>(spec, std::move(fake), std::move(*mohqd), launch.sip_port, launch.binary));
}

}  // namespace mohq::harness::sut_detail
