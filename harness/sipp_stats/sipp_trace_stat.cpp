#include "sipp_stats/sipp_trace_stat.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <set>
#include <system_error>

namespace mohq::harness {
namespace {

constexpr std::string_view kHeaderStart = "StartTime;";
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool is_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::uint64_t> parse_count(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// Any decimal from_chars reads, including "nan" and "inf"; the callers decide what those mean.
std::optional<double> parse_double(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<double> parse_finite(std::string_view text) {
  const auto value = parse_double(text);
  if (!value || !std::isfinite(*value)) return std::nullopt;
  return value;
}

// "HH:MM:SS" or "HH:MM:SS:FRACTION"; the fraction's digit count gives its unit (6: microseconds as in 3.6.1,
// 3: milliseconds as in older versions). Hours are not bounded: SIPp prints a negative variance's square root
// as "2562047788015:12:55:808000", which is still a duration in form.
std::optional<double> parse_duration(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (parts.size() < 5) {
    const std::size_t colon = text.find(':', start);
    parts.push_back(text.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 3 || parts.size() > 4) return std::nullopt;
  if (!std::all_of(parts.begin(), parts.end(), is_digits)) return std::nullopt;
  if (parts[0].size() > 15 || parts[1].size() > 2 || parts[2].size() > 2) return std::nullopt;
  double seconds = static_cast<double>(*parse_count(parts[0])) * 3600 +
                   static_cast<double>(*parse_count(parts[1])) * 60 + static_cast<double>(*parse_count(parts[2]));
  if (parts.size() == 4) {
    if (parts[3].size() > 9) return std::nullopt;
    seconds += static_cast<double>(*parse_count(parts[3])) / std::pow(10.0, static_cast<double>(parts[3].size()));
  }
  return seconds;
}

// "2026-11-26<TAB>15:02:32.340755<TAB>1795705352.340755": the epoch part, the only one without a time zone.
// Whole seconds and fraction apart: a double holds an epoch to about 0.2 us only, and differences of two rows'
// times (elapsed, period) are wanted to SIPp's microsecond.
struct Epoch {
  double whole = 0;
  double fraction = 0;
  double seconds() const { return whole + fraction; }
};

std::optional<Epoch> parse_epoch_parts(std::string_view text) {
  const std::size_t tab = text.rfind('\t');
  if (tab != std::string_view::npos) text.remove_prefix(tab + 1);
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (is_digits(whole) && whole.size() <= 15 && (dot == std::string_view::npos || is_digits(fraction))) {
    Epoch epoch;
    epoch.whole = static_cast<double>(*parse_count(whole));
    if (!fraction.empty()) {
      const std::string_view digits = fraction.substr(0, 9);  // beyond nanoseconds nothing is meaningful
      epoch.fraction = static_cast<double>(*parse_count(digits)) / std::pow(10.0, static_cast<double>(digits.size()));
    }
    return epoch;
  }
  // Another number form ("1.7e9"), within the range the digits form allows, so every difference is finite.
  if (const auto value = parse_finite(text); value && *value >= 0 && *value < 1e15) return Epoch{*value, 0};
  return std::nullopt;
}

std::optional<double> parse_epoch(std::string_view text) {
  const auto epoch = parse_epoch_parts(text);
  return epoch ? std::optional<double>(epoch->seconds()) : std::nullopt;
}

double difference(const Epoch& later, const Epoch& earlier) {
  return (later.whole - earlier.whole) + (later.fraction - earlier.fraction);
}

// For error messages: a line from an unknown file, short and without control characters.
std::string quote(std::string_view text) {
  std::string out = "'";
  for (const char c : text.substr(0, 80)) {
    const auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 || byte == 0x7f) ? '?' : c;
  }
  if (text.size() > 80) out += "...";
  return out + "'";
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t semicolon = line.find(';', start);
    if (semicolon == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, semicolon - start));
    start = semicolon + 1;
  }
}

std::string_view strip_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// A text with no complete line yet may be a header SIPp is writing, or nothing at all.
bool could_be_header_start(std::string_view fragment) {
  if (fragment.substr(0, std::min(fragment.size(), kUtf8Bom.size())) == kUtf8Bom.substr(0, fragment.size()))
    fragment.remove_prefix(std::min(fragment.size(), kUtf8Bom.size()));
  const std::size_t n = std::min(fragment.size(), kHeaderStart.size());
  return fragment.substr(0, n) == kHeaderStart.substr(0, n);
}

// Line by line, shared by parse_trace_stat and TraceStatTail.
class LineParser {
 public:
  LineParser(std::vector<std::string>& header, std::size_t& line_number)
      : header_(header), line_number_(line_number) {}

