// harness/sut, the system under test of `mohq run`, against real processes: each kind started, a SIPp caller
// (scenarios/moh_retrieve_notify_200.xml) queued, the queue's depth 1, retrieve transfers it, depth 0 and no call
// table row after the drain, stop leaves no process (the pid's whole process group gone). External pointing at a
// started mohqd, and at a closed port. parse_sut. Then the flows suite against the real Kamailio must pass every
// case with no ladder difference at all (its goldens were recorded from it), mohqd strict against its own
// goldens, an external mohqd with and without its RPC address, and the incident suite through Kamailio.
#define BOOST_TEST_MODULE test_sut
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "harness/run_suites.hpp"
#include "ladder/scenario_runner.hpp"
#include "process/temp_dir.hpp"
#include "support/integration.hpp"
#include "sut/system_under_test.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mohq::harness::SutSpec;
using mohq::harness::SutStartOptions;
using mohq::harness::SystemUnderTest;
using mohq::test::error_of;

namespace {

constexpr const char* kReferTo = "sip:operator@127.0.0.1:5070";

struct Workspace {
  mohq::process::TempDir temp = *mohq::process::make_temp_dir("mohq-sut-test-");
  SutStartOptions options;
  Workspace() {
    options.dir = temp.path() / "sut";
    options.mohdir = temp.path() / "moh";
    options.bin_dir = mohq::test::binary_dir();
    fs::create_directories(options.dir);
    fs::create_directories(options.mohdir);
    std::ofstream(options.mohdir / "test.8", std::ios::binary) << std::string(8000, '\xd5');
    std::ofstream(options.mohdir / "test.0", std::ios::binary) << std::string(8000, '\xff');
  }
};

std::unique_ptr<SystemUnderTest> start(const SutSpec& spec, const SutStartOptions& options) {
  auto sut = mohq::harness::start_sut(spec, options);
  BOOST_TEST_REQUIRE(sut.has_value(), "start_sut(" << spec.kind << "): " << error_of(sut));
  return std::move(*sut);
}

template <class Probe>
auto poll_until(Probe probe, const decltype(probe())& wanted, std::chrono::milliseconds limit) {
  auto value = probe();
  for (auto deadline = std::chrono::steady_clock::now() + limit;
       value != wanted && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(50ms);
    value = probe();
  }
  return value;
}

// An optional count as Boost.Test can print it: the number, or "unknown".
std::string shown(const std::optional<std::size_t>& value) { return value ? std::to_string(*value) : "unknown"; }

// No process left of the ones the SUT started: neither the pid nor anything in its process group.
void check_gone(const std::vector<pid_t>& pids) {
  for (pid_t pid : pids) {
    errno = 0;
    BOOST_TEST((::kill(pid, 0) == -1 && errno == ESRCH), "pid " << pid << " still exists");
    errno = 0;
    BOOST_TEST((::kill(-pid, 0) == -1 && errno == ESRCH), "process group " << pid << " still has members");
  }
}

// A caller enters the queue; depth 1; retrieve transfers it (REFER, NOTIFY 200, the queue's BYE); depth 0;
// nothing left to retrieve; the call table empty once written.
void call_retrieve_drain(SystemUnderTest& sut, const fs::path& work, bool call_table_known) {
  mohq::harness::SutEndpoint endpoint;
  endpoint.host = sut.sip_host();
  endpoint.port = sut.sip_port();
  endpoint.service = sut.queue_user();
  endpoint.rtpproxy_log = sut.rtpproxy_log();
  mohq::harness::ScenarioOptions options;
  options.scenario = mohq::test::source_tree() / "scenarios" / "moh_retrieve_notify_200.xml";
  options.work_dir = work;
  options.retrieve = false;  // this test retrieves, through the SUT
  options.time_limit = 40s;
  BOOST_TEST(shown(sut.queue_depth()) == "0");
  auto running = mohq::harness::start_scenario(endpoint, options);
  BOOST_TEST_REQUIRE(running.has_value(), error_of(running));

  const auto depth = poll_until([&] { return sut.queue_depth(); }, std::optional<std::size_t>(1), 5000ms);
  BOOST_TEST_REQUIRE(shown(depth) == "1", "the caller never reached the queue");
  if (call_table_known) {
    const auto rows = poll_until([&] { return sut.call_table_rows(); }, std::optional<std::size_t>(1), 3000ms);
    BOOST_TEST(shown(rows) == "1");
  } else {
    BOOST_TEST(!sut.call_table_rows().has_value());
  }
  auto retrieved = sut.retrieve(kReferTo);
  BOOST_TEST_REQUIRE(retrieved.has_value(), error_of(retrieved));
  BOOST_TEST(*retrieved);

  auto result = mohq::harness::finish_scenario(std::move(*running), endpoint);
  BOOST_TEST_REQUIRE(result.has_value(), error_of(result));
  BOOST_TEST(result->success(), result->describe());
  BOOST_TEST(shown(poll_until([&] { return sut.queue_depth(); }, std::optional<std::size_t>(0), 3000ms)) == "0");
  auto again = sut.retrieve(kReferTo);
  BOOST_TEST_REQUIRE(again.has_value(), error_of(again));
  BOOST_TEST(!*again, "a retrieve with nothing queued must say so");
  if (call_table_known)
    BOOST_TEST(shown(poll_until([&] { return sut.call_table_rows(); }, std::optional<std::size_t>(0), 3000ms)) ==
               "0");
  BOOST_TEST(sut.alive());
}

// start, the call, stop: nothing left running, fake-rtpproxy's stats written at its exit.
void exercise(const SutSpec& spec, const std::string& kind, const std::string& text) {
  Workspace work;
  mohq::test::LogsOnFailure logs;
  auto sut = start(spec, work.options);
  for (const auto& log : sut->logs()) logs.add(log.filename().string(), log);
  const auto description = sut->description();
  BOOST_TEST(description.kind == kind);
  BOOST_TEST(description.description.find(text) != std::string::npos, description.description);
  BOOST_TEST(sut->queue_uri() == "sip:1008@127.0.0.1:" + std::to_string(sut->sip_port()));
  BOOST_TEST(sut->capture_filter().find("udp port " + std::to_string(sut->sip_port())) == 0u, sut->capture_filter());
  call_retrieve_drain(*sut, work.temp.path(), true);
  BOOST_TEST(sut->numbers().is_object(), sut->numbers().dump());
  BOOST_TEST(sut->fake_rtpproxy_stats().is_null(), "fake-rtpproxy writes its stats when it stops");
  const auto pids = sut->pids();
  BOOST_TEST(pids.size() == 2u);
  sut->stop();
  check_gone(pids);
  const auto stats = sut->fake_rtpproxy_stats();
  BOOST_TEST(stats.value("schema", "") == "mohq.fake-rtpproxy.stats/1", stats.dump());
  BOOST_TEST(stats["counters"].value("nsess_created", 0) >= 1);
  BOOST_TEST(!sut->alive());
}

}  // namespace

