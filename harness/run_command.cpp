#include "harness/run_command.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>
#include <type_traits>

#include "harness/interrupt.hpp"
#include "harness/load/load_case.hpp"
#include "harness/playback_suite.hpp"
#include "harness/progress/progress_line.hpp"
#include "harness/run_suites.hpp"
#include "reports/html_report.hpp"
#include "reports/json_report.hpp"
#include "reports/junit_report.hpp"
#include "reports/report_model.hpp"

namespace mohq::harness {

namespace fs = std::filesystem;

namespace {

// Built into mohq; any other SUITE is a suite file: suites/<name>.json of the tree, or a path to a .json file.
const std::vector<std::string> kBuiltinSuites = {"playback", "flows", "incident"};
// What `mohq run` runs with no SUITE: the built-in suites, then suites/standard.json.
const std::vector<std::string> kDefaultSuites = {"playback", "flows", "incident", "standard"};

bool is_builtin(const std::string& name) {
  return std::find(kBuiltinSuites.begin(), kBuiltinSuites.end(), name) != kBuiltinSuites.end();
}

// SUITE -> its file: "standard" -> <tree>/suites/standard.json; "my.json", "dir/x.json" -> as given.
fs::path suite_file(const std::string& name, const fs::path& tree) {
  if (name.ends_with(".json")) return name;
  return tree / "suites" / (name + ".json");
}

template <class T>
bool parse_number(const std::string& text, T& out) {
  try {
    std::size_t used = 0;
    if constexpr (std::is_floating_point_v<T>) {
      out = std::stod(text, &used);
      return used == text.size() && out > 0;
    } else {
      if (text.empty() || text[0] == '-') return false;
      out = std::stoull(text, &used);
      return used == text.size();
    }
  } catch (const std::exception&) {
    return false;
  }
}

std::string sut_summary(const SutSpec& sut) {
  if (sut.kind == "builtin") return "mohqd --profile " + sut.profile + " + fake-rtpproxy";
  if (sut.kind == "kamailio") return "Kamailio's mohqueue (/usr/sbin/kamailio) + fake-rtpproxy";
  return "the queue at " + sut.address;
}

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

// build/bin/mohq -> the tree is ../../ ; a tree is one with scenarios/, suites/ and the golden ladders.
bool is_source_tree(const fs::path& dir) {
  return fs::is_directory(dir / "scenarios") && fs::is_directory(dir / "suites") &&
         fs::is_directory(dir / "tests" / "integration" / "data" / "ladders");
}

}  // namespace

void run_usage(std::ostream& out) {
  out << "usage: mohq run [SUITE...] [--sut builtin|builtin:strict|kamailio|HOST:PORT] [--sut-rpc HOST:PORT]\n"
         "                [--out DIR] [--data-dir DIR] [--control udp|unix]\n"
         "                [--rate N] [--calls N] [--concurrency N] [--hold MS] [--operators answer|busy|no_answer]\n"
         "  Runs suites against a system under test (SUT) on free loopback ports. SUITE is one or more of:\n"
         "    playback  fake-rtpproxy driven with mohqueue's rtpproxy commands; the RTP a caller receives\n"
         "              (payload type, packet size, 20 ms spacing, payload equal to the prompt file, looping)\n"
         "    flows     every SIPp scenario of scenarios/ against the SUT; SIPp must succeed and the call-flow\n"
         "              ladder must equal Kamailio 5.6.3's (tests/integration/data/ladders/)\n"
         "    incident  the reported crackle: a 16-bit PCM prompt named test.8 played as PCMA, captured on lo\n"
         "              and analysed (codec.payload_mismatch naming the file), plus a clean A-law control call\n"
         "    standard  suites/standard.json: SIPp callers and operators against the queue (30 ms packets, the\n"
         "              crackle as a fault, rtpproxy unreachable, queue full, 100 calls drained FIFO, busy and\n"
         "              unanswered operators), each case captured and analysed\n"
         "    NAME | FILE.json  a suite file: suites/NAME.json or any file (format: suites/README.md);\n"
         "              suites/load.json is the load profile (ramp, sustained rate, 5,000 calls held)\n"
         "  Default: playback flows incident standard. One line per case (a live progress line during loads),\n"
         "  then \"N passed, N failed\" (cases).\n"
         "  --sut S         builtin (mohqd --profile kamailio, the default), builtin:strict, kamailio (Debian's\n"
         "                  Kamailio with a generated mohqueue config and SQLite DB), or HOST:PORT of a running queue\n"
         "  --sut-rpc A     with HOST:PORT: mohqd's JSON-RPC address, for retrieve and queue depth\n"
         "  --rate N --calls N --concurrency N --hold MS --operators B  override every load case's values\n"
         "  --out DIR       reports: report.json (schema mohq.report/1), junit.xml, report.html, and per suite\n"
         "                  its logs, ladders, captures, analysis.json and WAVs (default: mohq-report)\n"
         "  --data-dir DIR  the source tree holding scenarios/, suites/ and tests/integration/data/ladders/\n"
         "                  (default: found from the mohq binary, build/bin/../../)\n"
         "  --control udp|unix  the playback suite's rtpproxy control socket (default udp)\n"
         "  Ctrl-C stops the running case (every child by its pid) and still writes the reports.\n"
         "  Exit status: 0 every case passed, 1 a case failed (or the run was interrupted), 2 usage or setup\n"
         "  problems.\n";
}

int run_run_command(const std::vector<std::string>& args, const fs::path& bin_dir, std::ostream& out,
                    std::ostream& err) {
  SuiteOptions playback;
  playback.fake_rtpproxy = bin_dir / "fake-rtpproxy";
  fs::path out_dir = "mohq-report";
  fs::path data_dir;
  std::vector<std::string> suites;
  SutSpec sut;
  std::string sut_rpc;
  LoadOverrides overrides;
  auto usage_error = [&](const std::string& message) {
    err << "mohq run: " << message << "\n";
    return 2;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      run_usage(out);
      return 0;
    }
    static const std::vector<std::string> kValued = {"--out", "--data-dir", "--control", "--sut", "--sut-rpc", "--rate",
                                                     "--calls", "--concurrency", "--hold", "--operators"};
    if (std::find(kValued.begin(), kValued.end(), arg) != kValued.end()) {
      if (i + 1 >= args.size()) return usage_error(arg + " needs a value");
      const std::string value = args[++i];
      if (arg == "--out") out_dir = value;
      if (arg == "--data-dir") data_dir = value;
      if (arg == "--control") {
        if (value != "udp" && value != "unix") return usage_error("--control takes udp or unix");
        playback.control = value;
      }
      if (arg == "--sut") {
        auto parsed = parse_sut(value);
        if (!parsed) return usage_error(parsed.error());
        sut = *parsed;
        overrides.sut = sut;
      }
      if (arg == "--sut-rpc") sut_rpc = value;
      if (arg == "--rate") {
        double rate = 0;
        if (!parse_number(value, rate)) return usage_error("--rate takes calls per second > 0");
        overrides.rate = rate;
      }
      if (arg == "--calls" || arg == "--concurrency" || arg == "--hold") {
        std::uint64_t n = 0;
        if (!parse_number(value, n) || (n == 0 && arg != "--hold")) return usage_error(arg + " takes a whole number");
        if (arg == "--calls") overrides.calls = n;
        if (arg == "--concurrency") overrides.concurrency = n;
        if (arg == "--hold") overrides.hold_ms = n;
      }
      if (arg == "--operators") {
        if (value != "answer" && value != "busy" && value != "no_answer")
          return usage_error("--operators takes answer, busy or no_answer");
        overrides.operators = value;
      }
      continue;
    }
    if (arg.starts_with("-")) {
      err << "mohq run: unknown option '" << arg << "'\n";
      run_usage(err);
      return 2;
    }
    if (std::find(suites.begin(), suites.end(), arg) == suites.end()) suites.push_back(arg);
  }
  if (!sut_rpc.empty()) {
    if (sut.kind != "external") return usage_error("--sut-rpc goes with --sut HOST:PORT");
    sut.rpc_address = sut_rpc;
    overrides.sut = sut;
  }
  if (suites.empty()) suites = kDefaultSuites;
  if (sut.kind == "external" && std::find(suites.begin(), suites.end(), "playback") != suites.end() &&
      suites != kDefaultSuites)
    return usage_error("the playback suite drives mohq's own fake-rtpproxy; it cannot test an external queue");
  if (sut.kind == "external") std::erase(suites, "playback");

