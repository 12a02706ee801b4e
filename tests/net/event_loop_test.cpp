// EventLoop: dispatch, changes to the registrations while a batch is dispatched, stop from anywhere.
#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <set>
#include <system_error>
#include <thread>

#include "net/event_loop.hpp"
#include "net/timer.hpp"
#include "net_test_support.hpp"

namespace mohq::net {
namespace {

using namespace std::chrono_literals;

// An eventfd that is readable from the start (counter 1) and stays so (level-triggered) until read.
Fd readable_fd() {
  Fd fd(::eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC));
  BOOST_REQUIRE(fd.valid());
  return fd;
}

Fd quiet_fd() {
  Fd fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  BOOST_REQUIRE(fd.valid());
  return fd;
}

// A timer that stops the loop after kPatience, so a broken stop() fails the test instead of hanging it.
struct Watchdog {
  explicit Watchdog(EventLoop& loop) : loop_(loop) {
    timer.arm_after(test::kPatience);
    loop_.add(timer.fd(), kReadable, [this](std::uint32_t) {
      timer.acknowledge();
      fired = true;
      loop_.stop();
    });
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() { loop_.remove(timer.fd()); }

  EventLoop& loop_;
  Timer timer;
  bool fired = false;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(event_loop)

BOOST_AUTO_TEST_CASE(dispatches_readable_and_counts_handlers) {
  EventLoop loop;
  BOOST_TEST(loop.run_once(0) == 0);
  const auto a = readable_fd();
  const auto b = readable_fd();
  int a_calls = 0;
  int b_calls = 0;
  std::uint32_t a_events = 0;
  loop.add(a.get(), kReadable, [&](std::uint32_t events) { ++a_calls; a_events = events; });
  loop.add(b.get(), kReadable, [&](std::uint32_t) { ++b_calls; });
  BOOST_TEST(loop.run_once(1000) == 2);
  BOOST_TEST(a_calls == 1);
  BOOST_TEST(b_calls == 1);
  BOOST_TEST(a_events == static_cast<std::uint32_t>(kReadable));
  // Level-triggered: nothing was read, so both are reported again.
  BOOST_TEST(loop.run_once(1000) == 2);
  loop.remove(a.get());
  loop.remove(b.get());
  BOOST_TEST(loop.run_once(0) == 0);
}

BOOST_AUTO_TEST_CASE(handler_removing_itself_and_another_in_the_same_batch) {
  EventLoop loop;
  const auto a = readable_fd();
  const auto b = readable_fd();
  int calls = 0;
  // Whichever runs first removes both; the other's event is already in the batch and must be dropped.
  auto remove_both = [&](std::uint32_t) {
    ++calls;
    loop.remove(a.get());
    loop.remove(b.get());
  };
  loop.add(a.get(), kReadable, remove_both);
  loop.add(b.get(), kReadable, remove_both);
  BOOST_TEST(loop.run_once(1000) == 1);
  BOOST_TEST(calls == 1);
  BOOST_TEST(loop.run_once(0) == 0);  // both still readable, neither registered
  BOOST_TEST(calls == 1);
}

BOOST_AUTO_TEST_CASE(removed_fd_number_reused_in_the_same_batch_does_not_get_the_old_event) {
  EventLoop loop;
  const auto a = readable_fd();
  const auto b = readable_fd();
  const auto replacement = quiet_fd();
  int first_calls = 0;
  int new_handler_calls = 0;
  // The first handler retires the other fd and, at the very same number, registers a quiet descriptor
  // with a new handler. The old readable event for that number is stale: the new handler must not see it.
  auto retire_other = [&](int other) {
    return [&, other](std::uint32_t) {
      ++first_calls;
      loop.remove(a.get());
      loop.remove(b.get());
      BOOST_REQUIRE(::dup3(replacement.get(), other, O_CLOEXEC) == other);
      loop.add(other, kReadable, [&](std::uint32_t) { ++new_handler_calls; });
    };
  };
  loop.add(a.get(), kReadable, retire_other(b.get()));
  loop.add(b.get(), kReadable, retire_other(a.get()));
  BOOST_TEST(loop.run_once(1000) == 1);
  BOOST_TEST(first_calls == 1);
  BOOST_TEST(new_handler_calls == 0);
  BOOST_TEST(loop.run_once(0) == 0);  // the replacement is quiet
  BOOST_TEST(new_handler_calls == 0);
}

BOOST_AUTO_TEST_CASE(handler_may_add_a_descriptor) {
  EventLoop loop;
  const auto a = readable_fd();
  const auto b = readable_fd();
  int b_calls = 0;
  loop.add(a.get(), kReadable, [&](std::uint32_t) {
    loop.remove(a.get());
    loop.add(b.get(), kReadable, [&](std::uint32_t) { ++b_calls; });
  });
  BOOST_TEST(loop.run_once(1000) == 1);
  BOOST_TEST(b_calls == 0);
  BOOST_TEST(loop.run_once(1000) == 1);
  BOOST_TEST(b_calls == 1);
}

BOOST_AUTO_TEST_CASE(modify_switches_between_readable_and_writable) {
  EventLoop loop;
  const auto fd = quiet_fd();  // an eventfd is writable while its counter can grow
  std::uint32_t seen = 0;
  loop.add(fd.get(), kWritable, [&](std::uint32_t events) { seen = events; });
  BOOST_TEST(loop.run_once(1000) == 1);
  BOOST_TEST(seen == static_cast<std::uint32_t>(kWritable));
  loop.modify(fd.get(), kReadable);
  BOOST_TEST(loop.run_once(0) == 0);  // nothing to read yet
  const std::uint64_t one = 1;
  BOOST_REQUIRE(::write(fd.get(), &one, sizeof one) == sizeof one);
  BOOST_TEST(loop.run_once(1000) == 1);
  BOOST_TEST(seen == static_cast<std::uint32_t>(kReadable));
}

BOOST_AUTO_TEST_CASE(hang_up_is_reported_as_readable) {
  EventLoop loop;
  int ends[2];
  BOOST_REQUIRE(::pipe2(ends, O_NONBLOCK | O_CLOEXEC) == 0);
  const Fd read_end(ends[0]);
  Fd write_end(ends[1]);
  std::uint32_t seen = 0;
  loop.add(read_end.get(), kReadable, [&](std::uint32_t events) { seen = events; });
  write_end.reset();
  BOOST_TEST(loop.run_once(1000) == 1);
  BOOST_TEST((seen & kReadable) != 0u);
  loop.remove(read_end.get());
}

BOOST_AUTO_TEST_CASE(registration_errors) {
  EventLoop loop;
  const auto fd = quiet_fd();
  loop.add(fd.get(), kReadable, [](std::uint32_t) {});
  BOOST_CHECK_THROW(loop.add(fd.get(), kReadable, [](std::uint32_t) {}), std::system_error);
  BOOST_CHECK_THROW(loop.modify(-1, kReadable), std::system_error);
  loop.remove(fd.get());
  BOOST_CHECK_NO_THROW(loop.remove(fd.get()));  // twice is harmless
  BOOST_CHECK_NO_THROW(loop.remove(12345));     // never added, not even open
}

BOOST_AUTO_TEST_CASE(stop_from_a_handler_returns_after_the_batch) {
  EventLoop loop;
  Watchdog watchdog(loop);
  const auto fd = readable_fd();
  int calls = 0;
  loop.add(fd.get(), kReadable, [&](std::uint32_t) {
    ++calls;
    loop.stop();
    BOOST_TEST(loop.stopping());
  });
  loop.run();
  BOOST_TEST(!watchdog.fired);
  BOOST_TEST(calls == 1);
  BOOST_TEST(!loop.stopping());  // cleared: the loop can be run again
  loop.run();
  BOOST_TEST(calls == 2);
  loop.remove(fd.get());
}

BOOST_AUTO_TEST_CASE(stop_from_another_thread) {
  EventLoop loop;
  Watchdog watchdog(loop);
  std::thread stopper([&loop] {
    std::this_thread::sleep_for(50ms);
    loop.stop();
  });
  loop.run();  // nothing else is registered: only stop() or the watchdog can end this
  stopper.join();
  BOOST_TEST(!watchdog.fired);
}

BOOST_AUTO_TEST_CASE(stop_before_run_is_not_lost) {
  EventLoop loop;
  Watchdog watchdog(loop);
  std::thread stopper([&loop] { loop.stop(); });
  stopper.join();
  loop.run();
  BOOST_TEST(!watchdog.fired);
}

BOOST_AUTO_TEST_CASE(loop_descriptors_are_cloexec) {
  // The loop's own descriptors are private, so look for the ones that appear with it: a descriptor
  // without CLOEXEC would leak into the SIPp and tshark children the harness starts.
  std::set<int> before;
  for (int fd = 0; fd < 1024; ++fd) {
    if (test::is_open(fd)) before.insert(fd);
  }
  const EventLoop loop;
  int added = 0;
  for (int fd = 0; fd < 1024; ++fd) {
    if (!test::is_open(fd) || before.count(fd) != 0) continue;
    ++added;
    BOOST_TEST(test::is_cloexec(fd), "fd " << fd << " is not CLOEXEC");
  }
  BOOST_TEST(added == 2);  // epoll and the wake-up eventfd
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::net
