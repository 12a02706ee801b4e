#include "ladder/scenario_runner.hpp"

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>

#include "process/free_port.hpp"

namespace mohq::harness {
namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string tail(const std::string& text, std::size_t bytes) {
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

std::string bracket(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

bool scenario_waits_for_refer(const std::filesystem::path& scenario) {
  return read_text(scenario).find("request=\"REFER\"") != std::string::npos;
}

std::string ScenarioResult::describe() const {
  std::ostringstream out;
  out << "scenario " << name << ": sipp " << sipp_status.describe() << (timed_out ? " (terminated: time limit)" : "")
      << (retrieved ? ", retrieved" : "") << " after " << retrieve_attempts << " retrieve attempt(s)";
  std::string errors = read_text(error_file);
  if (!errors.empty()) out << "\n--- " << error_file.string() << " ---\n" << tail(errors, 3000);
  std::string console = read_text(output_file);
  if (!console.empty()) out << "\n--- " << output_file.string() << " (tail) ---\n" << tail(console, 1500);
  return out.str();
}

Expected<RunningScenario, std::string> start_scenario(const SutEndpoint& sut, const ScenarioOptions& options) {
  if (!std::filesystem::is_regular_file(options.scenario)) {
    return Unexpected{"no scenario file " + options.scenario.string()};
  }
  if (!std::filesystem::is_directory(options.work_dir)) {
    return Unexpected{"work dir " + options.work_dir.string() + " does not exist"};
  }
  // -p (SIP), -cp (SIPp's UDP control socket, default 8888), -mp (SIPp binds P and P+2), and the port the
  // SDP offers (-key rtp_listen_port): nothing listens there; the SUT's media is simply dropped.
  auto sip_port = process::find_free_udp_port(options.local_host);
  auto control_port = process::find_free_udp_port(options.local_host);
  auto media_port = process::find_free_udp_port_block(options.local_host, 4);
  auto rtp_port = process::find_free_udp_port_block(options.local_host, 2);
  for (const auto* port : {&sip_port, &control_port, &media_port, &rtp_port}) {
    if (!*port) return Unexpected{"no free port: " + port->error()};
  }

  ScenarioResult result;
  result.name = options.scenario.stem().string();
  result.message_file = std::filesystem::absolute(options.work_dir / (result.name + ".messages.log"));
  result.error_file = std::filesystem::absolute(options.work_dir / (result.name + ".errors.log"));
  result.output_file = std::filesystem::absolute(options.work_dir / (result.name + ".out"));
  for (const auto& path : {result.message_file, result.error_file}) std::filesystem::remove(path);

  const auto limit_s = std::max<long long>(
      5, std::chrono::duration_cast<std::chrono::seconds>(options.time_limit).count() - 2);
  process::SpawnOptions spawn;
  spawn.argv = {options.sipp_binary, "-sf", std::filesystem::absolute(options.scenario).string(),
                "-s", sut.service, "-key", "rtp_listen_port", std::to_string(*rtp_port),
                "-m", "1", "-l", "1", "-i", options.local_host, "-mi", options.local_host,
                "-p", std::to_string(*sip_port), "-mp", std::to_string(*media_port),
                "-cp", std::to_string(*control_port), "-d", std::to_string(options.listen.count()),
                // SIPp's own bound: it ends the run itself before we have to terminate it.
                "-timeout", std::to_string(limit_s), "-timeout_error", "-nostdin",
                "-trace_msg", "-message_file", result.message_file.string(),
                "-trace_err", "-error_file", result.error_file.string()};
  spawn.argv.insert(spawn.argv.end(), options.extra_args.begin(), options.extra_args.end());
  spawn.argv.push_back(bracket(sut.host) + ":" + std::to_string(sut.port));
  spawn.stdout_path = spawn.stderr_path = result.output_file;
  spawn.working_dir = options.work_dir;
  spawn.env = {{"LC_ALL", "C"}};
  auto process = process::ChildProcess::spawn(spawn);
  if (!process) return Unexpected{process.error() + " (SIPp 3.6.1: apt-get install sip-tester)"};
  return RunningScenario(std::move(*process), options, std::move(result),
                         bracket(options.local_host) + ":" + std::to_string(*sip_port), std::chrono::steady_clock::now());
}

Expected<ScenarioResult, std::string> finish_scenario(RunningScenario running, const SutEndpoint& sut) {
  using namespace std::chrono;
  ScenarioOptions& options = running.options_;
  ScenarioResult result = std::move(running.result_);
  const std::string caller_hostport = running.caller_hostport_;
  const auto deadline = running.started_ + options.time_limit;
  const bool retrieve = options.retrieve.value_or(scenario_waits_for_refer(options.scenario)) && sut.retrieve;

  std::optional<process::ExitStatus> status;
  auto next_retrieve = running.started_ + options.retrieve_first;
  while (!status && steady_clock::now() < deadline) {
    auto wake = retrieve && !result.retrieved ? std::min(next_retrieve, deadline) : deadline;
    status = running.process_.wait_for(
        std::max(milliseconds(1), duration_cast<milliseconds>(wake - steady_clock::now())));
    if (!status && retrieve && !result.retrieved && steady_clock::now() >= next_retrieve) {
      ++result.retrieve_attempts;
      result.retrieved = sut.retrieve();
      next_retrieve = steady_clock::now() + options.retrieve_interval;
    }
  }
  if (!status) {
    result.timed_out = true;
    status = running.process_.terminate(milliseconds(1000));
  }
  result.sipp_status = *status;

  if (!std::filesystem::exists(result.message_file)) {
    return Unexpected{"SIPp wrote no message trace " + result.message_file.string() + "\n" + result.describe()};
  }
  auto messages = parse_sipp_trace(read_text(result.message_file));
  if (!messages) return Unexpected{result.message_file.string() + ": " + messages.error()};
  result.messages = std::move(*messages);

  std::set<std::string> seen;
  for (const auto& traced : result.messages) {
    auto call_id = traced.message.header("Call-ID");
    if (call_id && seen.insert(std::string(*call_id)).second) result.call_ids.emplace_back(*call_id);
  }
  LadderNormalization normalization{caller_hostport, bracket(sut.host) + ":" + std::to_string(sut.port)};
  result.ladder = make_ladder(result.messages, normalization);
  if (!sut.rtpproxy_log.empty()) {
    std::this_thread::sleep_for(options.settle);
    result.ladder.rtpproxy = rtpproxy_commands_for(read_text(sut.rtpproxy_log), result.call_ids);
  }
  return result;
}

Expected<ScenarioResult, std::string> run_scenario(const SutEndpoint& sut, const ScenarioOptions& options) {
  auto running = start_scenario(sut, options);
  if (!running) return Unexpected{running.error()};
  return finish_scenario(std::move(*running), sut);
}

}  // namespace mohq::harness
