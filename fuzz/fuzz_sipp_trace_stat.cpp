// libFuzzer target for harness/sipp_stats: any bytes as a SIPp -trace_stat file (another process writes it, and
// mohq reads it while it is still being written). Beyond "no crash, no sanitizer report" it asserts:
//   - an error has a message;
//   - the text cut after its last '\n' parses to the same rows (the unfinished last line is ignored);
//   - every row's typed counts are its columns' values;
//   - the report conversions and the aggregation run, and for rows in time order the aggregated timeline ends
//     with the file's final totals.
// Sources: this file plus harness/sipp_stats/sipp_trace_stat.cpp (mohq_sipp_stats).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "sipp_stats/sipp_trace_stat.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_sipp_trace_stat: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mohq::harness;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto rows = parse_trace_stat(text);
  if (!rows) {
    if (rows.error().empty()) fail("error without a message");
    return 0;
  }
  const std::size_t complete = text.rfind('\n');
  const auto again = parse_trace_stat(text.substr(0, complete == std::string_view::npos ? 0 : complete + 1));
  if (!again) fail("the complete lines alone do not parse");
  if (again->size() != rows->size()) fail("the unfinished last line changed the rows");

  bool in_time_order = true;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const TraceStatRow& row = (*rows)[i];
    if (row.count("TotalCallCreated") != row.total_created) fail("total_created is not TotalCallCreated");
    if (row.count("CurrentCall") != row.current_calls) fail("current_calls is not CurrentCall");
    if (row.count("FailedCall(C)") != row.failed) fail("failed is not FailedCall(C)");
    if (i > 0 && row.current_time < (*rows)[i - 1].current_time) in_time_order = false;
  }
  (void)to_load_samples(*rows);
  const auto stats = to_sipp_stats(*rows);
  if (stats.has_value() == rows->empty()) fail("to_sipp_stats and the rows disagree");
  const auto timeline = aggregate_trace_stat({*rows, *rows}, 1.0);
  if (rows->empty() != timeline.empty()) fail("aggregation of rows gave no timeline");
  if (!rows->empty() && in_time_order && timeline.back().total_created != 2 * rows->back().total_created)
    fail("the aggregated timeline does not end with the final totals");
  return 0;
}
