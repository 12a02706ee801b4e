// mohqd's SIP transport (RFC 3261 18): UDP and TCP listeners on the event loop, stream framing, connection
// reuse. Single-threaded: every call, and every Receiver call, happens on the loop's thread. Never blocks.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "net/event_loop.hpp"
#include "net/socket_address.hpp"
#include "sip/message.hpp"

namespace mohq::sim {

enum class TransportKind { Udp, Tcp };

// Where a message came from / goes to.
struct SipPeer {
  TransportKind kind = TransportKind::Udp;
  net::SocketAddress address;
  // TCP: id of the connection the message arrived on (0 = none / use or open one to `address`). Ids are
  // never reused, so a stale id just misses and the address is used instead.
  std::uint64_t connection = 0;
};

struct TransportLimits {
  std::size_t max_message = 65535;  // bytes of one message (UDP datagram or framed TCP message)
  std::size_t max_connections = 10000;  // accepted + outgoing TCP connections at a time
  std::chrono::seconds tcp_idle{300};   // a TCP connection with no traffic for this long is closed; 0 = never
  std::size_t max_queued = 1 << 20;     // unsent bytes per TCP connection before send() refuses (slow peer)
  std::size_t udp_receive_buffer = 8 << 20;  // SO_RCVBUF of the UDP listen sockets
};

struct TransportCounters {
  std::uint64_t received = 0;       // messages delivered to the Receiver (malformed ones included)
  std::uint64_t sent = 0;           // messages handed completely to the kernel
  std::uint64_t malformed = 0;      // parse errors (delivered) + TCP framing errors (connection closed)
  std::uint64_t oversized = 0;      // datagrams dropped / TCP connections closed for exceeding max_message
  std::uint64_t send_failures = 0;  // send() returned false, or a queued message was lost with its connection
  std::uint64_t tcp_accepted = 0;
  std::uint64_t tcp_closed = 0;     // every TCP connection closed, for whatever reason (accepted or outgoing)
};

struct ReceivedMessage {
  SipPeer peer;
  std::string_view bytes;  // the whole message; valid only during the Receiver call
  Expected<sip::Message, sip::ParseError> message;
};

class SipTransport {
 public:
  // May call send(); must not destroy the transport.
  using Receiver = std::function<void(const ReceivedMessage&)>;

  // listen: "udp:127.0.0.1:5060", "tcp:127.0.0.1:5060", "udp:[::1]:5060", ... (port 0: any free port).
  // Errors name the bad entry.
  static Expected<std::unique_ptr<SipTransport>, std::string> create(net::EventLoop& loop,
                                                                    const std::vector<std::string>& listen,
                                                                    TransportLimits limits, Receiver receiver);
  ~SipTransport();
  SipTransport(const SipTransport&) = delete;
  SipTransport& operator=(const SipTransport&) = delete;

  // UDP: from the UDP listen socket of the destination's address family. TCP: on to.connection if still
  // open, else on an open connection to to.address, else connects (non-blocking) and queues until
  // connected. false = could not send or queue (counted in send_failures). A true TCP send may still be
  // lost later if the connection fails; that is counted too.
  bool send(const SipPeer& to, std::string_view bytes);

  // The first listen address of that kind, with the real port when listening on port 0 (for Via/Contact).
  std::optional<net::SocketAddress> local_address(TransportKind kind) const;
  const TransportCounters& counters() const;

  // Open TCP connections (accepted + outgoing, connecting included).
  std::size_t connection_count() const;
  // Closes a TCP connection now (queued bytes are dropped and counted). false if it was not open.
  bool close_connection(std::uint64_t connection);

 private:
  struct Impl;
  explicit SipTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mohq::sim