  // One complete line without its '\n'; a row, or nothing for the header.
  Expected<std::optional<TraceStatRow>, std::string> line(std::string_view text) {
    ++line_number_;
    text = strip_cr(text);
    if (header_.empty()) {
      auto header = parse_header(text);
      if (!header) return Unexpected(header.error());
      header_ = std::move(*header);
      return std::optional<TraceStatRow>{};
    }
    auto row = parse_row(text);
    if (!row) return Unexpected(row.error());
    return std::optional<TraceStatRow>(std::move(*row));
  }

 private:
  std::string at() const { return "line " + std::to_string(line_number_) + ": "; }

  Expected<std::vector<std::string>, std::string> parse_header(std::string_view text) const {
    if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
    std::vector<std::string> names;
    for (const std::string_view field : split_fields(text)) names.emplace_back(field);
    std::string missing;
    for (const std::string& required : required_trace_stat_columns()) {
      if (std::find(names.begin(), names.end(), required) == names.end())
        missing += (missing.empty() ? "" : ", ") + required;
    }
    if (!missing.empty())
      return Unexpected(at() + "not a SIPp -trace_stat file: the header lacks " + missing + " (first line " +
                        quote(text) + ")");
    return names;
  }

  Expected<TraceStatRow, std::string> parse_row(std::string_view text) const {
    const std::vector<std::string_view> fields = split_fields(text);
    if (fields.size() != header_.size())
      return Unexpected(at() + std::to_string(fields.size()) + " fields, the header has " +
                        std::to_string(header_.size()));
    TraceStatRow row;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (!header_[i].empty()) row.columns.insert_or_assign(header_[i], std::string(fields[i]));
    }
    std::string error;
    const auto bad = [&](const char* column, const char* what) {
      if (error.empty()) error = at() + "column " + column + ": " + quote(*row.text(column)) + " is not " + what;
    };
    const auto time = [&](const char* column) {
      const auto value = parse_epoch_parts(*row.text(column));
      if (!value) bad(column, "a SIPp time (DATE TIME EPOCH)");
      return value.value_or(Epoch{});
    };
    const auto count = [&](const char* column) {
      const auto value = row.count(column);
      if (!value) bad(column, "a count");
      return value.value_or(0);
    };
    // SIPp divides by the period for its rates; "nan"/"inf" from a zero period mean no rate, not a bad file.
    const auto rate = [&](const char* column) {
      const auto value = parse_double(*row.text(column));
      if (!value) bad(column, "a rate");
      return value && std::isfinite(*value) ? *value : 0.0;
    };
    const Epoch start = time("StartTime");
    const Epoch last_reset = time("LastResetTime");
    const Epoch current = time("CurrentTime");
    row.start_time = start.seconds();
    row.current_time = current.seconds();
    row.elapsed_seconds = difference(current, start);
    row.period_seconds = difference(current, last_reset);
    row.current_calls = count("CurrentCall");
    row.total_created = count("TotalCallCreated");
    row.successful = count("SuccessfulCall(C)");
    row.failed = count("FailedCall(C)");
    row.retransmissions = count("Retransmissions(C)");
    row.call_rate = rate("CallRate(P)");
    row.call_rate_cumulative = rate("CallRate(C)");
    row.target_rate = rate("TargetRate");
    if (const auto response = row.duration_seconds("ResponseTime1(C)"))
      row.response_time1_ms = *response * 1000;
    else
      bad("ResponseTime1(C)", "a SIPp duration (HH:MM:SS:FRACTION)");
    if (!error.empty()) return Unexpected(error);
    return row;
  }

