// signalfd for SIGTERM/SIGINT/SIGHUP so a daemon exits cleanly from its event loop.
#pragma once

#include <initializer_list>
#include <optional>

#include "net/fd.hpp"

namespace mohq::net {

class SignalSet {
 public:
  // Blocks the signals for the calling thread (call before starting other threads) and opens a signalfd.
  explicit SignalSet(std::initializer_list<int> signals);
  int fd() const { return fd_.get(); }
  // The next pending signal number, or nullopt.
  std::optional<int> next();

 private:
  Fd fd_;
};

}  // namespace mohq::net
