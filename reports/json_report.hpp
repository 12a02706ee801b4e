// report.json: the run report as JSON, schema "mohq.report/1" (every field in reports/README.md).
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "base/expected.hpp"
#include "reports/report_model.hpp"

namespace mohq::reports {

nlohmann::json to_json(const RunReport& report);
// Writes to_json(report).dump(2) to path (directories created); the error names the file.
Expected<Done, std::string> write_json_report(const RunReport& report, const std::filesystem::path& path);

}  // namespace mohq::reports
