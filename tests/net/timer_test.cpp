// Timer: timerfd on CLOCK_MONOTONIC. Only "not before the deadline" and generous upper bounds are checked.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "net/timer.hpp"
#include "net_test_support.hpp"

namespace mohq::net {

using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(timer)

BOOST_AUTO_TEST_CASE(descriptor_flags) {
  const Timer timer;
  BOOST_TEST(test::is_cloexec(timer.fd()));
  BOOST_TEST(test::is_nonblocking(timer.fd()));
}

BOOST_AUTO_TEST_CASE(arm_at_fires_and_not_before_its_deadline) {
  Timer timer;
  const auto deadline = Clock::now() + 30ms;
  timer.arm_at(deadline);
  BOOST_TEST_REQUIRE(test::wait_readable(timer.fd()));
  // Read the clock after the wake-up: the kernel may only signal once CLOCK_MONOTONIC passed the deadline,
  // and steady_clock is that same clock.
  BOOST_TEST((Clock::now() >= deadline));
  BOOST_TEST(timer.acknowledge() == 1u);
  BOOST_TEST(timer.acknowledge() == 0u);  // one shot: nothing more
}

BOOST_AUTO_TEST_CASE(arm_at_in_the_past_fires_at_once) {
  Timer timer;
  timer.arm_at(Clock::now() - 1s);
  BOOST_TEST_REQUIRE(test::wait_readable(timer.fd()));
  BOOST_TEST(timer.acknowledge() == 1u);
  timer.arm_at(TimePoint{});  // the clock's origin: an all-zero timerfd value would disarm instead
  BOOST_TEST_REQUIRE(test::wait_readable(timer.fd()));
  BOOST_TEST(timer.acknowledge() == 1u);
}

BOOST_AUTO_TEST_CASE(arm_after_fires_and_not_before_the_delay) {
  Timer timer;
  const auto armed = Clock::now();
  timer.arm_after(20ms);
  BOOST_TEST_REQUIRE(test::wait_readable(timer.fd()));
  BOOST_TEST((Clock::now() - armed >= 20ms));
  BOOST_TEST(timer.acknowledge() == 1u);
  timer.arm_after(0ns);  // due now, not "disarmed"
  BOOST_TEST_REQUIRE(test::wait_readable(timer.fd()));
  BOOST_TEST(timer.acknowledge() == 1u);
}

BOOST_AUTO_TEST_CASE(acknowledge_before_expiry_is_zero) {
  Timer timer;
  BOOST_TEST(timer.acknowledge() == 0u);  // never armed
  timer.arm_after(1h);
  BOOST_TEST(timer.acknowledge() == 0u);
}

BOOST_AUTO_TEST_CASE(periodic_timer_counts_expirations) {
  Timer timer;
  constexpr auto period = 10ms;
  const auto before_arm = Clock::now();
  timer.arm_every(period);
  std::this_thread::sleep_until(before_arm + 5 * period + 5ms);
  BOOST_TEST_REQUIRE(test::wait_readable(timer.fd()));
  const auto count = timer.acknowledge();
  const auto after_read = Clock::now();
  // The kernel counts floor(elapsed / period) since arming: at least 5 by now (we slept past the 5th
  // expiry), and no more than fit between the clock reads around arming and reading.
  BOOST_TEST(count >= 5u);
  BOOST_TEST(count <= static_cast<std::uint64_t>((after_read - before_arm) / period));

  // It keeps going: more expirations arrive after the acknowledgement.
  BOOST_TEST_REQUIRE(test::wait_readable(timer.fd()));
  BOOST_TEST(timer.acknowledge() >= 1u);
  timer.disarm();
}

BOOST_AUTO_TEST_CASE(periodic_first_expiry_is_after_one_period) {
  Timer timer;
  const auto armed = Clock::now();
  timer.arm_every(30ms);
  BOOST_TEST_REQUIRE(test::wait_readable(timer.fd()));
  BOOST_TEST((Clock::now() - armed >= 30ms));
  BOOST_TEST(timer.acknowledge() >= 1u);
}

BOOST_AUTO_TEST_CASE(disarm_stops_a_pending_timer) {
  Timer timer;
  timer.arm_after(20ms);
  timer.disarm();
  BOOST_TEST(!test::wait_readable(timer.fd(), 200ms));
  BOOST_TEST(timer.acknowledge() == 0u);

  timer.arm_every(5ms);
  timer.disarm();
  BOOST_TEST(!test::wait_readable(timer.fd(), 100ms));
  BOOST_TEST(timer.acknowledge() == 0u);
}

BOOST_AUTO_TEST_CASE(disarm_drops_unacknowledged_expirations) {
  Timer timer;
  timer.arm_after(1ms);
  BOOST_TEST_REQUIRE(test::wait_readable(timer.fd()));
  timer.disarm();  // timerfd_settime resets the expiration count
  BOOST_TEST(timer.acknowledge() == 0u);
}

BOOST_AUTO_TEST_CASE(non_positive_period_is_refused) {
  Timer timer;
  BOOST_CHECK_THROW(timer.arm_every(0ns), std::invalid_argument);
  BOOST_CHECK_THROW(timer.arm_every(-1ms), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::net
