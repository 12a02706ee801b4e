// SipTransport on the loopback: UDP and TCP reception, framing, replies on the arriving connection, outgoing
// connections, and the ways a connection ends. Every wait drives the loop with run_once against a deadline.
#define BOOST_TEST_MODULE sim_transport
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "net/event_loop.hpp"
#include "net/fd.hpp"
#include "net/udp_socket.hpp"
#include "sim/transport/sip_transport.hpp"

namespace mohq::sim {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kPatience = 3s;  // generous upper bound for anything on the loopback

std::string request(const std::string& call_id, const std::string& body = "") {
  return "OPTIONS sip:moh@127.0.0.1 SIP/2.0\r\n"
         "Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-" + call_id + "\r\n"
         "From: <sip:caller@127.0.0.1>;tag=1\r\n"
         "To: <sip:moh@127.0.0.1>\r\n"
         "Call-ID: " + call_id + "\r\n"
         "CSeq: 1 OPTIONS\r\n"
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string response(const std::string& call_id) {
  return "SIP/2.0 200 OK\r\n"
         "Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-" + call_id + "\r\n"
         "From: <sip:caller@127.0.0.1>;tag=1\r\n"
         "To: <sip:moh@127.0.0.1>;tag=2\r\n"
         "Call-ID: " + call_id + "\r\n"
         "CSeq: 1 OPTIONS\r\n"
         "Content-Length: 0\r\n\r\n";
}

// A copy of what the Receiver saw: its bytes view dies with the call.
struct Seen {
  SipPeer peer;
  std::string bytes;
  bool ok = false;
  std::optional<sip::ParseErrorKind> error;
  std::string call_id;
};

struct Fixture {
  explicit Fixture(TransportLimits limits = {},
                   std::vector<std::string> listen = {"udp:127.0.0.1:0", "tcp:127.0.0.1:0"}) {
    auto created = SipTransport::create(loop, listen, limits, [this](const ReceivedMessage& received) {
      Seen seen{received.peer, std::string(received.bytes), received.message.has_value(), std::nullopt, ""};
      if (received.message) {
        seen.call_id = std::string(received.message->header("Call-ID").value_or(""));
      } else {
        seen.error = received.message.error().kind;
      }
      seen_messages.push_back(seen);
      if (on_message) on_message(received);
    });
    BOOST_REQUIRE_MESSAGE(created, (created ? std::string() : created.error()));
    transport = std::move(*created);
  }

  // Runs the loop until done() or the deadline; false on the deadline.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = kPatience) {
    const auto deadline = Clock::now() + limit;
    while (!done()) {
      if (Clock::now() >= deadline) return false;
      loop.run_once(10);
    }
    return true;
  }
  void run_for(std::chrono::milliseconds duration) {
    const auto deadline = Clock::now() + duration;
    while (Clock::now() < deadline) loop.run_once(5);
  }

  net::SocketAddress udp_address() const { return *transport->local_address(TransportKind::Udp); }
  net::SocketAddress tcp_address() const { return *transport->local_address(TransportKind::Tcp); }

  net::EventLoop loop;
  std::unique_ptr<SipTransport> transport;
  std::vector<Seen> seen_messages;
  std::function<void(const ReceivedMessage&)> on_message;
};

net::UdpSocket udp_client() {
  auto socket = net::UdpSocket::bind(*net::SocketAddress::parse("127.0.0.1:0"));
  BOOST_REQUIRE(socket);
  return std::move(*socket);
}

void udp_send(const net::UdpSocket& socket, const std::string& bytes, const net::SocketAddress& to) {
  BOOST_REQUIRE(socket.send_to({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, to));
}

// The test's side of a TCP connection: the connect completes from the listener's backlog without the loop.
net::Fd tcp_client(const net::SocketAddress& to) {
  net::Fd fd(::socket(to.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  BOOST_REQUIRE(fd.valid());
  BOOST_REQUIRE(::connect(fd.get(), to.data(), to.size()) == 0);
  BOOST_REQUIRE(::fcntl(fd.get(), F_SETFL, O_NONBLOCK) == 0);
  return fd;
}

void write_all(int fd, const std::string& bytes) {
  BOOST_REQUIRE(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
}

// Appends what is waiting; returns false once the peer closed (EOF or reset).
bool read_some(int fd, std::string& into) {
  char buffer[4096];
  for (;;) {
    const auto got = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (got > 0) {
      into.append(buffer, static_cast<std::size_t>(got));
      continue;
    }
    if (got == 0) return false;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  }
}

// An RST instead of a FIN: SO_LINGER with a zero timeout, then close.
void reset(net::Fd& fd) {
  const linger abort{1, 0};
  BOOST_REQUIRE(::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort) == 0);
  fd.reset();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(udp)

BOOST_AUTO_TEST_CASE(round_trip_on_port_zero) {
  Fixture f;
  BOOST_TEST(f.udp_address().port() != 0);
  BOOST_TEST(f.tcp_address().port() != 0);
  auto client = udp_client();
  const auto sent = request("udp-1");
  udp_send(client, sent, f.udp_address());
  BOOST_REQUIRE(f.run_until([&] { return !f.seen_messages.empty(); }));
  const Seen& got = f.seen_messages.at(0);
  BOOST_TEST(got.bytes == sent);
  BOOST_TEST(got.ok);
  BOOST_TEST(got.call_id == "udp-1");
  BOOST_TEST((got.peer.kind == TransportKind::Udp));
  BOOST_TEST(got.peer.address.to_string() == client.local_address().to_string());
  BOOST_TEST(got.peer.connection == 0u);

  const auto answer = response("udp-1");
  BOOST_TEST(f.transport->send(got.peer, answer));
  std::vector<std::uint8_t> buffer(70000);
  std::optional<net::Datagram> datagram;
  BOOST_REQUIRE(f.run_until([&] { return (datagram = client.receive_from(buffer)).has_value(); }));
  BOOST_TEST(std::string(reinterpret_cast<const char*>(buffer.data()), datagram->size) == answer);
  BOOST_TEST(datagram->source.to_string() == f.udp_address().to_string());
  BOOST_TEST(f.transport->counters().received == 1u);
  BOOST_TEST(f.transport->counters().sent == 1u);
  BOOST_TEST(f.transport->counters().malformed == 0u);
}

BOOST_AUTO_TEST_CASE(a_burst_is_received_completely) {
  Fixture f;
  auto client = udp_client();
  for (int i = 0; i < 50; ++i) udp_send(client, request("burst-" + std::to_string(i)), f.udp_address());
  BOOST_REQUIRE(f.run_until([&] { return f.seen_messages.size() == 50; }));
  for (int i = 0; i < 50; ++i) BOOST_TEST(f.seen_messages[static_cast<std::size_t>(i)].call_id == "burst-" + std::to_string(i));
}

BOOST_AUTO_TEST_CASE(malformed_datagram_is_delivered_as_an_error) {
  Fixture f;
  auto client = udp_client();
  udp_send(client, "HELLO THERE\r\n\r\n", f.udp_address());
  BOOST_REQUIRE(f.run_until([&] { return !f.seen_messages.empty(); }));
  BOOST_TEST(!f.seen_messages[0].ok);
  BOOST_TEST(f.seen_messages[0].bytes == "HELLO THERE\r\n\r\n");
  BOOST_TEST((f.seen_messages[0].error == sip::ParseErrorKind::BadStartLine));
  BOOST_TEST(f.transport->counters().malformed == 1u);
  BOOST_TEST(f.transport->counters().received == 1u);
}

BOOST_AUTO_TEST_CASE(oversized_datagram_is_dropped_and_counted) {
  TransportLimits limits;
  limits.max_message = 1000;
  Fixture f(limits);
  auto client = udp_client();
  std::string exactly;
  for (std::size_t body = 0; exactly.size() < 1000; ++body) exactly = request("exact", std::string(body, 'e'));
  BOOST_REQUIRE_EQUAL(exactly.size(), 1000u);
  const auto over = request("over", std::string(1500, 'o'));
  udp_send(client, over, f.udp_address());
  udp_send(client, exactly, f.udp_address());
  udp_send(client, request("small"), f.udp_address());
  BOOST_REQUIRE(f.run_until([&] { return f.seen_messages.size() == 2; }));
  f.run_for(50ms);
  BOOST_REQUIRE_EQUAL(f.seen_messages.size(), 2u);
  BOOST_TEST(f.seen_messages[0].bytes == exactly);
  BOOST_TEST(f.seen_messages[1].call_id == "small");
  BOOST_TEST(f.transport->counters().oversized == 1u);
  BOOST_TEST(f.transport->counters().received == 2u);
}

BOOST_AUTO_TEST_CASE(ipv6_loopback) {
  net::EventLoop probe_loop;
  auto probe = SipTransport::create(probe_loop, {"udp:[::1]:0"}, {}, nullptr);
  if (!probe) {
    BOOST_TEST_MESSAGE("no IPv6 loopback here, skipped: " + probe.error());
    return;
  }
  probe->reset();
  Fixture f({}, {"udp:[::1]:0", "tcp:[::1]:0"});
  BOOST_TEST(f.udp_address().is_ipv6());
  auto client = net::UdpSocket::bind(*net::SocketAddress::parse("[::1]:0"));
  BOOST_REQUIRE(client);
  udp_send(*client, request("v6"), f.udp_address());
  BOOST_REQUIRE(f.run_until([&] { return !f.seen_messages.empty(); }));
  BOOST_TEST(f.seen_messages[0].call_id == "v6");
  BOOST_TEST(f.transport->send(f.seen_messages[0].peer, response("v6")));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tcp)

BOOST_AUTO_TEST_CASE(two_messages_in_one_write) {
  Fixture f;
  auto client = tcp_client(f.tcp_address());
  const auto first = request("one", "v=0\r\n");
  const auto second = request("two");
  write_all(client.get(), first + second);
  BOOST_REQUIRE(f.run_until([&] { return f.seen_messages.size() == 2; }));
  BOOST_TEST(f.seen_messages[0].bytes == first);
  BOOST_TEST(f.seen_messages[1].bytes == second);
  BOOST_TEST(f.seen_messages[0].ok);
  BOOST_TEST((f.seen_messages[0].peer.kind == TransportKind::Tcp));
  BOOST_TEST(f.seen_messages[0].peer.connection != 0u);
  BOOST_TEST(f.seen_messages[0].peer.connection == f.seen_messages[1].peer.connection);
  BOOST_TEST(f.transport->counters().tcp_accepted == 1u);
  BOOST_TEST(f.transport->connection_count() == 1u);
}

BOOST_AUTO_TEST_CASE(one_message_split_over_several_writes) {
  Fixture f;
  auto client = tcp_client(f.tcp_address());
  const auto whole = request("split", "some body bytes");
  const std::vector<std::size_t> cuts{7, whole.size() / 2, whole.size() - 3, whole.size()};
  std::size_t from = 0;
  for (const std::size_t cut : cuts) {
    BOOST_TEST(f.seen_messages.empty());
    write_all(client.get(), whole.substr(from, cut - from));
    from = cut;
    f.run_for(30ms);
  }
  BOOST_REQUIRE(f.run_until([&] { return !f.seen_messages.empty(); }));
  BOOST_REQUIRE_EQUAL(f.seen_messages.size(), 1u);
  BOOST_TEST(f.seen_messages[0].bytes == whole);
  BOOST_TEST(f.transport->counters().malformed == 0u);
}

BOOST_AUTO_TEST_CASE(keepalive_crlf_is_dropped) {
  Fixture f;
  auto client = tcp_client(f.tcp_address());
  const auto message = request("ka");
  write_all(client.get(), "\r\n\r\n");
  f.run_for(20ms);
  write_all(client.get(), message + "\r\n\r\n");
  BOOST_REQUIRE(f.run_until([&] { return !f.seen_messages.empty(); }));
  f.run_for(30ms);
  BOOST_REQUIRE_EQUAL(f.seen_messages.size(), 1u);
  BOOST_TEST(f.seen_messages[0].bytes == message);
  BOOST_TEST(f.transport->counters().malformed == 0u);
  BOOST_TEST(f.transport->connection_count() == 1u);
}

BOOST_AUTO_TEST_CASE(response_goes_back_on_the_same_connection) {
  Fixture f;
  // The Via says 5070, where nobody listens: only the arriving connection can carry the response.
  f.on_message = [&](const ReceivedMessage& received) {
    BOOST_TEST(f.transport->send(received.peer, response(std::string(*received.message->header("Call-ID")))));
  };
  auto client = tcp_client(f.tcp_address());
  write_all(client.get(), request("r1"));
  std::string got;
  BOOST_REQUIRE(f.run_until([&] { return read_some(client.get(), got) && got.size() >= response("r1").size(); }));
  BOOST_TEST(got == response("r1"));
  write_all(client.get(), request("r2"));
  got.clear();
  BOOST_REQUIRE(f.run_until([&] { return read_some(client.get(), got) && got.size() >= response("r2").size(); }));
  BOOST_TEST(got == response("r2"));
  BOOST_TEST(f.transport->connection_count() == 1u);
  BOOST_TEST(f.transport->counters().sent == 2u);
  BOOST_TEST(f.transport->counters().tcp_accepted == 1u);
}

BOOST_AUTO_TEST_CASE(outgoing_connect_and_reuse) {
  Fixture f;
  net::Fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  auto peer_address = *net::SocketAddress::parse("127.0.0.1:0");
  BOOST_REQUIRE(::bind(listener.get(), peer_address.data(), peer_address.size()) == 0);
  BOOST_REQUIRE(::listen(listener.get(), 4) == 0);
  socklen_t length = peer_address.capacity();
  BOOST_REQUIRE(::getsockname(listener.get(), peer_address.data(), &length) == 0);
  peer_address.set_size(length);

  SipPeer to;
  to.kind = TransportKind::Tcp;
  to.address = peer_address;
  const auto first = request("out-1");
  const auto second = request("out-2");
  BOOST_TEST(f.transport->send(to, first));
  BOOST_TEST(f.transport->send(to, second));  // queued behind the connect, on the same connection
  BOOST_TEST(f.transport->connection_count() == 1u);

  net::Fd accepted;
  BOOST_REQUIRE(f.run_until([&] {
    accepted = net::Fd(::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    return accepted.valid();
  }));
  std::string got;
  BOOST_REQUIRE(f.run_until([&] { return read_some(accepted.get(), got) && got.size() >= first.size() + second.size(); }));
  BOOST_TEST(got == first + second);

  // A third request to the same address reuses the connection: no second connection reaches the listener.
  BOOST_TEST(f.transport->send(to, request("out-3")));
  got.clear();
  BOOST_REQUIRE(f.run_until([&] { return read_some(accepted.get(), got) && got.size() >= request("out-3").size(); }));
  BOOST_TEST(got == request("out-3"));
  BOOST_TEST(::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK) < 0);
  BOOST_TEST(f.transport->counters().sent == 3u);

  // The peer answers on that connection: delivered with the connection's id.
  write_all(accepted.get(), response("out-1"));
  BOOST_REQUIRE(f.run_until([&] { return !f.seen_messages.empty(); }));
  BOOST_TEST(f.seen_messages[0].bytes == response("out-1"));
  BOOST_TEST(f.seen_messages[0].peer.connection != 0u);
  BOOST_TEST(f.transport->connection_count() == 1u);
  BOOST_TEST(f.transport->counters().tcp_accepted == 0u);
}

BOOST_AUTO_TEST_CASE(connect_refused_is_counted) {
  Fixture f;
  // A port that was free a moment ago: bound, then closed.
  net::SocketAddress address;
  {
    net::Fd probe(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    address = *net::SocketAddress::parse("127.0.0.1:0");
    BOOST_REQUIRE(::bind(probe.get(), address.data(), address.size()) == 0);
    socklen_t length = address.capacity();
    BOOST_REQUIRE(::getsockname(probe.get(), address.data(), &length) == 0);
    address.set_size(length);
  }
  SipPeer to;
  to.kind = TransportKind::Tcp;
  to.address = address;
  f.transport->send(to, request("refused"));  // false when refused at once, true when refused later
  BOOST_REQUIRE(f.run_until([&] { return f.transport->connection_count() == 0; }));
  BOOST_TEST(f.transport->counters().send_failures == 1u);
  BOOST_TEST(f.transport->counters().sent == 0u);
}

BOOST_AUTO_TEST_CASE(framing_error_closes_the_connection) {
  Fixture f;
  auto client = tcp_client(f.tcp_address());
  // No Content-Length: on a stream the end of the message cannot be known (RFC 3261 18.3).
  write_all(client.get(), "OPTIONS sip:moh@127.0.0.1 SIP/2.0\r\nCall-ID: x\r\n\r\n");
  std::string got;
  BOOST_REQUIRE(f.run_until([&] { return !read_some(client.get(), got); }));
  BOOST_TEST(got.empty());
  BOOST_TEST(f.seen_messages.empty());
  BOOST_TEST(f.transport->counters().malformed == 1u);
  BOOST_TEST(f.transport->counters().tcp_closed == 1u);
  BOOST_TEST(f.transport->connection_count() == 0u);
}

BOOST_AUTO_TEST_CASE(buffer_beyond_max_message_closes_the_connection) {
  TransportLimits limits;
  limits.max_message = 500;
  Fixture f(limits);
  auto client = tcp_client(f.tcp_address());
  // A header block that never ends.
  write_all(client.get(), "OPTIONS sip:moh@127.0.0.1 SIP/2.0\r\nX-Long: " + std::string(600, 'a'));
  std::string got;
  BOOST_REQUIRE(f.run_until([&] { return !read_some(client.get(), got); }));
  BOOST_TEST(f.seen_messages.empty());
  BOOST_TEST(f.transport->counters().oversized == 1u);
  BOOST_TEST(f.transport->counters().tcp_closed == 1u);
}

BOOST_AUTO_TEST_CASE(peer_reset_does_not_crash) {
  Fixture f;
  std::optional<SipPeer> caller;
  f.on_message = [&](const ReceivedMessage& received) { caller = received.peer; };
  auto client = tcp_client(f.tcp_address());
  write_all(client.get(), request("reset"));
  BOOST_REQUIRE(f.run_until([&] { return caller.has_value(); }));

  // Reset with the connection still registered, then send before the loop has seen it: EPIPE/ECONNRESET
  // (no SIGPIPE), or a refused reconnect to the client's closed port. Either way false or counted.
  reset(client);
  const auto answer = response("reset");
  for (int i = 0; i < 3; ++i) f.transport->send(*caller, answer);
  BOOST_REQUIRE(f.run_until([&] { return f.transport->connection_count() == 0; }));
  BOOST_TEST(f.transport->counters().sent == 0u);
  BOOST_TEST(f.transport->counters().send_failures >= 1u);

  // A reset in the middle of a message, seen by the loop first.
  auto second = tcp_client(f.tcp_address());
  write_all(second.get(), request("half").substr(0, 40));
  BOOST_REQUIRE(f.run_until([&] { return f.transport->connection_count() == 1; }));
  reset(second);
  BOOST_REQUIRE(f.run_until([&] { return f.transport->connection_count() == 0; }));

  // Still serving.
  auto third = tcp_client(f.tcp_address());
  write_all(third.get(), request("after"));
  BOOST_REQUIRE(f.run_until([&] { return f.seen_messages.size() == 2; }));
  BOOST_TEST(f.seen_messages[1].call_id == "after");
}

BOOST_AUTO_TEST_CASE(idle_connection_is_closed) {
  TransportLimits limits;
  limits.tcp_idle = 1s;
  Fixture f(limits);
  auto client = tcp_client(f.tcp_address());
  write_all(client.get(), request("idle"));
  BOOST_REQUIRE(f.run_until([&] { return !f.seen_messages.empty(); }));
  const auto start = Clock::now();
  std::string got;
  BOOST_REQUIRE(f.run_until([&] { return !read_some(client.get(), got); }, 4s));
  const auto waited = Clock::now() - start;
  BOOST_TEST(waited >= 900ms);
  BOOST_TEST(waited <= 2s);
  BOOST_TEST(f.transport->connection_count() == 0u);
  BOOST_TEST(f.transport->counters().tcp_closed == 1u);
}

BOOST_AUTO_TEST_CASE(max_connections_refuses_more) {
  TransportLimits limits;
  limits.max_connections = 1;
  Fixture f(limits);
  auto first = tcp_client(f.tcp_address());
  BOOST_REQUIRE(f.run_until([&] { return f.transport->connection_count() == 1; }));
  auto second = tcp_client(f.tcp_address());
  std::string got;
  BOOST_REQUIRE(f.run_until([&] { return !read_some(second.get(), got); }));
  BOOST_TEST(f.transport->connection_count() == 1u);
  BOOST_TEST(f.transport->counters().tcp_accepted == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(create)

BOOST_AUTO_TEST_CASE(errors_name_the_entry) {
  net::EventLoop loop;
  for (const std::string bad : {"sctp:127.0.0.1:5060", "udp:localhost:5060", "tcp:127.0.0.1", "udp"}) {
    auto created = SipTransport::create(loop, {"udp:127.0.0.1:0", bad}, {}, nullptr);
    BOOST_REQUIRE(!created);
    BOOST_TEST(created.error().find("'" + bad + "'") != std::string::npos, created.error());
  }
  BOOST_TEST(!SipTransport::create(loop, {}, {}, nullptr));
}

BOOST_AUTO_TEST_CASE(port_in_use_is_an_error) {
  net::EventLoop loop;
  auto first = SipTransport::create(loop, {"udp:127.0.0.1:0"}, {}, nullptr);
  BOOST_REQUIRE(first);
  const auto taken = "udp:" + (*first)->local_address(TransportKind::Udp)->to_string();
  auto second = SipTransport::create(loop, {taken}, {}, nullptr);
  BOOST_REQUIRE(!second);
  BOOST_TEST(second.error().find(taken) != std::string::npos, second.error());
  BOOST_TEST(!(*first)->local_address(TransportKind::Tcp).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::sim
