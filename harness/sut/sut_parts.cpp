#include "sut/sut_parts.hpp"

#include <algorithm>
#include <fstream>

#include "kamailio/rtpproxy_socket.hpp"
#include "process/free_port.hpp"
#include "sim/db/mohqueue_schema.hpp"
#include "sim/db/sqlite_database.hpp"
#include "sim/rpc/json_rpc_server.hpp"

namespace mohq::harness::sut_detail {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {
constexpr const char* kLoopback = "127.0.0.1";
}

std::string capture_filter(std::uint16_t sip_port, const std::optional<RtpproxyPorts>& rtpproxy) {
  std::string filter = "udp port " + std::to_string(sip_port);
  if (rtpproxy)
    filter += " or udp port " + std::to_string(rtpproxy->control) + " or udp portrange " +
              std::to_string(rtpproxy->media_min) + "-" + std::to_string(rtpproxy->media_max);
  return filter;
}

Expected<FakeRtpproxy, std::string> FakeRtpproxy::start(const SutStartOptions& options) {
  // Each call holds two legs with an RTP/RTCP pair each: 4 ports a call. free_port checks at most 1000; a larger
  // range goes on unchecked past them, which is safe because fake-rtpproxy skips a pair it cannot bind.
  const std::size_t needed = std::max<std::size_t>(4 * options.maxcalls + 8, 40);
  const unsigned checked = static_cast<unsigned>(std::min<std::size_t>(needed, 1000));
  auto control = process::find_free_udp_port(kLoopback);
  auto media = process::find_free_udp_port_block(kLoopback, checked);
  if (!control) return Unexpected{"fake-rtpproxy: " + control.error()};
  if (!media) return Unexpected{"fake-rtpproxy: " + media.error()};
  const RtpproxyPorts ports{*control, *media, static_cast<std::uint16_t>(std::min<std::size_t>(*media + needed - 1, 65535))};
  const fs::path log_path = options.dir / "fake-rtpproxy.log";
  const fs::path stats_path = options.dir / "fake-rtpproxy.stats.json";
  std::error_code ignored;
  fs::remove(stats_path, ignored);  // stats() must not show a previous run's counters

  process::SpawnOptions spawn;
  spawn.argv = {(options.bin_dir / "fake-rtpproxy").string(),
                "-l", kLoopback, "-s", "udp:127.0.0.1:" + std::to_string(ports.control),
                "-m", std::to_string(ports.media_min), "-M", std::to_string(ports.media_max), "-f",
                "--stats-json", stats_path.string()};
  // Its "command '...'" lines are how ladders learn the SUT's rtpproxy commands.
  if (options.fake_rtpproxy_debug_log) spawn.argv.insert(spawn.argv.end(), {"-d", "DBUG"});
  for (const auto& fault : options.fake_rtpproxy_faults) spawn.argv.insert(spawn.argv.end(), {"--fault", fault});
  spawn.stdout_path = spawn.stderr_path = log_path;
  auto child = process::ChildProcess::spawn(spawn);
  if (!child) return Unexpected{"fake-rtpproxy: " + child.error() + " (build target fake-rtpproxy first)"};
  FakeRtpproxy fake(std::move(*child), ports, log_path, stats_path);
  // Before the SUT: Kamailio disables an rtpproxy that misses its start-up probe for 60 s, mohqd for its
  // probe interval; either way the first calls would get 486.
  auto answered = kamailio::wait_for_rtpproxy(kamailio::RtpproxySocket::udp(kLoopback, ports.control), 5s);
  if (!answered) {
    fake.stop();
    return Unexpected{"fake-rtpproxy did not answer V: " + answered.error() + " (log " + log_path.string() + ")"};
  }
  return fake;
}

nlohmann::json FakeRtpproxy::stats() const {
  std::ifstream in(stats_path_);
  if (!in) return nullptr;
  auto json = nlohmann::json::parse(in, nullptr, false);
  return json.is_discarded() ? nlohmann::json(nullptr) : json;
}

void FakeRtpproxy::stop() { process_.terminate(3000ms); }

Expected<RtpproxyChoice, std::string> choose_rtpproxy(const SutStartOptions& options) {
  RtpproxyChoice choice;
  if (options.rtpproxy_unreachable) {
    // A port free a moment ago: nothing of ours binds it, so the SUT's commands meet ICMP port unreachable.
    auto port = process::find_free_udp_port(kLoopback);
    if (!port) return Unexpected{port.error()};
    choice.control = "udp:127.0.0.1:" + std::to_string(*port);
    return choice;
  }
  auto fake = FakeRtpproxy::start(options);
  if (!fake) return Unexpected{fake.error()};
  choice.control = fake->control();
  choice.fake.emplace(std::move(*fake));
  return choice;
}

Expected<bool, std::string> MohqdRpc::retrieve(const std::string& refer_to) const {
  auto answer = sim::call_json_rpc_detailed(address_, "mohqueue.retrieve", {queue_, refer_to}, 1000ms);
  if (answer) return true;
  if (answer.error().rpc && answer.error().rpc->code == 404) return false;  // "No calls in queue"
  return Unexpected{"mohqueue.retrieve at " + address_ + ": " + answer.error().message};
}

std::optional<std::size_t> MohqdRpc::count() const {
  auto answer = sim::call_json_rpc(address_, "mohqueue.count", {queue_}, 1000ms);
  if (!answer || !answer->is_number_unsigned()) return std::nullopt;
  return answer->get<std::size_t>();
}

nlohmann::json MohqdRpc::stats() const {
  auto answer = sim::call_json_rpc(address_, "core.stats", nlohmann::json::array(), 1000ms);
  return answer ? *answer : nlohmann::json(nullptr);
}

std::optional<std::size_t> call_table_rows(const fs::path& db) {
  auto open = sim_db::SqliteDatabase::open(db, {.create = false, .read_only = true, .busy_timeout = 500ms});
  if (!open) return std::nullopt;
  auto rows = sim_db::count_calls(*open);
  if (!rows || *rows < 0) return std::nullopt;
  return static_cast<std::size_t>(*rows);
}

}  // namespace mohq::harness::sut_detail
