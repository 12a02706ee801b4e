// Runs the load cases of a suite file: for each case the SUT and its fake-rtpproxy (harness/sut), a loopback
// capture, the media sinks, the operator SIPp, the caller SIPps, a retrieve driver at the operators' rate, and a
// sampler once a second (SIPp's -trace_stat rows, the queue's depth) that feeds the live progress line and the
// load timeline; then the drain (mohqcalls back to empty), the capture analysis and the case's expectations.
// Everything it starts is stopped by its pid, also when the case fails, times out or Ctrl-C is pressed.
#pragma once

#include <filesystem>
#include <functional>

#include "harness/load/load_spec.hpp"
#include "harness/progress/progress_line.hpp"
#include "harness/run_suites.hpp"
#include "reports/report_model.hpp"

namespace mohq::harness {

// progress: the live display, or nullptr for none.
reports::CaseReport run_load_case(const LoadCaseSpec& spec, const RunEnvironment& environment,
                                  const std::filesystem::path& dir, ProgressLine* progress);

// Every case of the suite (overrides applied), reported as suite `suite.name`; results in
// environment.out_dir/<suite name>/<case name>/.
reports::SuiteReport run_load_suite(const SuiteSpec& suite, const RunEnvironment& environment,
                                    const LoadOverrides& overrides, ProgressLine* progress);

}  // namespace mohq::harness
