// The operator side for load tests: scenarios/moh_caller_transfer.xml callers that really follow the queue's
// REFER, against one SIPp UAS per operator behaviour (scenarios/operator_answer.xml, operator_busy.xml,
// operator_no_answer.xml). For each behaviour: mohqd --profile kamailio + fake-rtpproxy, the operator, 3 callers
// at 2 calls/s, and a retrieve driver (mohqueue.retrieve abc sip:operator@127.0.0.1:<operator port>) that starts
// one transfer at a time: all 3 callers queued, retrieve, wait until that call has left the queue, next.
// Then: the callers' SIPp exits 0 with 3 successful calls and the behaviour's counter at 3, the operator's SIPp
// statistics show 3 calls handled and none failed, the queue has no call left, rtpproxy has no session left;
// for "answer", the callers were REFERred in the order they entered (their -trace_msg).
//
// The same cases against the real Kamailio 5.6.3 mohqueue (harness/kamailio, retrieve by SIP MESSAGE) run only
// with MOHQ_OPERATOR_KAMAILIO=1: what scenarios/README.md says about Kamailio's busy/no-answer handling comes
// from them. There the queue order is only reported: mohqueue orders by call_time, which has 1 s resolution.
#define BOOST_TEST_MODULE test_operator_scenarios
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "kamailio/kamailio_config.hpp"
#include "kamailio/kamailio_instance.hpp"
#include "kamailio/mohq_control.hpp"
#include "kamailio/rtpproxy_socket.hpp"
#include "mohqd/mohqd_instance.hpp"
#include "process/child_process.hpp"
#include "process/temp_dir.hpp"
#include "sim/db/mohqueue_schema.hpp"
#include "sim/db/sqlite_database.hpp"
#include "sim/rpc/json_rpc_server.hpp"
#include "support/integration.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mohq::process::ChildProcess;
using mohq::process::SpawnOptions;
using mohq::test::error_of;
using mohq::test::free_port;
using mohq::test::free_port_block;
using mohq::test::kLoopback;

namespace {

constexpr int kCallers = 3;
constexpr const char* kQueueName = "abc";
constexpr const char* kQueueUser = "1008";

struct Behaviour {
  std::string name;
  std::string operator_scenario;           // scenarios/<this>
  std::string caller_counter;              // moh_caller_transfer.xml's counter for the outcome
  std::vector<std::string> caller_options;  // -set values for the callers
};

Behaviour answer() { return {"answer", "operator_answer.xml", "answered", {"-set", "talk_ms", "500"}}; }
Behaviour busy() { return {"busy", "operator_busy.xml", "busy", {"-set", "requeue_ms", "600"}}; }
Behaviour no_answer() { return {"no answer", "operator_no_answer.xml", "noanswer", {"-set", "ring_ms", "1000"}}; }

// The last row of a SIPp -trace_stat file, by column name ("SuccessfulCall(C)", "answered(C)", ...).
std::map<std::string, std::string> last_stat_row(const fs::path& csv) {
  std::ifstream in(csv);
  std::string header;
  std::string line;
  std::string last;
  std::getline(in, header);
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  std::map<std::string, std::string> row;
  std::istringstream names(header);
  std::istringstream values(last);
  std::string name;
  std::string value;
  while (std::getline(names, name, ';')) {
    if (!std::getline(values, value, ';')) value.clear();
    row[name] = value;
  }
  return row;
}

long stat_value(const std::map<std::string, std::string>& row, const std::string& name) {
  auto it = row.find(name);
  if (it == row.end() || it->second.empty()) return -1;
  return std::stol(it->second);
}

// One message of a SIPp -trace_msg file: "UDP message sent (N bytes):" / "received", start line, Call-ID.
struct TracedMessage {
  bool sent = false;
  std::string start_line;
  std::string call_id;
};

std::vector<TracedMessage> traced_messages(const fs::path& log) {
  std::vector<TracedMessage> messages;
  std::ifstream in(log);
  std::string line;
  bool want_start = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("UDP message sent", 0) == 0 || line.rfind("UDP message received", 0) == 0) {
      messages.push_back({line.rfind("UDP message sent", 0) == 0, {}, {}});
      want_start = true;
    } else if (want_start && !line.empty()) {
      messages.back().start_line = line;
      want_start = false;
    } else if (!messages.empty() && line.rfind("Call-ID:", 0) == 0 && messages.back().call_id.empty()) {
      messages.back().call_id = line.substr(line.find_first_not_of(' ', 8));
    }
  }
  return messages;
}

