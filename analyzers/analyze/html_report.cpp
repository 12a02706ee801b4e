#include "analyzers/analyze/html_report.hpp"

#include <sstream>

#include "analyzers/audio/audio_decode.hpp"
#include "reports/svg/svg_charts.hpp"

namespace mohq::analyzers {

namespace {

using reports::svg::escape;
using reports::svg::number;

// What the caller heard: the waveform and spectrogram data `mohq analyze` kept (AnalyzeOptions::audio_data), or
// decoded here when it did not.
std::string audio_pictures(const StreamResult& entry) {
  nlohmann::json waveform = entry.audio.contains("waveform") ? entry.audio["waveform"] : nlohmann::json();
  nlohmann::json spectrogram = entry.audio.contains("spectrogram") ? entry.audio["spectrogram"] : nlohmann::json();
  if (!waveform.is_object() || !spectrogram.is_object()) {
    const auto decoded = decode_stream(entry.stream);
    if (decoded.samples.empty()) {
      std::string types;
      for (unsigned type : decoded.skipped_types) types += (types.empty() ? "" : ", ") + std::to_string(type);
      return "<p>(no audio decoded" + (types.empty() ? std::string() : ": payload type " + escape(types)) + ")</p>";
    }
    waveform = to_json(waveform_envelope(decoded.samples));
    spectrogram = to_json(spectrogram_data(decoded.samples));
  }
  const auto low = waveform.value("min", std::vector<std::int16_t>{});
  const auto high = waveform.value("max", std::vector<std::int16_t>{});
  const auto db = spectrogram.value("db", std::vector<std::vector<float>>{});
  return "<p>what the caller heard (waveform):</p>" +
         reports::svg::waveform(low, high, waveform.value("samples_per_point", std::size_t{1})) +
         "<p>spectrogram:</p>" +
         reports::svg::spectrogram(db, spectrogram.value("seconds_per_column", 0.0), spectrogram.value("hz_per_row", 0.0));
}

}  // namespace

std::string_view html_style() {
  return "body{font-family:sans-serif;margin:1.5em;max-width:1200px}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px;vertical-align:top}th{background:#eee}"
         ".error,.failed{color:#b3261e;font-weight:bold}.warning{color:#a15c00}.info{color:#555}"
         ".passed{color:#2e7d32;font-weight:bold}code{font-size:12px}td code{overflow-wrap:anywhere}section{margin-bottom:2em}"
         "svg{max-width:100%;height:auto}";
}

std::string findings_section(const Findings& findings) {
  std::ostringstream html;
  html << "<section><h2>Findings</h2><table><tr><th>severity</th><th>id</th><th>what</th><th>evidence</th>"
          "<th>fix</th></tr>";
  for (const auto& finding : findings)
    html << "<tr><td class='" << severity_name(finding.severity) << "'>" << severity_name(finding.severity)
         << "</td><td><code>" << escape(finding.id) << "</code></td><td>" << escape(finding.message)
         << (finding.call_id.empty() ? "" : "<br><small>call " + escape(finding.call_id) + "</small>")
         << (finding.stream.empty() ? "" : "<br><small>stream " + escape(finding.stream) + "</small>")
         << "</td><td><code>" << escape(finding.evidence.dump()) << "</code></td><td>" << escape(finding.fix)
         << "</td></tr>";
  if (findings.empty()) html << "<tr><td colspan='5'>none</td></tr>";
  html << "</table></section>";
  return html.str();
}

std::string calls_section(const AnalysisResult& result) {
  std::ostringstream html;
  html << "<section><h2>Calls</h2>";
  for (const auto& call : result.calls) {
    const auto timing = call_timing(call, result.capture_end);
    html << "<h3>" << escape(call.call_id) << "</h3><p>outcome: <b>" << escape(timing.outcome) << "</b>";
    if (timing.setup_seconds) html << "; setup " << number(*timing.setup_seconds * 1000, 0) << " ms";
    if (timing.queue_seconds) html << "; in queue " << number(*timing.queue_seconds, 1) << " s";
    if (!call.prompt.empty()) html << "; prompt <code>" << escape(call.prompt) << "</code>";
    html << "</p>" << reports::svg::ladder(call);
    if (!call.rtpproxy.empty()) {
      html << "<p>rtpproxy:</p><pre>";
      for (const auto& command : call.rtpproxy)
        html << escape(command.command) << (command.reply.empty() ? "" : "  -> " + escape(command.reply)) << "\n";
      html << "</pre>";
    }
  }
  if (result.calls.empty()) html << "<p>none</p>";
  html << "</section>";
  return html.str();
}

std::string streams_section(const AnalysisResult& result) {
  std::ostringstream html;
  html << "<section><h2>Streams</h2>";
  for (const auto& entry : result.streams) {
    const auto& stream = entry.stream;
    reports::svg::HistogramOptions histogram;
    histogram.axis = "inter-arrival ms";
    reports::svg::ChartOptions jitter;
    jitter.title = "jitter over time";
    jitter.y_label = "ms";
    html << "<h3>" << escape(stream_label(stream)) << "</h3><p>call " << escape(stream.expected.call_id) << ", "
         << stream.packets.size() << " packets</p><table><tr><td>"
         << reports::svg::histogram(reports::svg::inter_arrival_ms(stream), histogram) << "</td><td>"
         << reports::svg::time_series({{"jitter (RFC 3550, 8 kHz)", "#b35c1e",
                                        reports::svg::jitter_ms_over_time(stream)}},
                                      jitter)
         << "</td></tr></table>" << audio_pictures(entry) << "<details><summary>metrics</summary><pre>"
         << escape(entry.metrics.dump(2)) << "</pre></details>";
  }
  if (result.streams.empty()) html << "<p>none</p>";
  html << "</section>";
  return html.str();
}

std::string analysis_sections(const AnalysisResult& result) {
  return findings_section(result.findings) + calls_section(result) + streams_section(result);
}

std::string html_report(const AnalysisResult& result, const std::string& title) {
  std::ostringstream html;
  std::size_t errors = 0, warnings = 0;
  for (const auto& finding : result.findings) {
    errors += finding.severity == Severity::Error;
    warnings += finding.severity == Severity::Warning;
  }
  html << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>mohq analyze: " << escape(title)
       << "</title><style>" << html_style() << "</style></head><body>";
  html << "<h1>mohq analyze: " << escape(title) << "</h1><p>" << result.sip_messages << " SIP messages, "
       << result.rtpproxy_commands << " rtpproxy commands, " << result.rtp_packets << " RTP packets; "
       << result.calls.size() << " calls, " << result.streams.size() << " streams; <span class='error'>" << errors
       << " error(s)</span>, <span class='warning'>" << warnings << " warning(s)</span></p>";
  html << analysis_sections(result) << "</body></html>\n";
  return html.str();
}

}  // namespace mohq::analyzers
