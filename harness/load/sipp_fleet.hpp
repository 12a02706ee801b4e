// The SIPp processes of a load case: callers (as many processes as the rate needs, each with its share of the
// rate, calls and concurrency, its own ports, media sink and -trace_stat file) and one operator process that
// answers, refuses or ignores the transferred calls. Every process is a ChildProcess: stopped by its pid.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/expected.hpp"
#include "harness/load/load_spec.hpp"
#include "process/child_process.hpp"

namespace mohq::harness {

struct SippProcess {
  std::string role;                   // "caller 1", "operator"
  std::vector<std::string> argv;      // as run, for the report and for reproducing it by hand
  std::filesystem::path stat_file;    // -trace_stat -stf
  std::filesystem::path output_file;  // stdout and stderr
  std::filesystem::path error_file;   // -trace_err
  std::optional<process::ChildProcess> process;
  std::optional<process::ExitStatus> status;
};

struct FleetPlan {
  std::string sipp = "sipp";
  std::filesystem::path scenarios_dir;  // scenarios/
  std::filesystem::path dir;            // logs and statistics go here
  std::string sut_host;
  std::uint16_t sut_port = 0;
  std::string queue_user;
  std::vector<std::uint16_t> media_ports;  // one per caller process (MediaSinks)
  std::string operator_uri;                // "" when the case has no operators
  std::filesystem::path caller_scenario;   // "" : scenarios_dir/<scenario>.xml
  double stats_period_s = 1;               // -fd (a ramp's step period when ramping)
  double time_limit_s = 120;               // SIPp's own -timeout
};

// The scenario text with its bare listening <pause/> given the load's hold distribution (a fixed hold: unchanged).
// An error when a distribution is asked of a scenario without a bare <pause/>.
Expected<std::string, std::string> scenario_with_hold(const std::string& scenario_xml, const CallerLoad& load);

// The SIPp command lines of the callers (one per process, in order); pure, for tests and the report.
// plan.caller_scenario, when set, replaces scenarios/<load.scenario>.xml (a copy with its hold distribution).
std::vector<std::vector<std::string>> caller_command_lines(const LoadCaseSpec& spec, const FleetPlan& plan,
                                                           const std::vector<std::uint16_t>& sipp_ports);

// Starts the callers. Errors name the process that could not start.
Expected<std::vector<SippProcess>, std::string> start_callers(const LoadCaseSpec& spec, const FleetPlan& plan);

// Starts the operator side for behaviour answer|busy|no_answer on a free port; its URI is
// sip:operator@127.0.0.1:<port> (FleetPlan::operator_uri for the callers and the retrieve driver).
Expected<SippProcess, std::string> start_operator(const LoadCaseSpec& spec, const FleetPlan& plan,
                                                  std::string* operator_uri);

}  // namespace mohq::harness
