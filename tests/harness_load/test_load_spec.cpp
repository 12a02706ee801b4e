#define BOOST_TEST_MODULE harness_load
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>

#include "harness/load/load_spec.hpp"

using namespace mohq::harness;
using nlohmann::json;

namespace {

json minimal() {
  return json::parse(R"({"schema": "mohq.suite/1", "name": "s", "cases": [{"name": "c"}]})");
}

std::string error_of(const json& document) {
  auto parsed = parse_suite(document);
  BOOST_REQUIRE_MESSAGE(!parsed.has_value(), "expected an error for " + document.dump());
  return parsed.error();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(suite_file)

BOOST_AUTO_TEST_CASE(minimal_case_gets_the_defaults) {
  auto suite = parse_suite(minimal());
  BOOST_REQUIRE_MESSAGE(suite.has_value(), (suite ? std::string() : suite.error()));
  BOOST_TEST(suite->name == "s");
  BOOST_REQUIRE(suite->cases.size() == 1u);
  const auto& c = suite->cases[0];
  BOOST_TEST(c.sut.kind == "builtin");
  BOOST_TEST(c.sut.profile == "kamailio");
  BOOST_TEST(c.callers.scenario == "moh_caller_listen");
  BOOST_TEST(c.capture == "full");
  BOOST_TEST(c.operators.behaviour.empty());
}

BOOST_AUTO_TEST_CASE(every_key_is_read) {
  auto document = json::parse(R"({
    "schema": "mohq.suite/1", "name": "drain", "description": "d",
    "defaults": {"sut": {"kind": "builtin", "profile": "strict"}, "time_limit_s": 50},
    "cases": [{
      "name": "fifo-100", "description": "x",
      "sut": {"maxcalls": 200, "rtpproxy": "fake", "rtpproxy_nodes": 2},
      "faults": ["rtp.ptime=30"],
      "prompt": {"seconds": 4, "codecs": [8]},
      "callers": {"scenario": "moh_caller_transfer", "calls": 100, "rate": 50, "concurrency": 150, "hold_ms": 20000,
                  "hold": {"distribution": "uniform", "min_ms": 1000, "max_ms": 3000},
                  "ramp": {"to": 200, "step": 25, "every_s": 2}, "processes": 2, "offer_types": [8, 0, 101]},
      "operators": {"behaviour": "answer", "retrieve_rate": 20, "start_after_s": 2.5, "talk_ms": 500, "ring_ms": 900, "requeue_ms": 300},
      "capture": "signalling",
      "expect": {"sipp_successful": 100, "sipp_failed_max": 0, "findings_required": ["rtp.ptime"],
                 "findings_forbidden": ["error"], "fifo": true, "transferred": 100, "final_code": 200,
                 "max_setup_ms": 250, "max_queue_wait_s": 9, "queue_depth_reached": 90, "queue_depth_max": 100, "call_table_empty_within_s": 5,
                 "rtp_packets_min": 1000}
    }]})");
  auto suite = parse_suite(document);
  BOOST_REQUIRE_MESSAGE(suite.has_value(), (suite ? std::string() : suite.error()));
  const auto& c = suite->cases.at(0);
  BOOST_TEST(c.sut.profile == "strict");  // from defaults, merged under the case's own sut keys
  BOOST_TEST(c.maxcalls == 200u);
  BOOST_TEST(c.rtpproxy_nodes == 2u);
  BOOST_TEST(c.time_limit_s == 50);
  BOOST_TEST(c.faults.at(0) == "rtp.ptime=30");
  BOOST_TEST(c.prompt.codecs.size() == 1u);
  BOOST_TEST(c.callers.calls == 100u);
  BOOST_TEST(c.callers.rate == 50);
  BOOST_TEST(c.callers.ramp_to == 200);
  BOOST_TEST(c.callers.processes == 2u);
  BOOST_TEST(c.callers.hold_distribution == "uniform");
  BOOST_TEST(c.callers.hold_max_ms == 3000u);
  BOOST_TEST(*c.expect.max_queue_wait_s == 9);
  BOOST_TEST(c.operators.behaviour == "answer");
  BOOST_TEST(c.operators.start_after_s == 2.5);
  BOOST_TEST(c.operators.requeue_ms == 300u);
  BOOST_TEST(c.capture == "signalling");
  BOOST_TEST(*c.expect.sipp_successful == 100u);
  BOOST_TEST(c.expect.fifo);
  BOOST_TEST(*c.expect.final_code == 200);
  BOOST_TEST(*c.expect.max_setup_ms == 250);
  BOOST_TEST(*c.expect.queue_depth_max == 100u);
  BOOST_TEST(*c.expect.call_table_empty_within_s == 5);
  BOOST_TEST(*c.expect.rtp_packets_min == 1000u);
}

BOOST_AUTO_TEST_CASE(errors_name_the_key) {
  auto with_case = [](const char* case_json) {
    auto document = minimal();
    document["cases"][0].merge_patch(json::parse(case_json));
    return document;
  };
  BOOST_TEST(error_of(with_case(R"({"callers": {"rate": 0}})")).starts_with("cases[0].callers.rate: must be > 0"));
  BOOST_TEST(error_of(with_case(R"({"callers": {"rat": 5}})")).starts_with("cases[0].callers.rat: unknown key"));
  BOOST_TEST(error_of(with_case(R"({"expect": {"fifoo": true}})")).starts_with("cases[0].expect.fifoo: unknown key"));
  BOOST_TEST(error_of(with_case(R"({"sut": {"kind": "asterisk"}})")).find("not one of builtin, kamailio, external") !=
             std::string::npos);
  BOOST_TEST(error_of(with_case(R"({"sut": {"kind": "external"}})")).find("HOST:PORT") != std::string::npos);
  BOOST_TEST(error_of(with_case(R"({"faults": ["rtp.ptime"]})")).find("KEY=VALUE") != std::string::npos);
  BOOST_TEST(error_of(with_case(R"({"callers": {"calls": -3}})")).starts_with("cases[0].callers.calls"));
  BOOST_TEST(error_of(with_case(R"({"capture": "none", "expect": {"fifo": true}})")).starts_with("cases[0].capture"));
  BOOST_TEST(error_of(with_case(R"({"expect": {"fifo": true}})")).starts_with("cases[0].expect.fifo: needs operators"));
  BOOST_TEST(error_of(with_case(R"({"name": "a b"})")).starts_with("cases[0].name"));
  BOOST_TEST(error_of(with_case(R"({"callers": {"hold": {"distribution": "uniform", "min_ms": 5, "max_ms": 5}}})"))
                 .starts_with("cases[0].callers.hold: uniform needs"));
  BOOST_TEST(error_of(with_case(R"({"callers": {"hold": {"distribution": "pareto"}}})"))
                 .starts_with("cases[0].callers.hold.distribution"));
  BOOST_TEST(error_of(with_case(R"({"callers": {"scenario": "../x"}})")).starts_with("cases[0].callers.scenario"));
  BOOST_TEST(error_of(json::parse(R"({"schema": "x", "name": "s", "cases": [{"name": "c"}]})")).starts_with("schema"));
  BOOST_TEST(error_of(json::parse(R"({"schema": "mohq.suite/1", "name": "s", "cases": []})")).starts_with("cases"));
  auto twice = minimal();
  twice["cases"].push_back(json{{"name", "c"}});
  BOOST_TEST(error_of(twice).find("appears twice") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(overrides_change_the_load_not_the_queue) {
  auto suite = parse_suite(minimal());
  BOOST_REQUIRE(suite);
  auto c = suite->cases[0];
  c.sut.queue_user = "2000";
  LoadOverrides overrides;
  overrides.rate = 77;
  overrides.calls = 5;
  overrides.hold_ms = 100;
  overrides.operators = "busy";
  overrides.sut = SutSpec{};
  overrides.sut->kind = "kamailio";
  apply_overrides(c, overrides);
  BOOST_TEST(c.callers.rate == 77);
  BOOST_TEST(c.callers.calls == 5u);
  BOOST_TEST(c.callers.hold_ms == 100u);
  BOOST_TEST(c.operators.behaviour == "busy");
  BOOST_TEST(c.sut.kind == "kamailio");
  BOOST_TEST(c.sut.queue_user == "2000");
}

BOOST_AUTO_TEST_CASE(processes_follow_the_top_rate) {
  CallerLoad load;
  load.rate = 100;
  BOOST_TEST(caller_processes(load) == 1u);
  load.rate = 401;
  BOOST_TEST(caller_processes(load) == 2u);
  load.rate = 100;
  load.ramp_to = 1000;
  BOOST_TEST(caller_processes(load) == 3u);
  load.processes = 5;
  BOOST_TEST(caller_processes(load) == 5u);
}

// The suite files shipped in suites/ parse (a typo in them would only show when a run starts).
BOOST_AUTO_TEST_CASE(shipped_suite_files_parse) {
  const char* source = std::getenv("MOHQ_SOURCE_DIR");
  BOOST_REQUIRE(source != nullptr);
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(source) / "suites")) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    auto suite = load_suite_file(entry.path());
    BOOST_TEST(suite.has_value(), (suite ? "" : suite.error()));
    if (suite)
      for (const auto& c : suite->cases)
        BOOST_TEST(std::filesystem::exists(std::filesystem::path(source) / "scenarios" / (c.callers.scenario + ".xml")),
                   c.name + ": scenarios/" + c.callers.scenario + ".xml");
  }
  BOOST_TEST(files >= 2u);
}

BOOST_AUTO_TEST_SUITE_END()
