#include "harness/load/load_expectations.hpp"

#include <algorithm>
#include <cstdio>

#include "harness/run_suites.hpp"

namespace mohq::harness {

namespace {

std::optional<double> first_time(const analyzers::CallRecord& call, const std::string& method) {
  for (const auto& event : call.events)
    if (event.method == method) return event.time;
  return std::nullopt;
}

bool finding_matches(const analyzers::Finding& finding, const std::string& pattern) {
  if (pattern == "error") return finding.severity == analyzers::Severity::Error;
  if (pattern.size() > 1 && pattern.ends_with(".*")) return finding.id.starts_with(pattern.substr(0, pattern.size() - 1));
  return finding.id == pattern;
}

std::string one_decimal(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

void judge_capture(const LoadCaseSpec& spec, const LoadOutcome& outcome, std::vector<reports::Expectation>& out) {
  const CaseExpectations& expect = spec.expect;
  const bool wanted = !expect.findings_required.empty() || !expect.findings_forbidden.empty() || expect.fifo ||
                      expect.transferred || expect.final_code || expect.max_setup_ms || expect.max_queue_wait_s;
  if (!wanted) return;
  if (outcome.analysis == nullptr) {
    out.push_back(check("capture analysed", false, nullptr, nullptr,
                        "the expectations on findings, FIFO, transfers and responses need the capture's analysis"));
    return;
  }
  const analyzers::AnalysisResult& analysis = *outcome.analysis;
  for (const auto& id : expect.findings_required) {
    std::size_t raised = 0;
    std::string example;
    for (const auto& finding : analysis.findings)
      if (finding_matches(finding, id)) {
        if (raised++ == 0) example = finding.message;
      }
    out.push_back(check("finding " + id + " raised", raised > 0, static_cast<std::uint64_t>(raised), ">= 1",
                        raised > 0 ? example : "the analysis did not raise " + id, "findings"));
  }
  for (const auto& id : expect.findings_forbidden) {
    std::size_t raised = 0;
    std::string example;
    for (const auto& finding : analysis.findings)
      if (finding_matches(finding, id)) {
        if (raised++ == 0) example = finding.id + ": " + finding.message;
      }
    out.push_back(check("no finding " + id, raised == 0, static_cast<std::uint64_t>(raised), 0, example, "findings"));
  }
  const auto calls = queue_calls(analysis, outcome.sut_port);
  if (expect.fifo) {
    std::size_t referred = 0;
    for (const auto* call : calls) referred += first_time(*call, "REFER").has_value() ? 1 : 0;
    const std::string violation = fifo_violation(calls);
    out.push_back(check("transfers in arrival order (FIFO)", violation.empty() && referred > 0,
                        static_cast<std::uint64_t>(referred), nullptr,
                        referred == 0 ? "no REFER in the capture" : violation, "calls referred"));
  }
  if (expect.transferred) {
    std::uint64_t transferred = 0;
    for (const auto* call : calls) {
      const auto timing = analyzers::call_timing(*call, analysis.capture_end);
      if (timing.transfer_status && *timing.transfer_status >= 200 && *timing.transfer_status < 300) ++transferred;
    }
    out.push_back(check("calls transferred (NOTIFY sipfrag 2xx)", transferred == *expect.transferred, transferred,
                        *expect.transferred, "", "calls"));
  }
  if (expect.max_queue_wait_s) {
    double worst = 0;
    std::size_t referred = 0;
    std::string longest;
    for (const auto* call : calls) {
      const auto ack = first_time(*call, "ACK");
      const auto refer = first_time(*call, "REFER");
      if (!ack || !refer) continue;
      ++referred;
      if (*refer - *ack > worst) {
        worst = *refer - *ack;
        longest = call->call_id;
      }
    }
    out.push_back(check("time in the queue before the transfer (worst call)",
                        referred > 0 && worst <= *expect.max_queue_wait_s, worst,
                        "<= " + one_decimal(*expect.max_queue_wait_s),
                        referred == 0 ? "no call was REFERred" : longest + ", " + std::to_string(referred) + " calls referred",
                        "s"));
  }
  if (expect.final_code || expect.max_setup_ms) {
    std::size_t wrong = 0, answered = 0;
    double worst_ms = 0;
    std::string example;
    for (const auto* call : calls) {
      const auto timing = analyzers::call_timing(*call, analysis.capture_end);
      if (timing.final_code) ++answered;
      if (expect.final_code && timing.final_code != expect.final_code) {
        if (wrong++ == 0)
          example = call->call_id + " got " + (timing.final_code ? std::to_string(*timing.final_code) : "no final response");
      }
      if (timing.setup_seconds) worst_ms = std::max(worst_ms, *timing.setup_seconds * 1000);
    }
    if (expect.final_code)
      out.push_back(check("every call answered " + std::to_string(*expect.final_code), wrong == 0 && !calls.empty(),
                          static_cast<std::uint64_t>(calls.size() - wrong), static_cast<std::uint64_t>(calls.size()),
                          calls.empty() ? "no call to the queue in the capture" : example, "calls"));
    if (expect.max_setup_ms)
      out.push_back(check("final response within " + one_decimal(*expect.max_setup_ms) + " ms (worst call)",
                          answered == calls.size() && !calls.empty() && worst_ms <= *expect.max_setup_ms, worst_ms,
                          "<= " + one_decimal(*expect.max_setup_ms),
                          answered == calls.size() ? "" : std::to_string(calls.size() - answered) + " calls never got one",
                          "ms"));
  }
}

}  // namespace

std::vector<const analyzers::CallRecord*> queue_calls(const analyzers::AnalysisResult& analysis,
                                                      std::uint16_t sut_port) {
  // Each call's INVITE time found once, not in every comparison of the sort (a load has thousands of calls).
  std::vector<std::pair<double, const analyzers::CallRecord*>> by_invite;
  for (const auto& call : analysis.calls)
    if (call.callee.port == sut_port)
      if (const auto invite = first_time(call, "INVITE")) by_invite.emplace_back(*invite, &call);
  std::stable_sort(by_invite.begin(), by_invite.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const analyzers::CallRecord*> calls;
  for (const auto& [time, call] : by_invite) calls.push_back(call);
  return calls;
}

std::string fifo_violation(const std::vector<const analyzers::CallRecord*>& calls) {
  const analyzers::CallRecord* previous = nullptr;
  double previous_refer = 0;
  for (const auto* call : calls) {
    const auto refer = first_time(*call, "REFER");
    if (!refer) continue;
    if (previous != nullptr && *refer < previous_refer)
      return call->call_id + " (INVITE at " + one_decimal((*first_time(*call, "INVITE") - *first_time(*previous, "INVITE")) * 1000) +
             " ms after " + previous->call_id + ") was REFERred " + one_decimal((previous_refer - *refer) * 1000) +
             " ms before it";
    previous = call;
    previous_refer = *refer;
  }
  return "";
}

std::vector<reports::Expectation> judge_load(const LoadCaseSpec& spec, const LoadOutcome& outcome) {
  std::vector<reports::Expectation> out;
  const CaseExpectations& expect = spec.expect;
  out.push_back(check("callers finished within the time limit", outcome.callers_finished, outcome.callers_finished,
                      true, outcome.callers_finished ? "" : "SIPp was stopped after " +
                                std::to_string(static_cast<long>(spec.time_limit_s)) + " s (time_limit_s)"));
  std::string problems;
  for (const auto& p : outcome.sipp_problems) problems += (problems.empty() ? "" : "; ") + p;
  out.push_back(check("SIPp callers ran", outcome.sipp_problems.empty() && outcome.callers && outcome.callers->total_calls > 0,
                      outcome.callers ? nlohmann::json(outcome.callers->total_calls) : nlohmann::json(),
                      "> 0", problems.empty() && !(outcome.callers && outcome.callers->total_calls > 0)
                                 ? "SIPp made no call"
                                 : problems,
                      "calls"));
  out.push_back(check("the SUT stayed up", outcome.sut_alive, outcome.sut_alive, true,
                      outcome.sut_alive ? "" : "a SUT process ended during the load: see its log"));
  if (expect.sipp_successful || expect.sipp_failed_max) {
    if (!outcome.callers) {
      out.push_back(check("SIPp statistics read", false, nullptr, nullptr, "no -trace_stat row from the callers"));
    } else {
      if (expect.sipp_successful)
        out.push_back(check("SIPp successful calls", outcome.callers->successful_calls == *expect.sipp_successful,
                            outcome.callers->successful_calls, *expect.sipp_successful, "", "calls"));
      if (expect.sipp_failed_max)
        out.push_back(check("SIPp failed calls", outcome.callers->failed_calls <= *expect.sipp_failed_max,
                            outcome.callers->failed_calls, "<= " + std::to_string(*expect.sipp_failed_max), "",
                            "calls"));
    }
  }
  if (expect.queue_depth_reached)
    out.push_back(check("queue depth reached", outcome.max_queue_depth && *outcome.max_queue_depth >= *expect.queue_depth_reached,
                        outcome.max_queue_depth ? nlohmann::json(*outcome.max_queue_depth) : nlohmann::json(),
                        ">= " + std::to_string(*expect.queue_depth_reached),
                        outcome.max_queue_depth ? "" : "the SUT cannot tell its queue depth", "calls"));
  if (expect.queue_depth_max)
    out.push_back(check("queue depth never above", outcome.max_queue_depth && *outcome.max_queue_depth <= *expect.queue_depth_max,
                        outcome.max_queue_depth ? nlohmann::json(*outcome.max_queue_depth) : nlohmann::json(),
                        "<= " + std::to_string(*expect.queue_depth_max),
                        outcome.max_queue_depth ? "" : "the SUT cannot tell its queue depth", "calls"));
  if (expect.call_table_empty_within_s) {
    const bool empty = outcome.call_table_empty_after_s && *outcome.call_table_empty_after_s <= *expect.call_table_empty_within_s;
    out.push_back(check("mohqcalls empty after the drain", empty,
                        outcome.call_table_empty_after_s ? nlohmann::json(*outcome.call_table_empty_after_s) : nlohmann::json(),
                        "<= " + one_decimal(*expect.call_table_empty_within_s),
                        !outcome.call_table_known ? "the SUT has no call table mohq can read"
                        : outcome.call_table_empty_after_s ? ""
                                                           : "rows were still there at the end of the wait",
                        "s"));
  }
  if (expect.rtp_packets_min)
    out.push_back(check("RTP packets received by the callers", outcome.rtp_packets >= *expect.rtp_packets_min,
                        outcome.rtp_packets, ">= " + std::to_string(*expect.rtp_packets_min), "", "packets"));
  judge_capture(spec, outcome, out);
  return out;
}

}  // namespace mohq::harness
