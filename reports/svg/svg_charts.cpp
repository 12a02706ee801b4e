#include "reports/svg/svg_charts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace mohq::reports::svg {

namespace {

constexpr const char* kPalette[] = {"#1f4e9c", "#b35c1e", "#2e7d32", "#b3261e", "#6a3d9a", "#00838f"};

std::string open_svg(int width, int height, const char* font = "sans-serif", int font_size = 10) {
  return "<svg xmlns='http://www.w3.org/2000/svg' width='" + std::to_string(width) + "' height='" +
         std::to_string(height) + "' viewBox='0 0 " + std::to_string(width) + " " + std::to_string(height) +
         "' font-family='" + font + "' font-size='" + std::to_string(font_size) + "'>";
}

// A "nice" tick step (1, 2 or 5 times a power of ten) giving about `ticks` ticks over span.
double tick_step(double span, int ticks) {
  if (!(span > 0)) return 1;
  const double raw = span / ticks;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * power) return m * power;
  return 10 * power;
}

int decimals_for(double step) { return step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step))); }

// Axes of a plot area at (left, top) of w x h for x in [x0, x1] and y in [y0, y1], ticks and labels.
void axes(std::ostringstream& svg, int left, int top, int w, int h, double x0, double x1, double y0, double y1,
          const std::string& x_label, const std::string& y_label) {
  svg << "<line x1='" << left << "' y1='" << top + h << "' x2='" << left + w << "' y2='" << top + h
      << "' stroke='#333'/><line x1='" << left << "' y1='" << top << "' x2='" << left << "' y2='" << top + h
      << "' stroke='#333'/>";
  const double xs = tick_step(x1 - x0, 6);
  for (double x = std::ceil(x0 / xs) * xs; x <= x1 + xs * 1e-9; x += xs) {
    const double px = left + (x - x0) / (x1 - x0) * w;
    svg << "<line x1='" << number(px) << "' y1='" << top + h << "' x2='" << number(px) << "' y2='" << top + h + 4
        << "' stroke='#333'/><text x='" << number(px) << "' y='" << top + h + 14 << "' text-anchor='middle'>"
        << number(x, decimals_for(xs)) << "</text>";
  }
  const double ys = tick_step(y1 - y0, 4);
  for (double y = std::ceil(y0 / ys) * ys; y <= y1 + ys * 1e-9; y += ys) {
    const double py = top + h - (y - y0) / (y1 - y0) * h;
    svg << "<line x1='" << left - 4 << "' y1='" << number(py) << "' x2='" << left + w << "' y2='" << number(py)
        << "' stroke='#ddd'/><text x='" << left - 6 << "' y='" << number(py + 3) << "' text-anchor='end'>"
        << number(y, decimals_for(ys)) << "</text>";
  }
  svg << "<text x='" << left + w / 2 << "' y='" << top + h + 28 << "' text-anchor='middle'>" << escape(x_label)
      << "</text><text x='12' y='" << top + h / 2 << "' text-anchor='middle' transform='rotate(-90 12 " << top + h / 2
      << ")'>" << escape(y_label) << "</text>";
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += "&#9;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          out += "\xEF\xBF\xBD";
        else
          out += c;
    }
  }
  return out;
}

