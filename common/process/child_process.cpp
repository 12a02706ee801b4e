#include "process/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>

extern char** environ;

namespace mohq::process {
namespace {

// close_range(2) flag, absent from older kernel headers.
constexpr unsigned kCloseRangeCloexec = 1u << 2;

std::string errno_text(int error) { return std::strerror(error); }

// PATH lookup in the parent: execvp in the child may allocate, which is not async-signal-safe after fork.
std::string resolve_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path_env = std::getenv("PATH");
  std::string path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    struct stat info {};
    if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    start = end + 1;
  }
  return name;  // execve fails with ENOENT and the error names it
}

std::vector<std::string> merged_environment(const std::vector<std::pair<std::string, std::string>>& additions) {
  std::vector<std::string> result;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    std::string_view name = text.substr(0, text.find('='));
    bool replaced = false;
    for (const auto& [key, value] : additions) replaced = replaced || key == name;
    if (!replaced) result.emplace_back(text);
  }
  for (const auto& [key, value] : additions) result.push_back(key + "=" + value);
  return result;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> result;
  result.reserve(strings.size() + 1);
  for (auto& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

// A descriptor closed on scope exit (parent side of spawn).
struct ScopedFd {
  int fd = -1;
  ScopedFd() = default;
  explicit ScopedFd(int f) : fd(f) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    if (fd >= 0) ::close(fd);
  }
};

Expected<int, std::string> open_output(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Unexpected{"cannot open " + path.string() + " for writing: " + errno_text(errno)};
  return fd;
}

ExitStatus decode(int raw) {
  if (WIFSIGNALED(raw)) return {ExitStatus::Kind::signaled, WTERMSIG(raw)};
  return {ExitStatus::Kind::exited, WEXITSTATUS(raw)};
}

[[noreturn]] void report_exec_failure(int error_pipe, int error) {
  [[maybe_unused]] ssize_t ignored = ::write(error_pipe, &error, sizeof error);
  ::_exit(127);
}

// Only async-signal-safe calls from here to execve: the parent may have other threads.
[[noreturn]] void exec_child(pid_t parent, int stdin_fd, int stdout_fd, int stderr_fd, const char* working_dir,
                             const char* program, char* const* argv, char* const* envp, int error_pipe) {
  auto fail = [error_pipe](int error) { report_exec_failure(error_pipe, error); };
  ::setpgid(0, 0);
  // The parent thread dying (a crashed or killed test) stops the child; the check closes the race where the
  // parent died before prctl ran.
  if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) fail(errno);
  if (::getppid() != parent) ::_exit(127);

  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &default_action, nullptr);
  }
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);

  if (::dup2(stdin_fd, 0) < 0) fail(errno);
  if (stdout_fd >= 0 && ::dup2(stdout_fd, 1) < 0) fail(errno);
  if (stderr_fd >= 0 && ::dup2(stderr_fd, 2) < 0) fail(errno);
  if (working_dir != nullptr && ::chdir(working_dir) != 0) fail(errno);

  // Sockets the parent opened without O_CLOEXEC (e.g. a test's RTP receiver) must not live on in a daemon.
  if (::syscall(SYS_close_range, 3u, ~0u, kCloseRangeCloexec) != 0) {
    for (int fd = 3; fd < 4096; ++fd) {
      if (fd != error_pipe) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
  }
  ::execve(program, argv, envp);
  report_exec_failure(error_pipe, errno);
}

}  // namespace

std::string ExitStatus::describe() const {
  if (kind == Kind::exited) return "exit code " + std::to_string(value);
  const char* name = ::strsignal(value);
  return "signal " + std::to_string(value) + " (" + (name != nullptr ? name : "?") + ")";
}

