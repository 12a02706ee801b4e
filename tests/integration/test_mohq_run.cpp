// `mohq run` as a user runs it: build/bin/mohq run flows incident --out <tmp> against the built-in mohqd +
// fake-rtpproxy must exit 0, print a progress line per case and the closing line "13 passed, 0 failed", and write
// report.json (schema mohq.report/1, counts matching), a well-formed junit.xml (xmllint) with a <testcase> per
// case and per expectation, and report.html with the incident's pictures (<svg). Usage errors exit 2.
// A suite file of load cases: SIPp, SUT, fake-rtpproxy and capture numbers in one report, a failing expectation
// failing the run, the same file against the real Kamailio, Ctrl-C leaving nothing behind, bad files exit 2.
#define BOOST_TEST_MODULE test_mohq_run
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>
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

namespace {

// A suite file in dir: a passing listening case and one whose expectation must fail (a 30 ms fault while
// rtp.ptime is forbidden), so both verdicts and every report part of a load case are seen.
fs::path write_suite(const fs::path& dir, const std::string& cases) {
  const fs::path file = dir / "suite.json";
  std::ofstream(file) << R"({"schema": "mohq.suite/1", "name": "mine", "cases": [)" << cases << "]}";
  return file;
}

constexpr const char* kListenCase =
    R"({"name": "listen_ok", "callers": {"calls": 3, "rate": 3, "hold_ms": 2500},
        "expect": {"sipp_successful": 3, "sipp_failed_max": 0, "findings_forbidden": ["error"],
                   "queue_depth_reached": 1, "call_table_empty_within_s": 3, "rtp_packets_min": 100}})";

// Processes whose command line mentions path: what a run started there and left behind.
std::vector<std::string> processes_mentioning(const std::string& path) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = mohq::test::read_file(entry.path() / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(path) != std::string::npos) found.push_back(pid + ": " + cmdline);
  }
  return found;
}

}  // namespace

BOOST_AUTO_TEST_CASE(suite_file_reports_sipp_sut_and_media_numbers, *boost::unit_test::timeout(200)) {
  auto temp = mohq::process::make_temp_dir("mohq-run-suite-");
  BOOST_TEST_REQUIRE(temp.has_value(), error_of(temp));
  const fs::path suite = write_suite(
      temp->path(), std::string(kListenCase) + R"(,
      {"name": "ptime_forbidden", "faults": ["rtp.ptime=30"], "callers": {"calls": 2, "rate": 2, "hold_ms": 2500},
       "expect": {"findings_forbidden": ["rtp.ptime"]}})");
  const fs::path out = temp->path() / "report";
  const auto ran = run({mohq::test::project_binary("mohq").string(), "run", suite.string(), "--out", out.string()},
                       temp->path() / "mohq-run.log", 150s);
  BOOST_TEST_MESSAGE(ran.output);
  BOOST_TEST(ran.status.exited_with(1), ran.status.describe() << "\n" << ran.output);
  BOOST_TEST(last_line(ran.output) == "1 passed, 1 failed");
  BOOST_TEST(ran.output.find("[mine] listen_ok ... passed") != std::string::npos, ran.output);
  BOOST_TEST(ran.output.find("[mine] ptime_forbidden ... FAILED") != std::string::npos, ran.output);
  BOOST_TEST(ran.output.find("no finding rtp.ptime") != std::string::npos, ran.output);
  // Not a terminal: plain progress lines, no carriage returns.
  BOOST_TEST(std::regex_search(ran.output, std::regex(R"(\[load\] listen_ok +[0-9.]+ s +active [0-9]+ +done [0-9]+)")),
             ran.output);
  BOOST_TEST(ran.output.find('\r') == std::string::npos);
  BOOST_TEST(processes_mentioning(temp->path().string()).empty());

  const auto json = nlohmann::json::parse(mohq::test::read_file(out / "report.json"), nullptr, false);
  BOOST_TEST_REQUIRE(!json.is_discarded(), "report.json does not parse");
  const auto& listen = json.at("suites")[0].at("cases")[0];
  BOOST_TEST(listen.at("name") == "listen_ok");
  BOOST_TEST(listen.at("sipp").at("total_calls") == 3);
  BOOST_TEST(listen.at("sipp").at("successful_calls") == 3);
  BOOST_TEST(listen.at("sipp").at("extra").at("rtp_packets_received").get<std::uint64_t>() >= 100u);
  BOOST_TEST(!listen.at("load_timeline").empty());
  bool depth_seen = false;
  for (const auto& sample : listen.at("load_timeline"))
    depth_seen = depth_seen || (sample.at("queue_depth").is_number() && sample.at("queue_depth") >= 1);
  BOOST_TEST(depth_seen, listen.at("load_timeline").dump());
  BOOST_TEST(listen.at("sut_numbers").is_object());
  BOOST_TEST(listen.at("fake_rtpproxy").at("schema") == "mohq.fake-rtpproxy.stats/1");
  BOOST_TEST(listen.at("analysis").at("calls").size() == 3u);
  BOOST_TEST(fs::exists(listen.at("artefacts").at("capture").get<std::string>()));
  BOOST_TEST(listen.at("artefacts").at("wavs").size() >= 3u);
  const std::string junit = mohq::test::read_file(out / "junit.xml");
  BOOST_TEST(occurrences(junit, "classname=\"mine\"") >= 2u);
  BOOST_TEST(junit.find("no finding rtp.ptime") != std::string::npos);
  BOOST_TEST(mohq::test::read_file(out / "report.html").find(">queue depth</text>") != std::string::npos);
}