// What the driver needs from the system under test.
struct Queue {
  std::string host = kLoopback;
  std::uint16_t port = 0;
  // Starts a transfer to refer_to: the Call-ID if the SUT tells it, "" if not; nullopt when no call is queued.
  std::function<std::optional<std::string>(const std::string& refer_to)> retrieve;
  // Calls the queue holds, in any state.
  std::function<std::optional<long>()> calls;
  fs::path rtpproxy_stats;  // fake-rtpproxy --stats-json, written when it stops
  std::function<void()> stop;
  bool fifo_by_arrival = true;  // mohqd: strict arrival order; Kamailio: call_time with 1 s resolution
};

fs::path make_prompts(const fs::path& dir) {
  const fs::path mohdir = dir / "moh";
  fs::create_directories(mohdir);
  for (const char* pt : {"8", "0"}) {
    std::ofstream out(mohdir / (std::string("test.") + pt), std::ios::binary);
    out << std::string(8000, pt[0] == '8' ? '\xd5' : '\xff');
  }
  return mohdir;
}

ChildProcess start_fake_rtpproxy(const fs::path& dir, std::uint16_t control_port, const fs::path& stats) {
  const std::uint16_t rtp_min = free_port_block(40);
  SpawnOptions fake;
  fake.argv = {mohq::test::project_binary("fake-rtpproxy").string(), "-l", kLoopback, "-s",
               "udp:127.0.0.1:" + std::to_string(control_port), "-m", std::to_string(rtp_min), "-M",
               std::to_string(rtp_min + 39), "-f", "--stats-json", stats.string()};
  fake.stdout_path = fake.stderr_path = dir / "fake-rtpproxy.log";
  auto rtpproxy = ChildProcess::spawn(fake);
  BOOST_TEST_REQUIRE(rtpproxy.has_value(), error_of(rtpproxy));
  return std::move(*rtpproxy);
}

// mohqd --profile kamailio + fake-rtpproxy; retrieve and the call table over JSON-RPC.
struct MohqdQueue {
  std::optional<ChildProcess> rtpproxy;
  std::optional<mohq::harness::MohqdInstance> mohqd;
  Queue queue;

  explicit MohqdQueue(const fs::path& dir) {
    const std::uint16_t control_port = free_port();
    queue.rtpproxy_stats = dir / "fake-rtpproxy-stats.json";
    rtpproxy.emplace(start_fake_rtpproxy(dir, control_port, queue.rtpproxy_stats));
    mohq::harness::MohqdLaunch launch;
    launch.binary = mohq::test::project_binary("mohqd");
    launch.sip_port = free_port();
    launch.rpc_port = free_port();
    launch.rtpproxy = {"udp:127.0.0.1:" + std::to_string(control_port)};
    launch.profile = "kamailio";
    launch.mohdir = make_prompts(dir);
    launch.queue_name = kQueueName;
    launch.queue_user = kQueueUser;
    auto started = mohq::harness::MohqdInstance::start(launch, dir);
    BOOST_TEST_REQUIRE(started.has_value(), error_of(started));
    mohqd.emplace(std::move(*started));
    queue.port = launch.sip_port;
    const std::string address = mohqd->rpc_address();
    queue.retrieve = [address](const std::string& refer_to) -> std::optional<std::string> {
      auto result = mohq::sim::call_json_rpc_detailed(address, "mohqueue.retrieve",
                                                              nlohmann::json::array({kQueueName, refer_to}));
      if (!result) {
        BOOST_TEST_REQUIRE(result.error().rpc.has_value(), "mohqueue.retrieve: " << result.error().message);
        BOOST_TEST_REQUIRE(result.error().rpc->code == 404, "mohqueue.retrieve: " << result.error().message);
        return std::nullopt;  // "No calls in queue"
      }
      return (*result)["call_id"].get<std::string>();
    };
    queue.calls = [address]() -> std::optional<long> {
      auto list = mohq::sim::call_json_rpc(address, "mohqueue.list", nlohmann::json::array());
      if (!list) return std::nullopt;
      return static_cast<long>((*list)["calls"].size());
    };
    queue.stop = [this] {
      if (mohqd) BOOST_TEST(mohqd->stop().success(), "mohqd did not stop cleanly");
      if (rtpproxy) rtpproxy->terminate(3s);
    };
  }
};

// The real Kamailio 5.6.3 mohqueue + fake-rtpproxy; retrieve by MESSAGE, the call table from its SQLite file.
struct KamailioQueue {
  std::optional<ChildProcess> rtpproxy;
  std::optional<mohq::kamailio::KamailioInstance> kamailio;
  Queue queue;