BOOST_AUTO_TEST_CASE(parse_sut_accepts_and_rejects) {
  auto builtin = mohq::harness::parse_sut("builtin");
  BOOST_TEST_REQUIRE(builtin.has_value());
  BOOST_TEST(builtin->kind == "builtin");
  BOOST_TEST(builtin->profile == "kamailio");
  BOOST_TEST(builtin->queue_user == "1008");
  BOOST_TEST(mohq::harness::parse_sut("builtin:strict")->profile == "strict");
  BOOST_TEST(mohq::harness::parse_sut("builtin:kamailio")->profile == "kamailio");
  BOOST_TEST(mohq::harness::parse_sut("kamailio")->kind == "kamailio");
  auto external = mohq::harness::parse_sut("10.0.0.5:5060");
  BOOST_TEST_REQUIRE(external.has_value(), error_of(external));
  BOOST_TEST(external->kind == "external");
  BOOST_TEST(external->address == "10.0.0.5:5060");
  BOOST_TEST(mohq::harness::parse_sut("external:127.0.0.1:5070")->address == "127.0.0.1:5070");
  BOOST_TEST(mohq::harness::parse_sut("[::1]:5060")->address == "[::1]:5060");
  for (const char* bad : {"", "builtin:loose", "kamailio:5.6", "sip.example.com:5060", "127.0.0.1", "127.0.0.1:0",
                          "127.0.0.1:65536", "127.0.0.1:50x", "[::1]5060", "mohqd"}) {
    auto parsed = mohq::harness::parse_sut(bad);
    BOOST_TEST(!parsed.has_value(), "'" << bad << "' was accepted");
    if (!parsed) BOOST_TEST(parsed.error().find("builtin:strict") != std::string::npos, parsed.error());
  }
  auto rpc = mohq::harness::parse_host_port("127.0.0.1:5062");
  BOOST_TEST_REQUIRE(rpc.has_value());
  BOOST_TEST(rpc->port == 5062);
  BOOST_TEST(mohq::harness::to_string(*rpc) == "127.0.0.1:5062");
}

BOOST_AUTO_TEST_CASE(builtin_kamailio_profile, *boost::unit_test::timeout(90)) {
  exercise(*mohq::harness::parse_sut("builtin"), "mohqd", "mohqd --profile kamailio");
}

BOOST_AUTO_TEST_CASE(builtin_strict_profile, *boost::unit_test::timeout(90)) {
  exercise(*mohq::harness::parse_sut("builtin:strict"), "mohqd", "mohqd --profile strict");
}

