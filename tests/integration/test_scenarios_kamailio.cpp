// Every scenario of scenarios/ (one per mohqueue flow of kamailio-on-debian.md) run by harness/ladder against
// the real Kamailio 5.6.3 mohqueue with fake-rtpproxy, and its ladder compared with the golden one in
// tests/integration/data/ladders/<scenario>.txt: the oracle mohqd is compared against later.
//
//   SIPp caller --SIP--> Kamailio (mohqueue) --U/L/P/D--> fake-rtpproxy (-d DBUG: logs every command)
//   retrieve: MESSAGE sip:mohq-control@<kamailio> X-Mohq-Action: retrieve (harness/kamailio/mohq_control.hpp)
//
// After an intended change (or to record a new Kamailio's behaviour):
//   MOHQ_REGENERATE=1 build-scen/tests/test_scenarios_kamailio
// MOHQ_KEEP_TMP=1 keeps the work directories (Kamailio and fake-rtpproxy logs, SIPp traces).
#define BOOST_TEST_MODULE integration_scenarios_kamailio
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kamailio/kamailio_instance.hpp"
#include "kamailio/mohq_control.hpp"
#include "kamailio/rtpproxy_socket.hpp"
#include "ladder/ladder.hpp"
#include "ladder/scenario_runner.hpp"
#include "process/child_process.hpp"
#include "process/free_port.hpp"
#include "process/temp_dir.hpp"
#include "support/source_tree.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mohq::harness::Ladder;
using mohq::harness::ScenarioOptions;
using mohq::harness::ScenarioResult;
using mohq::harness::SutEndpoint;

