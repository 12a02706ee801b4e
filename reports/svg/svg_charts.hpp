// The pictures of mohq's HTML pages as inline SVG strings (no script, no raster image, no external reference):
// a call's SIP ladder, histograms, multi-line time series with axes, a waveform envelope, a spectrogram heatmap and
// a load timeline. Shared by `mohq analyze --html` (analyzers/analyze/html_report) and `mohq run`'s report.html
// (reports/html_report). Depends only on the analyzers' plain model headers (CallRecord, RtpStream), never on
// mohq_analyze, which links this library.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzers/calls/call_record.hpp"
#include "analyzers/model/rtp_stream.hpp"

namespace mohq::reports::svg {

// Text for XML/HTML content and attribute values: & < > " ' escaped, newline/tab as character references, other
// control characters (not allowed in XML 1.0) replaced by U+FFFD.
std::string escape(std::string_view text);
// printf("%.*f").
std::string number(double value, int decimals = 1);

// One column per address, one arrow per message (requests blue, 2xx/1xx green, >= 300 red), time on the left.
std::string ladder(const analyzers::CallRecord& call);

struct HistogramOptions {
  double bucket = 2.0;       // width of a bucket in the values' unit
  int buckets = 40;          // the last bucket also takes everything above
  std::string axis;          // "inter-arrival ms"
  bool log_counts = true;    // bar height log(1+count): rare outliers stay visible
  int width = 480, height = 160;
};
std::string histogram(std::span<const double> values, const HistogramOptions& options);

struct Series {
  std::string label;
  std::string colour;  // "#b35c1e"; empty: from a fixed palette
  std::vector<std::pair<double, double>> points;  // (x, y), x ascending
};
struct ChartOptions {
  std::string title;
  std::string x_label = "s";
  std::string y_label;
  int width = 480, height = 180;  // the plot area; axes, ticks and legend are added around it
};
// Lines over a common x axis, with x/y axes, ticks, axis labels and a legend (one entry per series).
std::string time_series(const std::vector<Series>& series, const ChartOptions& options);

// min/max per point of 8 kHz audio (analyzers::WaveformEnvelope), samples_per_point samples each.
std::string waveform(std::span<const std::int16_t> min, std::span<const std::int16_t> max,
                     std::size_t samples_per_point, unsigned sample_rate = 8000);

// db[column][row] (analyzers::Spectrogram, row 0 = 0 Hz), drawn as rects (vertical runs of one colour merged),
// colours from -90 dB (dark) to 0 dB (bright), with time and frequency axes.
std::string spectrogram(const std::vector<std::vector<float>>& db, double seconds_per_column, double hz_per_row);

struct LoadPoint {
  double t = 0;             // seconds since the load started
  double active_calls = 0;
  double calls_per_second = 0;
  double failed = 0;        // failed calls so far
  std::optional<double> queue_depth;  // callers in the MOH queue, when the SUT could tell
};
// Active calls, calls/s, failures and (when known) the queue's depth over time, one chart.
std::string load_timeline(std::span<const LoadPoint> points);

// A stream's packet timing: inter-arrival gaps (ms) and RFC 3550 6.4.1 jitter (ms, 8 kHz clock) over time (s from
// its first packet), as plotted under every stream.
std::vector<double> inter_arrival_ms(const analyzers::RtpStream& stream);
std::vector<std::pair<double, double>> jitter_ms_over_time(const analyzers::RtpStream& stream);

}  // namespace mohq::reports::svg
