#include "reports/json_report.hpp"

namespace mohq::reports {

namespace {

nlohmann::json to_json(const Expectation& e) {
  return {{"name", e.name}, {"passed", e.passed}, {"message", e.message},
          {"measured", e.measured}, {"expected", e.expected}, {"unit", e.unit}};
}

nlohmann::json to_json(const SippStats& s) {
  return {{"total_calls", s.total_calls}, {"successful_calls", s.successful_calls},
          {"failed_calls", s.failed_calls}, {"retransmissions", s.retransmissions},
          {"elapsed_seconds", s.elapsed_seconds}, {"call_rate", s.call_rate},
          {"average_response_ms", s.average_response_ms}, {"extra", s.extra.is_object() ? s.extra : nlohmann::json::object()}};
}

nlohmann::json object_or_null(const nlohmann::json& value) { return value.is_object() ? value : nlohmann::json(); }

nlohmann::json to_json(const CaseReport& c) {
  nlohmann::json out = {{"name", c.name},
                        {"description", c.description},
                        {"passed", c.passed()},
                        {"duration_seconds", c.duration_seconds},
                        {"expectations", nlohmann::json::array()},
                        {"load_timeline", nlohmann::json::array()},
                        {"sipp", c.sipp ? to_json(*c.sipp) : nlohmann::json()},
                        {"sut_numbers", object_or_null(c.sut_numbers)},
                        {"fake_rtpproxy", object_or_null(c.fake_rtpproxy)},
                        {"analysis", c.analysis ? analyzers::to_json(*c.analysis) : object_or_null(c.analysis_json)}};
  for (const auto& e : c.expectations) out["expectations"].push_back(to_json(e));
  for (const auto& s : c.load)
    out["load_timeline"].push_back({{"t", s.t}, {"active_calls", s.active_calls},
                                    {"calls_per_second", s.calls_per_second}, {"failed", s.failed},
                                    {"queue_depth", s.queue_depth ? nlohmann::json(*s.queue_depth) : nlohmann::json()}});
  nlohmann::json wavs = nlohmann::json::array();
  for (const auto& w : c.artefacts.wavs) wavs.push_back({{"label", w.label}, {"path", w.path}});
  out["artefacts"] = {{"capture", c.artefacts.capture.empty() ? nlohmann::json() : nlohmann::json(c.artefacts.capture)},
                      {"wavs", wavs},
                      {"logs", c.artefacts.logs}};
  return out;
}

}  // namespace

nlohmann::json to_json(const RunReport& report) {
  const auto counts = count(report);
  const double duration = std::chrono::duration<double>(report.end - report.start).count();
  nlohmann::json out = {
      {"schema", kReportSchema},
      {"tool", report.tool},
      {"version", report.version},
      {"start", iso8601(report.start)},
      {"end", iso8601(report.end)},
      {"duration_seconds", duration},
      {"sut", {{"kind", report.sut.kind}, {"description", report.sut.description}, {"version", report.sut.version},
               {"address", report.sut.address}, {"profile", report.sut.profile},
               {"details", report.sut.details.is_object() ? report.sut.details : nlohmann::json::object()}}},
      {"summary", {{"cases", counts.cases}, {"passed", counts.passed}, {"failed", counts.failed},
                   {"expectations", counts.expectations}, {"expectations_failed", counts.expectations_failed},
                   {"closing_line", closing_line(report)}}},
      {"suites", nlohmann::json::array()}};
  for (const auto& suite : report.suites) {
    nlohmann::json s = {{"name", suite.name}, {"passed", 0}, {"failed", 0}, {"cases", nlohmann::json::array()}};
    std::size_t passed = 0;
    for (const auto& c : suite.cases) {
      passed += c.passed();
      s["cases"].push_back(to_json(c));
    }
    s["passed"] = passed;
    s["failed"] = suite.cases.size() - passed;
    out["suites"].push_back(std::move(s));
  }
  return out;
}

Expected<Done, std::string> write_json_report(const RunReport& report, const std::filesystem::path& path) {
  // Invalid UTF-8 in a message (a captured SIP reason phrase) becomes U+FFFD instead of an exception.
  return write_text_file(path, to_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace mohq::reports