namespace {

constexpr const char* kHost = "127.0.0.1";
constexpr const char* kQueueUser = "1008";
constexpr const char* kQueueName = "moh";
constexpr const char* kReferTo = "sip:operator@127.0.0.1:5070";

template <class T>
std::string error_of(const mohq::Expected<T, std::string>& result) {
  return result.has_value() ? std::string() : result.error();
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

fs::path scenario_path(const std::string& name) { return mohq::test::source_tree() / "scenarios" / (name + ".xml"); }
fs::path golden_path(const std::string& name) {
  return mohq::test::source_tree() / "tests" / "integration" / "data" / "ladders" / (name + ".txt");
}

// ---------------------------------------------------------------------------------------------------------
// fake-rtpproxy + Kamailio, started once per moh_maxcalls value and shared by the cases.

struct Sut {
  explicit Sut(mohq::process::TempDir temp) : dir(std::move(temp)) {}
  Sut(const Sut&) = delete;
  Sut& operator=(const Sut&) = delete;
  mohq::process::TempDir dir;
  std::optional<mohq::process::ChildProcess> rtpproxy;
  std::optional<mohq::kamailio::KamailioInstance> kamailio;
  SutEndpoint endpoint;

  ~Sut() {
    if (kamailio) kamailio->stop();
    if (rtpproxy) rtpproxy->terminate(std::chrono::milliseconds(3000));
  }
};

std::unique_ptr<Sut> start_sut(int moh_maxcalls) {
  auto temp = mohq::process::make_temp_dir("mohq-scen-");
  BOOST_TEST_REQUIRE(temp.has_value(), error_of(temp));
  auto sut = std::make_unique<Sut>(std::move(*temp));
  const fs::path dir = sut->dir.path();
  const fs::path mohdir = dir / "moh";
  fs::create_directories(mohdir);
  // The prompt's content does not matter here: 1 s of A-law and mu-law silence (PTs 8 and 0, as in the traces).
  for (const char* pt : {"8", "0"}) {
    std::ofstream out(mohdir / (std::string("test.") + pt), std::ios::binary);
    out << std::string(8000, pt[0] == '8' ? '\xd5' : '\xff');
  }

  auto control_port = mohq::process::find_free_udp_port(kHost);
  auto sip_port = mohq::process::find_free_udp_port(kHost);
  auto rtp_min = mohq::process::find_free_udp_port_block(kHost, 40);
  BOOST_TEST_REQUIRE((control_port && sip_port && rtp_min), "no free ports");
  const auto control = mohq::kamailio::RtpproxySocket::udp(kHost, *control_port);

  mohq::process::SpawnOptions fake;
  fake.argv = {(mohq::test::binary_dir() / "fake-rtpproxy").string(), "-l", kHost, "-s", control.to_string(),
               "-m", std::to_string(*rtp_min), "-M", std::to_string(*rtp_min + 39), "-f", "-d", "DBUG"};
  fake.stdout_path = fake.stderr_path = dir / "fake-rtpproxy.log";
  auto rtpproxy = mohq::process::ChildProcess::spawn(fake);
  BOOST_TEST_REQUIRE(rtpproxy.has_value(), error_of(rtpproxy) << " (build target fake-rtpproxy)");
  sut->rtpproxy.emplace(std::move(*rtpproxy));
  auto answered = mohq::kamailio::wait_for_rtpproxy(control, 5s);
  BOOST_TEST_REQUIRE(answered.has_value(), error_of(answered));

  mohq::kamailio::KamailioConfig config;
  config.listen_host = kHost;
  config.sip_port = *sip_port;
  config.rtpproxy = control;
  config.mohdir = mohdir;
  config.moh_maxcalls = moh_maxcalls;
  config.queues = {{kQueueName, mohq::kamailio::queue_uri(kQueueUser, kHost, *sip_port), mohdir, "test", false}};
  mohq::kamailio::KamailioLaunch launch;
  if (const char* binary = std::getenv("MOHQ_KAMAILIO"); binary != nullptr && *binary != '\0') launch.binary = binary;
  launch.ready_timeout = 10s;
  auto kamailio = mohq::kamailio::KamailioInstance::start(config, dir, launch);
  BOOST_TEST_REQUIRE(kamailio.has_value(), error_of(kamailio));
  sut->kamailio.emplace(std::move(*kamailio));

  const std::uint16_t port = *sip_port;
  sut->endpoint.host = kHost;
  sut->endpoint.port = port;
  sut->endpoint.service = kQueueUser;
  // harness/kamailio's control route: 200 once mohq_retrieve() started, 404 while the call is not queued yet.
  sut->endpoint.retrieve = [config] {
    return mohq::kamailio::control_retrieve(config, kQueueName, kReferTo).value_or(false);
  };
  sut->endpoint.rtpproxy_log = dir / "fake-rtpproxy.log";
  BOOST_TEST_MESSAGE("Kamailio (moh_maxcalls " << moh_maxcalls << ") on " << kHost << ":" << port << ", work dir "
                                               << dir.string());
  return sut;
}

Sut& shared_sut() {
  static std::unique_ptr<Sut> sut = start_sut(10);
  return *sut;
}

// ---------------------------------------------------------------------------------------------------------
// Golden ladders

void check_against_golden(const ScenarioResult& result, const Sut& sut) {
  const fs::path golden = golden_path(result.name);
  const std::string actual_text = mohq::harness::to_text(
      result.ladder, result.name + ": Kamailio 5.6.3 mohqueue + fake-rtpproxy, scenarios/" + result.name + ".xml");
  if (std::getenv("MOHQ_REGENERATE") != nullptr) {
    // Only a run in which SIPp saw the whole expected flow is worth recording.
    BOOST_TEST_REQUIRE(result.success(), "not regenerating " << golden.string() << ": " << result.describe());
    std::ofstream(golden, std::ios::binary | std::ios::trunc) << actual_text;
    BOOST_TEST_MESSAGE("regenerated " << golden.string());
    return;
  }
  BOOST_TEST_REQUIRE(fs::exists(golden), golden.string() << " is missing (MOHQ_REGENERATE=1 records it)");
  auto expected = mohq::harness::parse_ladder(read_text(golden));
  BOOST_TEST_REQUIRE(expected.has_value(), golden.string() << ": " << error_of(expected));
  auto differences = mohq::harness::diff_ladders(*expected, result.ladder);
  for (const auto& difference : differences) BOOST_TEST_ERROR(result.name << ": " << difference);
  if (!differences.empty()) {
    std::cerr << "\n===== " << result.name << ": actual ladder =====\n" << actual_text << "===== Kamailio log tail ("
              << sut.kamailio->log_path().string() << ") =====\n"
              << mohq::kamailio::tail_of_file(sut.kamailio->log_path(), 3000) << "\n";
  }
}

ScenarioOptions options_for(const std::string& name, const Sut& sut) {
  ScenarioOptions options;
  options.scenario = scenario_path(name);
  options.work_dir = sut.dir.path();
  options.listen = 1000ms;
  options.time_limit = 40s;
  return options;
}

void run_and_check(const std::string& name) {
  Sut& sut = shared_sut();
  auto result = mohq::harness::run_scenario(sut.endpoint, options_for(name, sut));
  BOOST_TEST_REQUIRE(result.has_value(), error_of(result));
  BOOST_TEST_MESSAGE(name << ": " << result->ladder.steps.size() << " steps, " << result->ladder.retransmissions
                          << " retransmission(s) folded, " << result->ladder.rtpproxy.size() << " rtpproxy command(s)");
  BOOST_TEST(result->success(), result->describe());
  check_against_golden(*result, sut);
}

}  // namespace

// The parser and the text form on the reference trace of kamailio-on-debian.md (when the shared docs are there).
BOOST_AUTO_TEST_CASE(ladder_of_reference_retrieve_trace) {
  const fs::path trace = "/work/shared/traces/kamailio-5.6.3/retrieve_refer.sipp-trace.txt";
  if (!fs::exists(trace)) {
    BOOST_TEST_MESSAGE("no " << trace.string() << ": skipped");
    return;
  }
  auto messages = mohq::harness::parse_sipp_trace(read_text(trace));
  BOOST_TEST_REQUIRE(messages.has_value(), error_of(messages));
  BOOST_TEST(messages->size() == 10u);
  Ladder ladder = mohq::harness::make_ladder(*messages, {"127.0.0.1:5091", "127.0.0.1:5060"});
  BOOST_TEST_REQUIRE(ladder.steps.size() == 10u);
  BOOST_TEST(ladder.steps[4].to_text() ==
             "<-- REFER | CSeq: 2 REFER | Via: 2 | SDP: no | Contact: <sip:1008@SUT> | "
             "Refer-To: <sip:operator@127.0.0.1:5070> | Referred-By: <sip:1008@SUT>");
  BOOST_TEST(ladder.steps[2].sdp);
  auto round_trip = mohq::harness::parse_ladder(mohq::harness::to_text(ladder, "reference"));
  BOOST_TEST_REQUIRE(round_trip.has_value(), error_of(round_trip));
  BOOST_TEST(mohq::harness::diff_ladders(ladder, *round_trip).empty());
  Ladder changed = ladder;
  changed.steps[2].code = 486;
  changed.steps[3].headers.clear();
  auto differences = mohq::harness::diff_ladders(ladder, changed);
  BOOST_TEST(differences.size() == 2u);
}

BOOST_AUTO_TEST_SUITE(kamailio_mohqueue_scenarios, *boost::unit_test::timeout(60))

BOOST_AUTO_TEST_CASE(basic_call) { run_and_check("moh_basic_call"); }
BOOST_AUTO_TEST_CASE(no_sdp) { run_and_check("moh_no_sdp"); }
BOOST_AUTO_TEST_CASE(allow_without_refer) { run_and_check("moh_allow_no_refer"); }
BOOST_AUTO_TEST_CASE(options_in_dialog) { run_and_check("moh_options_in_dialog"); }
BOOST_AUTO_TEST_CASE(reinvite_without_hold) { run_and_check("moh_reinvite_no_hold"); }
BOOST_AUTO_TEST_CASE(reinvite_with_hold) { run_and_check("moh_reinvite_hold"); }
BOOST_AUTO_TEST_CASE(prack) { run_and_check("moh_prack"); }
BOOST_AUTO_TEST_CASE(cancel_during_prack_wait) { run_and_check("moh_prack_cancel"); }
BOOST_AUTO_TEST_CASE(retrieve_notify_200) { run_and_check("moh_retrieve_notify_200"); }
BOOST_AUTO_TEST_CASE(retrieve_notify_486) { run_and_check("moh_retrieve_notify_486"); }

// moh_maxcalls=1: a basic call occupies the only slot, then the queue-full INVITE must get no answer.
BOOST_AUTO_TEST_CASE(queue_full) {
  auto sut = start_sut(1);
  ScenarioOptions occupant = options_for("moh_basic_call", *sut);
  occupant.listen = 6000ms;
  auto running = mohq::harness::start_scenario(sut->endpoint, occupant);
  BOOST_TEST_REQUIRE(running.has_value(), error_of(running));
  std::size_t count = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 4s; std::chrono::steady_clock::now() < deadline;) {
    count = mohq::kamailio::control_count(sut->kamailio->config(), kQueueName).value_or(0);
    if (count == 1) break;
    std::this_thread::sleep_for(100ms);
  }
  BOOST_TEST_REQUIRE(count == 1u, "the occupying call never reached the queue (mohq_count)");