  std::vector<std::string>& header_;
  std::size_t& line_number_;
};

// The text as number for an aggregated column: integers stay integers.
std::string number_text(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("0");
}

bool is_periodic(std::string_view column) { return column.ends_with("(P)"); }

}  // namespace

std::optional<std::string_view> TraceStatRow::text(std::string_view column) const {
  const auto found = columns.find(column);
  if (found == columns.end()) return std::nullopt;
  return std::string_view(found->second);
}

std::optional<std::uint64_t> TraceStatRow::count(std::string_view column) const {
  const auto value = text(column);
  return value ? parse_count(*value) : std::nullopt;
}

std::optional<double> TraceStatRow::number(std::string_view column) const {
  const auto value = text(column);
  return value ? parse_finite(*value) : std::nullopt;
}

std::optional<double> TraceStatRow::duration_seconds(std::string_view column) const {
  const auto value = text(column);
  return value ? parse_duration(*value) : std::nullopt;
}

std::optional<double> TraceStatRow::epoch_seconds(std::string_view column) const {
  const auto value = text(column);
  return value ? parse_epoch(*value) : std::nullopt;
}

const std::vector<std::string>& required_trace_stat_columns() {
  static const std::vector<std::string> columns = {
      "StartTime",         "LastResetTime",      "CurrentTime", "TargetRate",  "CallRate(P)",
      "CallRate(C)",       "TotalCallCreated",   "CurrentCall", "SuccessfulCall(C)",
      "FailedCall(C)",     "Retransmissions(C)", "ResponseTime1(C)"};
  return columns;
}

Expected<std::vector<TraceStatRow>, std::string> parse_trace_stat(std::string_view text) {
  std::vector<std::string> header;
  std::size_t line_number = 0;
  LineParser parser(header, line_number);
  std::vector<TraceStatRow> rows;
  std::size_t start = 0;
  for (std::size_t newline = text.find('\n'); newline != std::string_view::npos;
       start = newline + 1, newline = text.find('\n', start)) {
    auto row = parser.line(text.substr(start, newline - start));
    if (!row) return Unexpected(row.error());
    if (*row) rows.push_back(std::move(**row));
  }
  // What follows the last '\n' is a line SIPp has not finished: ignored, but a first line that cannot become a
  // SIPp header says now that this is not a SIPp file.
  if (header.empty() && !could_be_header_start(text.substr(start)))
    return Unexpected("line 1: not a SIPp -trace_stat file: it does not start with StartTime; (first line " +
                      quote(text.substr(start)) + ")");
  return rows;
}

Expected<std::vector<TraceStatRow>, std::string> read_trace_stat_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected(path.string() + ": cannot open");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Unexpected(path.string() + ": read error");
  auto rows = parse_trace_stat(text);
  if (!rows) return Unexpected(path.string() + ": " + rows.error());
  return rows;
}

Expected<std::vector<TraceStatRow>, std::string> TraceStatTail::poll() {
  std::vector<TraceStatRow> rows;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path_, ec);
  if (ec) {
    if (!std::filesystem::exists(path_)) return rows;  // SIPp has not created it yet
    return Unexpected(path_.string() + ": " + ec.message());
  }
  if (size < offset_)
    return Unexpected(path_.string() + ": shrank from " + std::to_string(offset_) + " to " + std::to_string(size) +
                      " bytes (another SIPp run rewrote it?)");
  std::ifstream in(path_, std::ios::binary);
  if (!in) return Unexpected(path_.string() + ": cannot open");
  in.seekg(static_cast<std::streamoff>(offset_));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LineParser parser(header_, line_number_);
  std::size_t start = 0;
  for (std::size_t newline = text.find('\n'); newline != std::string::npos;
       start = newline + 1, newline = text.find('\n', start)) {
    auto row = parser.line(std::string_view(text).substr(start, newline - start));
    if (!row) return Unexpected(path_.string() + ": " + row.error());
    if (*row) rows.push_back(std::move(**row));
  }
  offset_ += start;
  if (header_.empty() && !could_be_header_start(std::string_view(text).substr(start)))
    return Unexpected(path_.string() + ": line 1: not a SIPp -trace_stat file: it does not start with StartTime;");
  return rows;
}

