#include "harness/run_command.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <set>

#include "harness/playback_suite.hpp"
#include "harness/run_suites.hpp"
#include "reports/html_report.hpp"
#include "reports/json_report.hpp"
#include "reports/junit_report.hpp"
#include "reports/report_model.hpp"

namespace mohq::harness {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kSuites = {"playback", "flows", "incident"};

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", seconds);
  return text;
}

void print_case(std::ostream& out, const std::string& suite, const reports::CaseReport& report) {
  out << "[" << suite << "] " << report.name << " ... " << (report.passed() ? "passed" : "FAILED") << " ("
      << seconds_text(report.duration_seconds) << ")\n";
  for (const auto& e : report.expectations) {
    if (e.passed) continue;
    out << "    " << e.name << ": " << e.message;
    const std::string values = reports::measured_vs_expected(e);
    if (!values.empty()) out << (e.message.empty() ? "" : "; ") << values;
    out << "\n";
  }
  out.flush();
}

// The playback suite's results as report cases.
reports::CaseReport playback_case(const CaseResult& result) {
  reports::CaseReport report;
  report.name = result.name;
  report.duration_seconds = result.seconds;
  if (result.name == "setup") {
    for (const auto& failure : result.failures) report.expectations.push_back(setup_failure(failure));
    return report;
  }
  report.description = "fake-rtpproxy driven with mohqueue's U/L/P/D commands; the RTP a caller receives";
  report.expectations.push_back(check("RTP packets received", result.packets > 0, result.packets, "> 0", "",
                                      "packets"));
  for (const auto& failure : result.failures) report.expectations.push_back(check("stream check", false, nullptr, nullptr, failure));
  if (result.failures.empty())
    report.expectations.push_back(check("stream equals the prompt (payload type, size, 20 ms spacing, bytes)", true,
                                        result.median_interval_ms, nullptr,
                                        "p99 inter-arrival deviation " + std::to_string(result.p99_deviation_ms) +
                                            " ms",
                                        "ms median interval"));
  return report;
}

// build/bin/mohq -> the tree is ../../ ; a tree is one with scenarios/ and the golden ladders.
bool is_source_tree(const fs::path& dir) {
  return fs::is_directory(dir / "scenarios") && fs::is_directory(dir / "tests" / "integration" / "data" / "ladders");
}

}  // namespace

void run_usage(std::ostream& out) {
  out << "usage: mohq run [SUITE...] [--out DIR] [--data-dir DIR] [--control udp|unix]\n"
         "  Runs the standard suites against the built-in system under test: mohqd --profile kamailio and\n"
         "  fake-rtpproxy (build/bin), on free loopback ports. SUITE is one or more of:\n"
         "    playback  fake-rtpproxy driven with mohqueue's rtpproxy commands; the RTP a caller receives\n"
         "              (payload type, packet size, 20 ms spacing, payload equal to the prompt file, looping)\n"
         "    flows     every SIPp scenario of scenarios/ (harness/ladder) against mohqd; SIPp must succeed and\n"
         "              the call-flow ladder must equal Kamailio 5.6.3's (tests/integration/data/ladders/)\n"
         "    incident  the reported crackle: a 16-bit PCM prompt named test.8 played as PCMA, captured on lo\n"
         "              and analysed (codec.payload_mismatch naming the file), plus a clean A-law control call\n"
         "  Default: all three. Prints one line per case and ends with \"N passed, N failed\" (cases).\n"
         "  --out DIR       reports: report.json (schema mohq.report/1), junit.xml, report.html, and per suite\n"
         "                  its logs, ladders, captures, analysis.json and WAVs (default: mohq-report)\n"
         "  --data-dir DIR  the source tree holding scenarios/ and tests/integration/data/ladders/\n"
         "                  (default: found from the mohq binary, build/bin/../../)\n"
         "  --control udp|unix  the playback suite's rtpproxy control socket (default udp)\n"
         "  Exit status: 0 every case passed, 1 a case failed, 2 usage or setup problems.\n";
}

