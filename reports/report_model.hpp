// The report of one `mohq run`: plain data filled by the harness, written by json_report (report.json,
// schema "mohq.report/1", README.md), junit_report (junit.xml) and html_report (report.html).
// A run has suites, a suite has cases, a case has expectations; a case passes when every expectation passed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/analyze/capture_analysis.hpp"
#include "base/expected.hpp"

namespace mohq::reports {

inline constexpr const char* kReportSchema = "mohq.report/1";

// One checked statement: "payload type is 8", "p99 inter-arrival deviation <= 2 ms".
struct Expectation {
  std::string name;
  bool passed = false;
  std::string message;                   // why it failed (or a note when it passed)
  nlohmann::json measured = nullptr;     // number, string, bool or null (not measured)
  nlohmann::json expected = nullptr;     // the same: "8", 20, "<= 2", ...
  std::string unit;                      // "ms", "packets", "" when none
};

// One sample of a SIPp call load, every `period` seconds.
struct LoadSample {
  double t = 0;                  // seconds since the load started
  std::uint64_t active_calls = 0;
  double calls_per_second = 0;   // new calls in the last period / period
  std::uint64_t failed = 0;      // failed calls so far (cumulative)
  std::optional<std::uint64_t> queue_depth;  // callers in the MOH queue (the SUT's count), unset: unknown
};

// SIPp's statistics at the end of a load (its -trace_stat CSV, last line).
struct SippStats {
  std::uint64_t total_calls = 0;
  std::uint64_t successful_calls = 0;
  std::uint64_t failed_calls = 0;
  std::uint64_t retransmissions = 0;
  double elapsed_seconds = 0;
  double call_rate = 0;              // calls/s over the run
  double average_response_ms = 0;   // response time 1 (INVITE -> 200), 0 when unknown
  nlohmann::json extra = nlohmann::json::object();  // any other column kept by the harness
};

struct WavArtefact {
  std::string label;  // "caller 3 (1-6632@127.0.0.1), stream 127.0.0.1:40004 -> 127.0.0.1:6000"
  std::string path;
};

struct Artefacts {
  std::string capture;             // the pcap(ng) of the case, "" when none
  std::vector<WavArtefact> wavs;   // what chosen callers heard
  std::vector<std::string> logs;   // SUT, fake-rtpproxy, SIPp logs
};

struct CaseReport {
  std::string name;
  std::string description;
  double duration_seconds = 0;
  std::vector<Expectation> expectations;
  std::vector<LoadSample> load;                         // empty: no load timeline
  std::optional<SippStats> sipp;
  nlohmann::json sut_numbers = nullptr;                 // the SUT's own counters/call table summary, object or null
  nlohmann::json fake_rtpproxy = nullptr;               // fake-rtpproxy's --stats-json counters, object or null
  std::optional<analyzers::AnalysisResult> analysis;    // `mohq analyze` on the case's capture
  nlohmann::json analysis_json = nullptr;               // its JSON (schema mohq.analyze/1) when only that is at hand
  Artefacts artefacts;

  bool passed() const;
  std::size_t failed_expectations() const;
};

struct SuiteReport {
  std::string name;
  std::vector<CaseReport> cases;
};

struct SutDescription {
  std::string kind;         // "mohqd", "kamailio", "external"
  std::string description;  // one line for a human
  std::string version;
  std::string address;      // "udp:127.0.0.1:5060"
  std::string profile;      // mohqd --profile, "" otherwise
  nlohmann::json details = nlohmann::json::object();
};

struct RunReport {
  std::string tool = "mohq";
  std::string version;
  std::chrono::system_clock::time_point start{};
  std::chrono::system_clock::time_point end{};
  SutDescription sut;
  std::vector<SuiteReport> suites;
};

struct RunCounts {
  std::size_t cases = 0, passed = 0, failed = 0, expectations = 0, expectations_failed = 0;
};
RunCounts count(const RunReport& report);
// "N passed, N failed" (cases), the closing line of `mohq run`.
std::string closing_line(const RunReport& report);
// "2026-11-26T12:53:00.123Z"
std::string iso8601(std::chrono::system_clock::time_point time);
// An expectation's measured/expected as text: "measured 160 bytes, expected 160 bytes" ("" when both are null).
std::string measured_vs_expected(const Expectation& expectation);
// Writes text to path (parent directories created); the error names the file. Shared by the three writers.
Expected<Done, std::string> write_text_file(const std::filesystem::path& path, const std::string& text);

}  // namespace mohq::reports