  for (const char* binary : {"fake-rtpproxy", "mohqd"}) {
    if (::access((bin_dir / binary).c_str(), X_OK) != 0)
      return usage_error((bin_dir / binary).string() + " is missing: build the tree first (see README.md)");
  }
  const bool needs_tree = std::any_of(suites.begin(), suites.end(), [](const auto& s) { return s != "playback"; });
  if (needs_tree) {
    if (data_dir.empty()) data_dir = bin_dir.parent_path().parent_path();
    if (!is_source_tree(data_dir))
      return usage_error("no scenarios/ and tests/integration/data/ladders/ under '" + data_dir.string() +
                         "': pass the source tree with --data-dir DIR");
    data_dir = fs::absolute(data_dir);
  }
  // Every suite file is read before anything starts: a typo in one must not cost the minutes of the others.
  std::map<std::string, SuiteSpec> files;
  for (const auto& name : suites) {
    if (is_builtin(name)) continue;
    const fs::path file = suite_file(name, data_dir);
    if (!name.ends_with(".json") && !fs::exists(file))
      return usage_error("unknown suite '" + name + "': not playback, flows, incident, nor a file " + file.string());
    auto suite = load_suite_file(file);
    if (!suite) return usage_error(suite.error());
    files.emplace(name, std::move(*suite));
  }
  std::error_code error;
  fs::create_directories(out_dir, error);
  if (error) return usage_error("cannot create " + out_dir.string() + ": " + error.message());
  out_dir = fs::absolute(out_dir);
  install_interrupt_handler();

