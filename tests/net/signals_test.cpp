// SignalSet: signals arrive as readable data on a signalfd instead of interrupting the process.
#include <pthread.h>
#include <signal.h>

#include <boost/test/unit_test.hpp>

#include "net/event_loop.hpp"
#include "net/signals.hpp"
#include "net_test_support.hpp"

namespace mohq::net {

BOOST_AUTO_TEST_SUITE(signals)

BOOST_AUTO_TEST_CASE(raised_signal_is_read_back) {
  SignalSet signals{SIGUSR1};
  BOOST_TEST(test::is_cloexec(signals.fd()));
  BOOST_TEST(test::is_nonblocking(signals.fd()));
  BOOST_TEST(!signals.next().has_value());

  sigset_t blocked;
  BOOST_REQUIRE(::pthread_sigmask(SIG_BLOCK, nullptr, &blocked) == 0);
  BOOST_TEST(sigismember(&blocked, SIGUSR1) == 1);

  // raise() targets this thread, which has SIGUSR1 blocked: the signal waits on the signalfd.
  BOOST_REQUIRE(::raise(SIGUSR1) == 0);
  BOOST_TEST_REQUIRE(test::wait_readable(signals.fd()));
  const auto signal_number = signals.next();
  BOOST_TEST_REQUIRE(signal_number.has_value());
  BOOST_TEST(*signal_number == SIGUSR1);
  BOOST_TEST(!signals.next().has_value());
}

BOOST_AUTO_TEST_CASE(signal_stops_the_event_loop) {
  SignalSet signals{SIGUSR2, SIGHUP};
  EventLoop loop;
  int received = 0;
  loop.add(signals.fd(), kReadable, [&](std::uint32_t) {
    while (auto signal_number = signals.next()) {
      received = *signal_number;
      loop.stop();
    }
  });
  BOOST_REQUIRE(::raise(SIGUSR2) == 0);
  BOOST_TEST_REQUIRE(test::run_until(loop, [&] { return received != 0; }));
  BOOST_TEST(received == SIGUSR2);
  BOOST_TEST(loop.stopping());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::net
