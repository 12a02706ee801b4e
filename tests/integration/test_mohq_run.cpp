// `mohq run` as a user runs it: build/bin/mohq run flows incident --out <tmp> against the built-in mohqd +
// fake-rtpproxy must exit 0, print a progress line per case and the closing line "13 passed, 0 failed", and write
// report.json (schema mohq.report/1, counts matching), a well-formed junit.xml (xmllint) with a <testcase> per
// case and per expectation, and report.html with the incident's pictures (<svg). Usage errors exit 2.
#define BOOST_TEST_MODULE test_mohq_run
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process/child_process.hpp"
#include "process/temp_dir.hpp"
#include "support/integration.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mohq::test::error_of;

namespace {

struct Ran {
  mohq::process::ExitStatus status;
  std::string output;
};

Ran run(const std::vector<std::string>& argv, const fs::path& log, std::chrono::seconds timeout) {
  mohq::process::SpawnOptions spawn;
  spawn.argv = argv;
  spawn.stdout_path = spawn.stderr_path = log;
  auto child = mohq::process::ChildProcess::spawn(spawn);
  BOOST_TEST_REQUIRE(child.has_value(), error_of(child));
  auto status = child->wait_for(timeout);
  if (!status) {
    child->terminate(2s);
    BOOST_FAIL(argv[0] << " did not finish within " << timeout.count() << " s:\n" << mohq::test::read_file(log));
  }
  return {*status, mohq::test::read_file(log)};
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++count;
  return count;
}

std::string last_line(const std::string& text) {
  auto end = text.find_last_not_of('\n');
  if (end == std::string::npos) return {};
  auto start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

}  // namespace

BOOST_AUTO_TEST_CASE(flows_and_incident_pass_with_three_reports, *boost::unit_test::timeout(280)) {
  auto temp = mohq::process::make_temp_dir("mohq-run-test-");
  BOOST_TEST_REQUIRE(temp.has_value(), error_of(temp));
  const fs::path out = temp->path() / "report";
  const auto ran = run({mohq::test::project_binary("mohq").string(), "run", "flows", "incident", "--out", out.string()},
                       temp->path() / "mohq-run.log", 250s);
  BOOST_TEST_MESSAGE(ran.output);
  BOOST_TEST(ran.status.success(), ran.status.describe() << "\n" << ran.output);
  BOOST_TEST(last_line(ran.output) == "13 passed, 0 failed");
  BOOST_TEST(std::regex_search(ran.output, std::regex(R"(\n\[flows\] moh_basic_call \.\.\. passed \([0-9]+\.[0-9] s\)\n)")),
             ran.output);
  BOOST_TEST(occurrences(ran.output, "[flows] ") == 11u);
  BOOST_TEST(occurrences(ran.output, "[incident] ") == 2u);
  BOOST_TEST(occurrences(ran.output, "[playback] ") == 0u);  // only the named suites

  // report.json
  const auto json = nlohmann::json::parse(mohq::test::read_file(out / "report.json"), nullptr, false);
  BOOST_TEST_REQUIRE(!json.is_discarded(), "report.json does not parse");
  BOOST_TEST(json.value("schema", "") == "mohq.report/1");
  BOOST_TEST(json.at("summary").at("cases") == 13);
  BOOST_TEST(json.at("summary").at("failed") == 0);
  BOOST_TEST(json.at("summary").at("closing_line") == "13 passed, 0 failed");
  BOOST_TEST(json.at("sut").at("kind") == "mohqd");
  BOOST_TEST(json.at("sut").at("profile") == "kamailio");
  BOOST_TEST_REQUIRE(json.at("suites").size() == 2u);
  BOOST_TEST(json.at("suites")[0].at("name") == "flows");
  BOOST_TEST(json.at("suites")[0].at("cases").size() == 11u);
  BOOST_TEST(json.at("suites")[1].at("name") == "incident");
  const auto& incident = json.at("suites")[1].at("cases")[0];
  BOOST_TEST(!incident.at("analysis").is_null());
  bool mismatch = false;
  for (const auto& finding : incident.at("analysis").at("findings"))
    mismatch = mismatch || finding.value("id", "") == "codec.payload_mismatch";
  BOOST_TEST(mismatch, "the incident case's analysis has no codec.payload_mismatch");
  BOOST_TEST(fs::exists(incident.at("artefacts").at("capture").get<std::string>()));
  BOOST_TEST(fs::exists(out / "incident" / incident.at("name").get<std::string>() / "analysis.json"));
  const auto expectations = json.at("summary").at("expectations").get<std::size_t>();

  // junit.xml: well-formed, one <testcase> per case (classname = suite) and per expectation.
  const auto lint = run({"xmllint", "--noout", (out / "junit.xml").string()}, temp->path() / "xmllint.log", 30s);
  BOOST_TEST(lint.status.success(), "xmllint: " << lint.output);
  const std::string junit = mohq::test::read_file(out / "junit.xml");
  BOOST_TEST(occurrences(junit, "<testcase ") == 13 + expectations);
  BOOST_TEST(occurrences(junit, "classname=\"flows\"") == 11u);
  BOOST_TEST(occurrences(junit, "classname=\"incident\"") == 2u);
  BOOST_TEST(occurrences(junit, "<failure") == 0u);

  // report.html: there, with the ladders/histograms/waveforms of the analysed incident calls.
  const std::string html = mohq::test::read_file(out / "report.html");
  BOOST_TEST(html.find("<svg") != std::string::npos);
  BOOST_TEST(html.find("13 passed, 0 failed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(usage_and_setup_problems_exit_2, *boost::unit_test::timeout(60)) {
  auto temp = mohq::process::make_temp_dir("mohq-run-usage-");
  BOOST_TEST_REQUIRE(temp.has_value(), error_of(temp));
  const std::string mohq = mohq::test::project_binary("mohq").string();
  const auto unknown = run({mohq, "run", "nosuchsuite", "--out", (temp->path() / "a").string()},
                           temp->path() / "a.log", 20s);
  BOOST_TEST(unknown.status.exited_with(2), unknown.status.describe());
  BOOST_TEST(unknown.output.find("unknown suite 'nosuchsuite'") != std::string::npos, unknown.output);
  const auto no_data = run({mohq, "run", "flows", "--data-dir", (temp->path() / "nothing").string(), "--out",
                            (temp->path() / "b").string()},
                           temp->path() / "b.log", 20s);
  BOOST_TEST(no_data.status.exited_with(2), no_data.status.describe());
  BOOST_TEST(no_data.output.find("--data-dir") != std::string::npos, no_data.output);
  const auto help = run({mohq, "run", "--help"}, temp->path() / "c.log", 20s);
  BOOST_TEST(help.status.success());
  BOOST_TEST(help.output.find("incident") != std::string::npos, help.output);
}