std::vector<TraceStatRow> aggregate_trace_stat(const std::vector<std::vector<TraceStatRow>>& processes,
                                               double period_seconds) {
  std::vector<const std::vector<TraceStatRow>*> inputs;
  for (const auto& rows : processes)
    if (!rows.empty()) inputs.push_back(&rows);
  if (inputs.empty() || !(period_seconds > 0) || !std::isfinite(period_seconds)) return {};

  double origin = inputs.front()->front().start_time;
  double end = 0;
  for (const auto* rows : inputs) origin = std::min(origin, rows->front().start_time);
  for (const auto* rows : inputs) end = std::max(end, rows->back().current_time - origin);
  if (!std::isfinite(end)) return {};  // parse_trace_stat never makes such rows; hand-made ones may
  // A bounded grid whatever the timestamps say (a corrupt file may claim years): the period grows instead. An
  // aggregated row holds every numeric column (about 100 for SIPp 3.6.1): 3,600 of them (an hour of 1 s samples)
  // stay near 40 MB.
  constexpr double kMaxSamples = 3600;
  if (end / period_seconds > kMaxSamples) period_seconds = end / kMaxSamples;

  std::vector<double> times;
  for (std::size_t k = 0;; ++k) {
    const double t = static_cast<double>(k) * period_seconds;
    if (t > end + 1e-9) break;
    times.push_back(t);
  }
  if (times.back() < end - 1e-9) times.push_back(end);

  // What each process contributes at a sample: its latest row by then (`next` - 1; none while `next` is 0), and
  // whether that last row was already counted at an earlier sample (`finished`: its periodic columns count 0).
  struct Contribution {
    std::size_t next = 0;
    bool finished = false;
    bool operator==(const Contribution&) const = default;
  };
  std::vector<Contribution> contributions(inputs.size()), previous(inputs.size());
  std::vector<bool> final_row_contributed(inputs.size(), false);
  std::vector<TraceStatRow> out;
  out.reserve(times.size());
  constexpr double kSlack = 1e-6;  // a row written "at" the sample time belongs to it despite float rounding

  for (std::size_t s = 0; s < times.size(); ++s) {
    const double t = times[s];
    for (std::size_t p = 0; p < inputs.size(); ++p) {
      const auto& rows = *inputs[p];
      Contribution& now = contributions[p];
      while (now.next < rows.size() && rows[now.next].current_time - origin <= t + kSlack) ++now.next;
      const bool is_last = now.next == rows.size();
      now.finished = is_last && final_row_contributed[p];  // no new calls since its last row
      if (is_last) final_row_contributed[p] = true;
    }
    // Between the rows of the files (long after the last one, when a time stamp claims years) the sum is the one
    // before: copied rather than summed again.
    const bool unchanged = s > 0 && contributions == previous;
    previous = contributions;
    TraceStatRow sum = unchanged ? out.back() : TraceStatRow{};
    sum.start_time = origin;
    sum.current_time = origin + t;
    sum.elapsed_seconds = t;
    sum.period_seconds = s == 0 ? 0 : t - times[s - 1];
    if (unchanged) {
      out.push_back(std::move(sum));
      continue;
    }
    struct ColumnSum {
      std::uint64_t integer = 0;
      double decimal = 0;
      bool all_integer = true;
      bool all_numbers = true;
    };
    std::map<std::string, ColumnSum, std::less<>> column_sums;
    double weighted_response = 0;
    std::uint64_t response_weight = 0;

    for (std::size_t p = 0; p < inputs.size(); ++p) {
      const auto [next, finished] = contributions[p];
      if (next == 0) continue;  // not started by then
      const TraceStatRow& row = (*inputs[p])[next - 1];

      sum.current_calls += row.current_calls;
      sum.total_created += row.total_created;
      sum.successful += row.successful;
      sum.failed += row.failed;
      sum.retransmissions += row.retransmissions;
      sum.call_rate += finished ? 0 : row.call_rate;
      sum.call_rate_cumulative += row.call_rate_cumulative;
      sum.target_rate += row.target_rate;
      weighted_response += row.response_time1_ms * static_cast<double>(row.successful);
      response_weight += row.successful;

      for (const auto& [name, text] : row.columns) {
        ColumnSum& column = column_sums[name];
        if (finished && is_periodic(name)) {
          if (!parse_finite(text)) column.all_numbers = false;  // a duration stays excluded
          continue;  // contributes 0
        }
        if (const auto integer = parse_count(text)) {
          column.integer += *integer;
          column.decimal += static_cast<double>(*integer);
        } else if (const auto decimal = parse_finite(text)) {
          column.all_integer = false;
          column.decimal += *decimal;
        } else {
          column.all_numbers = false;
        }
      }
    }
    for (const auto& [name, column] : column_sums) {
      if (!column.all_numbers) continue;
      sum.columns.emplace(name, column.all_integer ? std::to_string(column.integer) : number_text(column.decimal));
    }
    sum.response_time1_ms = response_weight > 0 ? weighted_response / static_cast<double>(response_weight) : 0;
    out.push_back(std::move(sum));
  }
  return out;
}

