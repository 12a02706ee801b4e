// Fd: the descriptor is closed exactly once, whoever ends up owning it. Checked with fcntl on the number.
#include <fcntl.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "net/fd.hpp"
#include "net_test_support.hpp"

namespace mohq::net {
namespace {

int open_null() {
  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  BOOST_REQUIRE(fd >= 0);
  return fd;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fd)

BOOST_AUTO_TEST_CASE(destructor_closes_the_number) {
  const int number = open_null();
  { Fd owner(number); BOOST_TEST(test::is_open(number)); }
  BOOST_TEST(!test::is_open(number));
}

BOOST_AUTO_TEST_CASE(moved_from_fd_does_not_close_again) {
  const int number = open_null();
  Fd first(number);
  {
    Fd second(std::move(first));
    BOOST_TEST(!first.valid());
    BOOST_TEST(second.get() == number);
  }
  BOOST_TEST(!test::is_open(number));
  // The kernel hands out the lowest free number, so a new open reuses it. If first still thought it owned
  // the number, its destructor would now close somebody else's descriptor.
  const int reused = open_null();
  BOOST_REQUIRE(reused == number);
  { Fd stale(std::move(first)); }
  BOOST_TEST(test::is_open(reused));
  ::close(reused);
}

BOOST_AUTO_TEST_CASE(move_assignment_closes_the_old_target_once) {
  const int a = open_null();
  const int b = open_null();
  Fd target(a);
  Fd source(b);
  target = std::move(source);
  BOOST_TEST(!test::is_open(a));
  BOOST_TEST(test::is_open(b));
  BOOST_TEST(target.get() == b);
  BOOST_TEST(!source.valid());
  auto& self = target;
  target = std::move(self);  // self move keeps the descriptor
  BOOST_TEST(test::is_open(b));
}

BOOST_AUTO_TEST_CASE(release_hands_over_without_closing) {
  const int number = open_null();
  int released = -1;
  { Fd owner(number); released = owner.release(); BOOST_TEST(!owner.valid()); }
  BOOST_TEST(released == number);
  BOOST_TEST(test::is_open(number));
  ::close(number);
}

BOOST_AUTO_TEST_CASE(reset_to_the_same_number_keeps_it_open) {
  const int number = open_null();
  Fd owner(number);
  owner.reset(number);
  BOOST_TEST(test::is_open(number));
  owner.reset();
  BOOST_TEST(!test::is_open(number));
  BOOST_TEST(!owner.valid());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::net