  reports::RunReport run;
  run.version = "0.1.0";
  run.start = std::chrono::system_clock::now();
  run.sut.kind = sut.kind == "builtin" ? "mohqd" : sut.kind;
  run.sut.profile = sut.kind == "builtin" ? sut.profile : "";
  run.sut.description = sut_summary(sut) + (sut.kind == "external" ? "" : " on 127.0.0.1");
  run.sut.details = {{"mohqd", (bin_dir / "mohqd").string()},
                     {"fake_rtpproxy", (bin_dir / "fake-rtpproxy").string()},
                     {"suites", suites}};
  if (needs_tree) run.sut.details["data_dir"] = data_dir.string();

  out << "mohq run: " << [&] {
    std::string names;
    for (const auto& s : suites) names += (names.empty() ? "" : ", ") + s;
    return names;
  }() << " against " << sut_summary(sut) << " (" << bin_dir.string() << ")\n";
  out.flush();

  RunEnvironment env;
  env.bin_dir = bin_dir;
  env.source_dir = data_dir;
  env.out_dir = out_dir;
  env.sut = sut;
  env.on_case = [&](const std::string& suite, const reports::CaseReport& report) { print_case(out, suite, report); };
  const TerminalInfo terminal = detect_terminal(STDOUT_FILENO);
  ProgressOptions progress_options;
  progress_options.is_terminal = terminal.is_terminal;
  progress_options.width = terminal.width;
  ProgressLine progress(out, progress_options);

  for (const auto& name : suites) {
    if (interrupted()) break;
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
      FlowsSut described;
      run.suites.push_back(run_flows_suite(env, &described));
      if (!described.address.empty()) {
        run.sut.address = described.address;
        if (!described.description.version.empty()) run.sut.version = described.description.version;
        if (!described.mohqd_log.empty()) run.sut.details["sut_log"] = described.mohqd_log;
      }
    } else if (name == "incident") {
      run.suites.push_back(run_incident_suite(env));
    } else {
      run.suites.push_back(run_load_suite(files.at(name), env, overrides, &progress));
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
  if (interrupted()) out << "interrupted: the suites after the running case were not run\n";
  out << reports::closing_line(run) << "\n";
  out.flush();
  if (!written) return 2;
  return counts.failed == 0 && !interrupted() ? 0 : 1;
}

}  // namespace mohq::harness