  explicit KamailioQueue(const fs::path& dir) {
    const std::uint16_t control_port = free_port();
    queue.rtpproxy_stats = dir / "fake-rtpproxy-stats.json";
    rtpproxy.emplace(start_fake_rtpproxy(dir, control_port, queue.rtpproxy_stats));
    const auto control = mohq::kamailio::RtpproxySocket::udp(kLoopback, control_port);
    auto answered = mohq::kamailio::wait_for_rtpproxy(control, 5s);
    BOOST_TEST_REQUIRE(answered.has_value(), error_of(answered));
    mohq::kamailio::KamailioConfig config;
    config.listen_host = kLoopback;
    config.sip_port = free_port();
    config.rtpproxy = control;
    config.mohdir = make_prompts(dir);
    config.queues = {{kQueueName, mohq::kamailio::queue_uri(kQueueUser, kLoopback, config.sip_port), config.mohdir,
                      "test", false}};
    mohq::kamailio::KamailioLaunch launch;
    if (const char* binary = std::getenv("MOHQ_KAMAILIO"); binary != nullptr && *binary != '\0') launch.binary = binary;
    launch.ready_timeout = 10s;
    auto started = mohq::kamailio::KamailioInstance::start(config, dir, launch);
    BOOST_TEST_REQUIRE(started.has_value(), error_of(started));
    kamailio.emplace(std::move(*started));
    queue.port = config.sip_port;
    queue.fifo_by_arrival = false;
    queue.retrieve = [config](const std::string& refer_to) -> std::optional<std::string> {
      auto started_retrieve = mohq::kamailio::control_retrieve(config, kQueueName, refer_to);
      BOOST_TEST_REQUIRE(started_retrieve.has_value(), "retrieve MESSAGE: " << error_of(started_retrieve));
      if (!*started_retrieve) return std::nullopt;
      return std::string();
    };
    const fs::path db_path = kamailio->files().db;
    queue.calls = [db_path]() -> std::optional<long> {
      mohq::sim_db::OpenOptions options;
      options.create = false;
      options.read_only = true;  // and never switch Kamailio's file to WAL
      auto db = mohq::sim_db::SqliteDatabase::open(db_path, options);
      if (!db) return std::nullopt;
      auto rows = mohq::sim_db::count_calls(*db);
      if (!rows) return std::nullopt;
      return static_cast<long>(*rows);
    };
    queue.stop = [this] {
      if (kamailio) kamailio->stop();
      if (rtpproxy) rtpproxy->terminate(3s);
    };
  }
};

// Waits until the queue holds exactly `wanted` calls; false at the deadline.
bool wait_for_calls(const Queue& queue, long wanted, std::chrono::steady_clock::time_point deadline,
                    long& last_seen) {
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto calls = queue.calls()) {
      last_seen = *calls;
      if (*calls == wanted) return true;
    }
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

