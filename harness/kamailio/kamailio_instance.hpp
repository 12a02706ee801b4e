// A real Kamailio (Debian's /usr/sbin/kamailio) running a generated mohqueue configuration in the
// foreground, owned by this object and stopped by its pid.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "base/expected.hpp"
#include "kamailio/kamailio_config.hpp"
#include "process/child_process.hpp"

namespace mohq::kamailio {

struct KamailioLaunch {
  std::filesystem::path binary = "/usr/sbin/kamailio";
  int shm_mb = 64;  // -m: shared memory; mohqueue's call array and tm live here
  int pkg_mb = 8;   // -M: private memory per process
  // Until the SIP port answers OPTIONS with 200 (a worker has finished its start-up, rtpproxy probe included).
  std::chrono::milliseconds ready_timeout = std::chrono::milliseconds(15000);
};

class KamailioInstance {
 public:
  // Writes kamailio.cfg and mohqueue.sqlite into dir, runs Kamailio with runtime dir and pid file in
  // dir/run and all output (-E, log_stderror) in dir/kamailio.log, and waits until it answers OPTIONS.
  // Start the rtpproxy first (wait_for_rtpproxy). Errors carry the tail of the log.
  static Expected<KamailioInstance, std::string> start(const KamailioConfig& config, const std::filesystem::path& dir,
                                                       const KamailioLaunch& launch = {});

  KamailioInstance(KamailioInstance&&) = default;
  KamailioInstance& operator=(KamailioInstance&&) = default;
  // Stops Kamailio if still running.
  ~KamailioInstance() = default;

  pid_t pid() const { return process_.pid(); }
  bool running() { return process_.running(); }
  const KamailioConfig& config() const { return config_; }
  const GeneratedConfig& files() const { return files_; }
  const std::filesystem::path& log_path() const { return log_path_; }
  std::string log_text() const;

  // SIGTERM (Kamailio's main process stops its workers), SIGKILL to the group after grace.
  process::ExitStatus stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

 private:
  KamailioInstance(process::ChildProcess process, KamailioConfig config, GeneratedConfig files,
                   std::filesystem::path log_path)
      : process_(std::move(process)), config_(std::move(config)), files_(std::move(files)),
        log_path_(std::move(log_path)) {}

  process::ChildProcess process_;
  KamailioConfig config_;
  GeneratedConfig files_;
  std::filesystem::path log_path_;
};

// What counts as an answer to the OPTIONS probe: a 200 (our generated config's readiness), or any response
// (a SUT we did not configure: a 404 or 405 still says a SIP server listens there).
enum class OptionsAnswer { ok_200, any };

// Sends SIP OPTIONS to sip:mohq-ping@host:port until an answer comes back or timeout passes.
Expected<Done, std::string> wait_for_sip_options(const std::string& host, std::uint16_t port,
                                                 std::chrono::milliseconds timeout,
                                                 process::ChildProcess* watched = nullptr,
                                                 OptionsAnswer wanted = OptionsAnswer::ok_200);

// The last max_bytes of a log file ("" if unreadable), for error messages.
std::string tail_of_file(const std::filesystem::path& path, std::size_t max_bytes = 4000);

}  // namespace mohq::kamailio
