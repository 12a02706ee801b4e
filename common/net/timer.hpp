// timerfd timers on CLOCK_MONOTONIC. Absolute deadlines keep periodic work from drifting.
#pragma once

#include <chrono>
#include <cstdint>

#include "net/fd.hpp"

namespace mohq::net {

using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC on Linux, the same clock timerfd uses
using TimePoint = Clock::time_point;

class Timer {
 public:
  Timer();  // throws std::system_error if timerfd_create fails
  int fd() const { return fd_.get(); }
  void arm_at(TimePoint deadline);                      // one shot, absolute
  void arm_after(std::chrono::nanoseconds delay);       // one shot, relative
  void arm_every(std::chrono::nanoseconds period);      // periodic, first expiry after one period
  void disarm();
  // Reads the expiration count (0 if the timer had not expired: the fd is non-blocking).
  std::uint64_t acknowledge();

 private:
  Fd fd_;
};

}  // namespace mohq::net
