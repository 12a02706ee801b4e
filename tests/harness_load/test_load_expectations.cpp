#include <boost/test/unit_test.hpp>

#include "harness/load/load_expectations.hpp"

using namespace mohq::harness;
namespace analyzers = mohq::analyzers;

namespace {

constexpr std::uint16_t kQueuePort = 5060;

analyzers::SipEvent request(const std::string& method, double time) {
  analyzers::SipEvent e;
  e.method = method;
  e.time = time;
  return e;
}
analyzers::SipEvent response(int code, const std::string& cseq_method, double time) {
  analyzers::SipEvent e;
  e.code = code;
  e.cseq_method = cseq_method;
  e.time = time;
  return e;
}

// A queued call: INVITE at `invite`, 200, ACK, and (when refer > 0) REFER at `refer`.
analyzers::CallRecord call(const std::string& id, double invite, double refer, int final_code = 200) {
  analyzers::CallRecord c;
  c.call_id = id;
  c.callee = {"127.0.0.1", kQueuePort};
  c.events.push_back(request("INVITE", invite));
  c.events.push_back(response(final_code, "INVITE", invite + 0.004));
  if (final_code == 200) c.events.push_back(request("ACK", invite + 0.005));
  if (refer > 0) c.events.push_back(request("REFER", refer));
  return c;
}

const mohq::reports::Expectation* find(const std::vector<mohq::reports::Expectation>& all, const std::string& prefix) {
  for (const auto& e : all)
    if (e.name.starts_with(prefix)) return &e;
  return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(load_expectations)

BOOST_AUTO_TEST_CASE(fifo_holds_and_breaks) {
  analyzers::AnalysisResult analysis;
  analysis.calls = {call("b", 1.1, 5.2), call("a", 1.0, 5.1), call("c", 1.2, 5.3)};
  analysis.capture_end = 9;
  auto calls = queue_calls(analysis, kQueuePort);
  BOOST_REQUIRE(calls.size() == 3u);
  BOOST_TEST(calls[0]->call_id == "a");  // ordered by INVITE
  BOOST_TEST(fifo_violation(calls).empty());
  analysis.calls[2] = call("c", 1.2, 5.0);  // referred before a and b although it came last
  calls = queue_calls(analysis, kQueuePort);
  const std::string violation = fifo_violation(calls);
  BOOST_TEST(violation.starts_with("c "), violation);
}

BOOST_AUTO_TEST_CASE(calls_to_other_ports_are_not_the_queue_s) {
  analyzers::AnalysisResult analysis;
  analysis.calls = {call("a", 1.0, 0)};
  analysis.calls[0].callee.port = 5070;  // the operator leg
  BOOST_TEST(queue_calls(analysis, kQueuePort).empty());
}

BOOST_AUTO_TEST_CASE(each_expectation_can_fail) {
  LoadCaseSpec spec;
  spec.name = "c";
  spec.operators.behaviour = "answer";
  spec.expect.sipp_successful = 3;
  spec.expect.sipp_failed_max = 0;
  spec.expect.findings_required = {"rtp.ptime"};
  spec.expect.findings_forbidden = {"error", "codec.*"};
  spec.expect.fifo = true;
  spec.expect.transferred = 2;
  spec.expect.final_code = 200;
  spec.expect.max_setup_ms = 3;
  spec.expect.max_queue_wait_s = 1;
  spec.expect.queue_depth_reached = 3;
  spec.expect.queue_depth_max = 1;
  spec.expect.call_table_empty_within_s = 2;
  spec.expect.rtp_packets_min = 10;

  analyzers::AnalysisResult analysis;
  analysis.calls = {call("a", 1.0, 3.0), call("b", 1.1, 2.0), call("c", 1.2, 0, 486)};
  analysis.capture_end = 9;
  analyzers::Finding payload;
  payload.id = "codec.payload_mismatch";
  payload.severity = analyzers::Severity::Error;
  analysis.findings.push_back(payload);

  LoadOutcome outcome;
  outcome.callers = mohq::reports::SippStats{};
  outcome.callers->successful_calls = 2;
  outcome.callers->failed_calls = 1;
  outcome.callers_finished = false;
  outcome.sut_alive = false;
  outcome.sipp_problems = {"caller 1: exit code 255: -rate_increase, \"16.667\" is not a valid integer!"};
  outcome.max_queue_depth = 2;
  outcome.call_table_known = true;
  outcome.rtp_packets = 9;
  outcome.analysis = &analysis;
  outcome.sut_port = kQueuePort;
  const auto verdict = judge_load(spec, outcome);
  for (const char* name : {"callers finished", "SIPp callers ran", "the SUT stayed up", "SIPp successful", "SIPp failed", "queue depth reached", "queue depth never above",
                           "mohqcalls empty", "RTP packets", "finding rtp.ptime", "no finding error",
                           "no finding codec.*", "transfers in arrival order", "calls transferred",
                           "every call answered 200", "final response within", "time in the queue"}) {
    const auto* e = find(verdict, name);
    BOOST_REQUIRE_MESSAGE(e != nullptr, name);
    BOOST_TEST(!e->passed, name);
  }
}

BOOST_AUTO_TEST_CASE(a_good_outcome_passes) {
  LoadCaseSpec spec;
  spec.operators.behaviour = "answer";
  spec.expect.sipp_successful = 2;
  spec.expect.findings_forbidden = {"error"};
  spec.expect.fifo = true;
  spec.expect.final_code = 200;
  spec.expect.max_setup_ms = 5;
  spec.expect.max_queue_wait_s = 3;
  spec.expect.call_table_empty_within_s = 2;
  analyzers::AnalysisResult analysis;
  analysis.calls = {call("a", 1.0, 3.0), call("b", 1.1, 3.5)};
  analysis.capture_end = 9;
  LoadOutcome outcome;
  outcome.callers = mohq::reports::SippStats{};
  outcome.callers->successful_calls = 2;
  outcome.callers->total_calls = 2;
  outcome.call_table_known = true;
  outcome.call_table_empty_after_s = 0.3;
  outcome.analysis = &analysis;
  outcome.sut_port = kQueuePort;
  for (const auto& e : judge_load(spec, outcome)) BOOST_TEST(e.passed, e.name + ": " + e.message);
}

BOOST_AUTO_TEST_CASE(capture_expectations_without_a_capture_fail) {
  LoadCaseSpec spec;
  spec.expect.findings_required = {"rtp.ptime"};
  LoadOutcome outcome;
  const auto verdict = judge_load(spec, outcome);
  const auto* e = find(verdict, "capture analysed");
  BOOST_REQUIRE(e != nullptr);
  BOOST_TEST(!e->passed);
}

BOOST_AUTO_TEST_SUITE_END()
