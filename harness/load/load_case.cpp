#include "harness/load/load_case.hpp"

#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>

#include "analyzers/analyze/capture_analysis.hpp"
#include "capture/live_capture.hpp"
#include "harness/interrupt.hpp"
#include "harness/load/load_expectations.hpp"
#include "harness/load/media_sinks.hpp"
#include "harness/load/sipp_fleet.hpp"
#include "harness/prompt_source.hpp"
#include "harness/sipp_stats/sipp_trace_stat.hpp"

namespace mohq::harness {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// Above this many calls the HTML keeps the findings table only: a ladder and plots per call would bury the page.
constexpr std::size_t kDetailedCalls = 10;

// The last non-empty line of a SIPp console file: where it says why it stopped ("-rate_increase, "16.667" is not a
// valid integer!").
std::string last_line_of(const fs::path& file) {
  std::ifstream in(file);
  std::string line, last;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r-") != std::string::npos && !line.starts_with("---")) last = line;
  return last.size() > 300 ? last.substr(last.size() - 300) : last;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Latest row of each caller process, summed: the state of the load now.
struct FleetNow {
  std::uint64_t active = 0, created = 0, successful = 0, failed = 0;
  double rate = 0;
};

FleetNow sum_latest(const std::vector<std::vector<TraceStatRow>>& rows) {
  FleetNow now;
  for (const auto& process : rows) {
    if (process.empty()) continue;
    const auto& last = process.back();
    now.active += last.current_calls;
    now.created += last.total_created;
    now.successful += last.successful;
    now.failed += last.failed;
    now.rate += last.call_rate;
  }
  return now;
}

ProgressSnapshot progress_snapshot(const LoadCaseSpec& spec, double elapsed, const FleetNow& now,
                                   std::optional<std::uint64_t> queue_depth) {
  ProgressSnapshot snapshot;
  snapshot.case_name = spec.name;
  snapshot.elapsed_seconds = elapsed;
  snapshot.active = now.active;
  snapshot.done = now.successful;
  snapshot.failed = now.failed;
  snapshot.calls_per_second = now.rate;
  snapshot.queue_depth = queue_depth;
  snapshot.expected_total = spec.callers.calls;
  return snapshot;
}

std::string describe(const LoadCaseSpec& spec) {
  const auto& load = spec.callers;
  std::string text = std::to_string(load.calls) + " callers (scenarios/" + load.scenario + ".xml) at " +
                     std::to_string(static_cast<long>(load.rate)) + " calls/s";
  if (load.ramp_to > 0)
    text += " ramping to " + std::to_string(static_cast<long>(load.ramp_to)) + " calls/s";
  text += ", each listening " + std::to_string(load.hold_ms) + " ms";
  if (!spec.operators.behaviour.empty())
    text += "; operators " + spec.operators.behaviour + ", retrieve at " +
            std::to_string(static_cast<long>(spec.operators.retrieve_rate)) + "/s";
  if (!spec.faults.empty()) {
    text += "; fake-rtpproxy faults";
    for (const auto& f : spec.faults) text += " " + f;
  }
  if (spec.rtpproxy_unreachable) text += "; the rtpproxy is unreachable";
  return text;
}

}  // namespace

reports::CaseReport run_load_case(const LoadCaseSpec& spec, const RunEnvironment& env, const fs::path& dir,
                                  ProgressLine* progress) {
  reports::CaseReport report;
  report.name = spec.name;
  report.description = spec.description.empty() ? describe(spec) : spec.description + " (" + describe(spec) + ")";
  auto fail_setup = [&](const std::string& message) {
    report.expectations.push_back(setup_failure(message));
    return report;
  };
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  fs::create_directories(dir / "moh");
  const fs::path scenarios = env.source_dir / "scenarios";
  if (!fs::exists(scenarios / (spec.callers.scenario + ".xml")))
    return fail_setup("no scenario " + (scenarios / (spec.callers.scenario + ".xml")).string());
  if (spec.sut.kind == "external" && (!spec.faults.empty() || spec.rtpproxy_unreachable || spec.rtpproxy_nodes > 1))
    return fail_setup("faults, an unreachable rtpproxy and rtpproxy nodes need mohq's own fake-rtpproxy: this case "
                      "cannot run against an external queue (--sut builtin or kamailio)");
  auto prompts = write_g711_prompts(hold_music(spec.prompt.seconds), dir / "moh", "test", spec.prompt.codecs);
  if (!prompts) return fail_setup("prompt files: " + prompts.error());

  SutStartOptions start;
  start.dir = dir / "sut";
  fs::create_directories(start.dir);
  start.bin_dir = env.bin_dir;
  start.mohdir = dir / "moh";
  start.maxcalls = spec.maxcalls;
  start.fake_rtpproxy_faults = spec.faults;
  start.rtpproxy_unreachable = spec.rtpproxy_unreachable;
  start.rtpproxy_nodes = spec.rtpproxy_nodes;
  start.fake_rtpproxy_debug_log = false;  // a line per command would cost more than the load it logs
  auto sut = start_sut(spec.sut, start);
  if (!sut) return fail_setup("system under test: " + sut.error());
  for (const auto& log : (*sut)->logs()) report.artefacts.logs.push_back(log.string());

  std::unique_ptr<LiveCapture> capture;
  const fs::path capture_file = dir / "capture.pcap";
  if (spec.capture != "none") {
    LiveCaptureOptions options;
    options.filter = (*sut)->capture_filter();
    // RTP/RTCP is version 2: first payload byte 10xxxxxx. SIP and rtpproxy commands are text and never are.
    if (spec.capture == "signalling") options.filter = "(" + options.filter + ") and not (udp[8] & 0xc0 = 0x80)";
    auto started = LiveCapture::start(capture_file, options);
    if (!started) return fail_setup("capture: " + started.error());
    capture = std::move(*started);
    report.artefacts.capture = capture_file.string();
  }

  const unsigned processes = caller_processes(spec.callers);
  auto sinks = MediaSinks::open("127.0.0.1", processes);
  if (!sinks) return fail_setup(sinks.error());

  FleetPlan plan;
  plan.sipp = env.sipp;
  plan.scenarios_dir = scenarios;
  plan.dir = dir;
  plan.sut_host = (*sut)->sip_host();
  plan.sut_port = (*sut)->sip_port();
  plan.queue_user = (*sut)->queue_user();
  for (unsigned i = 0; i < processes; ++i) plan.media_ports.push_back((*sinks)->port(i));
  plan.stats_period_s = spec.callers.ramp_to > 0 ? spec.callers.ramp_every_s : 1.0;
  plan.time_limit_s = spec.time_limit_s;
  if (spec.callers.hold_distribution != "fixed") {
    std::ifstream in(scenarios / (spec.callers.scenario + ".xml"), std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto varied = scenario_with_hold(text, spec.callers);
    if (!varied) return fail_setup(spec.callers.scenario + ".xml: " + varied.error());
    plan.caller_scenario = dir / (spec.callers.scenario + ".xml");
    std::ofstream(plan.caller_scenario, std::ios::binary) << *varied;
  }

  std::optional<SippProcess> operators;
  if (!spec.operators.behaviour.empty()) {
    if (!fs::exists(scenarios / ("operator_" + spec.operators.behaviour + ".xml")))
      return fail_setup("no operator scenario scenarios/operator_" + spec.operators.behaviour + ".xml");
    auto started = start_operator(spec, plan, &plan.operator_uri);
    if (!started) return fail_setup(started.error());
    operators.emplace(std::move(*started));
    report.artefacts.logs.push_back(operators->output_file.string());
  }
  auto callers = start_callers(spec, plan);
  if (!callers) return fail_setup(callers.error());
  for (const auto& caller : *callers) report.artefacts.logs.push_back(caller.output_file.string());

  // The control loop: one thread asks the SUT (retrieve, depth), reads SIPp's statistics and draws progress.
  LoadOutcome outcome;
  outcome.sut_port = plan.sut_port;
  std::vector<TraceStatTail> tails;
  for (const auto& caller : *callers) tails.emplace_back(caller.stat_file);
  std::vector<std::vector<TraceStatRow>> rows(callers->size());
  std::vector<std::pair<double, std::uint64_t>> depths;  // (s since start, depth)
  std::string retrieve_error, stats_error;
  std::uint64_t retrieve_errors = 0;
  const auto begin = Clock::now();
  const auto deadline = begin + std::chrono::milliseconds(static_cast<long>(spec.time_limit_s * 1000));
  const auto retrieve_period = std::chrono::microseconds(static_cast<long>(1e6 / spec.operators.retrieve_rate));
  auto next_retrieve = begin + std::chrono::milliseconds(static_cast<long>(spec.operators.start_after_s * 1000));
  auto next_sample = begin;
  bool stopped_early = false;
  for (;;) {
    bool running = false;
    for (auto& caller : *callers) running = caller.process->running() || running;
    if (!running) break;
    if (interrupted() || Clock::now() >= deadline) {
      stopped_early = true;
      break;
    }
    if (!plan.operator_uri.empty() && Clock::now() >= next_retrieve) {
      auto retrieved = (*sut)->retrieve(plan.operator_uri);
      if (!retrieved) {
        ++retrieve_errors;
        retrieve_error = retrieved.error();
      } else if (*retrieved) {
        ++outcome.retrieves_started;
      }
      // Behind schedule (a slow answer) is not caught up in a burst: operators take calls at their pace.
      next_retrieve = std::max(next_retrieve + retrieve_period, Clock::now());
    }
    if (Clock::now() >= next_sample) {
      next_sample += 1s;
      for (std::size_t i = 0; i < tails.size(); ++i) {
        auto fresh = tails[i].poll();
        if (!fresh) stats_error = fresh.error();
        else rows[i].insert(rows[i].end(), fresh->begin(), fresh->end());
      }
      const double t = seconds_since(begin);
      if (auto depth = (*sut)->queue_depth()) {
        depths.emplace_back(t, *depth);
        outcome.max_queue_depth = std::max(outcome.max_queue_depth.value_or(0), static_cast<std::uint64_t>(*depth));
      }
      if (progress != nullptr) {
        std::optional<std::uint64_t> depth_now;
        if (!depths.empty() && depths.back().first == t) depth_now = depths.back().second;
        progress->update(progress_snapshot(spec, t, sum_latest(rows), depth_now));
      }
    }
    std::this_thread::sleep_for(20ms);
  }
  const double callers_seconds = seconds_since(begin);
  for (auto& caller : *callers) {
    // A stuck SIPp is reported and killed, not waited for.
    caller.status = caller.process->running() ? caller.process->terminate(2s) : *caller.process->exit_status();
  }
  outcome.callers_finished = !stopped_early;
  for (const auto& caller : *callers)
    if (caller.status && !caller.status->exited_with(0) && !caller.status->exited_with(1) && !stopped_early)
      outcome.sipp_problems.push_back(caller.role + ": " + caller.status->describe() + ": " +
                                      last_line_of(caller.output_file));
  for (std::size_t i = 0; i < tails.size(); ++i) {
    auto fresh = tails[i].poll();
    if (fresh) rows[i].insert(rows[i].end(), fresh->begin(), fresh->end());
  }

  // The drain: every call is over for the callers; the SUT's call table must empty by itself.
  outcome.call_table_known = (*sut)->call_table_rows().has_value();
  if (outcome.call_table_known) {
    const double wait = std::min(spec.expect.call_table_empty_within_s.value_or(5.0) + 1.0,
                                 std::max(1.0, spec.time_limit_s - callers_seconds));
    const auto drain_start = Clock::now();
    while (!interrupted()) {
      auto rows_left = (*sut)->call_table_rows();
      if (rows_left && *rows_left == 0) {
        outcome.call_table_empty_after_s = seconds_since(drain_start);
        break;
      }
      if (seconds_since(drain_start) > wait) break;
      std::this_thread::sleep_for(100ms);
    }
  }
  if (operators) operators->status = operators->process->terminate(2s);
  outcome.sut_alive = (*sut)->alive();
  report.sut_numbers = (*sut)->numbers();
  if (report.sut_numbers.is_object() && outcome.max_queue_depth)
    report.sut_numbers["max_queue_depth_sampled"] = *outcome.max_queue_depth;
  (*sut)->stop();
  report.fake_rtpproxy = (*sut)->fake_rtpproxy_stats();
  (*sinks)->stop();
  outcome.rtp_packets = (*sinks)->packets();

  // SIPp's numbers: the callers together, the timeline with the queue's depth at each sample.
  outcome.callers = to_sipp_stats(aggregate_trace_stat(rows, 1.0));
  auto timeline = aggregate_trace_stat(rows, plan.stats_period_s);
  report.load = to_load_samples(timeline);
  for (auto& sample : report.load) {
    // The depth sampled nearest in time (the SIPp and depth clocks both start with the load, within ms).
    const std::pair<double, std::uint64_t>* nearest = nullptr;
    for (const auto& d : depths)
      if (nearest == nullptr || std::abs(d.first - sample.t) < std::abs(nearest->first - sample.t)) nearest = &d;
    if (nearest != nullptr && std::abs(nearest->first - sample.t) <= 1.0) sample.queue_depth = nearest->second;
  }
  report.sipp = outcome.callers;
  if (report.sipp) {
    report.sipp->extra["caller_processes"] = processes;
    report.sipp->extra["rtp_packets_received"] = outcome.rtp_packets;
    report.sipp->extra["retrieves_started"] = outcome.retrieves_started;
    if (retrieve_errors > 0) report.sipp->extra["retrieve_errors"] = retrieve_errors;
    // A ramp's answer: the highest rate reached before the first failed call (the ceiling is just above it).
    double clean_rate = 0;
    for (const auto& sample : report.load) {
      if (sample.failed > 0) break;
      clean_rate = std::max(clean_rate, sample.calls_per_second);
    }
    report.sipp->extra["highest_rate_before_first_failure"] = clean_rate;
    if (operators) {
      if (auto op = read_trace_stat_file(operators->stat_file); op && !op->empty()) {
        report.sipp->extra["operator_calls"] = op->back().total_created;
        report.sipp->extra["operator_successful"] = op->back().successful;
        report.sipp->extra["operator_failed"] = op->back().failed;
      }
    }
  }

  std::optional<analyzers::AnalysisResult> analysis;
  if (capture) {
    const auto stats = capture->stop();
    if (stats.kernel_drops > 0)
      report.expectations.push_back(check("capture complete", false, stats.kernel_drops, 0,
                                          "the capture lost packets: the analysis sees part of the traffic",
                                          "packets dropped"));
    analyzers::AnalyzeOptions options;
    options.prompt_dir = dir / "moh";
    const bool detailed = spec.callers.calls <= kDetailedCalls;
    if (detailed) {
      options.wav_dir = dir / "wav";
      options.audio_data = true;
      fs::create_directories(options.wav_dir);
    }
    auto analysed = analyzers::analyze_capture(capture_file, options);
    if (!analysed) {
      report.expectations.push_back(check("capture analysed", false, nullptr, nullptr, analysed.error()));
    } else {
      const auto json = analyzers::to_json(*analysed);
      std::ofstream(dir / "analysis.json") << json.dump(2) << "\n";
      report.artefacts.logs.push_back((dir / "analysis.json").string());
      for (const auto& stream : analysed->streams)
        if (!stream.wav.empty())
          report.artefacts.wavs.push_back({"the caller at " + stream.stream.destination.to_string() + " (" +
                                               stream.stream.expected.call_id + ")",
                                           stream.wav});
      if (!detailed) report.analysis_json = json;
      analysis = std::move(*analysed);
      outcome.analysis = &*analysis;
    }
  }

  for (auto& e : judge_load(spec, outcome)) report.expectations.push_back(std::move(e));
  if (!stats_error.empty())
    report.expectations.push_back(check("SIPp statistics readable", false, nullptr, nullptr, stats_error));
  if (retrieve_errors > 0 && outcome.retrieves_started == 0)
    report.expectations.push_back(check("retrieve reached the SUT", false, retrieve_errors, 0, retrieve_error,
                                        "errors"));
  if (interrupted()) report.expectations.push_back(check("not interrupted", false, nullptr, nullptr, "Ctrl-C"));
  if (analysis && spec.callers.calls <= kDetailedCalls) report.analysis = std::move(analysis);
  if (progress != nullptr) {
    FleetNow now = sum_latest(rows);
    now.active = 0;  // every caller process has ended
    now.rate = outcome.callers ? outcome.callers->call_rate : 0;  // over the whole load
    progress->finish(progress_snapshot(
        spec, callers_seconds, now,
        depths.empty() ? std::nullopt : std::optional<std::uint64_t>(depths.back().second)));
  }
  return report;
}

reports::SuiteReport run_load_suite(const SuiteSpec& suite, const RunEnvironment& env, const LoadOverrides& overrides,
                                    ProgressLine* progress) {
  reports::SuiteReport result;
  result.name = suite.name;
  for (const auto& original : suite.cases) {
    if (interrupted()) break;
    LoadCaseSpec spec = original;
    apply_overrides(spec, overrides);
    const auto started = Clock::now();
    auto report = run_load_case(spec, env, env.out_dir / suite.name / spec.name, progress);
    report.duration_seconds = seconds_since(started);
    if (env.on_case) env.on_case(result.name, report);
    result.cases.push_back(std::move(report));
  }
  return result;
}

}  // namespace mohq::harness
