// kamailio: Debian's /usr/sbin/kamailio running mohqueue from harness/kamailio's generated kamailio.cfg and SQLite
// DB, in front of its own fake-rtpproxy; retrieve and count through the config's control route (SIP MESSAGE).
#include <unistd.h>

#include <fstream>
#include <optional>
#include <regex>

#include "kamailio/kamailio_instance.hpp"
#include "kamailio/mohq_control.hpp"
#include "process/free_port.hpp"
#include "sut/sut_parts.hpp"

namespace mohq::harness::sut_detail {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kInstall = "Kamailio is not installed: apt-get install -y kamailio kamailio-sqlite-modules";

// Debian puts the modules in /usr/lib/<multiarch>/kamailio/modules (kamailio-on-debian.md); mohqueue.so comes with
// kamailio, db_sqlite.so with kamailio-sqlite-modules.
bool debian_module_installed(const std::string& module) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/usr/lib", error))
    if (fs::exists(entry.path() / "kamailio" / "modules" / module, error)) return true;
  return fs::exists(fs::path("/usr/lib/kamailio/modules") / module, error);
}

// "5.6.3" from `kamailio -v` ("version: kamailio 5.6.3 (x86_64/linux)"), "" when it cannot be learned.
std::string kamailio_version(const fs::path& binary, const fs::path& dir) {
  process::SpawnOptions spawn;
  spawn.argv = {binary.string(), "-v"};
  spawn.stdout_path = spawn.stderr_path = dir / "kamailio-version.txt";
  auto child = process::ChildProcess::spawn(spawn);
  if (!child) return {};
  if (!child->wait_for(5s)) child->terminate(1s);
  std::ifstream in(spawn.stdout_path);
  std::string line;
  std::getline(in, line);
  std::smatch match;
  return std::regex_search(line, match, std::regex(R"(kamailio ([0-9][0-9.]*))")) ? match[1].str() : std::string();
}

class KamailioSut final : public LocalSut {
 public:
  KamailioSut(SutSpec spec, std::vector<FakeRtpproxy> fakes, kamailio::KamailioInstance kamailio, fs::path binary,
              std::string version)
      : LocalSut(std::move(spec), std::move(fakes), kamailio.pid()), kamailio_(std::move(kamailio)),
        binary_(std::move(binary)), version_(std::move(version)) {}
  ~KamailioSut() override { stop(); }

  std::string sip_host() const override { return kamailio_.config().listen_host; }
  std::uint16_t sip_port() const override { return kamailio_.config().sip_port; }
  Expected<bool, std::string> retrieve(const std::string& refer_to) override {
    return kamailio::control_retrieve(kamailio_.config(), spec_.queue_name, refer_to);
  }
  std::optional<std::size_t> queue_depth() override {
    auto count = kamailio::control_count(kamailio_.config(), spec_.queue_name);
    return count ? std::optional(*count) : std::nullopt;
  }
  std::optional<std::size_t> call_table_rows() override { return sut_detail::call_table_rows(kamailio_.files().db); }
  // Kamailio has no core.stats of ours: the call table and what its log complains about.
  nlohmann::json numbers() override {
    nlohmann::json numbers = nlohmann::json::object();
    if (auto rows = call_table_rows()) numbers["mohqcalls_rows"] = *rows;
    std::size_t warnings = 0, errors = 0;
    std::ifstream in(kamailio_.log_path());
    for (std::string line; std::getline(in, line);) {
      if (line.find(" WARNING: ") != std::string::npos) ++warnings;
      if (line.find(" ERROR: ") != std::string::npos) ++errors;
    }
    numbers["log_warnings"] = warnings;
    numbers["log_errors"] = errors;
    return numbers;
  }
  std::vector<fs::path> logs() const override { return with_fake_log({kamailio_.log_path(), kamailio_.files().cfg}); }
  reports::SutDescription description() const override {
    reports::SutDescription d;
    d.kind = "kamailio";
    d.version = version_;
    d.address = "udp:" + sip_host() + ":" + std::to_string(sip_port());
    d.description = "Kamailio " + (version_.empty() ? std::string() : version_ + " ") + "mohqueue (" +
                    binary_.string() + ", generated kamailio.cfg, SQLite)" + (has_fake() ? " + fake-rtpproxy" : "") +
                    " on " + sip_host() + ", queue " + spec_.queue_name + " at " + queue_uri();
    d.details = {{"kamailio", binary_.string()},
                 {"cfg", kamailio_.files().cfg.string()},
                 {"db", kamailio_.files().db.string()},
                 {"log", kamailio_.log_path().string()},
                 {"children", kamailio_.config().children},
                 {"moh_maxcalls", kamailio_.config().moh_maxcalls},
                 {"rtpproxy_sock", kamailio_.config().rtpproxy.to_string()}};
    describe_fake(d.details);
    return d;
  }

 private:
  bool sut_running() override { return kamailio_.running(); }
  // SIGTERM to the main process stops its workers; SIGKILL to the group after 5 s.
  void stop_sut() override { kamailio_.stop(); }

  kamailio::KamailioInstance kamailio_;
  fs::path binary_;
  std::string version_;
};

}  // namespace

Expected<std::unique_ptr<SystemUnderTest>, std::string> start_kamailio(const SutSpec& spec,
                                                                       const SutStartOptions& options) {
  if (::access(options.kamailio_binary.c_str(), X_OK) != 0)
    return Unexpected{std::string(kInstall) + " (no " + options.kamailio_binary.string() + ")"};
  // A binary of one's own may bring its own modules; Debian's needs both packages.
  if (options.kamailio_binary == "/usr/sbin/kamailio") {
    for (const char* module : {"mohqueue.so", "db_sqlite.so"})
      if (!debian_module_installed(module))
        return Unexpected{std::string(kInstall) + " (no Kamailio module " + module + ")"};
  }
  if (options.maxcalls < 1 || options.maxcalls > 5000)
    return Unexpected{"Kamailio's moh_maxcalls must be 1..5000, not " + std::to_string(options.maxcalls)};

  kamailio::KamailioConfig config;
  config.listen_host = "127.0.0.1";
  auto sip = process::find_free_udp_port(config.listen_host);
  if (!sip) return Unexpected{sip.error()};
  config.sip_port = *sip;
  config.mohdir = options.mohdir;
  config.moh_maxcalls = static_cast<int>(options.maxcalls);
  config.children = options.children;
  config.queues = {{spec.queue_name, kamailio::queue_uri(spec.queue_user, config.listen_host, config.sip_port),
                    options.mohdir, options.mohfile, false}};

  auto rtpproxy = choose_rtpproxy(options);  // a fake answers V before Kamailio's workers probe it
  if (!rtpproxy) return Unexpected{rtpproxy.error()};
  for (const auto& control : rtpproxy->controls) {
    auto socket = kamailio::RtpproxySocket::parse(control);
    if (!socket) return Unexpected{socket.error()};
    if (&control == &rtpproxy->controls.front()) config.rtpproxy = *socket;
    else config.more_rtpproxies.push_back(*socket);
  }
  const std::string version = kamailio_version(options.kamailio_binary, options.dir);
  kamailio::KamailioLaunch launch;
  launch.binary = options.kamailio_binary;
  auto kamailio = kamailio::KamailioInstance::start(config, options.dir, launch);
  if (!kamailio) return Unexpected{"Kamailio: " + kamailio.error()};
  return std::unique_ptr<SystemUnderTest>(std::make_unique<KamailioSut>(
      spec, std::move(rtpproxy->fakes), std::move(*kamailio), options.kamailio_binary, version));
}

}  // namespace mohq::harness::sut_detail