// "The same suite runs with --sut kamailio": the listening case against Debian's Kamailio mohqueue.
BOOST_AUTO_TEST_CASE(suite_file_runs_against_kamailio, *boost::unit_test::timeout(150)) {
  auto temp = mohq::process::make_temp_dir("mohq-run-kamailio-");
  BOOST_TEST_REQUIRE(temp.has_value(), error_of(temp));
  const fs::path suite = write_suite(temp->path(), kListenCase);
  const fs::path out = temp->path() / "report";
  const auto ran = run({mohq::test::project_binary("mohq").string(), "run", suite.string(), "--sut", "kamailio",
                        "--out", out.string()},
                       temp->path() / "mohq-run.log", 120s);
  BOOST_TEST_MESSAGE(ran.output);
  BOOST_TEST(ran.status.success(), ran.status.describe() << "\n" << ran.output);
  BOOST_TEST(last_line(ran.output) == "1 passed, 0 failed");
  const auto json = nlohmann::json::parse(mohq::test::read_file(out / "report.json"), nullptr, false);
  BOOST_TEST_REQUIRE(!json.is_discarded());
  BOOST_TEST(json.at("sut").at("kind") == "kamailio");
  BOOST_TEST(processes_mentioning(temp->path().string()).empty());
}

// Ctrl-C: the running case ends at once, every child is stopped by its pid, the reports are still written.
BOOST_AUTO_TEST_CASE(ctrl_c_stops_every_child_and_writes_reports, *boost::unit_test::timeout(120)) {
  auto temp = mohq::process::make_temp_dir("mohq-run-sigint-");
  BOOST_TEST_REQUIRE(temp.has_value(), error_of(temp));
  const fs::path suite = write_suite(
      temp->path(), R"({"name": "long", "callers": {"calls": 40, "rate": 2, "hold_ms": 30000}, "time_limit_s": 90},
                      {"name": "never_started", "callers": {"calls": 1}})");
  const fs::path out = temp->path() / "report";
  mohq::process::SpawnOptions spawn;
  spawn.argv = {mohq::test::project_binary("mohq").string(), "run", suite.string(), "--out", out.string()};
  spawn.stdout_path = spawn.stderr_path = temp->path() / "mohq-run.log";
  auto child = mohq::process::ChildProcess::spawn(spawn);
  BOOST_TEST_REQUIRE(child.has_value(), error_of(child));
  // Wait until the callers are running (their statistics file exists), then interrupt.
  const fs::path stats = out / "mine" / "long" / "caller-1.stat.csv";
  for (int i = 0; i < 200 && !fs::exists(stats); ++i) std::this_thread::sleep_for(100ms);
  BOOST_TEST_REQUIRE(fs::exists(stats), mohq::test::read_file(temp->path() / "mohq-run.log"));
  std::this_thread::sleep_for(2s);
  BOOST_TEST_REQUIRE(processes_mentioning(temp->path().string()).size() >= 3u);  // SUT, fake, SIPp at least
  const auto interrupted_at = std::chrono::steady_clock::now();
  ::kill(child->pid(), SIGINT);
  auto status = child->wait_for(30s);
  BOOST_TEST_REQUIRE(status.has_value(), "mohq run did not end within 30 s of Ctrl-C");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - interrupted_at).count();
  const std::string output = mohq::test::read_file(temp->path() / "mohq-run.log");
  BOOST_TEST_MESSAGE(output);
  BOOST_TEST(status->exited_with(1), status->describe());
  BOOST_TEST(seconds < 20, seconds);  // not the 60 s of the callers' hold, nor the time limit
  BOOST_TEST(output.find("interrupted") != std::string::npos, output);
  BOOST_TEST(output.find("never_started") == std::string::npos, output);
  BOOST_TEST(last_line(output) == "0 passed, 1 failed");
  BOOST_TEST(fs::exists(out / "report.json"));
  BOOST_TEST(fs::exists(out / "junit.xml"));
  const auto left = processes_mentioning(temp->path().string());
  BOOST_TEST(left.empty(), left.size() << " left, first: " << (left.empty() ? "" : left.front()));
}

BOOST_AUTO_TEST_CASE(bad_suite_file_exits_2_naming_the_key, *boost::unit_test::timeout(30)) {
  auto temp = mohq::process::make_temp_dir("mohq-run-badsuite-");
  BOOST_TEST_REQUIRE(temp.has_value(), error_of(temp));
  const fs::path suite = write_suite(temp->path(), R"({"name": "x", "callers": {"rate": -1}})");
  const auto ran = run({mohq::test::project_binary("mohq").string(), "run", suite.string(), "--out",
                        (temp->path() / "r").string()},
                       temp->path() / "log", 20s);
  BOOST_TEST(ran.status.exited_with(2), ran.status.describe());
  BOOST_TEST(ran.output.find("cases[0].callers.rate: must be > 0") != std::string::npos, ran.output);
  const auto bad_sut = run({mohq::test::project_binary("mohq").string(), "run", "--sut", "asterisk"},
                           temp->path() / "log2", 20s);
  BOOST_TEST(bad_sut.status.exited_with(2), bad_sut.status.describe());
}