BOOST_AUTO_TEST_CASE(kamailio_kind, *boost::unit_test::timeout(90)) {
  exercise(*mohq::harness::parse_sut("kamailio"), "kamailio", "Kamailio 5.6");
}

// rtpproxy_unreachable: no fake-rtpproxy, the SUT pointed at a port nobody listens on; it still starts, and a
// caller is refused (mohqueue's 486 when rtpproxy does not answer) rather than queued.
BOOST_AUTO_TEST_CASE(rtpproxy_unreachable_starts_without_a_fake, *boost::unit_test::timeout(120)) {
  for (const char* kind : {"builtin", "kamailio"}) {
    BOOST_TEST_CONTEXT(kind) {
      Workspace work;
      work.options.rtpproxy_unreachable = true;
      auto sut = start(*mohq::harness::parse_sut(kind), work.options);
      BOOST_TEST(sut->pids().size() == 1u);
      BOOST_TEST(sut->rtpproxy_log().empty());
      BOOST_TEST(sut->capture_filter() == "udp port " + std::to_string(sut->sip_port()));
      mohq::harness::SutEndpoint endpoint;
      endpoint.host = sut->sip_host();
      endpoint.port = sut->sip_port();
      endpoint.service = sut->queue_user();
      mohq::harness::ScenarioOptions options;
      options.scenario = mohq::test::source_tree() / "scenarios" / "moh_basic_call.xml";
      options.work_dir = work.temp.path();
      options.time_limit = 30s;
      auto result = mohq::harness::run_scenario(endpoint, options);
      BOOST_TEST_REQUIRE(result.has_value(), error_of(result));
      BOOST_TEST(!result->success(), "a call was answered without an rtpproxy");
      bool refused = false;
      for (const auto& step : result->ladder.steps) refused = refused || step.code == 486;
      BOOST_TEST(refused, mohq::harness::to_text(result->ladder, "no rtpproxy"));
      BOOST_TEST(shown(sut->queue_depth()) == "0");
      const auto pids = sut->pids();
      sut->stop();
      check_gone(pids);
      BOOST_TEST(sut->fake_rtpproxy_stats().is_null());
    }
  }
}

BOOST_AUTO_TEST_CASE(kamailio_missing_says_what_to_install, *boost::unit_test::timeout(30)) {
  Workspace work;
  work.options.kamailio_binary = work.temp.path() / "no-kamailio-here";
  auto sut = mohq::harness::start_sut(*mohq::harness::parse_sut("kamailio"), work.options);
  BOOST_TEST_REQUIRE(!sut.has_value());
  BOOST_TEST(sut.error().starts_with("Kamailio is not installed: apt-get install -y kamailio kamailio-sqlite-modules"),
             sut.error());
}

BOOST_AUTO_TEST_CASE(external_pointing_at_a_started_mohqd, *boost::unit_test::timeout(90)) {
  Workspace work;
  auto builtin = start(*mohq::harness::parse_sut("builtin"), work.options);
  const std::string address = "127.0.0.1:" + std::to_string(builtin->sip_port());

  // Without an RPC address: calls work, retrieve says what is missing, depth and call table unknown.
  auto blind = start(*mohq::harness::parse_sut(address), work.options);
  BOOST_TEST(blind->description().kind == "external");
  BOOST_TEST(blind->sip_port() == builtin->sip_port());
  BOOST_TEST(blind->pids().empty());
  BOOST_TEST(blind->logs().empty());
  BOOST_TEST(blind->alive());
  auto retrieve = blind->retrieve(kReferTo);
  BOOST_TEST_REQUIRE(!retrieve.has_value());
  BOOST_TEST(retrieve.error().find("retrieve needs --sut-rpc HOST:PORT") != std::string::npos, retrieve.error());
  BOOST_TEST(!blind->queue_depth().has_value());
  BOOST_TEST(!blind->call_table_rows().has_value());
  BOOST_TEST(blind->capture_filter() == "udp port " + std::to_string(builtin->sip_port()));

  // With mohqd's JSON-RPC: the whole call, retrieve and depth through it; no call table.
  SutSpec spec = *mohq::harness::parse_sut("external:" + address);
  spec.rpc_address = builtin->description().details.at("rpc").get<std::string>();
  auto external = start(spec, work.options);
  call_retrieve_drain(*external, work.temp.path(), false);
  BOOST_TEST(external->numbers().is_object());
  external->stop();  // stops nothing
  BOOST_TEST(builtin->alive());
  builtin->stop();
  BOOST_TEST(!external->alive());
}

