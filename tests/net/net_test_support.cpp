#include "net_test_support.hpp"

#include <fcntl.h>
#include <poll.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "net/udp_socket.hpp"

namespace mohq::net::test {

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
  pollfd entry{fd, POLLIN, 0};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const int ready = ::poll(&entry, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
  }
}

bool run_until(EventLoop& loop, const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done() && std::chrono::steady_clock::now() < deadline) loop.run_once(50);
  return done();
}

bool is_cloexec(int fd) {
  const int flags = ::fcntl(fd, F_GETFD);
  return flags >= 0 && (flags & FD_CLOEXEC) != 0;
}

bool is_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_NONBLOCK) != 0;
}

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) >= 0 || errno != EBADF; }

ScratchDirectory::ScratchDirectory() {
  const char* base = std::getenv("TMPDIR");
  // Short base on purpose: unix socket paths must fit in sun_path (107 bytes).
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/mohq-net-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::system_error(errno, std::generic_category(), "mkdtemp");
  path_ = pattern;
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

boost::test_tools::assertion_result Ipv6LoopbackAvailable::operator()(boost::unit_test::test_unit_id) const {
  const char* required = std::getenv("MOHQ_REQUIRE_IPV6");
  if (required != nullptr && std::string(required) == "1") return true;  // let the test run and fail loudly
  auto probe = UdpSocket::bind(*SocketAddress::parse("[::1]:0"));
  if (probe) return true;
  boost::test_tools::assertion_result result(false);
  result.message() << "IPv6 loopback ::1 is not available on this machine (" << probe.error()
                   << "); IPv6 socket tests NOT run. Enable IPv6 on lo or set MOHQ_REQUIRE_IPV6=1 to fail instead";
  return result;
}

}  // namespace mohq::net::test