std::string number(double value, int decimals) {
  if (!std::isfinite(value)) return "0";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string ladder(const analyzers::CallRecord& call) {
  std::vector<std::string> columns;
  auto column = [&](const analyzers::Endpoint& endpoint) {
    const std::string name = endpoint.to_string();
    const auto it = std::find(columns.begin(), columns.end(), name);
    if (it != columns.end()) return static_cast<int>(it - columns.begin());
    columns.push_back(name);
    return static_cast<int>(columns.size() - 1);
  };
  column(call.caller);
  for (const auto& event : call.events) {
    column(event.source);
    column(event.destination);
  }
  const int width = 160 + 260 * static_cast<int>(columns.size() - 1) + 120;
  const int row = 22;
  const int height = 50 + row * static_cast<int>(call.events.size()) + 10;
  std::ostringstream svg;
  svg << open_svg(width, height, "monospace", 11);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const int x = 160 + 260 * static_cast<int>(i);
    svg << "<text x='" << x << "' y='16' text-anchor='middle' font-weight='bold'>" << escape(columns[i]) << "</text>"
        << "<line x1='" << x << "' y1='24' x2='" << x << "' y2='" << height - 5 << "' stroke='#999'/>";
  }
  const double start = call.events.empty() ? 0 : call.events.front().time;
  int y = 44;
  for (const auto& event : call.events) {
    const int from = 160 + 260 * column(event.source);
    const int to = 160 + 260 * column(event.destination);
    const std::string label = (event.is_request() ? event.method : std::to_string(event.code) + " " + event.reason) +
                              (event.sdp ? " (SDP)" : "");
    const std::string colour = event.is_request() ? "#1f4e9c" : (event.code >= 300 ? "#b3261e" : "#2e7d32");
    const int head = to > from ? to - 7 : to + 7;
    svg << "<text x='4' y='" << y + 4 << "' fill='#555'>+" << number(event.time - start, 3) << "s</text>"
        << "<line x1='" << from << "' y1='" << y << "' x2='" << to << "' y2='" << y << "' stroke='" << colour
        << "' stroke-width='1.5'/>"
        << "<polygon points='" << to << "," << y << " " << head << "," << y - 4 << " " << head << "," << y + 4
        << "' fill='" << colour << "'/>"
        << "<text x='" << (from + to) / 2 << "' y='" << y - 4 << "' text-anchor='middle' fill='" << colour << "'>"
        << escape(label) << "</text>";
    y += row;
  }
  svg << "</svg>";
  return svg.str();
}

std::string histogram(std::span<const double> values, const HistogramOptions& options) {
  const int buckets = std::max(1, options.buckets);
  const double bucket = options.bucket > 0 ? options.bucket : 1;
  std::vector<int> counts(static_cast<std::size_t>(buckets), 0);
  for (double value : values) {
    if (!std::isfinite(value)) continue;  // a NaN or infinity has no bucket (and may not be cast to one)
    const double index = std::floor(value / bucket);
    counts[static_cast<std::size_t>(std::clamp(index, 0.0, static_cast<double>(buckets - 1)))]++;
  }
  const int peak = std::max(1, *std::max_element(counts.begin(), counts.end()));
  const int left = 30, width = options.width, height = options.height, bar = std::max(1, (width - 40) / buckets);
  std::ostringstream svg;
  svg << open_svg(width, height + 30);
  for (int i = 0; i < buckets; ++i) {
    const int count = counts[static_cast<std::size_t>(i)];
    const double share = options.log_counts ? std::log1p(count) / std::log1p(peak) : static_cast<double>(count) / peak;
    const int h = static_cast<int>(share * (height - 12));
    svg << "<rect x='" << left + i * bar << "' y='" << height - h << "' width='" << std::max(1, bar - 1)
        << "' height='" << h << "' fill='#3b6fb6'><title>" << number(i * bucket, 1) << "-"
        << number((i + 1) * bucket, 1) << " " << escape(options.axis) << ": " << count << "</title></rect>";
    if (i % 5 == 0)
      svg << "<text x='" << left + i * bar << "' y='" << height + 12 << "'>" << number(i * bucket, 0) << "</text>";
  }
  svg << "<line x1='" << left << "' y1='" << height << "' x2='" << left + bar * buckets << "' y2='" << height
      << "' stroke='#333'/><text x='2' y='10'>" << peak << "</text><text x='" << width / 2 << "' y='" << height + 26
      << "' text-anchor='middle'>" << escape(options.axis) << (options.log_counts ? " (log count)" : " (count)")
      << "</text></svg>";
  return svg.str();
}

