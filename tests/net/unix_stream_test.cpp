// Unix stream control socket: rtpproxy's one-shot exchange (rtpproxy-protocol.md §1.1: accept, one read is
// one command, write the reply, close) and the life cycle of the socket file.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <string>

#include "net/event_loop.hpp"
#include "net/unix_stream.hpp"
#include "net_test_support.hpp"

namespace mohq::net {
namespace {

bool exists(const std::string& path) {
  struct stat status {};
  return ::lstat(path.c_str(), &status) == 0;
}

UnixStreamListener listen_or_fail(const std::string& path) {
  auto listener = UnixStreamListener::listen(path);
  BOOST_TEST_REQUIRE(listener.has_value(), (listener ? "" : listener.error()));
  return std::move(listener).value();
}

// Reads until end of stream on a non-blocking socket, waiting at most kPatience for each piece.
std::string read_to_end(int fd) {
  std::string text;
  std::array<char, 256> buffer{};
  for (;;) {
    if (!test::wait_readable(fd)) return text + "<timeout>";
    const auto got = ::read(fd, buffer.data(), buffer.size());
    if (got == 0) return text;
    if (got < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return text + "<" + std::strerror(errno) + ">";
    }
    text.append(buffer.data(), static_cast<std::size_t>(got));
  }
}

// A socket file left behind by a process that died without unlinking it.
void leave_stale_socket(const std::string& path) {
  const Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  BOOST_REQUIRE(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(unix_stream)

BOOST_AUTO_TEST_CASE(one_shot_request_and_reply_through_the_loop) {
  const test::ScratchDirectory directory;
  const auto path = directory.file("rtpproxy.sock");
  const auto listener = listen_or_fail(path);
  BOOST_TEST(test::is_cloexec(listener.fd()));
  BOOST_TEST(test::is_nonblocking(listener.fd()));

  EventLoop loop;
  std::map<int, UnixStreamConnection> connections;
  std::string command_seen;
  loop.add(listener.fd(), kReadable, [&](std::uint32_t) {
    while (auto connection = listener.accept()) {
      BOOST_TEST(test::is_cloexec(connection->fd()));
      BOOST_TEST(test::is_nonblocking(connection->fd()));
      const int fd = connection->fd();
      connections.emplace(fd, std::move(*connection));
      loop.add(fd, kReadable, [&, fd](std::uint32_t) {
        std::array<char, 256> buffer{};
        const auto got = ::read(fd, buffer.data(), buffer.size());
        if (got < 0 && errno == EAGAIN) return;
        command_seen.assign(buffer.data(), got > 0 ? static_cast<std::size_t>(got) : 0);
        const std::string reply = command_seen == "V" ? "20040107\n" : "E1\n";
        BOOST_TEST(::write(fd, reply.data(), reply.size()) == static_cast<ssize_t>(reply.size()));
        loop.remove(fd);  // removes this very handler while it runs
        connections.erase(fd);
      });
    }
  });

  auto client = UnixStreamConnection::connect(path);
  BOOST_TEST_REQUIRE(client.has_value(), (client ? "" : client.error()));
  BOOST_TEST(test::is_cloexec(client->fd()));
  BOOST_TEST(test::is_nonblocking(client->fd()));
  BOOST_TEST(::write(client->fd(), "V", 1) == 1);

  BOOST_TEST_REQUIRE(test::run_until(loop, [&] { return !command_seen.empty() && connections.empty(); }));
  BOOST_TEST(command_seen == "V");
  BOOST_TEST(read_to_end(client->fd()) == "20040107\n");  // reply, then the server closed
  BOOST_TEST(!listener.accept().has_value());
}

BOOST_AUTO_TEST_CASE(listener_removes_its_socket_file) {
  const test::ScratchDirectory directory;
  const auto path = directory.file("control.sock");
  {
    const auto listener = listen_or_fail(path);
    BOOST_TEST(listener.path() == path);
    BOOST_TEST(exists(path));
  }
  BOOST_TEST(!exists(path));
}

BOOST_AUTO_TEST_CASE(moved_from_listener_leaves_the_file_to_its_successor) {
  const test::ScratchDirectory directory;
  const auto path = directory.file("control.sock");
  auto first = listen_or_fail(path);
  {
    const UnixStreamListener second(std::move(first));
    { const UnixStreamListener gone(std::move(first)); }  // moved-from twice over: owns nothing
    BOOST_TEST(exists(path));
    BOOST_TEST(second.path() == path);
  }
  BOOST_TEST(!exists(path));
}

BOOST_AUTO_TEST_CASE(move_assignment_removes_the_replaced_file) {
  const test::ScratchDirectory directory;
  const auto path_a = directory.file("a.sock");
  const auto path_b = directory.file("b.sock");
  auto a = listen_or_fail(path_a);
  {
    auto b = listen_or_fail(path_b);
    b = std::move(a);
    BOOST_TEST(!exists(path_b));  // b's own listener is gone with its file
    BOOST_TEST(exists(path_a));
    BOOST_TEST(b.path() == path_a);
  }
  BOOST_TEST(!exists(path_a));
}

BOOST_AUTO_TEST_CASE(stale_socket_file_is_replaced) {
  const test::ScratchDirectory directory;
  const auto path = directory.file("stale.sock");
  leave_stale_socket(path);
  BOOST_TEST_REQUIRE(exists(path));
  const auto listener = listen_or_fail(path);
  BOOST_TEST(UnixStreamConnection::connect(path).has_value());
}

BOOST_AUTO_TEST_CASE(live_listener_is_not_taken_over) {
  const test::ScratchDirectory directory;
  const auto path = directory.file("live.sock");
  const auto first = listen_or_fail(path);
  const auto second = UnixStreamListener::listen(path);
  BOOST_TEST_REQUIRE(!second.has_value());
  BOOST_TEST(second.error().find(path) != std::string::npos, second.error());
  BOOST_TEST(second.error().find("listening") != std::string::npos, second.error());
  BOOST_TEST(exists(path));
}

BOOST_AUTO_TEST_CASE(regular_file_is_never_removed) {
  const test::ScratchDirectory directory;
  const auto path = directory.file("precious.txt");
  std::ofstream(path) << "keep me";
  const auto listener = UnixStreamListener::listen(path);
  BOOST_TEST_REQUIRE(!listener.has_value());
  BOOST_TEST(listener.error().find("not a socket") != std::string::npos, listener.error());
  BOOST_TEST(exists(path));
}

BOOST_AUTO_TEST_CASE(path_longer_than_sun_path_is_refused) {
  const std::string path = "/tmp/" + std::string(sizeof(sockaddr_un::sun_path), 'x');
  const auto listener = UnixStreamListener::listen(path);
  BOOST_TEST_REQUIRE(!listener.has_value());
  BOOST_TEST_MESSAGE("long path message: " << listener.error());
  BOOST_TEST(listener.error().find(path) != std::string::npos);
  BOOST_TEST(listener.error().find("at most 107") != std::string::npos);
  BOOST_TEST(!UnixStreamConnection::connect(path).has_value());
  BOOST_TEST(!UnixStreamListener::listen("").has_value());
}

BOOST_AUTO_TEST_CASE(connect_to_a_missing_path_names_it) {
  const test::ScratchDirectory directory;
  const auto path = directory.file("nobody.sock");
  const auto connection = UnixStreamConnection::connect(path);
  BOOST_TEST_REQUIRE(!connection.has_value());
  BOOST_TEST(connection.error().find(path) != std::string::npos, connection.error());
  BOOST_TEST(connection.error().find(std::strerror(ENOENT)) != std::string::npos, connection.error());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::net