void callers_follow_transfers(const Behaviour& behaviour, bool kamailio) {
  auto temp = mohq::process::make_temp_dir("mohq-operators-");
  BOOST_TEST_REQUIRE(temp.has_value(), error_of(temp));
  const fs::path dir = temp->path();
  BOOST_TEST_MESSAGE(behaviour.name << (kamailio ? " (Kamailio)" : " (mohqd)") << ": work dir " << dir.string());

  mohq::test::LogsOnFailure logs;
  logs.add("fake-rtpproxy log", dir / "fake-rtpproxy.log");
  logs.add(kamailio ? "Kamailio log" : "mohqd log", dir / (kamailio ? "kamailio.log" : "mohqd.log"));
  logs.add("operator SIPp output", dir / "operator.out");
  logs.add("operator SIPp errors", dir / "operator-errors.log");
  logs.add("callers' SIPp output", dir / "callers.out");
  logs.add("callers' SIPp errors", dir / "callers-errors.log");
  logs.add("callers' SIPp messages", dir / "callers-messages.log");

  std::unique_ptr<MohqdQueue> mohqd_sut;
  std::unique_ptr<KamailioQueue> kamailio_sut;
  Queue* queue = nullptr;
  if (kamailio) {
    kamailio_sut = std::make_unique<KamailioQueue>(dir);
    queue = &kamailio_sut->queue;
  } else {
    mohqd_sut = std::make_unique<MohqdQueue>(dir);
    queue = &mohqd_sut->queue;
  }

  const std::string scenarios = (mohq::test::source_tree() / "scenarios").string();
  const std::uint16_t operator_port = free_port();
  SpawnOptions op;
  op.argv = {"sipp", "-sf", scenarios + "/" + behaviour.operator_scenario, "-i", kLoopback, "-p",
             std::to_string(operator_port), "-mi", kLoopback, "-mp", std::to_string(free_port_block(4)), "-cp",
             std::to_string(free_port()), "-callid_slash_ign", "-nostdin", "-trace_msg", "-message_file",
             (dir / "operator-messages.log").string(), "-trace_err", "-error_file",
             (dir / "operator-errors.log").string(), "-trace_stat", "-stf", (dir / "operator-stats.csv").string(),
             "-fd", "1"};
  op.stdout_path = op.stderr_path = dir / "operator.out";
  op.working_dir = dir;
  auto operator_sipp = ChildProcess::spawn(op);
  BOOST_TEST_REQUIRE(operator_sipp.has_value(), error_of(operator_sipp) << " (apt-get install sip-tester)");

  SpawnOptions callers_spawn;
  callers_spawn.argv = {"sipp", "-sf", scenarios + "/moh_caller_transfer.xml", "-s", kQueueUser, "-key",
                        "rtp_listen_port", std::to_string(free_port_block(2)), "-i", kLoopback, "-p",
                        std::to_string(free_port()), "-mi", kLoopback, "-mp", std::to_string(free_port_block(4)),
                        "-cp", std::to_string(free_port()), "-nostdin", "-m", std::to_string(kCallers), "-l",
                        std::to_string(kCallers), "-r", "2", "-recv_timeout", "30000", "-timeout", "50",
                        "-timeout_error"};
  callers_spawn.argv.insert(callers_spawn.argv.end(), behaviour.caller_options.begin(),
                            behaviour.caller_options.end());
  const std::vector<std::string> traces = {"-trace_msg", "-message_file", (dir / "callers-messages.log").string(),
                                           "-trace_err", "-error_file", (dir / "callers-errors.log").string(),
                                           "-trace_stat", "-stf", (dir / "callers-stats.csv").string(), "-fd", "1"};
  callers_spawn.argv.insert(callers_spawn.argv.end(), traces.begin(), traces.end());
  callers_spawn.argv.push_back(std::string(kLoopback) + ":" + std::to_string(queue->port));
  callers_spawn.stdout_path = callers_spawn.stderr_path = dir / "callers.out";
  callers_spawn.working_dir = dir;
  auto callers = ChildProcess::spawn(callers_spawn);
  BOOST_TEST_REQUIRE(callers.has_value(), error_of(callers));

  // The driver: one transfer at a time, each once the previous transferred call has left the queue (a call
  // whose transfer failed is back at the head of the queue until it hangs up: retrieving then would REFER it
  // again instead of the next caller).
  const std::string refer_to = "sip:operator@127.0.0.1:" + std::to_string(operator_port);
  const auto deadline = std::chrono::steady_clock::now() + 40s;
  long seen = -1;
  BOOST_TEST_REQUIRE(wait_for_calls(*queue, kCallers, deadline, seen),
                     "the callers never were all in the queue (last seen " << seen << ")");
  std::vector<std::string> retrieved;
  for (int started = 0; started < kCallers;) {
    BOOST_TEST_REQUIRE((std::chrono::steady_clock::now() < deadline), "only " << started << " transfers started");
    auto call = queue->retrieve(refer_to);
    if (!call) {  // not ACKed yet (Kamailio's ACK race), or back from a failed transfer: try again
      std::this_thread::sleep_for(100ms);
      continue;
    }
    ++started;
    retrieved.push_back(*call);
    BOOST_TEST_REQUIRE(wait_for_calls(*queue, kCallers - started, deadline, seen),
                       "transfer " << started << ": the call never left the queue (" << seen << " calls)");
  }

  auto callers_status = callers->wait_for(30s);
  if (!callers_status) callers_status = callers->terminate(1s);
  std::this_thread::sleep_for(300ms);  // the operator's last ACK or BYE
  auto operator_status = operator_sipp->terminate(3s);  // SIGTERM: SIPp writes a last statistics row and exits 0
  BOOST_TEST(callers_status->success(), "callers' SIPp: " << callers_status->describe());
  BOOST_TEST(operator_status.success(), "operator's SIPp: " << operator_status.describe());

  const auto caller_stats = last_stat_row(dir / "callers-stats.csv");
  BOOST_TEST(stat_value(caller_stats, "OutgoingCall(C)") == kCallers);
  BOOST_TEST(stat_value(caller_stats, "SuccessfulCall(C)") == kCallers);
  BOOST_TEST(stat_value(caller_stats, "FailedCall(C)") == 0);
  BOOST_TEST(stat_value(caller_stats, "refer(C)") == kCallers);
  BOOST_TEST(stat_value(caller_stats, behaviour.caller_counter + "(C)") == kCallers);
  BOOST_TEST(stat_value(caller_stats, "gaveup(C)") == 0);

  const auto operator_stats = last_stat_row(dir / "operator-stats.csv");
  BOOST_TEST(stat_value(operator_stats, "IncomingCall(C)") == kCallers);
  BOOST_TEST(stat_value(operator_stats, "SuccessfulCall(C)") == kCallers);
  BOOST_TEST(stat_value(operator_stats, "FailedCall(C)") == 0);
  BOOST_TEST(stat_value(operator_stats, "CurrentCall") == 0);

  // Nothing left in the queue.
  auto left = queue->calls();
  BOOST_TEST_REQUIRE(left.has_value());
  BOOST_TEST(*left == 0);
  if (mohqd_sut) {
    auto count = mohq::sim::call_json_rpc(mohqd_sut->mohqd->rpc_address(), "mohqueue.count",
                                             nlohmann::json::array({kQueueName}));
    BOOST_TEST_REQUIRE(count.has_value(), error_of(count));
    BOOST_TEST(*count == 0);
  }

  // FIFO: the REFERs reached the callers in the order their INVITEs entered the queue.
  std::vector<std::string> invited;
  std::vector<std::string> referred;
  for (const auto& message : traced_messages(dir / "callers-messages.log")) {
    if (message.sent && message.start_line.rfind(std::string("INVITE sip:") + kQueueUser + "@", 0) == 0)
      invited.push_back(message.call_id);
    if (!message.sent && message.start_line.rfind("REFER ", 0) == 0) referred.push_back(message.call_id);
  }
  BOOST_TEST(invited.size() == static_cast<std::size_t>(kCallers));
  BOOST_TEST(referred.size() == static_cast<std::size_t>(kCallers));
  if (queue->fifo_by_arrival) {
    if (behaviour.caller_counter == "answered") BOOST_TEST(referred == invited, boost::test_tools::per_element());
    if (!retrieved.front().empty()) BOOST_TEST(retrieved == invited, boost::test_tools::per_element());
  } else {
    BOOST_TEST_MESSAGE("REFER order " << (referred == invited ? "==" : "!=") << " INVITE order");
  }

  // Every rtpproxy session was deleted (D): on the NOTIFY 200, on the caller's BYE after a 486, on the NOTIFY 487.
  queue->stop();
  const std::string stats = mohq::test::read_file(queue->rtpproxy_stats);
  BOOST_TEST(mohq::test::stats_counter(stats, "nsess_created").value_or(-1) == kCallers);
  BOOST_TEST(mohq::test::stats_counter(stats, "nsess_destroyed").value_or(-1) == kCallers);
}

