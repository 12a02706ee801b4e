// UdpSocket on the loopback: bind, send and receive through the event loop, sendmmsg batches, port conflicts.
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "net/event_loop.hpp"
#include "net/udp_socket.hpp"
#include "net_test_support.hpp"

namespace mohq::net {
namespace {

UdpSocket bind_or_fail(const std::string& text) {
  auto socket = UdpSocket::bind(*SocketAddress::parse(text));
  BOOST_TEST_REQUIRE(socket.has_value(), (socket ? "" : socket.error()));
  return std::move(socket).value();
}

std::span<const std::uint8_t> bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

struct Received {
  std::string payload;
  SocketAddress source;
};

// Registers receiver with the loop and collects every datagram into a list until the test ends.
void collect(EventLoop& loop, const UdpSocket& receiver, std::vector<Received>& into) {
  loop.add(receiver.fd(), kReadable, [&receiver, &into](std::uint32_t) {
    std::array<std::uint8_t, 2048> buffer{};
    while (auto datagram = receiver.receive_from(buffer)) {
      into.push_back({std::string(reinterpret_cast<const char*>(buffer.data()), datagram->size),
                      datagram->source});
    }
  });
}

void send_and_receive_through_the_loop(const std::string& any_port) {
  auto sender = bind_or_fail(any_port);
  auto receiver = bind_or_fail(any_port);
  EventLoop loop;
  std::vector<Received> got;
  collect(loop, receiver, got);

  BOOST_TEST(sender.send_to(bytes("U c8 call-1 from-tag"), receiver.local_address()));
  BOOST_TEST_REQUIRE(test::run_until(loop, [&] { return !got.empty(); }));
  BOOST_TEST(got.size() == 1u);
  BOOST_TEST(got[0].payload == "U c8 call-1 from-tag");
  BOOST_TEST(got[0].source.to_string() == sender.local_address().to_string());
  BOOST_TEST((got[0].source == sender.local_address()));

  // And the reply goes back to the source the datagram came from.
  BOOST_TEST(receiver.send_to(bytes("40002"), got[0].source));
  BOOST_TEST_REQUIRE(test::wait_readable(sender.fd()));
  std::array<std::uint8_t, 64> buffer{};
  const auto reply = sender.receive_from(buffer);
  BOOST_TEST_REQUIRE(reply.has_value());
  BOOST_TEST(std::string(reinterpret_cast<const char*>(buffer.data()), reply->size) == "40002");
  BOOST_TEST((reply->source == receiver.local_address()));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(udp_socket)

BOOST_AUTO_TEST_CASE(bind_to_port_zero_reports_the_chosen_port) {
  const auto socket = bind_or_fail("127.0.0.1:0");
  BOOST_TEST(socket.local_address().host() == "127.0.0.1");
  BOOST_TEST(socket.local_address().port() != 0);
  BOOST_TEST(test::is_cloexec(socket.fd()));
  BOOST_TEST(test::is_nonblocking(socket.fd()));
}

BOOST_AUTO_TEST_CASE(receive_buffer_is_raised_like_rtpproxy) {
  const auto socket = bind_or_fail("127.0.0.1:0");
  int size = 0;
  socklen_t length = sizeof size;
  BOOST_REQUIRE(::getsockopt(socket.fd(), SOL_SOCKET, SO_RCVBUF, &size, &length) == 0);
  // socket(7): the kernel caps the request at net.core.rmem_max and reports double (bookkeeping overhead).
  long rmem_max = 0;
  if (std::ifstream("/proc/sys/net/core/rmem_max") >> rmem_max) {
    BOOST_TEST(size == 2 * std::min<long>(256 * 1024, rmem_max));
  } else {
    BOOST_TEST_MESSAGE("net.core.rmem_max unreadable: only checking SO_RCVBUF is set");
    BOOST_TEST(size > 0);
  }
}

BOOST_AUTO_TEST_CASE(send_and_receive_ipv4) { send_and_receive_through_the_loop("127.0.0.1:0"); }

BOOST_AUTO_TEST_CASE(send_batch_of_ten_arrives_as_ten) {
  auto sender = bind_or_fail("127.0.0.1:0");
  auto receiver = bind_or_fail("127.0.0.1:0");
  EventLoop loop;
  std::vector<Received> got;
  collect(loop, receiver, got);

  std::vector<std::string> payloads;
  for (int i = 0; i < 10; ++i) payloads.push_back("packet " + std::to_string(i) + std::string(160, 'x'));
  std::vector<std::span<const std::uint8_t>> batch;
  for (const auto& payload : payloads) batch.push_back(bytes(payload));

  BOOST_TEST(sender.send_batch(batch, receiver.local_address()) == 10u);
  BOOST_TEST_REQUIRE(test::run_until(loop, [&] { return got.size() >= 10; }));
  BOOST_TEST(got.size() == 10u);
  for (std::size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST(got[i].payload == payloads[i]);  // one datagram each, in order, none merged
    BOOST_TEST((got[i].source == sender.local_address()));
  }
}

BOOST_AUTO_TEST_CASE(empty_batch_sends_nothing) {
  auto sender = bind_or_fail("127.0.0.1:0");
  BOOST_TEST(sender.send_batch({}, sender.local_address()) == 0u);
}

BOOST_AUTO_TEST_CASE(bind_to_a_port_in_use_fails_with_a_message) {
  const auto first = bind_or_fail("127.0.0.1:0");
  const auto second = UdpSocket::bind(first.local_address());
  BOOST_TEST_REQUIRE(!second.has_value());
  const auto& message = second.error();
  BOOST_TEST_MESSAGE("bind conflict message: " << message);
  BOOST_TEST(message.find(first.local_address().to_string()) != std::string::npos, message);
  BOOST_TEST(message.find(std::strerror(EADDRINUSE)) != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(bind_without_an_address_fails_with_a_message) {
  const auto socket = UdpSocket::bind(SocketAddress());
  BOOST_TEST_REQUIRE(!socket.has_value());
  BOOST_TEST(!socket.error().empty());
}

BOOST_AUTO_TEST_CASE(receive_with_nothing_waiting_is_empty) {
  const auto socket = bind_or_fail("127.0.0.1:0");
  std::array<std::uint8_t, 16> buffer{};
  BOOST_TEST(!socket.receive_from(buffer).has_value());
}

BOOST_AUTO_TEST_CASE(long_datagram_is_cut_to_the_buffer) {
  auto sender = bind_or_fail("127.0.0.1:0");
  const auto receiver = bind_or_fail("127.0.0.1:0");
  BOOST_TEST(sender.send_to(bytes("0123456789"), receiver.local_address()));
  BOOST_TEST_REQUIRE(test::wait_readable(receiver.fd()));
  std::array<std::uint8_t, 4> buffer{};
  const auto datagram = receiver.receive_from(buffer);
  BOOST_TEST_REQUIRE(datagram.has_value());
  BOOST_TEST(datagram->size == 4u);
  BOOST_TEST(!receiver.receive_from(buffer).has_value());  // the rest of that datagram is gone
}

BOOST_AUTO_TEST_CASE(send_failures_return_false_and_never_throw) {
  auto sender = bind_or_fail("127.0.0.1:0");
  // No destination: EDESTADDRREQ.
  BOOST_TEST(!sender.send_to(bytes("x"), SocketAddress()));
  // A closed port on the loopback: the datagram leaves, the ICMP error that comes back is ignored and
  // does not surface on the next receive either.
  SocketAddress closed;
  {
    const auto gone = bind_or_fail("127.0.0.1:0");
    closed = gone.local_address();
  }
  BOOST_CHECK_NO_THROW(sender.send_to(bytes("x"), closed));
  BOOST_CHECK_NO_THROW(sender.send_to(bytes("x"), closed));
  std::array<std::uint8_t, 16> buffer{};
  BOOST_CHECK_NO_THROW(sender.receive_from(buffer));
  // IPv6 destination from an IPv4 socket: EAFNOSUPPORT or EINVAL.
  BOOST_TEST(!sender.send_to(bytes("x"), *SocketAddress::parse("[::1]:9")));
  const std::string payload = "x";
  std::vector<std::span<const std::uint8_t>> batch(3, bytes(payload));
  BOOST_TEST(sender.send_batch(batch, *SocketAddress::parse("[::1]:9")) == 0u);
}

BOOST_AUTO_TEST_CASE(send_and_receive_ipv6, *boost::unit_test::precondition(test::Ipv6LoopbackAvailable())) {
  send_and_receive_through_the_loop("[::1]:0");
}

BOOST_AUTO_TEST_CASE(ipv6_socket_is_v6_only, *boost::unit_test::precondition(test::Ipv6LoopbackAvailable())) {
  const auto socket = bind_or_fail("[::1]:0");
  BOOST_TEST(socket.local_address().to_string() == "[::1]:" + std::to_string(socket.local_address().port()));
  int v6_only = 0;
  socklen_t length = sizeof v6_only;
  BOOST_REQUIRE(::getsockopt(socket.fd(), IPPROTO_IPV6, IPV6_V6ONLY, &v6_only, &length) == 0);
  BOOST_TEST(v6_only == 1);
}

BOOST_AUTO_TEST_CASE(ipv6_batch_of_ten_arrives_as_ten,
                     *boost::unit_test::precondition(test::Ipv6LoopbackAvailable())) {
  auto sender = bind_or_fail("[::1]:0");
  auto receiver = bind_or_fail("[::1]:0");
  std::vector<std::string> payloads;
  for (int i = 0; i < 10; ++i) payloads.push_back(std::to_string(i));
  std::vector<std::span<const std::uint8_t>> batch;
  for (const auto& payload : payloads) batch.push_back(bytes(payload));
  BOOST_TEST(sender.send_batch(batch, receiver.local_address()) == 10u);
  std::array<std::uint8_t, 16> buffer{};
  for (const auto& payload : payloads) {
    BOOST_TEST_REQUIRE(test::wait_readable(receiver.fd()));
    const auto datagram = receiver.receive_from(buffer);
    BOOST_TEST_REQUIRE(datagram.has_value());
    BOOST_TEST(std::string(reinterpret_cast<const char*>(buffer.data()), datagram->size) == payload);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::net