BOOST_AUTO_TEST_CASE(external_at_a_closed_port_fails_clearly, *boost::unit_test::timeout(30)) {
  Workspace work;
  const std::uint16_t nobody = mohq::test::free_port();
  const auto started = std::chrono::steady_clock::now();
  auto sut = mohq::harness::start_sut(*mohq::harness::parse_sut("127.0.0.1:" + std::to_string(nobody)), work.options);
  const auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST_REQUIRE(!sut.has_value());
  BOOST_TEST(sut.error().find("does not answer SIP OPTIONS") != std::string::npos, sut.error());
  BOOST_TEST(sut.error().find("127.0.0.1:" + std::to_string(nobody)) != std::string::npos, sut.error());
  BOOST_TEST(took < 6s);
}

// The suites of `mohq run` against other SUTs (what `mohq run flows --sut kamailio` runs).
namespace {

mohq::harness::RunEnvironment environment(const fs::path& out, const std::string& sut) {
  mohq::harness::RunEnvironment env;
  env.bin_dir = mohq::test::binary_dir();
  env.source_dir = mohq::test::source_tree();
  env.out_dir = out;
  env.sut = *mohq::harness::parse_sut(sut);
  return env;
}

void check_all_passed(const mohq::reports::SuiteReport& suite, std::size_t cases, const std::string& sut_text) {
  BOOST_TEST(suite.cases.size() == cases);
  for (const auto& c : suite.cases) {
    std::string failures;
    for (const auto& e : c.expectations)
      if (!e.passed) failures += "\n  " + e.name + ": " + e.message;
    BOOST_TEST(c.passed(), suite.name << "/" << c.name << " failed:" << failures);
    BOOST_TEST(c.description.find(sut_text) != std::string::npos, c.description);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(flows_suite_against_kamailio_passes_with_no_difference, *boost::unit_test::timeout(240)) {
  auto temp = mohq::process::make_temp_dir("mohq-sut-flows-");
  BOOST_TEST_REQUIRE(temp.has_value(), error_of(temp));
  mohq::harness::FlowsSut described;
  const auto suite = mohq::harness::run_flows_suite(environment(temp->path(), "kamailio"), &described);
  check_all_passed(suite, mohq::harness::flow_scenarios().size(), "Kamailio");
  for (const auto& c : suite.cases)
    for (const auto& e : c.expectations)
      BOOST_TEST(e.name != "ladder difference allowed", c.name << ": " << e.message);
  BOOST_TEST(described.description.kind == "kamailio");
  BOOST_TEST(described.mohqd_log.ends_with("kamailio.log"), described.mohqd_log);
}

BOOST_AUTO_TEST_CASE(flows_suite_against_mohqd_strict_uses_its_goldens, *boost::unit_test::timeout(240)) {
  auto temp = mohq::process::make_temp_dir("mohq-sut-flows-strict-");
  BOOST_TEST_REQUIRE(temp.has_value(), error_of(temp));
  const auto suite = mohq::harness::run_flows_suite(environment(temp->path(), "builtin:strict"));
  check_all_passed(suite, mohq::harness::flow_scenarios().size(), "mohqd --profile strict");
  BOOST_TEST_REQUIRE(suite.cases.size() == mohq::harness::flow_scenarios().size());
  BOOST_TEST(suite.cases[7].name == "moh_prack_cancel_strict");
  BOOST_TEST(suite.cases[10].name == "moh_queue_full_strict");
}

// An external queue (here a mohqd the test started): SIP steps against Kamailio's ladders, no queue-full case; the
// retrieve cases only with the RPC address.
BOOST_AUTO_TEST_CASE(flows_suite_against_an_external_mohqd, *boost::unit_test::timeout(240)) {
  Workspace work;
  auto builtin = start(*mohq::harness::parse_sut("builtin"), work.options);
  auto env = environment(work.temp.path() / "report", "127.0.0.1:" + std::to_string(builtin->sip_port()));
  const auto blind = mohq::harness::run_flows_suite(env);
  check_all_passed(blind, mohq::harness::flow_scenarios().size() - 3, "the external SUT at 127.0.0.1:");
  env.sut.rpc_address = builtin->description().details.at("rpc").get<std::string>();
  const auto suite = mohq::harness::run_flows_suite(env);
  check_all_passed(suite, mohq::harness::flow_scenarios().size() - 1, "the external SUT at 127.0.0.1:");
  for (const auto& c : suite.cases) BOOST_TEST(c.name != "moh_queue_full");
  BOOST_TEST(builtin->alive());
}

BOOST_AUTO_TEST_CASE(incident_suite_through_kamailio, *boost::unit_test::timeout(120)) {
  auto temp = mohq::process::make_temp_dir("mohq-sut-incident-");
  BOOST_TEST_REQUIRE(temp.has_value(), error_of(temp));
  const auto suite = mohq::harness::run_incident_suite(environment(temp->path(), "kamailio"));
  check_all_passed(suite, 2, "Kamailio");
}
