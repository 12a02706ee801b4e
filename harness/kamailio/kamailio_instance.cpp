#include "kamailio/kamailio_instance.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

#include "kamailio/connected_udp.hpp"

namespace mohq::kamailio {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string options_request(const std::string& host, std::uint16_t port, std::uint16_t local_port, int attempt) {
  const std::string h = detail::bracket_ipv6(host);
  const std::string id = std::to_string(::getpid()) + "-" + std::to_string(attempt);
  std::string target = "sip:mohq-ping@" + h + ":" + std::to_string(port);
  return "OPTIONS " + target + " SIP/2.0\r\n" +
         "Via: SIP/2.0/UDP " + h + ":" + std::to_string(local_port) + ";branch=z9hG4bK-mohq-ready-" + id + ";rport\r\n" +
         "From: <sip:mohq-harness@" + h + ">;tag=ready" + id + "\r\n" +
         "To: <" + target + ">\r\n" +
         "Call-ID: mohq-ready-" + id + "@" + h + "\r\n" +
         "CSeq: 1 OPTIONS\r\n"
         "Max-Forwards: 70\r\n"
         "Content-Length: 0\r\n\r\n";
}

}  // namespace

std::string tail_of_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::string text = read_file(path);
  if (text.size() > max_bytes) text = "..." + text.substr(text.size() - max_bytes);
  return text;
}

Expected<Done, std::string> wait_for_sip_options(const std::string& host, std::uint16_t port,
                                                 std::chrono::milliseconds timeout, process::ChildProcess* watched,
                                                 OptionsAnswer wanted) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  auto socket = detail::ConnectedUdpSocket::connect(host, port);
  if (!socket) return Unexpected{socket.error()};
  // Every probe of this process a new transaction (a SUT probed twice must not take the second for a
  // retransmission of the first).
  static std::atomic<int> probes{0};
  for (int attempt = probes.fetch_add(1000); Clock::now() < deadline; ++attempt) {
    if (watched != nullptr && !watched->running()) {
      return Unexpected{watched->program() + " exited (" + watched->exit_status()->describe() +
                        ") before answering OPTIONS on " + host + ":" + std::to_string(port)};
    }
    socket->send(options_request(host, port, socket->local_port(), attempt));
    const std::string call_id = "Call-ID: mohq-ready-" + std::to_string(::getpid()) + "-" + std::to_string(attempt);
    const auto attempt_end = std::min(deadline, Clock::now() + std::chrono::milliseconds(250));
    while (Clock::now() < attempt_end) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(attempt_end - Clock::now());
      auto reply = socket->receive(std::max(left, std::chrono::milliseconds(1)));
      if (!reply) {
        // Nothing bound yet gives an immediate ICMP error: do not spin on it.
        std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
        continue;
      }
      const bool accepted = reply->rfind(wanted == OptionsAnswer::any ? "SIP/2.0 " : "SIP/2.0 200", 0) == 0;
      if (accepted && reply->find(call_id) != std::string::npos) return Done{};
    }
  }
  return Unexpected{std::string(wanted == OptionsAnswer::any ? "no answer" : "no 200") + " to OPTIONS from " + host +
                    ":" + std::to_string(port) + " within " +
                    std::to_string(timeout.count()) + " ms"};
}

Expected<KamailioInstance, std::string> KamailioInstance::start(const KamailioConfig& config,
                                                                const std::filesystem::path& dir,
                                                                const KamailioLaunch& launch) {
  std::error_code error;
  const std::filesystem::path run_dir = std::filesystem::absolute(dir / "run");
  std::filesystem::create_directories(run_dir, error);
  if (error) return Unexpected{"cannot create " + run_dir.string() + ": " + error.message()};
  auto files = write_kamailio_config(config, dir);
  if (!files) return Unexpected{files.error()};
  const std::filesystem::path log_path = std::filesystem::absolute(dir / "kamailio.log");

  process::SpawnOptions options;
  // -DD: stay in the foreground as the process we started (its workers are its children), so stopping
  //      this pid stops them all; -E: log to stderr; -Y: runtime dir (default /run/kamailio may not exist and
  //      is shared with a packaged instance); -P: pid file; -w: working directory for core files.
  options.argv = {launch.binary.string(), "-f", files->cfg.string(), "-DD", "-E",
                  "-Y", run_dir.string(), "-P", (run_dir / "kamailio.pid").string(),
                  "-w", run_dir.string(), "-m", std::to_string(launch.shm_mb), "-M", std::to_string(launch.pkg_mb)};
  options.stdout_path = log_path;
  options.stderr_path = log_path;
  auto process = process::ChildProcess::spawn(options);
  if (!process) return Unexpected{process.error()};

  auto ready = wait_for_sip_options(config.listen_host, config.sip_port, launch.ready_timeout, &*process);
  if (!ready) {
    process->terminate(std::chrono::milliseconds(2000));
    return Unexpected{"Kamailio did not become ready: " + ready.error() + "\n--- " + log_path.string() + " ---\n" +
                      tail_of_file(log_path)};
  }
  return KamailioInstance(std::move(*process), config, std::move(*files), log_path);
}

std::string KamailioInstance::log_text() const { return read_file(log_path_); }

process::ExitStatus KamailioInstance::stop(std::chrono::milliseconds grace) { return process_.terminate(grace); }

}  // namespace mohq::kamailio
