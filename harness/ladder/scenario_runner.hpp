// Runs one SIPp scenario (scenarios/*.xml) as the caller against a SUT given only as an address and a
// "retrieve" trigger, and turns SIPp's message trace into a Ladder. Independent of which SUT it is: the
// Kamailio test passes a SIP MESSAGE to mohqueue's control URI as the trigger, mohqd's will pass JSON-RPC.
// SIPp runs as a child process (common/process), on free ports, stopped by its pid, bounded in time.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/expected.hpp"
#include "ladder/ladder.hpp"
#include "process/child_process.hpp"

namespace mohq::harness {

struct SutEndpoint {
  std::string host = "127.0.0.1";  // numeric
  std::uint16_t port = 5060;
  std::string service = "1008";  // the queue's user part: SIPp -s, the Request-URI sip:<service>@host:port
  // One attempt to retrieve (transfer) the oldest queued call; true once the SUT has started it. Called
  // repeatedly (ScenarioOptions::retrieve_interval) while a scenario that waits for a REFER runs.
  std::function<bool()> retrieve;
  // fake-rtpproxy's output with -d DBUG (its "command '...'" lines); empty: no rtpproxy commands in the ladder.
  std::filesystem::path rtpproxy_log;
};

struct ScenarioOptions {
  std::filesystem::path scenario;   // a SIPp XML file
  std::filesystem::path work_dir;   // existing; receives <name>.messages.log, .errors.log, .out
  std::string local_host = "127.0.0.1";
  std::string sipp_binary = "sipp";
  std::chrono::milliseconds listen{1000};        // -d: the listening pause of the scenarios that have one
  std::chrono::milliseconds time_limit{45000};   // SIPp is terminated after this
  // Unset: trigger retrieve when the scenario contains <recv request="REFER".
  std::optional<bool> retrieve;
  std::chrono::milliseconds retrieve_interval{200};
  std::chrono::milliseconds retrieve_first{300};  // the first attempt's delay after SIPp starts
  std::chrono::milliseconds settle{200};          // wait for late rtpproxy commands before reading the log
  std::vector<std::string> extra_args;            // appended before the SUT address
};

struct ScenarioResult {
  std::string name;  // the scenario file's stem
  process::ExitStatus sipp_status;
  bool timed_out = false;   // SIPp had to be terminated
  bool retrieved = false;   // the retrieve trigger returned true
  int retrieve_attempts = 0;
  std::filesystem::path message_file, error_file, output_file;
  std::vector<TraceMessage> messages;
  std::vector<std::string> call_ids;
  Ladder ladder;
  bool success() const { return !timed_out && sipp_status.success(); }
  // SIPp's exit, its error file and console tail, for a failure message.
  std::string describe() const;
};

// SIPp started and not yet reaped: for a call that must be in progress while another scenario runs.
class RunningScenario {
 public:
  RunningScenario(RunningScenario&&) = default;
  RunningScenario& operator=(RunningScenario&&) = default;
  ~RunningScenario() = default;  // the ChildProcess terminates SIPp if still running
  bool running() { return process_.running(); }
  pid_t pid() const { return process_.pid(); }

 private:
  friend Expected<RunningScenario, std::string> start_scenario(const SutEndpoint&, const ScenarioOptions&);
  friend Expected<ScenarioResult, std::string> finish_scenario(RunningScenario, const SutEndpoint&);
  RunningScenario(process::ChildProcess process, ScenarioOptions options, ScenarioResult result,
                  std::string caller_hostport, std::chrono::steady_clock::time_point started)
      : process_(std::move(process)), options_(std::move(options)), result_(std::move(result)),
        caller_hostport_(std::move(caller_hostport)), started_(started) {}
  process::ChildProcess process_;
  ScenarioOptions options_;
  ScenarioResult result_;
  std::string caller_hostport_;  // SIPp's host:port, CALLER in the ladder
  std::chrono::steady_clock::time_point started_;
};

Expected<RunningScenario, std::string> start_scenario(const SutEndpoint& sut, const ScenarioOptions& options);
// Drives the retrieve trigger if the scenario needs it, waits for SIPp (bounded by time_limit), parses the
// trace and builds the ladder. An error only when nothing could be read (no trace, unparsable trace).
Expected<ScenarioResult, std::string> finish_scenario(RunningScenario running, const SutEndpoint& sut);
// start + finish.
Expected<ScenarioResult, std::string> run_scenario(const SutEndpoint& sut, const ScenarioOptions& options);

// Does the scenario wait for a REFER (i.e. need the retrieve trigger)?
bool scenario_waits_for_refer(const std::filesystem::path& scenario);

}  // namespace mohq::harness
