#include "analyzers/analyze/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "rtp/g711.hpp"

namespace mohq::analyzers {

namespace {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string number(double value, int decimals = 1) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// The SIP ladder of one call: one column per address, one arrow per message, time on the left.
std::string ladder_svg(const CallRecord& call) {
  std::vector<std::string> columns;
  auto column = [&](const Endpoint& endpoint) {
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
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height
      << "' font-family='monospace' font-size='11'>";
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
    svg << "<text x='4' y='" << y + 4 << "' fill='#555'>+" << number(event.time - start, 3) << "s</text>"
        << "<line x1='" << from << "' y1='" << y << "' x2='" << to << "' y2='" << y << "' stroke='" << colour
        << "' stroke-width='1.5'/>"
        << "<polygon points='" << to << "," << y << " " << (to > from ? to - 7 : to + 7) << "," << y - 4 << " "
        << (to > from ? to - 7 : to + 7) << "," << y + 4 << "' fill='" << colour << "'/>"
        << "<text x='" << (from + to) / 2 << "' y='" << y - 4 << "' text-anchor='middle' fill='" << colour << "'>"
        << escape(label) << "</text>";
    y += row;
  }
  svg << "</svg>";
  return svg.str();
}

// Bars of a histogram of values (ms) in fixed buckets.
std::string histogram_svg(const std::vector<double>& values, double bucket, int buckets, const std::string& axis) {
  std::vector<int> counts(static_cast<std::size_t>(buckets), 0);
  for (double value : values) {
    int index = static_cast<int>(value / bucket);
    counts[static_cast<std::size_t>(std::clamp(index, 0, buckets - 1))]++;
  }
  const int peak = std::max(1, *std::max_element(counts.begin(), counts.end()));
  const int width = 480, height = 160, bar = (width - 40) / buckets;
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height + 30
      << "' font-family='sans-serif' font-size='10'>";
  for (int i = 0; i < buckets; ++i) {
    const double share = std::log1p(counts[static_cast<std::size_t>(i)]) / std::log1p(peak);  // log: rare outliers show
    const int h = static_cast<int>(share * height);
    svg << "<rect x='" << 30 + i * bar << "' y='" << height - h << "' width='" << bar - 1 << "' height='" << h
        << "' fill='#3b6fb6'><title>" << number(i * bucket, 1) << "-" << number((i + 1) * bucket, 1) << " "
        << axis << ": " << counts[static_cast<std::size_t>(i)] << "</title></rect>";
    if (i % 5 == 0)
      svg << "<text x='" << 30 + i * bar << "' y='" << height + 12 << "'>" << number(i * bucket, 0) << "</text>";
  }
  svg << "<text x='" << width / 2 << "' y='" << height + 26 << "' text-anchor='middle'>" << escape(axis)
      << " (log count)</text></svg>";
  return svg.str();
}

// A line over time.
std::string series_svg(const std::vector<std::pair<double, double>>& points, const std::string& label) {
  const int width = 480, height = 140;
  double max_x = 1, max_y = 1;
  for (const auto& [x, y] : points) {
    max_x = std::max(max_x, x);
    max_y = std::max(max_y, y);
  }
  std::ostringstream path;
  for (std::size_t i = 0; i < points.size(); ++i)
    path << (i == 0 ? "M" : "L") << number(30 + points[i].first / max_x * (width - 40), 1) << ","
         << number(height - points[i].second / max_y * (height - 10), 1) << " ";
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height + 30
      << "' font-family='sans-serif' font-size='10'><path d='" << path.str()
      << "' fill='none' stroke='#b35c1e' stroke-width='1.5'/><text x='2' y='10'>" << number(max_y, 2)
      << "</text><text x='" << width / 2 << "' y='" << height + 22 << "' text-anchor='middle'>" << escape(label)
      << " over " << number(max_x, 1) << " s</text></svg>";
  return svg.str();
}

// What the caller heard: min/max envelope of the decoded G.711 samples.
std::string waveform_svg(const RtpStream& stream) {
  if (stream.packets.empty()) return {};
  const auto type = stream.packets.front().payload_type;
  if (type != 0 && type != 8) return "<p>(waveform: payload type " + std::to_string(type) + " is not decoded here)</p>";
  std::vector<std::int16_t> samples(stream.payloads.size());
  if (type == 8)
    rtp::decode_alaw(stream.payloads, samples);
  else
    rtp::decode_ulaw(stream.payloads, samples);
  const int width = 960, height = 120;
  const std::size_t per_column = std::max<std::size_t>(1, samples.size() / width);
  std::ostringstream path;
  for (int x = 0; x < width; ++x) {
    const std::size_t begin = static_cast<std::size_t>(x) * per_column;
    if (begin >= samples.size()) break;
    const std::size_t end = std::min(samples.size(), begin + per_column);
    const auto [low, high] = std::minmax_element(samples.begin() + static_cast<std::ptrdiff_t>(begin),
                                                 samples.begin() + static_cast<std::ptrdiff_t>(end));
    path << "M" << x << "," << number(height / 2.0 - *high / 32768.0 * height / 2, 1) << "V"
         << number(height / 2.0 - *low / 32768.0 * height / 2, 1) << " ";
  }
  return "<svg xmlns='http://www.w3.org/2000/svg' width='" + std::to_string(width) + "' height='" +
         std::to_string(height) + "'><rect width='100%' height='100%' fill='#f6f6f6'/><path d='" + path.str() +
         "' stroke='#2e7d32' stroke-width='1'/></svg>";
}

}  // namespace

std::string html_report(const AnalysisResult& result, const std::string& title) {
  std::ostringstream html;
  std::size_t errors = 0, warnings = 0;
  for (const auto& finding : result.findings) {
    errors += finding.severity == Severity::Error;
    warnings += finding.severity == Severity::Warning;
  }
  html << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>mohq analyze: " << escape(title)
       << "</title><style>body{font-family:sans-serif;margin:1.5em;max-width:1200px}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px;vertical-align:top}th{background:#eee}"
          ".error{color:#b3261e;font-weight:bold}.warning{color:#a15c00}.info{color:#555}"
          "code{font-size:12px}section{margin-bottom:2em}</style></head><body>";
  html << "<h1>mohq analyze: " << escape(title) << "</h1><p>" << result.sip_messages << " SIP messages, "
       << result.rtpproxy_commands << " rtpproxy commands, " << result.rtp_packets << " RTP packets; "
       << result.calls.size() << " calls, " << result.streams.size() << " streams; <span class='error'>" << errors
       << " error(s)</span>, <span class='warning'>" << warnings << " warning(s)</span></p>";

  html << "<section><h2>Findings</h2><table><tr><th>severity</th><th>id</th><th>what</th><th>evidence</th>"
          "<th>fix</th></tr>";
  for (const auto& finding : result.findings)
    html << "<tr><td class='" << severity_name(finding.severity) << "'>" << severity_name(finding.severity)
         << "</td><td><code>" << escape(finding.id) << "</code></td><td>" << escape(finding.message)
         << (finding.call_id.empty() ? "" : "<br><small>call " + escape(finding.call_id) + "</small>")
         << (finding.stream.empty() ? "" : "<br><small>stream " + escape(finding.stream) + "</small>")
         << "</td><td><code>" << escape(finding.evidence.dump()) << "</code></td><td>" << escape(finding.fix)
         << "</td></tr>";
  if (result.findings.empty()) html << "<tr><td colspan='5'>none</td></tr>";
  html << "</table></section>";

  html << "<section><h2>Calls</h2>";
  for (const auto& call : result.calls) {
    const auto timing = call_timing(call, result.capture_end);
    html << "<h3>" << escape(call.call_id) << "</h3><p>outcome: <b>" << escape(timing.outcome) << "</b>";
    if (timing.setup_seconds) html << "; setup " << number(*timing.setup_seconds * 1000, 0) << " ms";
    if (timing.queue_seconds) html << "; in queue " << number(*timing.queue_seconds, 1) << " s";
    if (!call.prompt.empty()) html << "; prompt <code>" << escape(call.prompt) << "</code>";
    html << "</p>" << ladder_svg(call);
    if (!call.rtpproxy.empty()) {
      html << "<p>rtpproxy:</p><pre>";
      for (const auto& command : call.rtpproxy)
        html << escape(command.command) << (command.reply.empty() ? "" : "  -> " + escape(command.reply)) << "\n";
      html << "</pre>";
    }
  }
  html << "</section><section><h2>Streams</h2>";
  for (const auto& entry : result.streams) {
    const auto& stream = entry.stream;
    std::vector<double> gaps;
    std::vector<std::pair<double, double>> jitter;
    double j = 0;
    for (std::size_t i = 1; i < stream.packets.size(); ++i) {
      const auto& a = stream.packets[i - 1];
      const auto& b = stream.packets[i];
      gaps.push_back((b.time - a.time) * 1000);
      // RFC 3550 6.4.1, 8 kHz clock (the G.711 family); the metrics JSON has the per-codec value.
      const double transit = (b.time - a.time) * 8000 - static_cast<double>(static_cast<std::int32_t>(b.timestamp - a.timestamp));
      j += (std::abs(transit) - j) / 16;
      jitter.push_back({b.time - stream.packets.front().time, j / 8});
    }
    html << "<h3>" << escape(stream_label(stream)) << "</h3><p>call " << escape(stream.expected.call_id)
         << ", " << stream.packets.size() << " packets</p><table><tr><td>"
         << histogram_svg(gaps, 2.0, 40, "inter-arrival ms") << "</td><td>" << series_svg(jitter, "jitter ms")
         << "</td></tr></table><p>what the caller heard:</p>" << waveform_svg(stream)
         << "<details><summary>metrics</summary><pre>" << escape(entry.metrics.dump(2)) << "</pre></details>";
  }
  html << "</section></body></html>\n";
  return html.str();
}

}  // namespace mohq::analyzers
