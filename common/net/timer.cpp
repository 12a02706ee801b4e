#include "net/timer.hpp"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace mohq::net {

namespace {

timespec to_timespec(std::chrono::nanoseconds duration) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration);
  timespec result{};
  result.tv_sec = static_cast<time_t>(seconds.count());
  result.tv_nsec = static_cast<long>((duration - seconds).count());
  return result;
}

// An all-zero it_value disarms a timerfd; a deadline that is due now (or long past) must fire instead.
std::chrono::nanoseconds at_least_one_tick(std::chrono::nanoseconds value) {
  return value > std::chrono::nanoseconds::zero() ? value : std::chrono::nanoseconds(1);
}

void set_time(int fd, int flags, const itimerspec& spec) {
  if (::timerfd_settime(fd, flags, &spec, nullptr) != 0) {
    throw std::system_error(errno, std::generic_category(), "timerfd_settime");
  }
}

}  // namespace

Timer::Timer() : fd_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
  if (!fd_.valid()) throw std::system_error(errno, std::generic_category(), "timerfd_create");
}

void Timer::arm_at(TimePoint deadline) {
  // steady_clock counts from the same origin as CLOCK_MONOTONIC on Linux (libstdc++ and libc++ both read
  // clock_gettime(CLOCK_MONOTONIC)), so its time_since_epoch is the absolute timerfd value.
  itimerspec spec{};
  spec.it_value = to_timespec(at_least_one_tick(deadline.time_since_epoch()));
  set_time(fd_.get(), TFD_TIMER_ABSTIME, spec);
}

void Timer::arm_after(std::chrono::nanoseconds delay) {
  itimerspec spec{};
  spec.it_value = to_timespec(at_least_one_tick(delay));
  set_time(fd_.get(), 0, spec);
}

void Timer::arm_every(std::chrono::nanoseconds period) {
  if (period <= std::chrono::nanoseconds::zero()) {
    throw std::invalid_argument("Timer::arm_every: the period must be positive");
  }
  // The kernel schedules each expiry from the previous one, not from when it was read: no drift.
  itimerspec spec{};
  spec.it_value = to_timespec(period);
  spec.it_interval = to_timespec(period);
  set_time(fd_.get(), 0, spec);
}

void Timer::disarm() {
  // Also drops expirations not yet acknowledged: timerfd_settime resets the count.
  set_time(fd_.get(), 0, itimerspec{});
}

std::uint64_t Timer::acknowledge() {
  std::uint64_t expirations = 0;
  for (;;) {
    const auto got = ::read(fd_.get(), &expirations, sizeof expirations);
    if (got == static_cast<ssize_t>(sizeof expirations)) return expirations;
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) return 0;
    throw std::system_error(got < 0 ? errno : EIO, std::generic_category(), "read timerfd");
  }
}

}  // namespace mohq::net
