#include "net/signals.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace mohq::net {

SignalSet::SignalSet(std::initializer_list<int> signals) {
  sigset_t mask;
  sigemptyset(&mask);
  for (int signal_number : signals) {
    if (sigaddset(&mask, signal_number) != 0) {
      throw std::system_error(errno, std::generic_category(),
                              "signal " + std::to_string(signal_number) + " cannot be blocked");
    }
  }
  // Blocked signals stay pending for signalfd instead of running a handler (or the default action).
  // They stay blocked after this object is gone: unblocking during shutdown would let a second SIGTERM
  // kill the process half way. Threads started later inherit the mask, so none of them takes the signal.
  if (const int error = ::pthread_sigmask(SIG_BLOCK, &mask, nullptr); error != 0) {
    throw std::system_error(error, std::generic_category(), "pthread_sigmask");
  }
  fd_.reset(::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd_.valid()) throw std::system_error(errno, std::generic_category(), "signalfd");
}

std::optional<int> SignalSet::next() {
  signalfd_siginfo info{};
  for (;;) {
    const auto got = ::read(fd_.get(), &info, sizeof info);
    if (got == static_cast<ssize_t>(sizeof info)) return static_cast<int>(info.ssi_signo);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) return std::nullopt;
    throw std::system_error(got < 0 ? errno : EIO, std::generic_category(), "read signalfd");
  }
}

}  // namespace mohq::net
