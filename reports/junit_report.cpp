#include "reports/junit_report.hpp"

#include <sstream>

#include "reports/svg/svg_charts.hpp"

namespace mohq::reports {

namespace {

using svg::escape;

std::string seconds(double value) { return svg::number(value < 0 ? 0 : value, 3); }

std::string failure_text(const Expectation& e) {
  const std::string numbers = measured_vs_expected(e);
  if (e.message.empty()) return numbers.empty() ? "failed" : numbers;
  return numbers.empty() ? e.message : e.message + "; " + numbers;
}

}  // namespace

std::string junit_xml(const RunReport& report) {
  const auto counts = count(report);
  const double duration = std::chrono::duration<double>(report.end - report.start).count();
  std::ostringstream xml;
  xml << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"" << escape(report.tool) << "\" tests=\"" << counts.cases + counts.expectations
      << "\" failures=\"" << counts.failed + counts.expectations_failed << "\" errors=\"0\" time=\""
      << seconds(duration) << "\">\n";
  int id = 0;
  for (const auto& suite : report.suites) {
    std::size_t tests = 0, failures = 0;
    double time = 0;
    for (const auto& c : suite.cases) {
      tests += 1 + c.expectations.size();
      failures += !c.passed() + c.failed_expectations();
      time += c.duration_seconds;
    }
    // The JUnit XSD's timestamp is xs:dateTime without a time zone.
    std::string timestamp = iso8601(report.start);
    timestamp = timestamp.substr(0, 19);
    xml << "  <testsuite name=\"" << escape(suite.name) << "\" id=\"" << id++ << "\" package=\"" << escape(report.tool)
        << "\" hostname=\"localhost\" tests=\"" << tests << "\" failures=\"" << failures
        << "\" errors=\"0\" skipped=\"0\" time=\"" << seconds(time) << "\" timestamp=\"" << timestamp << "\">\n"
        << "    <properties>\n"
        << "      <property name=\"sut.kind\" value=\"" << escape(report.sut.kind) << "\"/>\n"
        << "      <property name=\"sut.description\" value=\"" << escape(report.sut.description) << "\"/>\n"
        << "      <property name=\"version\" value=\"" << escape(report.version) << "\"/>\n"
        << "    </properties>\n";
    for (const auto& c : suite.cases) {
      xml << "    <testcase name=\"" << escape(c.name) << "\" classname=\"" << escape(suite.name) << "\" time=\""
          << seconds(c.duration_seconds) << "\"";
      if (c.passed()) {
        xml << "/>\n";
      } else {
        std::string failed;
        for (const auto& e : c.expectations)
          if (!e.passed) failed += e.name + ": " + failure_text(e) + "\n";
        xml << ">\n      <failure message=\"" << c.failed_expectations() << " of " << c.expectations.size()
            << " expectations failed\" type=\"case\">" << escape(failed) << "</failure>\n    </testcase>\n";
      }
      for (const auto& e : c.expectations) {
        xml << "    <testcase name=\"" << escape(e.name) << "\" classname=\"" << escape(suite.name + "." + c.name)
            << "\" time=\"0.000\"";
        if (e.passed) {
          xml << "/>\n";
        } else {
          const std::string text = failure_text(e);
          xml << ">\n      <failure message=\"" << escape(text) << "\" type=\"expectation\">" << escape(text)
              << "</failure>\n    </testcase>\n";
        }
      }
    }
    xml << "    <system-out/>\n    <system-err/>\n  </testsuite>\n";
  }
  xml << "</testsuites>\n";
  return xml.str();
}

Expected<Done, std::string> write_junit_report(const RunReport& report, const std::filesystem::path& path) {
  return write_text_file(path, junit_xml(report));
}

}  // namespace mohq::reports