std::string time_series(const std::vector<Series>& series, const ChartOptions& options) {
  const int left = 52, top = options.title.empty() ? 10 : 24, w = options.width, h = options.height;
  const int legend = 16 * static_cast<int>(series.size());
  double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  bool any = false;
  for (const auto& s : series)
    for (const auto& [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      if (!any) x0 = x1 = x;
      any = true;
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  if (x1 <= x0) x1 = x0 + 1;
  if (y1 <= y0) y1 = y0 + 1;
  y1 += (y1 - y0) * 0.05;
  std::ostringstream svg;
  svg << open_svg(left + w + 20, top + h + 36 + legend);
  if (!options.title.empty())
    svg << "<text x='" << left + w / 2 << "' y='14' text-anchor='middle' font-weight='bold'>" << escape(options.title)
        << "</text>";
  axes(svg, left, top, w, h, x0, x1, y0, y1, options.x_label, options.y_label);
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    const std::string colour = s.colour.empty() ? kPalette[i % std::size(kPalette)] : s.colour;
    std::ostringstream path;
    bool first = true;
    for (const auto& [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      path << (first ? "M" : "L") << number(left + (x - x0) / (x1 - x0) * w, 1) << ","
           << number(top + h - (y - y0) / (y1 - y0) * h, 1) << " ";
      first = false;
    }
    if (!first)
      svg << "<path d='" << path.str() << "' fill='none' stroke='" << colour << "' stroke-width='1.5'/>";
    const int ly = top + h + 36 + 16 * static_cast<int>(i);
    svg << "<line x1='" << left << "' y1='" << ly - 4 << "' x2='" << left + 18 << "' y2='" << ly - 4 << "' stroke='"
        << colour << "' stroke-width='3'/><text x='" << left + 24 << "' y='" << ly << "'>" << escape(s.label)
        << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

std::string waveform(std::span<const std::int16_t> min, std::span<const std::int16_t> max,
                     std::size_t samples_per_point, unsigned sample_rate) {
  const std::size_t points = std::min(min.size(), max.size());
  const int left = 40, width = 960, height = 120;
  std::ostringstream path;
  // At most `width` columns: several points per column take their extremes.
  const std::size_t per_column = std::max<std::size_t>(1, (points + width - 1) / width);
  for (std::size_t begin = 0, x = 0; begin < points; begin += per_column, ++x) {
    const std::size_t end = std::min(points, begin + per_column);
    const auto low = *std::min_element(min.begin() + static_cast<std::ptrdiff_t>(begin),
                                       min.begin() + static_cast<std::ptrdiff_t>(end));
    const auto high = *std::max_element(max.begin() + static_cast<std::ptrdiff_t>(begin),
                                        max.begin() + static_cast<std::ptrdiff_t>(end));
    const double px = left + static_cast<double>(x) * width / std::max<double>(1, (points + per_column - 1) / per_column);
    path << "M" << number(px, 1) << "," << number(height / 2.0 - high / 32768.0 * height / 2, 1) << "V"
         << number(height / 2.0 - low / 32768.0 * height / 2 + 0.5, 1) << " ";
  }
  const double seconds = static_cast<double>(points * std::max<std::size_t>(1, samples_per_point)) /
                         std::max(1u, sample_rate);
  std::ostringstream svg;
  svg << open_svg(left + width + 10, height + 36) << "<rect x='" << left << "' width='" << width << "' height='"
      << height << "' fill='#f6f6f6'/><line x1='" << left << "' y1='" << height / 2 << "' x2='" << left + width
      << "' y2='" << height / 2 << "' stroke='#ccc'/><path d='" << path.str()
      << "' stroke='#2e7d32' stroke-width='1'/><text x='" << left - 4 << "' y='10' text-anchor='end'>+FS</text>"
      << "<text x='" << left - 4 << "' y='" << height << "' text-anchor='end'>-FS</text>";
  const double step = tick_step(seconds, 8);
  for (double t = 0; seconds > 0 && t <= seconds + 1e-9; t += step) {
    const double px = left + t / seconds * width;
    svg << "<text x='" << number(px) << "' y='" << height + 14 << "' text-anchor='middle'>"
        << number(t, decimals_for(step)) << "</text>";
  }
  svg << "<text x='" << left + width / 2 << "' y='" << height + 30 << "' text-anchor='middle'>s ("
      << number(seconds, 1) << " s of audio)</text></svg>";
  return svg.str();
}

std::string spectrogram(const std::vector<std::vector<float>>& db, double seconds_per_column, double hz_per_row) {
  const std::size_t columns = db.size();
  std::size_t rows = 0;
  for (const auto& column : db) rows = std::max(rows, column.size());
  const int left = 48, width = 800, height = 256;
  std::ostringstream svg;
  svg << open_svg(left + width + 60, height + 36) << "<rect x='" << left << "' width='" << width << "' height='"
      << height << "' fill='#000010'/>";
  if (columns > 0 && rows > 0) {
    const double cw = static_cast<double>(width) / static_cast<double>(columns);
    const double rh = static_cast<double>(height) / static_cast<double>(rows);
    // 16 levels from -90 dB to 0 dB, dark blue -> purple -> orange -> yellow.
    auto level = [](float value) { return std::clamp(static_cast<int>((value + 90.0f) / 90.0f * 16.0f), 0, 15); };
    auto colour = [](int index) {
      const double v = index / 15.0;
      const int r = static_cast<int>(std::clamp(v * 1.6, 0.0, 1.0) * 255);
      const int g = static_cast<int>(std::clamp((v - 0.45) * 1.8, 0.0, 1.0) * 235);
      const int b = static_cast<int>(std::clamp(0.35 + 0.6 * std::sin(v * 3.14159), 0.0, 1.0) * 200 * (1 - v * 0.7));
      char text[8];
      std::snprintf(text, sizeof text, "#%02x%02x%02x", r, g, b);
      return std::string(text);
    };
    for (std::size_t c = 0; c < columns; ++c) {
      const auto& column = db[c];
      std::size_t r = 0;
      while (r < column.size()) {
        const int index = level(column[r]);
        std::size_t end = r + 1;
        while (end < column.size() && level(column[end]) == index) ++end;
        if (index > 0)  // the background is level 0
          svg << "<rect x='" << number(left + c * cw, 2) << "' y='" << number(height - end * rh, 2) << "' width='"
              << number(cw + 0.3, 2) << "' height='" << number((end - r) * rh + 0.3, 2) << "' fill='" << colour(index)
              << "'/>";
        r = end;
      }
    }
    for (int i = 0; i < 16; ++i)
      svg << "<rect x='" << left + width + 8 << "' y='" << height - (i + 1) * height / 16 << "' width='10' height='"
          << height / 16 + 1 << "' fill='" << colour(i) << "'/>";
  }
  svg << "<text x='" << left + width + 22 << "' y='10'>0 dB</text><text x='" << left + width + 22 << "' y='"
      << height << "'>-90</text>";
  const double top_hz = hz_per_row * static_cast<double>(rows);
  const double fstep = tick_step(top_hz, 4);
  for (double f = 0; top_hz > 0 && f <= top_hz + 1e-9; f += fstep)
    svg << "<text x='" << left - 4 << "' y='" << number(std::max(9.0, height - f / top_hz * height + 3))
        << "' text-anchor='end'>"
        << number(f, 0) << "</text>";
  const double seconds = seconds_per_column * static_cast<double>(columns);
  const double tstep = tick_step(seconds, 8);
  for (double t = 0; seconds > 0 && t <= seconds + 1e-9; t += tstep)
    svg << "<text x='" << number(left + t / seconds * width) << "' y='" << height + 14 << "' text-anchor='middle'>"
        << number(t, decimals_for(tstep)) << "</text>";
  svg << "<text x='" << left + width / 2 << "' y='" << height + 30 << "' text-anchor='middle'>s (frequency in Hz on "
      << "the left)</text></svg>";
  return svg.str();
}

std::string load_timeline(std::span<const LoadPoint> points) {
  Series active{"active calls", "#1f4e9c", {}}, rate{"calls/s", "#2e7d32", {}}, failed{"failed calls", "#b3261e", {}},
      queue{"queue depth", "#8e24aa", {}};
  for (const auto& p : points) {
    active.points.emplace_back(p.t, p.active_calls);
    rate.points.emplace_back(p.t, p.calls_per_second);
    failed.points.emplace_back(p.t, p.failed);
    if (p.queue_depth) queue.points.emplace_back(p.t, *p.queue_depth);
  }
  ChartOptions options;
  options.title = "load";
  options.x_label = "s since the load started";
  options.y_label = "calls, calls/s";
  options.width = 800;
  options.height = 200;
  std::vector<Series> series = {active, rate, failed};
  if (!queue.points.empty()) series.push_back(queue);
  return time_series(series, options);
}

std::vector<double> inter_arrival_ms(const analyzers::RtpStream& stream) {
  std::vector<double> gaps;
  for (std::size_t i = 1; i < stream.packets.size(); ++i)
    gaps.push_back((stream.packets[i].time - stream.packets[i - 1].time) * 1000);
  return gaps;
}

std::vector<std::pair<double, double>> jitter_ms_over_time(const analyzers::RtpStream& stream) {
  std::vector<std::pair<double, double>> jitter;
  double j = 0;
  for (std::size_t i = 1; i < stream.packets.size(); ++i) {
    const auto& a = stream.packets[i - 1];
    const auto& b = stream.packets[i];
    // RFC 3550 6.4.1, 8 kHz clock (the G.711 family); the metrics JSON has the per-codec value.
    const double transit =
        (b.time - a.time) * 8000 - static_cast<double>(static_cast<std::int32_t>(b.timestamp - a.timestamp));
    j += (std::abs(transit) - j) / 16;
    jitter.emplace_back(b.time - stream.packets.front().time, j / 8);
  }
  return jitter;
}

}  // namespace mohq::reports::svg
