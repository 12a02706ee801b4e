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

std::string capture_filter(std::uint16_t sip_port, const std::vector<RtpproxyPorts>& rtpproxies) {
  std::string filter = "udp port " + std::to_string(sip_port);
  for (const auto& rtpproxy : rtpproxies)
    filter += " or udp port " + std::to_string(rtpproxy.control) + " or udp portrange " +
              std::to_string(rtpproxy.media_min) + "-" + std::to_string(rtpproxy.media_max);
  return filter;
}

namespace {

// Each call holds two legs with an RTP/RTCP pair each: 4 ports a call, per node its share of maxcalls, plus a
// tenth: the SUT does not split calls exactly evenly, and a port some other socket holds costs a pair.
std::size_t media_ports_per_node(const SutStartOptions& options) {
  const unsigned nodes = std::max(1u, options.rtpproxy_nodes);
  const std::size_t share = (options.maxcalls + nodes - 1) / nodes;
  return std::max<std::size_t>(4 * (share + share / 10) + 8, 40);
}

// The first media port of all nodes' blocks, laid end to end. Up to 1000 ports the block is checked free; a larger
// one starts at 10000, under the kernel's ephemeral range (where outgoing sockets land), unchecked: fake-rtpproxy
// skips a pair it cannot bind. 5,000 calls on two nodes take 22,016 ports, 10000-32015.
Expected<std::uint16_t, std::string> media_base(const SutStartOptions& options) {
  const std::size_t total = media_ports_per_node(options) * std::max(1u, options.rtpproxy_nodes);
  if (total <= 1000) return process::find_free_udp_port_block(kLoopback, static_cast<unsigned>(total));
  if (10000 + total > 65535) return Unexpected{"fake-rtpproxy: " + std::to_string(total) + " media ports do not fit"};
  return static_cast<std::uint16_t>(10000);
}

}  // namespace

Expected<FakeRtpproxy, std::string> FakeRtpproxy::start(const SutStartOptions& options, unsigned node,
                                                       std::uint16_t media_first) {
  const std::size_t needed = media_ports_per_node(options);
  auto control = process::find_free_udp_port(kLoopback);
  if (!control) return Unexpected{"fake-rtpproxy: " + control.error()};
  const std::size_t first = media_first + node * needed;
  const RtpproxyPorts ports{*control, static_cast<std::uint16_t>(first),
                            static_cast<std::uint16_t>(std::min<std::size_t>(first + needed - 1, 65535))};
  const std::string name = node == 0 ? "fake-rtpproxy" : "fake-rtpproxy-" + std::to_string(node + 1);
  const fs::path log_path = options.dir / (name + ".log");
  const fs::path stats_path = options.dir / (name + ".stats.json");
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
    choice.controls.push_back("udp:127.0.0.1:" + std::to_string(*port));
    return choice;
  }
  auto base = media_base(options);
  if (!base) return Unexpected{"fake-rtpproxy: " + base.error()};
  for (unsigned node = 0; node < std::max(1u, options.rtpproxy_nodes); ++node) {
    auto fake = FakeRtpproxy::start(options, node, *base);
    if (!fake) return Unexpected{fake.error()};  // the nodes started so far stop with their ChildProcess
    choice.controls.push_back(fake->control());
    choice.fakes.push_back(std::move(*fake));
  }
  return choice;
}

nlohmann::json LocalSut::fake_rtpproxy_stats() {
  if (fakes_.empty()) return nullptr;
  if (fakes_.size() == 1) return fakes_.front().stats();
  nlohmann::json merged = {{"schema", "mohq.fake-rtpproxy.stats/1"}, {"counters", nlohmann::json::object()},
                           {"nodes", nlohmann::json::array()}};
  for (const auto& fake : fakes_) {
    auto stats = fake.stats();
    merged["nodes"].push_back(stats);
    if (!stats.is_object() || !stats.contains("counters") || !stats["counters"].is_object()) continue;
    for (const auto& [key, value] : stats["counters"].items())
      if (value.is_number_unsigned())
        merged["counters"][key] = merged["counters"].value(key, std::uint64_t{0}) + value.get<std::uint64_t>();
  }
  return merged;
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
