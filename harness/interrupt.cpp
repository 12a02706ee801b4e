#include "harness/interrupt.hpp"

#include <csignal>
#include <unistd.h>

namespace mohq::harness {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_interrupt(int signal) {
  if (g_interrupted != 0) {
    std::signal(signal, SIG_DFL);
    ::raise(signal);
    return;
  }
  g_interrupted = 1;
  constexpr char kMessage[] = "\nmohq run: interrupted, stopping the running case (Ctrl-C again to quit now)\n";
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

}  // namespace

void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // the suites' blocking waits continue; they poll the flag themselves
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() { return g_interrupted != 0; }

}  // namespace mohq::harness