int run_run_command(const std::vector<std::string>& args, const fs::path& bin_dir, std::ostream& out,
                    std::ostream& err) {
  SuiteOptions playback;
  playback.fake_rtpproxy = bin_dir / "fake-rtpproxy";
  fs::path out_dir = "mohq-report";
  fs::path data_dir;
  std::vector<std::string> suites;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      run_usage(out);
      return 0;
    }
    if (arg == "--out" || arg == "--data-dir" || arg == "--control") {
      if (i + 1 >= args.size()) {
        err << "mohq run: " << arg << " needs a value\n";
        return 2;
      }
      const std::string value = args[++i];
      if (arg == "--out") out_dir = value;
      if (arg == "--data-dir") data_dir = value;
      if (arg == "--control") {
        if (value != "udp" && value != "unix") {
          err << "mohq run: --control takes udp or unix\n";
          return 2;
        }
        playback.control = value;
      }
      continue;
    }
    if (arg.starts_with("-")) {
      err << "mohq run: unknown option '" << arg << "'\n";
      run_usage(err);
      return 2;
    }
    if (std::find(kSuites.begin(), kSuites.end(), arg) == kSuites.end()) {
      err << "mohq run: unknown suite '" << arg << "' (playback, flows, incident)\n";
      return 2;
    }
    if (std::find(suites.begin(), suites.end(), arg) == suites.end()) suites.push_back(arg);
  }
  if (suites.empty()) suites = kSuites;
  auto wants = [&](const std::string& name) { return std::find(suites.begin(), suites.end(), name) != suites.end(); };

  for (const char* binary : {"fake-rtpproxy", "mohqd"}) {
    if (::access((bin_dir / binary).c_str(), X_OK) != 0) {
      err << "mohq run: " << (bin_dir / binary).string() << " is missing: build the tree first (see README.md)\n";
      return 2;
    }
  }
  const bool needs_tree = wants("flows") || wants("incident");
  if (needs_tree) {
    if (data_dir.empty()) data_dir = bin_dir.parent_path().parent_path();
    if (!is_source_tree(data_dir)) {
      err << "mohq run: no scenarios/ and tests/integration/data/ladders/ under '" << data_dir.string()
          << "': pass the source tree with --data-dir DIR\n";
      return 2;
    }
    data_dir = fs::absolute(data_dir);
  }
  std::error_code error;
  fs::create_directories(out_dir, error);
  if (error) {
    err << "mohq run: cannot create " << out_dir.string() << ": " << error.message() << "\n";
    return 2;
  }
  out_dir = fs::absolute(out_dir);

  reports::RunReport run;
  run.version = "0.1.0";
  run.start = std::chrono::system_clock::now();
  run.sut.kind = "mohqd";
  run.sut.profile = "kamailio";
  run.sut.description = "the built-in mohqd --profile kamailio + fake-rtpproxy on 127.0.0.1";
  run.sut.details = {{"mohqd", (bin_dir / "mohqd").string()},
                     {"fake_rtpproxy", (bin_dir / "fake-rtpproxy").string()},
                     {"suites", suites}};
  if (needs_tree) run.sut.details["data_dir"] = data_dir.string();

  out << "mohq run: " << [&] {
    std::string names;
    for (const auto& s : suites) names += (names.empty() ? "" : ", ") + s;
    return names;
  }() << " against mohqd --profile kamailio + fake-rtpproxy (" << bin_dir.string() << ")\n";
  out.flush();

  RunEnvironment env;
  env.bin_dir = bin_dir;
  env.source_dir = data_dir;
  env.out_dir = out_dir;
  env.on_case = [&](const std::string& suite, const reports::CaseReport& report) { print_case(out, suite, report); };

  for (const auto& name : suites) {
    if (name == "playback") {
      reports::SuiteReport suite;
      suite.name = "playback";
      std::string stats;
      playback.no_report = true;
      playback.stats_json = &stats;
      playback.on_case = [&](const CaseResult& result) {
        auto report = playback_case(result);
        print_case(out, suite.name, report);
        suite.cases.push_back(std::move(report));
      };
      for (const auto& result : run_playback_suite(standard_playback_cases(), playback)) {
        if (result.name != "setup") continue;
        auto report = playback_case(result);
        print_case(out, suite.name, report);
        suite.cases.push_back(std::move(report));
      }
      auto json = nlohmann::json::parse(stats, nullptr, false);
      if (!stats.empty() && !json.is_discarded() && !suite.cases.empty()) suite.cases.back().fake_rtpproxy = json;
      run.suites.push_back(std::move(suite));
    } else if (name == "flows") {
      FlowsSut sut;
      run.suites.push_back(run_flows_suite(env, &sut));
      if (!sut.address.empty()) {
        run.sut.address = sut.address;
        run.sut.details["mohqd_log"] = sut.mohqd_log;
      }
    } else if (name == "incident") {
      run.suites.push_back(run_incident_suite(env));
    }
  }
  run.end = std::chrono::system_clock::now();

  bool written = true;
  auto write = [&](const Expected<Done, std::string>& result) {
    if (!result) {
      err << "mohq run: " << result.error() << "\n";
      written = false;
    }
  };
  write(reports::write_json_report(run, out_dir / "report.json"));
  write(reports::write_junit_report(run, out_dir / "junit.xml"));
  write(reports::write_html_report(run, out_dir / "report.html"));
  out << "report: " << (out_dir / "report.json").string() << "\n"
      << "junit:  " << (out_dir / "junit.xml").string() << "\n"
      << "html:   " << (out_dir / "report.html").string() << "\n";
  const auto counts = reports::count(run);
  out << reports::closing_line(run) << "\n";
  out.flush();
  if (!written) return 2;
  return counts.failed == 0 ? 0 : 1;
}

}  // namespace mohq::harness
