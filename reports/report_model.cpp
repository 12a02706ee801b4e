#include "reports/report_model.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>

namespace mohq::reports {

bool CaseReport::passed() const { return failed_expectations() == 0; }

std::size_t CaseReport::failed_expectations() const {
  return static_cast<std::size_t>(
      std::count_if(expectations.begin(), expectations.end(), [](const Expectation& e) { return !e.passed; }));
}

RunCounts count(const RunReport& report) {
  RunCounts counts;
  for (const auto& suite : report.suites)
    for (const auto& c : suite.cases) {
      ++counts.cases;
      ++(c.passed() ? counts.passed : counts.failed);
      counts.expectations += c.expectations.size();
      counts.expectations_failed += c.failed_expectations();
    }
  return counts;
}

std::string closing_line(const RunReport& report) {
  const auto counts = count(report);
  return std::to_string(counts.passed) + " passed, " + std::to_string(counts.failed) + " failed";
}

std::string iso8601(std::chrono::system_clock::time_point time) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", text, static_cast<int>(((ms % 1000) + 1000) % 1000));
  return out;
}

namespace {
std::string value_text(const nlohmann::json& value, const std::string& unit) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  return unit.empty() ? text : text + " " + unit;
}
}  // namespace

std::string measured_vs_expected(const Expectation& expectation) {
  std::string out;
  if (!expectation.measured.is_null()) out = "measured " + value_text(expectation.measured, expectation.unit);
  if (!expectation.expected.is_null())
    out += (out.empty() ? "" : ", ") + std::string("expected ") + value_text(expectation.expected, expectation.unit);
  return out;
}

Expected<Done, std::string> write_text_file(const std::filesystem::path& path, const std::string& text) {
  std::error_code error;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), error);
  if (error) return Unexpected("cannot create " + path.parent_path().string() + ": " + error.message());
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return Unexpected("cannot write " + path.string() + ": " + std::strerror(errno));
  file << text;
  file.close();
  if (!file) return Unexpected("cannot write " + path.string() + ": " + std::strerror(errno));
  return Done{};
}

}  // namespace mohq::reports