  auto full = mohq::harness::run_scenario(sut->endpoint, options_for("moh_queue_full", *sut));
  BOOST_TEST_REQUIRE(full.has_value(), error_of(full));
  BOOST_TEST(full->success(), full->describe());
  check_against_golden(*full, *sut);

  // The occupant is an ordinary basic call: the same ladder as moh_basic_call.
  auto occupied = mohq::harness::finish_scenario(std::move(*running), sut->endpoint);
  BOOST_TEST_REQUIRE(occupied.has_value(), error_of(occupied));
  BOOST_TEST(occupied->success(), occupied->describe());
  if (std::getenv("MOHQ_REGENERATE") == nullptr) check_against_golden(*occupied, *sut);

  // The slot is free again: now the queue answers, and the scenario must say so (SIPp exit code 1).
  auto answered = mohq::harness::run_scenario(sut->endpoint, options_for("moh_queue_full", *sut));
  BOOST_TEST_REQUIRE(answered.has_value(), error_of(answered));
  BOOST_TEST(answered->sipp_status.exited_with(1), "moh_queue_full against a queue with room: " << answered->describe());
  BOOST_TEST_REQUIRE(answered->ladder.steps.size() >= 2u);
  BOOST_TEST(answered->ladder.steps[1].code == 100);
}

BOOST_AUTO_TEST_SUITE_END()
