// The flows suite of `mohq run`: each SIPp scenario against the system under test (harness/sut: builtin mohqd
// --profile kamailio|strict, the real Kamailio, or an external queue), its ladder compared with a golden ladder
// (the same comparison as tests/integration/test_scenarios_mohqd.cpp and test_scenarios_kamailio.cpp, reported
// as expectations instead of test assertions):
//   builtin kamailio: Kamailio 5.6.3's ladders, except the differences listed in mohqd-kamailio-differences.txt;
//   builtin strict:   mohqd strict's own ladders (ladders-strict/), with the *_strict.xml variants of CANCEL and
//                     queue full;
//   kamailio:         Kamailio 5.6.3's ladders exactly (they were recorded from it with this very setup);
//   external:         Kamailio's ladders, SIP steps only (its rtpproxy is not ours to watch); no queue-full case
//                     (its maxcalls is not ours to set), the retrieve cases only with a JSON-RPC address.
#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <thread>

#include "harness/run_suites.hpp"
#include "ladder/ladder.hpp"
#include "ladder/scenario_runner.hpp"
#include "sut/system_under_test.hpp"

namespace mohq::harness {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::vector<std::string> flow_scenarios() {
  return {"moh_basic_call",          "moh_no_sdp",          "moh_allow_no_refer",     "moh_options_in_dialog",
          "moh_reinvite_no_hold",    "moh_reinvite_hold",   "moh_prack",              "moh_prack_cancel",
          "moh_retrieve_notify_200", "moh_retrieve_notify_486", "moh_queue_full"};
}

namespace {

// Where every golden ladder sends the REFER (test_scenarios_kamailio.cpp recorded them with it).
constexpr const char* kReferTo = "sip:operator@127.0.0.1:5070";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct AllowedDifference {
  std::string scenario, fragment, reason;
};

// A list "scenario | fragment | reason" in tests/integration/data/ladders/: mohqd-kamailio-differences.txt (what
// mohqd --profile kamailio does differently, as test_scenarios_mohqd reads it) or kamailio-variations.txt (where
// Kamailio 5.6.3 itself does not repeat its own recording).
std::vector<AllowedDifference> allowed_differences(const fs::path& ladders, const char* file) {
  std::vector<AllowedDifference> allowed;
  std::ifstream in(ladders / file);
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

// What the SUT kind is compared with, and how.
struct Plan {
  SutSpec spec;
  std::string label;            // names the SUT in descriptions and ladder titles
  fs::path goldens;             // the golden ladders' directory
  std::string golden_owner;     // "Kamailio 5.6.3's", "mohqd strict's"
  std::vector<AllowedDifference> allowed;
  bool rtpproxy_commands = true;  // false: the SUT's rtpproxy is not ours, compare SIP steps only
};

Plan plan_for(const RunEnvironment& env) {
  Plan plan;
  plan.spec = env.sut;
  const fs::path data = env.source_dir / "tests" / "integration" / "data";
  plan.goldens = data / "ladders";
  plan.golden_owner = "Kamailio 5.6.3's";
  if (plan.spec.kind == "kamailio") {
    // test_scenarios_kamailio.cpp's queue, so that the run repeats the recording exactly.
    plan.spec.queue_name = "moh";
    plan.allowed = allowed_differences(plan.goldens, "kamailio-variations.txt");
  } else if (plan.spec.kind == "builtin" && plan.spec.profile == "strict") {
    plan.goldens = data / "ladders-strict";
    plan.golden_owner = "mohqd strict's";
  } else {
    // mohqd --profile kamailio, or an external queue that may be one: mohqd's documented differences pass.
    plan.allowed = allowed_differences(plan.goldens, "mohqd-kamailio-differences.txt");
    plan.rtpproxy_commands = plan.spec.kind != "external";
  }
  plan.label = sut_label(plan.spec);
  return plan;
}

// The scenario file a flow runs: the strict profile answers CANCEL and queue full as RFC 3261 says, which its
// *_strict.xml variants expect.
std::string scenario_for(const Plan& plan, const std::string& flow) {
  const bool strict = plan.spec.kind == "builtin" && plan.spec.profile == "strict";
  return strict && (flow == "moh_prack_cancel" || flow == "moh_queue_full") ? flow + "_strict" : flow;
}

// A started SUT and what the scenario runner needs of it.
struct FlowSut {
  std::unique_ptr<SystemUnderTest> sut;
  fs::path dir;
  SutEndpoint endpoint;
  std::shared_ptr<std::string> retrieve_error = std::make_shared<std::string>();  // the last one, for failures
};

Expected<FlowSut, std::string> start_flow_sut(const RunEnvironment& env, const Plan& plan, const fs::path& dir,
                                              std::size_t maxcalls) {
  FlowSut flow;
  flow.dir = dir;
  fs::create_directories(dir / "moh");
  for (const char* pt : {"8", "0"})  // PTs 8 and 0, as the Kamailio recordings; the content is irrelevant here
    std::ofstream(dir / "moh" / (std::string("test.") + pt), std::ios::binary)
        << std::string(8000, pt[0] == '8' ? '\xd5' : '\xff');
  SutStartOptions options;
  options.dir = dir;
  options.bin_dir = env.bin_dir;
  options.mohdir = dir / "moh";
  options.maxcalls = maxcalls;
  options.children = 2;  // as the recording
  auto started = start_sut(plan.spec, options);
  if (!started) return Unexpected{started.error()};
  flow.sut = std::move(*started);
  SystemUnderTest* sut = flow.sut.get();
  flow.endpoint.host = sut->sip_host();
  flow.endpoint.port = sut->sip_port();
  flow.endpoint.service = sut->queue_user();
  flow.endpoint.rtpproxy_log = sut->rtpproxy_log();
  flow.endpoint.retrieve = [sut, error = flow.retrieve_error] {
    auto retrieved = sut->retrieve(kReferTo);
    if (!retrieved) *error = retrieved.error();
    return retrieved.value_or(false);
  };
  return flow;
}

void attach_logs(const FlowSut& flow, reports::CaseReport& report) {
  for (const auto& log : flow.sut->logs()) report.artefacts.logs.push_back(log.string());
}

ScenarioOptions options_for(const RunEnvironment& env, const std::string& scenario, const FlowSut& flow) {
  ScenarioOptions options;
  options.scenario = env.source_dir / "scenarios" / (scenario + ".xml");
  options.work_dir = flow.dir;
  options.sipp_binary = env.sipp;
  options.listen = 1000ms;
  options.time_limit = 40s;
  return options;
}

// SIPp's outcome and the ladder against the golden one, as expectations; the ladder is kept as <scenario>.ladder.txt.
void judge(const Plan& plan, const Expected<ScenarioResult, std::string>& result, const std::string& scenario,
           const FlowSut& flow, reports::CaseReport& report) {
  if (!result) {
    report.expectations.push_back(check("SIPp ran", false, nullptr, nullptr, result.error()));
    return;
  }
  std::string failure = result->success() ? "" : result->describe();
  if (!result->success() && !flow.retrieve_error->empty()) failure += "; retrieve: " + *flow.retrieve_error;
  report.expectations.push_back(check("SIPp succeeded", result->success(), result->sipp_status.describe(),
                                      "exit code 0", failure));
  report.artefacts.logs.push_back(result->message_file.string());
  report.artefacts.logs.push_back(result->output_file.string());
  const fs::path ladder_file = flow.dir / (scenario + ".ladder.txt");
  std::ofstream(ladder_file, std::ios::binary | std::ios::trunc)
      << to_text(result->ladder, scenario + ": " + plan.label + ", scenarios/" + scenario + ".xml");
  report.artefacts.logs.push_back(ladder_file.string());

  const fs::path golden = plan.goldens / (scenario + ".txt");
  auto expected = parse_ladder(read_text(golden));
  if (!expected) {
    report.expectations.push_back(check("golden ladder readable", false, nullptr, golden.string(), expected.error()));
    return;
  }
  if (!plan.rtpproxy_commands) expected->rtpproxy.clear();
  const std::string name = "ladder equals " + plan.golden_owner;
  std::size_t failed = 0;
  for (const auto& difference : diff_ladders(*expected, result->ladder)) {
    const AllowedDifference* reason = nullptr;
    for (const auto& entry : plan.allowed)
      if (entry.scenario == scenario && difference.find(entry.fragment) != std::string::npos) reason = &entry;
    if (reason != nullptr) {
      report.expectations.push_back(check("ladder difference allowed", true, nullptr, nullptr,
                                          difference + " -- " + reason->reason));
      continue;
    }
    ++failed;
    report.expectations.push_back(check(name, false, nullptr, nullptr, difference));
  }
  if (failed == 0)
    report.expectations.push_back(check(name, true, static_cast<std::uint64_t>(result->ladder.steps.size()),
                                        static_cast<std::uint64_t>(expected->steps.size()),
                                        "golden: " + golden.string() +
                                            (plan.rtpproxy_commands ? "" : " (SIP steps only)"),
                                        "steps"));
  else
    attach_logs(flow, report);
}

// A SUT that died during a case fails that case (the next ones then fail at their own start or run).
void check_alive(FlowSut& flow, reports::CaseReport& report) {
  if (flow.sut->alive()) return;
  report.expectations.push_back(check("SUT still running", false, false, true, "the SUT stopped during the case"));
  attach_logs(flow, report);
}

// maxcalls 1 on a SUT of its own: a basic call occupies the slot, then the queue-full scenario runs.
void queue_full_case(const RunEnvironment& env, const Plan& plan, const std::string& scenario, const fs::path& dir,
                     reports::CaseReport& report) {
  auto flow = start_flow_sut(env, plan, dir, 1);
  if (!flow) return report.expectations.push_back(setup_failure(flow.error()));
  for (const auto& log : flow->sut->logs()) report.artefacts.logs.push_back(log.string());
  ScenarioOptions occupant = options_for(env, "moh_basic_call", *flow);
  occupant.listen = 6000ms;
  auto running = start_scenario(flow->endpoint, occupant);
  if (!running) return report.expectations.push_back(setup_failure("the occupying call: " + running.error()));
  std::optional<std::size_t> depth;
  for (auto deadline = std::chrono::steady_clock::now() + 4s; std::chrono::steady_clock::now() < deadline;) {
    depth = flow->sut->queue_depth();
    if (depth == 1u) break;
    std::this_thread::sleep_for(100ms);
  }
  const bool queued = depth == 1u;
  report.expectations.push_back(check("the occupying call is queued", queued, depth ? nlohmann::json(*depth) : nullptr,
                                      1, queued ? "" : "the queue's depth never reached 1", "calls"));
  if (queued) judge(plan, run_scenario(flow->endpoint, options_for(env, scenario, *flow)), scenario, *flow, report);
  auto occupied = finish_scenario(std::move(*running), flow->endpoint);
  report.expectations.push_back(check("the occupying call completed", occupied && occupied->success(),
                                      occupied ? nlohmann::json(occupied->sipp_status.describe()) : nullptr,
                                      "exit code 0",
                                      occupied ? (occupied->success() ? "" : occupied->describe()) : occupied.error()));
  check_alive(*flow, report);
}

}  // namespace

reports::SuiteReport run_flows_suite(const RunEnvironment& env, FlowsSut* described) {
  reports::SuiteReport suite;
  suite.name = "flows";
  const fs::path dir = env.out_dir / "flows";
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  fs::create_directories(dir);
  const Plan plan = plan_for(env);
  const bool external = plan.spec.kind == "external";

  std::optional<FlowSut> shared;
  std::string shared_error;
  for (const auto& flow_name : flow_scenarios()) {
    const std::string scenario = scenario_for(plan, flow_name);
    // What an external queue cannot be asked to do: take maxcalls 1, or transfer without a control channel.
    if (external && (flow_name == "moh_queue_full" ||
                     (plan.spec.rpc_address.empty() &&
                      scenario_waits_for_refer(env.source_dir / "scenarios" / (scenario + ".xml")))))
      continue;
    const auto started = std::chrono::steady_clock::now();
    reports::CaseReport report;
    report.name = scenario;
    report.description = "scenarios/" + scenario + ".xml against " + plan.label +
                         (flow_name == "moh_queue_full" ? std::string(", maxcalls 1 (one call holds the slot)") : "") +
                         ", ladder vs " + plan.golden_owner;
    if (flow_name == "moh_queue_full") {
      queue_full_case(env, plan, scenario, dir / "queue_full", report);
    } else {
      if (!shared && shared_error.empty()) {
        auto flow = start_flow_sut(env, plan, dir / "sut", 10);
        if (flow) {
          shared.emplace(std::move(*flow));
          if (described != nullptr) {
            described->description = shared->sut->description();
            described->address = described->description.address;
            const auto logs = shared->sut->logs();
            described->mohqd_log = logs.empty() ? std::string() : logs.front().string();
          }
        } else {
          shared_error = flow.error();
        }
      }
      if (shared) {
        shared->retrieve_error->clear();
        judge(plan, run_scenario(shared->endpoint, options_for(env, scenario, *shared)), scenario, *shared, report);
        check_alive(*shared, report);
      } else {
        report.expectations.push_back(setup_failure(shared_error));
      }
    }
    report.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (env.on_case) env.on_case(suite.name, report);
    suite.cases.push_back(std::move(report));
  }
  return suite;
}

}  // namespace mohq::harness