bool kamailio_wanted() {
  const char* wanted = std::getenv("MOHQ_OPERATOR_KAMAILIO");
  return wanted != nullptr && std::string(wanted) == "1";
}

boost::test_tools::assertion_result kamailio_enabled(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result result(kamailio_wanted());
  result.message() << "set MOHQ_OPERATOR_KAMAILIO=1 to run the transfer paths against the real Kamailio";
  return result;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(operators_with_mohqd)

BOOST_AUTO_TEST_CASE(callers_transferred_to_an_operator_that_answers, *boost::unit_test::timeout(60)) {
  callers_follow_transfers(answer(), false);
}

BOOST_AUTO_TEST_CASE(callers_transferred_to_a_busy_operator, *boost::unit_test::timeout(60)) {
  callers_follow_transfers(busy(), false);
}

BOOST_AUTO_TEST_CASE(callers_transferred_to_an_operator_that_does_not_answer, *boost::unit_test::timeout(60)) {
  callers_follow_transfers(no_answer(), false);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(operators_with_kamailio, *boost::unit_test::precondition(kamailio_enabled))

BOOST_AUTO_TEST_CASE(kamailio_callers_transferred_to_an_operator_that_answers, *boost::unit_test::timeout(90)) {
  callers_follow_transfers(answer(), true);
}

BOOST_AUTO_TEST_CASE(kamailio_callers_transferred_to_a_busy_operator, *boost::unit_test::timeout(90)) {
  callers_follow_transfers(busy(), true);
}

BOOST_AUTO_TEST_CASE(kamailio_callers_transferred_to_an_operator_that_does_not_answer,
                     *boost::unit_test::timeout(90)) {
  callers_follow_transfers(no_answer(), true);
}

BOOST_AUTO_TEST_SUITE_END()