Expected<ChildProcess, std::string> ChildProcess::spawn(const SpawnOptions& options) {
  if (options.argv.empty() || options.argv[0].empty()) return Unexpected{std::string("spawn: empty argv")};
  std::string program = resolve_program(options.argv[0]);
  std::vector<std::string> argv_strings = options.argv;
  std::vector<std::string> env_strings = merged_environment(options.env);
  std::vector<char*> argv = pointers_to(argv_strings);
  std::vector<char*> envp = pointers_to(env_strings);

  ScopedFd stdin_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (stdin_fd.fd < 0) return Unexpected{"cannot open /dev/null: " + errno_text(errno)};
  ScopedFd stdout_fd;
  ScopedFd stderr_fd;
  if (!options.stdout_path.empty()) {
    auto fd = open_output(options.stdout_path);
    if (!fd) return Unexpected{fd.error()};
    stdout_fd.fd = *fd;
  }
  int stderr_raw = -1;
  if (!options.stderr_path.empty()) {
    if (options.stderr_path == options.stdout_path) {
      stderr_raw = stdout_fd.fd;
    } else {
      auto fd = open_output(options.stderr_path);
      if (!fd) return Unexpected{fd.error()};
      stderr_fd.fd = *fd;
      stderr_raw = *fd;
    }
  }

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Unexpected{"pipe2: " + errno_text(errno)};
  ScopedFd error_read(pipe_fds[0]);
  ScopedFd error_write(pipe_fds[1]);

  const char* working_dir = options.working_dir.empty() ? nullptr : options.working_dir.c_str();
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return Unexpected{"fork for " + program + ": " + errno_text(errno)};
  if (pid == 0) {
    exec_child(parent, stdin_fd.fd, stdout_fd.fd, stderr_raw, working_dir, program.c_str(), argv.data(),
               envp.data(), error_write.fd);
  }
  // Avoid the same race from the parent side: the group exists before anyone signals it.
  ::setpgid(pid, pid);
  ::close(error_write.fd);
  error_write.fd = -1;

  int child_errno = 0;
  ssize_t got;
  do {
    got = ::read(error_read.fd, &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  if (got > 0) {
    int raw = 0;
    while (::waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
    }
    return Unexpected{"cannot execute " + program + ": " + errno_text(child_errno)};
  }
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  return ChildProcess(pid, pidfd, std::move(program));
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::exchange(other.pidfd_, -1)),
      program_(std::move(other.program_)),
      status_(std::exchange(other.status_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !status_) terminate();
    release();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::exchange(other.pidfd_, -1);
    program_ = std::move(other.program_);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) terminate();
  release();
}

void ChildProcess::release() {
  if (pidfd_ >= 0) ::close(pidfd_);
  pidfd_ = -1;
}

bool ChildProcess::try_reap() {
  if (status_) return true;
  if (pid_ <= 0) return false;
  int raw = 0;
  pid_t got;
  do {
    got = ::waitpid(pid_, &raw, WNOHANG);
  } while (got < 0 && errno == EINTR);
  if (got == pid_) {
    status_ = decode(raw);
    release();
    return true;
  }
  if (got < 0 && errno == ECHILD) {
    // Someone else reaped it (a SIGCHLD=SIG_IGN parent): report it as gone rather than waiting for ever.
    status_ = ExitStatus{ExitStatus::Kind::exited, -1};
    release();
    return true;
  }
  return false;
}

bool ChildProcess::running() { return !try_reap(); }

std::optional<ExitStatus> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  while (!try_reap()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    if (pidfd_ >= 0) {
      pollfd p{pidfd_, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(left.count()) + 1);
    } else {
      // Kernels before 5.3: no pidfd, so look again every few milliseconds.
      std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(5)));
    }
  }
  return status_;
}

void ChildProcess::kill_leftover_group() {
  // The child led its own group; processes it forked (Kamailio's workers) may outlive it after a SIGKILL.
  if (pid_ > 0 && ::kill(-pid_, 0) == 0) ::kill(-pid_, SIGKILL);
}

ExitStatus ChildProcess::terminate(std::chrono::milliseconds grace) {
  if (try_reap()) return *status_;
  ::kill(pid_, SIGTERM);
  if (!wait_for(grace)) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    // SIGKILL cannot be caught; the bound only guards against an unkillable (D-state) process.
    if (!wait_for(std::chrono::milliseconds(5000))) {
      status_ = ExitStatus{ExitStatus::Kind::signaled, SIGKILL};
      release();
    }
  }
  // Only right after our own stop: once the group is empty its id could in principle be reused.
  kill_leftover_group();
  return *status_;
}

}  // namespace mohq::process
