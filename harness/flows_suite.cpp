// The flows suite of `mohq run`: each SIPp scenario against mohqd --profile kamailio + fake-rtpproxy, its ladder
// compared with the real Kamailio 5.6.3's golden ladder (the same comparison as tests/integration/
// test_scenarios_mohqd.cpp, reported as expectations instead of test assertions).
#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <thread>

#include "harness/run_suites.hpp"
#include "ladder/ladder.hpp"
#include "ladder/scenario_runner.hpp"
#include "mohqd/mohqd_instance.hpp"
#include "process/child_process.hpp"
#include "process/free_port.hpp"
#include "sim/rpc/json_rpc_server.hpp"

namespace mohq::harness {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

reports::Expectation check(std::string name, bool passed, nlohmann::json measured, nlohmann::json expected,
                           std::string message, std::string unit) {
  reports::Expectation e;
  e.name = std::move(name);
  e.passed = passed;
  e.measured = std::move(measured);
  e.expected = std::move(expected);
  e.message = std::move(message);
  e.unit = std::move(unit);
  return e;
}

reports::Expectation setup_failure(const std::string& message) { return check("setup", false, nullptr, nullptr, message); }

std::vector<std::string> flow_scenarios() {
  return {"moh_basic_call",          "moh_no_sdp",          "moh_allow_no_refer",     "moh_options_in_dialog",
          "moh_reinvite_no_hold",    "moh_reinvite_hold",   "moh_prack",              "moh_prack_cancel",
          "moh_retrieve_notify_200", "moh_retrieve_notify_486", "moh_queue_full"};
}

namespace {

constexpr const char* kReferTo = "sip:operator@127.0.0.1:5070";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct AllowedDifference {
  std::string scenario, fragment, reason;
};

// tests/integration/data/ladders/mohqd-kamailio-differences.txt: "scenario | fragment | reason", as the test.
std::vector<AllowedDifference> allowed_differences(const fs::path& ladders) {
  std::vector<AllowedDifference> allowed;
  std::ifstream in(ladders / "mohqd-kamailio-differences.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto first = line.find(" | ");
    const auto second = first == std::string::npos ? first : line.find(" | ", first + 3);
    if (second == std::string::npos) continue;
    allowed.push_back({line.substr(0, first), line.substr(first + 3, second - first - 3), line.substr(second + 3)});
  }
  return allowed;
}

struct Sut {
  fs::path dir;
  std::optional<process::ChildProcess> rtpproxy;
  std::optional<MohqdInstance> mohqd;
  SutEndpoint endpoint;
  std::string address;
  ~Sut() {
    if (mohqd) mohqd->stop();
    if (rtpproxy) rtpproxy->terminate(3000ms);
  }
};

Expected<std::unique_ptr<Sut>, std::string> start_sut(const RunEnvironment& env, const fs::path& dir,
                                                      std::size_t maxcalls) {
  auto sut = std::make_unique<Sut>();
  sut->dir = dir;
  fs::create_directories(dir / "moh");
  for (const char* pt : {"8", "0"})  // PTs 8 and 0, as the Kamailio recordings; the content is irrelevant here
    std::ofstream(dir / "moh" / (std::string("test.") + pt), std::ios::binary)
        << std::string(8000, pt[0] == '8' ? '\xd5' : '\xff');
  auto control = process::find_free_udp_port("127.0.0.1");
  auto media = process::find_free_udp_port_block("127.0.0.1", 40);
  if (!control || !media) return Unexpected(std::string("no free UDP ports on 127.0.0.1"));
  process::SpawnOptions fake;
  fake.argv = {(env.bin_dir / "fake-rtpproxy").string(), "-l", "127.0.0.1", "-s",
               "udp:127.0.0.1:" + std::to_string(*control), "-m", std::to_string(*media), "-M",
               std::to_string(*media + 39), "-f", "-d", "DBUG"};
  fake.stdout_path = fake.stderr_path = dir / "fake-rtpproxy.log";
  auto child = process::ChildProcess::spawn(fake);
  if (!child) return Unexpected("fake-rtpproxy: " + child.error());
  sut->rtpproxy.emplace(std::move(*child));

  MohqdLaunch launch;
  launch.binary = env.bin_dir / "mohqd";
  auto sip = process::find_free_udp_port("127.0.0.1");
  auto rpc = process::find_free_udp_port("127.0.0.1");
  if (!sip || !rpc) return Unexpected(std::string("no free UDP ports on 127.0.0.1"));
  launch.sip_port = *sip;
  launch.rpc_port = *rpc;
  launch.rtpproxy = {"udp:127.0.0.1:" + std::to_string(*control)};
  launch.profile = "kamailio";
  launch.maxcalls = maxcalls;
  launch.mohdir = dir / "moh";
  auto mohqd = MohqdInstance::start(launch, dir);
  if (!mohqd) return Unexpected("mohqd: " + mohqd.error());
  sut->mohqd.emplace(std::move(*mohqd));
  const std::string rpc_address = sut->mohqd->rpc_address();
  sut->endpoint.host = "127.0.0.1";
  sut->endpoint.port = launch.sip_port;
  sut->endpoint.service = launch.queue_user;
  sut->endpoint.retrieve = [rpc_address] {
    return sim::call_json_rpc(rpc_address, "mohqueue.retrieve", {"abc", kReferTo}, 1000ms).has_value();
  };
  sut->endpoint.rtpproxy_log = dir / "fake-rtpproxy.log";
  sut->address = "udp:127.0.0.1:" + std::to_string(launch.sip_port);
  return sut;
}

ScenarioOptions options_for(const RunEnvironment& env, const std::string& scenario, const Sut& sut) {
  ScenarioOptions options;
  options.scenario = env.source_dir / "scenarios" / (scenario + ".xml");
  options.work_dir = sut.dir;
  options.sipp_binary = env.sipp;
  options.listen = 1000ms;
  options.time_limit = 40s;
  return options;
}

// SIPp's outcome and the ladder against Kamailio's, as expectations; the ladder is kept as <scenario>.ladder.txt.
void judge(const RunEnvironment& env, const Expected<ScenarioResult, std::string>& result, const std::string& scenario,
           const Sut& sut, reports::CaseReport& report) {
  if (!result) {
    report.expectations.push_back(check("SIPp ran", false, nullptr, nullptr, result.error()));
    return;
  }
  report.expectations.push_back(check("SIPp succeeded", result->success(), result->sipp_status.describe(),
                                      "exit code 0", result->success() ? "" : result->describe()));
  report.artefacts.logs.push_back(result->message_file.string());
  report.artefacts.logs.push_back(result->output_file.string());
  const fs::path ladder_file = sut.dir / (scenario + ".ladder.txt");
  std::ofstream(ladder_file, std::ios::binary | std::ios::trunc)
      << to_text(result->ladder, scenario + ": mohqd --profile kamailio + fake-rtpproxy, scenarios/" + scenario + ".xml");
  report.artefacts.logs.push_back(ladder_file.string());

  const fs::path ladders = env.source_dir / "tests" / "integration" / "data" / "ladders";
  const fs::path golden = ladders / (scenario + ".txt");
  auto expected = parse_ladder(read_text(golden));
  if (!expected) {
    report.expectations.push_back(check("golden ladder readable", false, nullptr, golden.string(), expected.error()));
    return;
  }
  const auto allowed = allowed_differences(ladders);
  const auto differences = diff_ladders(*expected, result->ladder);
  std::size_t failed = 0;
  for (const auto& difference : differences) {
    const AllowedDifference* reason = nullptr;
    for (const auto& entry : allowed)
      if (entry.scenario == scenario && difference.find(entry.fragment) != std::string::npos) reason = &entry;
    if (reason != nullptr) {
      report.expectations.push_back(check("ladder difference allowed", true, nullptr, nullptr,
                                          difference + " -- " + reason->reason));
      continue;
    }
    ++failed;
    report.expectations.push_back(check("ladder equals Kamailio's", false, nullptr, nullptr, difference));
  }
  if (failed == 0)
    report.expectations.push_back(check("ladder equals Kamailio's", true,
                                        static_cast<std::uint64_t>(result->ladder.steps.size()),
                                        static_cast<std::uint64_t>(expected->steps.size()),
                                        "golden: " + golden.string(), "steps"));
  else
    report.artefacts.logs.push_back(sut.mohqd->log_path().string());
}

}  // namespace

reports::SuiteReport run_flows_suite(const RunEnvironment& env, FlowsSut* described) {
  reports::SuiteReport suite;
  suite.name = "flows";
  const fs::path dir = env.out_dir / "flows";
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  fs::create_directories(dir);
  auto finish = [&](reports::CaseReport report, std::chrono::steady_clock::time_point started) {
    report.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (env.on_case) env.on_case(suite.name, report);
    suite.cases.push_back(std::move(report));
  };

  std::unique_ptr<Sut> shared;
  std::string shared_error;
  for (const auto& scenario : flow_scenarios()) {
    const auto started = std::chrono::steady_clock::now();
    reports::CaseReport report;
    report.name = scenario;
    report.description = "scenarios/" + scenario + ".xml against mohqd --profile kamailio" +
                         (scenario == "moh_queue_full" ? std::string(" --maxcalls 1 (one call holds the slot)") : "") +
                         ", ladder vs Kamailio 5.6.3's";
    if (scenario == "moh_queue_full") {
      // Its own mohqd with maxcalls 1: a basic call occupies the slot, then the queue-full scenario runs.
      auto sut = start_sut(env, dir / "queue_full", 1);
      if (!sut) {
        report.expectations.push_back(setup_failure(sut.error()));
        finish(std::move(report), started);
        continue;
      }
      report.artefacts.logs.push_back((*sut)->mohqd->log_path().string());
      ScenarioOptions occupant = options_for(env, "moh_basic_call", **sut);
      occupant.listen = 6000ms;
      auto running = start_scenario((*sut)->endpoint, occupant);
      if (!running) {
        report.expectations.push_back(setup_failure("the occupying call: " + running.error()));
        finish(std::move(report), started);
        continue;
      }
      bool queued = false;
      for (auto deadline = std::chrono::steady_clock::now() + 4s; std::chrono::steady_clock::now() < deadline;) {
        auto answer = sim::call_json_rpc((*sut)->mohqd->rpc_address(), "mohqueue.count", {"abc"});
        if (answer && *answer == 1) {
          queued = true;
          break;
        }
        std::this_thread::sleep_for(100ms);
      }
      report.expectations.push_back(check("the occupying call is queued", queued, queued ? 1 : 0, 1,
                                          queued ? "" : "mohqueue.count never answered 1", "calls"));
      if (queued) {
        auto full = run_scenario((*sut)->endpoint, options_for(env, scenario, **sut));
        judge(env, full, scenario, **sut, report);
      }
      auto occupied = finish_scenario(std::move(*running), (*sut)->endpoint);
      report.expectations.push_back(check("the occupying call completed", occupied && occupied->success(),
                                          occupied ? nlohmann::json(occupied->sipp_status.describe()) : nullptr,
                                          "exit code 0",
                                          occupied ? (occupied->success() ? "" : occupied->describe())
                                                   : occupied.error()));
      finish(std::move(report), started);
      continue;
    }
    if (!shared && shared_error.empty()) {
      auto sut = start_sut(env, dir / "sut", 10);
      if (sut) {
        shared = std::move(*sut);
        if (described != nullptr) {
          described->address = shared->address;
          described->mohqd_log = shared->mohqd->log_path().string();
        }
      } else {
        shared_error = sut.error();
      }
    }
    if (!shared) {
      report.expectations.push_back(setup_failure(shared_error));
      finish(std::move(report), started);
      continue;
    }
    auto result = run_scenario(shared->endpoint, options_for(env, scenario, *shared));
    judge(env, result, scenario, *shared, report);
    finish(std::move(report), started);
  }
  return suite;
}

}  // namespace mohq::harness
