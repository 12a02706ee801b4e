// Small vocabulary shared by the net tests: bounded waits, descriptor flags, a scratch directory, IPv6.
#pragma once

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <string>

#include "net/event_loop.hpp"

namespace mohq::net::test {

// Upper bound for anything that should happen "at once" on the loopback; generous so a loaded CI machine
// never turns a correct result into a failure.
inline constexpr std::chrono::seconds kPatience{5};

// poll(2) for readability; false when nothing arrived within timeout.
bool wait_readable(int fd, std::chrono::milliseconds timeout = kPatience);

// Runs loop batches until done() holds or timeout passes; returns done().
bool run_until(EventLoop& loop, const std::function<bool()>& done, std::chrono::milliseconds timeout = kPatience);

bool is_cloexec(int fd);
bool is_nonblocking(int fd);
bool is_open(int fd);  // fcntl(F_GETFD) on the number, no other side effect

// mkdtemp under $TMPDIR (or /tmp), removed with its contents on destruction.
class ScratchDirectory {
 public:
  ScratchDirectory();
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  ~ScratchDirectory();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Precondition for IPv6 tests: ::1 must be bindable. When it is not, Boost.Test reports the test as
// skipped with the reason (never a silent pass); MOHQ_REQUIRE_IPV6=1 turns that skip into a failure.
struct Ipv6LoopbackAvailable {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const;
};

}  // namespace mohq::net::test