reports::SippStats to_sipp_stats(const TraceStatRow& last) {
  reports::SippStats stats;
  stats.total_calls = last.total_created;
  stats.successful_calls = last.successful;
  stats.failed_calls = last.failed;
  stats.retransmissions = last.retransmissions;
  stats.elapsed_seconds = last.elapsed_seconds;
  stats.call_rate = last.call_rate_cumulative;
  stats.average_response_ms = last.response_time1_ms;
  stats.extra["TargetRate"] = last.target_rate;
  static const std::set<std::string, std::less<>> mapped = {"SuccessfulCall(C)", "FailedCall(C)",
                                                            "Retransmissions(C)", "CallRate(C)"};
  for (const auto& [name, text] : last.columns) {
    if (!name.ends_with("(C)") || mapped.contains(name)) continue;
    if (const auto value = parse_count(text); value && *value != 0) stats.extra[name] = *value;
  }
  if (const auto length = last.duration_seconds("CallLength(C)")) stats.extra["CallLength(C)_ms"] = *length * 1000;
  return stats;
}

std::optional<reports::SippStats> to_sipp_stats(const std::vector<TraceStatRow>& rows) {
  if (rows.empty()) return std::nullopt;
  return to_sipp_stats(rows.back());
}

std::vector<reports::LoadSample> to_load_samples(const std::vector<TraceStatRow>& rows, double min_gap_seconds) {
  std::vector<reports::LoadSample> samples;
  samples.reserve(rows.size());
  for (const TraceStatRow& row : rows) {
    if (!samples.empty() && row.elapsed_seconds - samples.back().t < min_gap_seconds) {
      reports::LoadSample& previous = samples.back();
      previous.t = row.elapsed_seconds;
      previous.active_calls = row.current_calls;
      previous.failed = row.failed;
      continue;
    }
    reports::LoadSample sample;
    sample.t = row.elapsed_seconds;
    sample.active_calls = row.current_calls;
    sample.calls_per_second = row.call_rate;
    sample.failed = row.failed;
    samples.push_back(sample);
  }
  return samples;
}

}  // namespace mohq::harness
