#include "reports/html_report.hpp"

#include <sstream>

#include "analyzers/analyze/html_report.hpp"
#include "reports/svg/svg_charts.hpp"

namespace mohq::reports {

namespace {

using svg::escape;
using svg::number;

std::string json_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>()
                           : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string result_cell(bool passed) {
  return passed ? "<td class='passed'>passed</td>" : "<td class='failed'>FAILED</td>";
}

std::string anchor(std::size_t suite, std::size_t index) {
  return "case-" + std::to_string(suite) + "-" + std::to_string(index);
}

std::string expectations_table(const CaseReport& c) {
  std::ostringstream html;
  html << "<table><tr><th>expectation</th><th>result</th><th>measured</th><th>expected</th><th>message</th></tr>";
  for (const auto& e : c.expectations) {
    const std::string unit = e.unit.empty() ? "" : " " + escape(e.unit);
    html << "<tr><td>" << escape(e.name) << "</td>" << result_cell(e.passed) << "<td>"
         << (e.measured.is_null() ? "" : escape(json_text(e.measured)) + unit) << "</td><td>"
         << (e.expected.is_null() ? "" : escape(json_text(e.expected)) + unit) << "</td><td>" << escape(e.message)
         << "</td></tr>";
  }
  if (c.expectations.empty()) html << "<tr><td colspan='5'>no expectations</td></tr>";
  html << "</table>";
  return html.str();
}

std::string sipp_table(const SippStats& s) {
  std::ostringstream html;
  html << "<h3>SIPp</h3><table><tr><th>calls</th><th>successful</th><th>failed</th><th>retransmissions</th>"
          "<th>elapsed s</th><th>calls/s</th><th>INVITE-&gt;200 ms</th></tr><tr><td>"
       << s.total_calls << "</td><td>" << s.successful_calls << "</td><td" << (s.failed_calls ? " class='failed'" : "")
       << ">" << s.failed_calls << "</td><td>" << s.retransmissions << "</td><td>" << number(s.elapsed_seconds, 1)
       << "</td><td>" << number(s.call_rate, 2) << "</td><td>" << number(s.average_response_ms, 1)
       << "</td></tr></table>";
  if (s.extra.is_object() && !s.extra.empty())
    html << "<details><summary>more SIPp columns</summary><pre>" << escape(s.extra.dump(2)) << "</pre></details>";
  return html.str();
}

std::string counters(const std::string& title, const nlohmann::json& value) {
  if (!value.is_object()) return {};
  return "<h3>" + escape(title) + "</h3><pre>" +
         escape(value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) + "</pre>";
}

// Only the JSON of an analysis: its findings table.
std::string findings_from_json(const nlohmann::json& analysis) {
  std::ostringstream html;
  html << "<section><h2>Findings</h2><table><tr><th>severity</th><th>id</th><th>what</th><th>fix</th></tr>";
  const auto findings = analysis.value("findings", nlohmann::json::array());
  for (const auto& f : findings) {
    const std::string severity = f.value("severity", "");
    html << "<tr><td class='" << escape(severity) << "'>" << escape(severity) << "</td><td><code>"
         << escape(f.value("id", "")) << "</code></td><td>" << escape(f.value("message", "")) << "</td><td>"
         << escape(f.value("fix", "")) << "</td></tr>";
  }
  if (findings.empty()) html << "<tr><td colspan='4'>none</td></tr>";
  html << "</table></section>";
  return html.str();
}

std::string case_section(const CaseReport& c, const std::string& id) {
  std::ostringstream html;
  html << "<section class='case' id='" << id << "'><h2>" << escape(c.name) << " <span class='"
       << (c.passed() ? "passed'>passed" : "failed'>FAILED") << "</span></h2>";
  if (!c.description.empty()) html << "<p>" << escape(c.description) << "</p>";
  html << "<p>" << number(c.duration_seconds, 1) << " s, " << c.expectations.size() << " expectations, "
       << c.failed_expectations() << " failed</p>" << expectations_table(c);
  if (!c.load.empty()) {
    std::vector<svg::LoadPoint> points;
    for (const auto& s : c.load)
      points.push_back({s.t, static_cast<double>(s.active_calls), s.calls_per_second, static_cast<double>(s.failed),
                        s.queue_depth ? std::optional<double>(static_cast<double>(*s.queue_depth)) : std::nullopt});
    html << "<h3>Load timeline</h3>" << svg::load_timeline(points);
  }
  if (c.sipp) html << sipp_table(*c.sipp);
  html << counters("SUT", c.sut_numbers) << counters("fake-rtpproxy", c.fake_rtpproxy);
  if (c.analysis)
    html << "<div class='analysis'>" << analyzers::analysis_sections(*c.analysis) << "</div>";
  else if (c.analysis_json.is_object())
    html << "<div class='analysis'>" << findings_from_json(c.analysis_json) << "</div>";
  const auto& a = c.artefacts;
  if (!a.capture.empty() || !a.wavs.empty() || !a.logs.empty()) {
    html << "<h3>Files</h3><ul>";
    if (!a.capture.empty()) html << "<li>capture: <code>" << escape(a.capture) << "</code></li>";
    for (const auto& w : a.wavs)
      html << "<li>what " << escape(w.label) << " heard: <code>" << escape(w.path) << "</code></li>";
    for (const auto& l : a.logs) html << "<li>log: <code>" << escape(l) << "</code></li>";
    html << "</ul>";
  }
  html << "</section>";
  return html.str();
}

}  // namespace

std::string html_report(const RunReport& report) {
  const auto counts = count(report);
  const double duration = std::chrono::duration<double>(report.end - report.start).count();
  std::ostringstream html;
  html << "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>" << escape(report.tool)
       << " run: " << escape(closing_line(report)) << "</title><style>" << analyzers::html_style()
       << "h2 .passed,h2 .failed{font-size:70%}.case{border-top:2px solid #888;padding-top:.5em}"
          ".closing{font-size:140%;font-weight:bold}</style></head><body>";
  html << "<h1>" << escape(report.tool) << " run report</h1><p>" << escape(report.tool) << " "
       << escape(report.version) << ", " << escape(iso8601(report.start)) << " to " << escape(iso8601(report.end))
       << " (" << number(duration, 1) << " s)</p><p>system under test: <b>" << escape(report.sut.kind) << "</b> "
       << escape(report.sut.description);
  if (!report.sut.version.empty()) html << ", version " << escape(report.sut.version);
  if (!report.sut.address.empty()) html << ", at <code>" << escape(report.sut.address) << "</code>";
  if (!report.sut.profile.empty()) html << ", profile " << escape(report.sut.profile);
  html << "</p><section><h2>Summary</h2><table><tr><th>suite</th><th>case</th><th>result</th><th>expectations</th>"
          "<th>failed</th><th>s</th></tr>";
  for (std::size_t s = 0; s < report.suites.size(); ++s) {
    const auto& suite = report.suites[s];
    for (std::size_t i = 0; i < suite.cases.size(); ++i) {
      const auto& c = suite.cases[i];
      html << "<tr><td>" << escape(suite.name) << "</td><td><a href='#" << anchor(s, i) << "'>" << escape(c.name)
           << "</a></td>" << result_cell(c.passed()) << "<td>" << c.expectations.size() << "</td><td>"
           << c.failed_expectations() << "</td><td>" << number(c.duration_seconds, 1) << "</td></tr>";
    }
  }
  html << "</table><p class='closing " << (counts.failed ? "failed" : "passed") << "'>" << escape(closing_line(report))
       << "</p></section>";
  for (std::size_t s = 0; s < report.suites.size(); ++s)
    for (std::size_t i = 0; i < report.suites[s].cases.size(); ++i)
      html << case_section(report.suites[s].cases[i], anchor(s, i));
  html << "</body></html>\n";
  return html.str();
}

Expected<Done, std::string> write_html_report(const RunReport& report, const std::filesystem::path& path) {
  return write_text_file(path, html_report(report));
}

}  // namespace mohq::reports
