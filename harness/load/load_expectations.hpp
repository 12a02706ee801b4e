// A load case's verdict: what was measured (LoadOutcome) against what the suite file expects
// (CaseExpectations), as report expectations. Pure, so each rule is unit-tested on made-up outcomes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyzers/analyze/capture_analysis.hpp"
#include "harness/load/load_spec.hpp"
#include "reports/report_model.hpp"

namespace mohq::harness {

struct LoadOutcome {
  std::optional<reports::SippStats> callers;          // every caller process together
  bool callers_finished = true;                        // false: killed at the case's time limit (or Ctrl-C)
  bool sut_alive = true;                               // every SUT process still running before the stop
  std::optional<std::uint64_t> max_queue_depth;        // unset: the SUT cannot tell
  std::optional<double> call_table_empty_after_s;      // after the callers ended; unset: rows left or unknown
  bool call_table_known = false;                       // the SUT has a call table to read
  std::uint64_t rtp_packets = 0;                       // received by the callers' media sinks
  std::uint64_t retrieves_started = 0;
  const analyzers::AnalysisResult* analysis = nullptr; // the capture's, when captured and analysed
  std::uint16_t sut_port = 0;                          // the queue's calls in the capture are those sent here
  // Caller SIPps that ended other than 0 (every call succeeded) or 1 (some failed): "caller 2: exit code 255:
  // <the end of its output>" (a bad option, a scenario it refused); they made no load at all.
  std::vector<std::string> sipp_problems;
};

std::vector<reports::Expectation> judge_load(const LoadCaseSpec& spec, const LoadOutcome& outcome);

// The queue's calls in a capture (first INVITE sent to sut_port), in INVITE order.
std::vector<const analyzers::CallRecord*> queue_calls(const analyzers::AnalysisResult& analysis,
                                                      std::uint16_t sut_port);

// FIFO: the queue's calls that were REFERred, ordered by their INVITE, got their REFERs in that order.
// Returns "" when they did, else the first call transferred out of turn.
std::string fifo_violation(const std::vector<const analyzers::CallRecord*>& calls);

}  // namespace mohq::harness
