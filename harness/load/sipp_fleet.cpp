#include "harness/load/sipp_fleet.hpp"

#include <cmath>
#include <cstdio>

#include "process/free_port.hpp"

namespace mohq::harness {

namespace fs = std::filesystem;

namespace {

std::string decimal(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

// A share of total for process index of count: the first ones take the remainder.
std::uint64_t share(std::uint64_t total, unsigned index, unsigned count) {
  return total / count + (index < total % count ? 1 : 0);
}

struct SippPorts {
  std::uint16_t sip = 0, media = 0, control = 0;
};

Expected<SippPorts, std::string> free_sipp_ports() {
  auto sip = process::find_free_udp_port("127.0.0.1");
  auto media = process::find_free_udp_port_block("127.0.0.1", 4);  // SIPp binds -mp and -mp + 2
  auto control = process::find_free_udp_port("127.0.0.1");
  if (!sip || !media || !control) return Unexpected(std::string("no free UDP ports on 127.0.0.1 for SIPp"));
  return SippPorts{*sip, *media, *control};
}

Expected<SippProcess, std::string> spawn(SippProcess sipp, const FleetPlan& plan) {
  process::SpawnOptions options;
  options.argv = sipp.argv;
  options.stdout_path = options.stderr_path = sipp.output_file;
  options.working_dir = plan.dir;
  auto child = process::ChildProcess::spawn(options);
  if (!child) return Unexpected(sipp.role + ": " + child.error());
  sipp.process.emplace(std::move(*child));
  return sipp;
}

}  // namespace

Expected<std::string, std::string> scenario_with_hold(const std::string& scenario_xml, const CallerLoad& load) {
  if (load.hold_distribution == "fixed") return scenario_xml;
  const std::string bare = "<pause/>";
  const auto at = scenario_xml.find(bare);
  if (at == std::string::npos || scenario_xml.find(bare, at + 1) != std::string::npos)
    return Unexpected(std::string("a hold distribution needs a scenario with one bare <pause/> (moh_caller_listen)"));
  std::string pause;
  if (load.hold_distribution == "uniform")
    pause = "<pause distribution=\"uniform\" min=\"" + std::to_string(load.hold_min_ms) + "\" max=\"" +
            std::to_string(load.hold_max_ms) + "\"/>";
  else if (load.hold_distribution == "exponential")
    pause = "<pause distribution=\"exponential\" mean=\"" + std::to_string(load.hold_ms) + "\"/>";
  else
    pause = "<pause distribution=\"normal\" mean=\"" + std::to_string(load.hold_ms) + "\" stdev=\"" +
            std::to_string(load.hold_stdev_ms) + "\"/>";
  return scenario_xml.substr(0, at) + pause + scenario_xml.substr(at + bare.size());
}

std::vector<std::vector<std::string>> caller_command_lines(const LoadCaseSpec& spec, const FleetPlan& plan,
                                                           const std::vector<std::uint16_t>& sipp_ports) {
  const CallerLoad& load = spec.callers;
  const unsigned count = caller_processes(load);
  const std::uint64_t concurrency = load.concurrency > 0 ? load.concurrency : load.calls;
  std::vector<std::vector<std::string>> lines;
  for (unsigned i = 0; i < count; ++i) {
    const std::string tag = std::to_string(i + 1);
    const std::filesystem::path scenario =
        plan.caller_scenario.empty() ? plan.scenarios_dir / (load.scenario + ".xml") : plan.caller_scenario;
    std::vector<std::string> argv = {plan.sipp, "-sf", scenario.string(),
                                     "-s", plan.queue_user,
                                     "-key", "rtp_listen_port", std::to_string(plan.media_ports.at(i)),
                                     "-i", "127.0.0.1", "-mi", "127.0.0.1",
                                     "-p", std::to_string(sipp_ports.at(3 * i)),
                                     "-mp", std::to_string(sipp_ports.at(3 * i + 1)),
                                     "-cp", std::to_string(sipp_ports.at(3 * i + 2)),
                                     "-m", std::to_string(share(load.calls, i, count)),
                                     "-l", std::to_string(std::max<std::uint64_t>(1, share(concurrency, i, count))),
                                     "-r", decimal(load.rate / count), "-rp", "1000",
                                     "-d", std::to_string(load.hold_ms),
                                     // Later than the case's own limit, which stops SIPp and says so.
                                     "-timeout", std::to_string(static_cast<long>(std::ceil(plan.time_limit_s)) + 30),
                                     "-timeout_error", "-nostdin", "-max_socket", "65000",
                                     "-trace_stat", "-stf", (plan.dir / ("caller-" + tag + ".stat.csv")).string(),
                                     "-fd", decimal(plan.stats_period_s),
                                     "-trace_err", "-error_file", (plan.dir / ("caller-" + tag + ".errors.log")).string()};
    if (load.ramp_to > 0) {
      // SIPp raises the rate every -fd seconds; without -no_rate_quit it would stop at the top rate. Both values
      // are whole numbers for SIPp 3.6.1 ("is not a valid integer"), so each process' share is rounded.
      const auto whole = [&](double total) { return std::to_string(std::max(1L, std::lround(total / count))); };
      argv.insert(argv.end(), {"-rate_increase", whole(load.ramp_step), "-rate_max", whole(load.ramp_to),
                               "-no_rate_quit"});
    }
    if (!plan.operator_uri.empty()) {
      // -set, not -key: the transfer scenario has defaults for them (scenarios/moh_caller_transfer.xml).
      argv.insert(argv.end(), {"-set", "talk_ms", std::to_string(spec.operators.talk_ms), "-set", "ring_ms",
                               std::to_string(spec.operators.ring_ms), "-set", "requeue_ms",
                               std::to_string(spec.operators.requeue_ms), "-recv_timeout",
                               std::to_string(load.hold_ms)});
    }
    argv.push_back(plan.sut_host + ":" + std::to_string(plan.sut_port));
    lines.push_back(std::move(argv));
  }
  return lines;
}

Expected<std::vector<SippProcess>, std::string> start_callers(const LoadCaseSpec& spec, const FleetPlan& plan) {
  const unsigned count = caller_processes(spec.callers);
  std::vector<std::uint16_t> ports;
  for (unsigned i = 0; i < count; ++i) {
    auto free = free_sipp_ports();
    if (!free) return Unexpected(free.error());
    ports.insert(ports.end(), {free->sip, free->media, free->control});
  }
  std::vector<SippProcess> callers;
  const auto lines = caller_command_lines(spec, plan, ports);
  for (unsigned i = 0; i < count; ++i) {
    const std::string tag = std::to_string(i + 1);
    SippProcess sipp;
    sipp.role = "caller " + tag;
    sipp.argv = lines[i];
    sipp.stat_file = plan.dir / ("caller-" + tag + ".stat.csv");
    sipp.error_file = plan.dir / ("caller-" + tag + ".errors.log");
    sipp.output_file = plan.dir / ("caller-" + tag + ".out");
    auto started = spawn(std::move(sipp), plan);
    if (!started) return Unexpected(started.error());
    callers.push_back(std::move(*started));
  }
  return callers;
}

Expected<SippProcess, std::string> start_operator(const LoadCaseSpec& spec, const FleetPlan& plan,
                                                  std::string* operator_uri) {
  auto ports = free_sipp_ports();
  if (!ports) return Unexpected(ports.error());
  SippProcess sipp;
  sipp.role = "operator (" + spec.operators.behaviour + ")";
  sipp.stat_file = plan.dir / "operator.stat.csv";
  sipp.error_file = plan.dir / "operator.errors.log";
  sipp.output_file = plan.dir / "operator.out";
  sipp.argv = {plan.sipp, "-sf", (plan.scenarios_dir / ("operator_" + spec.operators.behaviour + ".xml")).string(),
               "-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", std::to_string(ports->sip),
               "-mp", std::to_string(ports->media), "-cp", std::to_string(ports->control),
               // The callers' operator dialogs use Call-ID "op<n>///<queue call-id>" (one SIPp call, two dialogs).
               "-callid_slash_ign", "-nostdin", "-max_socket", "65000",
               "-trace_stat", "-stf", sipp.stat_file.string(), "-fd", decimal(plan.stats_period_s),
               "-trace_err", "-error_file", sipp.error_file.string()};
  if (operator_uri != nullptr) *operator_uri = "sip:operator@127.0.0.1:" + std::to_string(ports->sip);
  return spawn(std::move(sipp), plan);
}

}  // namespace mohq::harness
