// The playback suite `mohq run` runs today: fake-rtpproxy driven exactly as Kamailio's mohqueue drives
// rtpproxy (rtpproxy-protocol.md §2.9), each case checking the RTP a caller would receive.
// The SIP side (mohqd, SIPp callers) joins with issues 3 and 5.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace mohq::harness {

struct PlaybackCase {
  std::string name;
  std::string offer_codecs;   // the caller's m-line, as mohqueue passes it in U: "8,0,101"
  std::string answer_flags;   // L modifiers: "Z20c0,8"
  int expected_pt;
  int expected_ptime_ms;
  double prompt_seconds;      // shorter than listen_seconds: the prompt must loop seamlessly
  double listen_seconds;
};

std::vector<PlaybackCase> standard_playback_cases();

struct CaseResult {
  std::string name;
  bool passed = false;
  std::vector<std::string> failures;
  std::size_t packets = 0;
  double median_interval_ms = 0;
  double p99_deviation_ms = 0;
  double seconds = 0;  // wall time of the case
};

struct SuiteOptions {
  std::filesystem::path fake_rtpproxy;  // the binary
  std::filesystem::path out_dir;        // report.json goes here
  std::string control = "udp";          // "udp" or "unix"
  bool verbose = false;
  // Set: called after each case instead of printing its line (mohq run prints its own progress lines).
  std::function<void(const CaseResult&)> on_case;
  // Set: no report.json is written; fake-rtpproxy's --stats-json document lands here when it can be read.
  bool no_report = false;
  std::string* stats_json = nullptr;
};

// Runs every case against one fake-rtpproxy it starts and stops; prints a line per case (or calls on_case).
std::vector<CaseResult> run_playback_suite(const std::vector<PlaybackCase>& cases, const SuiteOptions& options);

}  // namespace mohq::harness
