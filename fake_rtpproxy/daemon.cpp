#include "fake_rtpproxy/daemon.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <algorithm>
#include <random>
#include <thread>

#include "net/event_loop.hpp"
#include "net/signals.hpp"
#include "fake_rtpproxy/control_server.hpp"
#include "fake_rtpproxy/engine.hpp"
#include "fake_rtpproxy/log.hpp"
#include "fake_rtpproxy/rtp_faults.hpp"

namespace mohq::fake_rtpproxy {
namespace {

// Every session holds four sockets: thousands of sessions need more descriptors than the usual soft limit.
void raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

bool write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int run_daemon(const Options& options) {
  set_log_level(options.log_level);
  raise_descriptor_limit();
  ::signal(SIGPIPE, SIG_IGN);  // a unix client that hangs up before its reply must not kill us
  net::SignalSet signals({SIGTERM, SIGINT, SIGHUP});
  net::EventLoop loop;

  EngineConfig config;
  config.ipv4_address = options.listen_ipv4;
  config.ipv6_address = options.listen_ipv6;
  config.advertised_address = options.advertised_address;
  config.port_min = options.port_min;
  config.port_max = options.port_max;
  config.sequential_ports = options.sequential_ports;
  config.force_asymmetric = options.force_asymmetric;
  config.session_ttl_s = options.session_ttl_s;
  config.setup_ttl_s = options.setup_ttl_s.value_or(options.session_ttl_s);
  config.seed = options.seed.value_or(std::random_device{}());
  config.media_threads = options.media_threads > 0
                             ? options.media_threads
                             : static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  config.media_nice = options.media_nice;
  for (const auto& spec : options.control) {
    if (spec.port) {
      // rtpproxy-protocol.md §4.3: the control port and the one below it are never media ports.
      config.excluded_ports.push_back(spec.port);
      config.excluded_ports.push_back(spec.port - 1);
    }
  }

  Engine engine(loop, config);
  if (!options.faults.empty()) {
    rtpp::FaultCommand faults;
    faults.settings = options.faults;
    if (std::holds_alternative<rtpp::ErrorReply>(engine.execute(faults))) {
      std::cerr << "fake-rtpproxy: --fault: invalid setting (run with -d INFO for the reason)\n";
      return 2;
    }
  }
  auto control = ControlServer::open(loop, engine, options.control);
  if (!control) {
    std::cerr << "fake-rtpproxy: " << control.error() << "\n";
    return 1;
  }
  if (!options.pid_file.empty() && !write_text_file(options.pid_file, std::to_string(::getpid()) + "\n")) {
    std::cerr << "fake-rtpproxy: cannot write pid file " << options.pid_file << "\n";
    return 1;
  }

  loop.add(signals.fd(), net::kReadable, [&](std::uint32_t) {
    while (auto signal_number = signals.next()) {
      FRTPP_LOG(Info) << "signal " << *signal_number << " received, exiting";
      loop.stop();
    }
  });
  std::string listening;
  for (const auto& spec : options.control) listening += " " + spec.text;
  FRTPP_LOG(Info) << "fake-rtpproxy ready: control" << listening << ", media " << options.listen_ipv4
                  << (options.listen_ipv6.empty() ? "" : " " + options.listen_ipv6) << " ports " << options.port_min
                  << "-" << options.port_max + 1;
  loop.run();
  loop.remove(signals.fd());

  Stats final_stats = engine.stats();
  std::size_t sessions = engine.active_sessions();
  std::size_t players = engine.active_players();
  control->reset();
  if (!options.stats_json.empty() && !write_text_file(options.stats_json, final_stats.to_json(sessions, players))) {
    std::cerr << "fake-rtpproxy: cannot write " << options.stats_json << "\n";
    return 1;
  }
  if (!options.pid_file.empty()) ::unlink(options.pid_file.c_str());
  return 0;
}

}  // namespace mohq::fake_rtpproxy
