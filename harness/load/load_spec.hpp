// A suite file (suites/*.json, schema "mohq.suite/1", documented in suites/README.md): load cases as data.
// A case says which SUT to start, how callers arrive (SIPp), what the operators do with transferred calls, which
// faults fake-rtpproxy injects, what is captured, and what must hold afterwards. parse_suite() checks every key
// and value and names the bad one ("cases[2].callers.rate: must be > 0"); unknown keys are errors, so a typo
// cannot silently turn an expectation off.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/expected.hpp"
#include "harness/sut/system_under_test.hpp"

namespace mohq::harness {

inline constexpr const char* kSuiteSchema = "mohq.suite/1";

// How callers arrive: SIPp processes running a caller scenario.
struct CallerLoad {
  std::string scenario = "moh_caller_listen";  // scenarios/<name>.xml
  std::uint64_t calls = 10;                    // total (-m)
  double rate = 10;                            // new calls per second (-r)
  std::uint64_t concurrency = 0;               // at most this many calls at once (-l); 0: calls
  // How long a caller listens before hanging up (-d); with operators (moh_caller_transfer) the longest it waits
  // for the queue's REFER before it gives up (-recv_timeout).
  std::uint64_t hold_ms = 3000;
  // How listening times vary from call to call (SIPp's pause distributions, built with GSL in Debian's sip-tester):
  // "fixed" (hold_ms), "uniform" (hold_min_ms..hold_max_ms), "exponential" (mean hold_ms), "normal" (mean hold_ms,
  // hold_stdev_ms). Not fixed: the scenario's bare <pause/> is rewritten in a copy in the case's directory.
  std::string hold_distribution = "fixed";
  std::uint64_t hold_min_ms = 0, hold_max_ms = 0, hold_stdev_ms = 0;
  // Ramp: the rate grows by ramp_step every ramp_every_s seconds up to ramp_to (SIPp -rate_increase/-rate_max).
  double ramp_to = 0;
  double ramp_step = 0;
  double ramp_every_s = 0;
  unsigned processes = 0;                      // SIPp caller processes; 0: one per 400 calls/s of the top rate
  std::vector<unsigned> offer_types = {8, 0, 101};  // the SDP offer (informational: the scenario's offer)
};

struct OperatorSide {
  std::string behaviour;        // "" (no operators, no retrieve), "answer", "busy", "no_answer"
  double retrieve_rate = 10;    // mohqueue.retrieve calls per second while calls are queued
  double start_after_s = 0;     // first retrieve this long after the first call
  std::uint64_t talk_ms = 1000; // an answered caller talks this long to the operator
  std::uint64_t ring_ms = 1500; // no_answer: the caller gives up ringing after this
  // After a failed transfer the caller is back at the queue's front (mohqueue-behaviour.md §10.4) and follows a
  // REFER that comes within this long; else it hangs up. Keep it below 1 / retrieve_rate, or a busy operator
  // keeps REFERring the same caller for ever (as Kamailio does).
  std::uint64_t requeue_ms = 1000;
};

struct PromptSpec {
  double seconds = 8;                  // of Debian hold music (or synthesized), looped by the rtpproxy
  std::vector<int> codecs = {8, 0};    // files test.<pt> written
};

struct CaseExpectations {
  std::optional<std::uint64_t> sipp_successful;   // exactly this many calls succeeded for SIPp
  std::optional<std::uint64_t> sipp_failed_max;   // at most this many failed
  std::vector<std::string> findings_required;      // ids the capture analysis must raise
  std::vector<std::string> findings_forbidden;     // ids it must not raise ("error" = any error finding)
  bool fifo = false;                               // transfers in arrival order
  std::optional<std::uint64_t> transferred;        // calls whose transfer completed (NOTIFY sipfrag 2xx)
  std::optional<int> final_code;                   // every captured call got this final response to its INVITE
  std::optional<double> max_setup_ms;              // INVITE -> final response, every call
  std::optional<double> max_queue_wait_s;          // ACK -> REFER of every transferred call (time in the queue)
  std::optional<std::uint64_t> queue_depth_reached; // the queue held at least this many calls at one sample
  std::optional<std::uint64_t> queue_depth_max;     // and never more than this many (maxcalls honoured)
  std::optional<double> call_table_empty_within_s;  // mohqcalls has no row this long after the callers ended
  std::optional<std::uint64_t> rtp_packets_min;    // packets the callers' media sinks received
};

struct LoadCaseSpec {
  std::string name;
  std::string description;
  SutSpec sut;                  // kind/profile may be overridden by --sut
  std::size_t maxcalls = 50;    // the queue's limit (mohqd --maxcalls, Kamailio moh_maxcalls)
  bool rtpproxy_unreachable = false;
  unsigned rtpproxy_nodes = 1;      // fake-rtpproxy processes (SutStartOptions::rtpproxy_nodes)
  std::vector<std::string> faults;  // fake-rtpproxy --fault KEY=VALUE
  PromptSpec prompt;
  CallerLoad callers;
  OperatorSide operators;
  std::string capture = "full";     // full (SIP, control, RTP) | signalling (SIP, control) | none
  double time_limit_s = 120;        // the whole case, setup to drain; a stuck child is killed after it
  CaseExpectations expect;
};

struct SuiteSpec {
  std::string name;
  std::string description;
  std::filesystem::path file;
  std::vector<LoadCaseSpec> cases;
};

// Parses a suite document; `defaults` (same keys as a case) are merged under each case.
Expected<SuiteSpec, std::string> parse_suite(const nlohmann::json& document);
// Reads and parses a file; errors start with the file name.
Expected<SuiteSpec, std::string> load_suite_file(const std::filesystem::path& file);

// Command-line overrides for every case of a run (`mohq run --rate --calls --concurrency --hold --operators`).
struct LoadOverrides {
  std::optional<double> rate;
  std::optional<std::uint64_t> calls;
  std::optional<std::uint64_t> concurrency;
  std::optional<std::uint64_t> hold_ms;
  std::optional<std::string> operators;  // behaviour
  std::optional<SutSpec> sut;
};
void apply_overrides(LoadCaseSpec& spec, const LoadOverrides& overrides);

// The top rate a case reaches (rate, or ramp_to when ramping) and the SIPp processes it gets.
double top_rate(const CallerLoad& load);
unsigned caller_processes(const CallerLoad& load);

}  // namespace mohq::harness
