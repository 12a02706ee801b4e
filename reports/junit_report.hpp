// junit.xml: the run report as JUnit XML for CI (Jenkins, GitLab, GitHub test reporters).
// <testsuites> -> one <testsuite> per suite -> one <testcase> per case (classname = suite) followed by one
// <testcase> per expectation (classname = "<suite>.<case>"); a failed case carries
// <failure message="N of M expectations failed" type="case">, a failed expectation
// <failure message="<message>; measured X, expected Y" type="expectation">. Every text is XML-escaped.
#pragma once

#include <filesystem>
#include <string>

#include "base/expected.hpp"
#include "reports/report_model.hpp"

namespace mohq::reports {

std::string junit_xml(const RunReport& report);
Expected<Done, std::string> write_junit_report(const RunReport& report, const std::filesystem::path& path);

}  // namespace mohq::reports
