// SIPp 3.6.1's statistics file (`-trace_stat -stf FILE -fd SECONDS`) read back: one row per period, several
// SIPp processes of one load combined into one timeline, and both turned into the report model
// (reports::SippStats, reports::LoadSample).
//
// The format, as 3.6.1 writes it (tests/harness_sipp_stats/data/ holds real files):
//   - ';'-separated, the first line the header, every line (header included) ending in ';' + '\n';
//   - times: "2026-11-26<TAB>15:02:32.340755<TAB>1795705352.340755" (date, time, epoch seconds);
//   - ElapsedTime(P|C): "00:00:02" (whole seconds only); other durations (ResponseTime1, CallLength and their
//     StDev): "00:00:00:016000", hours:minutes:seconds:microseconds at millisecond resolution (older SIPp
//     versions wrote milliseconds, "00:00:00:016": the fraction is read by its number of digits);
//   - counts are decimal integers, rates decimals ("8.97308"); "(P)" columns cover the last period, "(C)" the
//     whole run; the repartition group headers ("ResponseTimeRepartition1") have empty values;
//   - after the last period SIPp writes one or two closing rows milliseconds apart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/expected.hpp"
#include "reports/report_model.hpp"

namespace mohq::harness {

// One line of the file: every column as SIPp wrote it, and the main ones typed.
struct TraceStatRow {
  std::map<std::string, std::string, std::less<>> columns;  // header name -> text ("" for group headers)

  double start_time = 0;          // StartTime, epoch seconds (the SIPp process' start)
  double current_time = 0;        // CurrentTime, epoch seconds (when the row was written)
  double elapsed_seconds = 0;     // current_time - start_time (ElapsedTime(C) has whole seconds only)
  double period_seconds = 0;      // CurrentTime - LastResetTime: the span of the "(P)" columns
  std::uint64_t current_calls = 0;        // CurrentCall
  std::uint64_t total_created = 0;        // TotalCallCreated
  std::uint64_t successful = 0;           // SuccessfulCall(C)
  std::uint64_t failed = 0;               // FailedCall(C)
  std::uint64_t retransmissions = 0;      // Retransmissions(C)
  double call_rate = 0;                   // CallRate(P): new calls/s over the last period
  double call_rate_cumulative = 0;        // CallRate(C): new calls/s over the run
  double target_rate = 0;                 // TargetRate (-r)
  double response_time1_ms = 0;           // ResponseTime1(C): mean INVITE -> 200 (rtd 1) over the run; 0 unknown

  // Any column, parsed on demand; unset when absent or not of that form.
  std::optional<std::string_view> text(std::string_view column) const;
  std::optional<std::uint64_t> count(std::string_view column) const;        // "12"
  std::optional<double> number(std::string_view column) const;              // "12", "8.97308"
  std::optional<double> duration_seconds(std::string_view column) const;    // "00:00:01:234000", "00:00:02"
  std::optional<double> epoch_seconds(std::string_view column) const;       // "DATE<TAB>TIME<TAB>EPOCH"
};

// Columns a file must have to be taken for a SIPp statistics file (the typed fields above).
const std::vector<std::string>& required_trace_stat_columns();

// The whole text. A last line without its '\n' is ignored: SIPp writes line by line, so it is a row still being
// written. A text with no complete line yet gives no rows when it could be the start of a SIPp header (a file
// just created), an error otherwise. Errors name the line (1-based) and the column: a header without the
// required columns ("not a SIPp -trace_stat file"), a row with another number of fields than the header, a main
// column that does not parse. Non-finite rates ("nan", "inf") read as 0: SIPp divides by a zero period there.
Expected<std::vector<TraceStatRow>, std::string> parse_trace_stat(std::string_view text);

// parse_trace_stat on a file; the error names the file. A file that does not exist is an error.
Expected<std::vector<TraceStatRow>, std::string> read_trace_stat_file(const std::filesystem::path& path);

// A file SIPp is still writing, read as it grows: each poll() returns the rows completed since the last one.
// Nothing (no rows, no error) while the file does not exist or has no complete line.
class TraceStatTail {
 public:
  explicit TraceStatTail(std::filesystem::path path) : path_(std::move(path)) {}
  Expected<std::vector<TraceStatRow>, std::string> poll();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::uint64_t offset_ = 0;         // bytes consumed (complete lines only)
  std::vector<std::string> header_;  // empty until the header line was read
  std::size_t line_number_ = 0;      // lines consumed, for error messages
};

// Several SIPp processes driving one load (e.g. one per source port, or a caller and an operator side) seen as
// one: sampled every `period_seconds` from the earliest StartTime, plus the moment the last process wrote its
// last row. At each sample each process contributes its latest row written by then (none before its first row);
// a process that has written its last row keeps its cumulative counts and CurrentCall, but its "(P)" columns and
// CallRate(P) count 0 from the next sample on, as it makes no new calls.
// The result's rows: the typed counts and rates are sums; `columns` holds the sum of every column that is a
// number in each contributing row (durations and times are not summed); start_time is the earliest StartTime,
// elapsed_seconds the sample time; response_time1_ms is the mean of the processes' ResponseTime1(C) weighted by
// their successful calls. About 3,600 samples at most (an hour of 1 s samples): a longer span (a longer run, or a
// corrupt time stamp claiming years) stretches the period. An empty input, or a period <= 0, gives no rows.
std::vector<TraceStatRow> aggregate_trace_stat(const std::vector<std::vector<TraceStatRow>>& processes,
                                               double period_seconds);

// SIPp's numbers at the end of a load: the last row. total_calls TotalCallCreated, successful_calls
// SuccessfulCall(C), failed_calls FailedCall(C), retransmissions Retransmissions(C), elapsed_seconds,
// call_rate CallRate(C), average_response_ms ResponseTime1(C). `extra`: TargetRate, and every other cumulative
// count ("...(C)", e.g. FailedTimeoutOnRecv(C), Warnings(C)) that is not 0, as a number, and "CallLength(C)_ms"
// (mean call length) when the column is there.
std::optional<reports::SippStats> to_sipp_stats(const std::vector<TraceStatRow>& rows);
reports::SippStats to_sipp_stats(const TraceStatRow& last);

// The load timeline: per row t = elapsed_seconds, active_calls CurrentCall, calls_per_second CallRate(P),
// failed FailedCall(C). SIPp's closing rows come milliseconds after the last period and their CallRate(P) covers
// those milliseconds only; a row less than `min_gap_seconds` after the previous sample therefore updates that
// sample's t, active calls and failures but keeps its rate.
std::vector<reports::LoadSample> to_load_samples(const std::vector<TraceStatRow>& rows,
                                                 double min_gap_seconds = 0.1);

}  // namespace mohq::harness
