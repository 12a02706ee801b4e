// A child process owned by one object: started with fork/exec, reaped exactly once, stopped by its pid.
// Used by harnesses and integration tests to run Kamailio, fake-rtpproxy, SIPp and sox with every wait bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/expected.hpp"

namespace mohq::process {

struct SpawnOptions {
  // argv[0] is the program: a path, or a bare name looked up in PATH (before fork, so the child only execs).
  std::vector<std::string> argv;
  // Added to (or replacing the same names in) the parent's environment.
  std::vector<std::pair<std::string, std::string>> env;
  // Empty: inherit the parent's stream. The same path for both gives one interleaved log (opened once).
  // Files are created or truncated.
  std::filesystem::path stdout_path;
  std::filesystem::path stderr_path;
  // Empty: the parent's working directory.
  std::filesystem::path working_dir;
};

// How a reaped child ended.
struct ExitStatus {
  enum class Kind { exited, signaled };
  Kind kind = Kind::exited;
  int value = 0;  // exit code or signal number

  bool success() const { return kind == Kind::exited && value == 0; }
  bool exited_with(int code) const { return kind == Kind::exited && value == code; }
  std::string describe() const;  // "exit code 1", "signal 9 (Killed)"
};

class ChildProcess {
 public:
  // Errors name the program and the reason ("cannot execute /usr/sbin/kamailio: No such file or directory").
  // The child gets its own process group (Ctrl-C in a terminal reaches only the parent), all signal
  // dispositions and the signal mask reset, every descriptor above 2 closed, and SIGTERM if the thread that
  // spawned it dies (PR_SET_PDEATHSIG), so a crashed test does not leave daemons behind.
  static Expected<ChildProcess, std::string> spawn(const SpawnOptions& options);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Terminates (default grace) if still running.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  const std::string& program() const { return program_; }

  // Reaps without blocking if the child has ended.
  bool running();
  // Blocks at most timeout; the exit status once the child has ended (it is then reaped).
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
  // The status once reaped, without waiting.
  const std::optional<ExitStatus>& exit_status() const { return status_; }

  // SIGTERM to the pid; after grace, SIGKILL to its process group (the child and anything it forked that is
  // still in the group). Always returns the reaped status; idempotent.
  ExitStatus terminate(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

 private:
  ChildProcess(pid_t pid, int pidfd, std::string program) : pid_(pid), pidfd_(pidfd), program_(std::move(program)) {}
  bool try_reap();
  void kill_leftover_group();
  void release();

  pid_t pid_ = -1;
  int pidfd_ = -1;  // pidfd_open(2) descriptor for waiting without polling; -1 if the kernel lacks it
  std::string program_;
  std::optional<ExitStatus> status_;
};

}  // namespace mohq::process
