#include "sim/transport/sip_transport.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <span>
#include <unordered_map>
#include <utility>

#include "net/fd.hpp"
#include "net/timer.hpp"
#include "net/udp_socket.hpp"

namespace mohq::sim {

namespace {

constexpr std::size_t kUdpBatch = 64;        // datagrams per recvmmsg(2)
constexpr int kMaxRoundsPerEvent = 16;        // then yield to other fds; level-triggered epoll calls us again
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr int kBacklog = 128;

struct ListenEntry {
  TransportKind kind;
  net::SocketAddress address;
};

Expected<ListenEntry, std::string> parse_listen_entry(const std::string& entry) {
  const auto colon = entry.find(':');
  const std::string scheme = colon == std::string::npos ? std::string() : entry.substr(0, colon);
  TransportKind kind;
  if (scheme == "udp") {
    kind = TransportKind::Udp;
  } else if (scheme == "tcp") {
    kind = TransportKind::Tcp;
  } else {
    return Unexpected{"listen entry '" + entry + "': expected udp:HOST:PORT or tcp:HOST:PORT"};
  }
  auto address = net::SocketAddress::parse(std::string_view(entry).substr(colon + 1));
  if (!address) return Unexpected{"listen entry '" + entry + "': " + address.error()};
  return ListenEntry{kind, *address};
}

std::string socket_error(const std::string& entry, const char* step, int error) {
  return "listen entry '" + entry + "': " + step + ": " + std::strerror(error);
}

struct TcpListener {
  net::Fd fd;
  net::SocketAddress local;
};

Expected<TcpListener, std::string> listen_tcp(const std::string& entry, const net::SocketAddress& local) {
  net::Fd fd(::socket(local.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Unexpected{socket_error(entry, "socket", errno)};
  const int on = 1;
  // A restarted mohqd must get its port back while old connections sit in TIME_WAIT.
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) {
    return Unexpected{socket_error(entry, "SO_REUSEADDR", errno)};
  }
  // As for UDP in common/net: "[::]" must not silently take the IPv4 port as well.
  if (local.is_ipv6() && ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) {
    return Unexpected{socket_error(entry, "IPV6_V6ONLY", errno)};
  }
  if (::bind(fd.get(), local.data(), local.size()) != 0) return Unexpected{socket_error(entry, "bind", errno)};
  if (::listen(fd.get(), kBacklog) != 0) return Unexpected{socket_error(entry, "listen", errno)};
  net::SocketAddress bound;
  socklen_t length = bound.capacity();
  if (::getsockname(fd.get(), bound.data(), &length) != 0) {
    return Unexpected{socket_error(entry, "getsockname", errno)};
  }
  bound.set_size(length);
  return TcpListener{std::move(fd), bound};
}

struct Connection {
  std::uint64_t id = 0;
  net::Fd fd;
  net::SocketAddress remote;
  std::string address_key;  // remote.to_string(), the key in by_address
  bool connecting = false;
  bool closed = false;
  std::uint32_t interest = 0;  // what the loop watches now
  std::string in;
  std::deque<std::string> out;
  std::size_t out_offset = 0;  // bytes of out.front() already written
  std::size_t queued_bytes = 0;
  net::TimePoint last_activity;
};

}  // namespace

struct SipTransport::Impl {
  Impl(net::EventLoop& event_loop, TransportLimits transport_limits, Receiver message_receiver)
      : loop(event_loop), limits(transport_limits), receiver(std::move(message_receiver)) {}

  ~Impl() {
    for (const auto& socket : udp) loop.remove(socket.fd());
    for (const auto& listener : tcp) loop.remove(listener.fd.get());
    for (const auto& [id, connection] : connections) loop.remove(connection->fd.get());
    if (idle_timer) loop.remove(idle_timer->fd());
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // A connection closed while a handler (or the Receiver inside it) still holds a reference to it, or to
  // bytes in its buffer, is parked here and destroyed only when the outermost handler returns.
  struct DispatchGuard {
    explicit DispatchGuard(Impl& owner) : impl(owner) { ++impl.depth; }
    ~DispatchGuard() {
      if (--impl.depth == 0) impl.graveyard.clear();
    }
    DispatchGuard(const DispatchGuard&) = delete;
    DispatchGuard& operator=(const DispatchGuard&) = delete;
    Impl& impl;
  };

  void deliver(const SipPeer& peer, std::string_view bytes) {
    auto parsed = sip::parse_message(bytes);
    if (!parsed) ++counters.malformed;
    ++counters.received;
    if (receiver) receiver(ReceivedMessage{peer, bytes, std::move(parsed)});
  }

  // ---- UDP ----

  void on_udp_readable(std::size_t index) {
    DispatchGuard guard(*this);
    const int fd = udp[index].fd();
    // One byte more than the limit, so an oversized datagram is seen even where MSG_TRUNC is not set.
    const std::size_t slot = limits.max_message + 1;
    if (udp_buffer.size() < slot * kUdpBatch) udp_buffer.resize(slot * kUdpBatch);
    for (int round = 0; round < kMaxRoundsPerEvent; ++round) {
      std::array<mmsghdr, kUdpBatch> headers{};
      std::array<iovec, kUdpBatch> vectors{};
      std::array<sockaddr_storage, kUdpBatch> sources{};
      for (std::size_t i = 0; i < kUdpBatch; ++i) {
        vectors[i].iov_base = udp_buffer.data() + i * slot;
        vectors[i].iov_len = slot;
        headers[i].msg_hdr.msg_iov = &vectors[i];
        headers[i].msg_hdr.msg_iovlen = 1;
        headers[i].msg_hdr.msg_name = &sources[i];
        headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      }
      const int count = ::recvmmsg(fd, headers.data(), kUdpBatch, MSG_DONTWAIT, nullptr);
      if (count < 0) {
        // ICMP errors from earlier sends surface here; they say nothing about the datagrams still queued.
        if (errno == EINTR || errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH) continue;
        return;  // EAGAIN: drained
      }
      for (std::size_t i = 0; i < static_cast<std::size_t>(count); ++i) {
        const std::size_t size = headers[i].msg_len;
        if ((headers[i].msg_hdr.msg_flags & MSG_TRUNC) != 0 || size > limits.max_message) {
          ++counters.oversized;
          continue;
        }
        const std::string_view bytes(udp_buffer.data() + i * slot, size);
        // CRLF keepalives (RFC 5626 4.4.1 style, which many phones also send over UDP) are not messages.
        if (bytes.find_first_not_of("\r\n") == std::string_view::npos) continue;
        SipPeer peer;
        peer.kind = TransportKind::Udp;
        peer.address = net::SocketAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&sources[i]),
                                                         headers[i].msg_hdr.msg_namelen);
        deliver(peer, bytes);
      }
      if (static_cast<std::size_t>(count) < kUdpBatch) return;
    }
  }

  bool send_udp(const SipPeer& to, std::string_view bytes) {
    for (const auto& socket : udp) {
      if (socket.local_address().family() != to.address.family()) continue;
      const std::span<const std::uint8_t> data(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      if (net::send_datagram(socket.fd(), data, to.address)) {
        ++counters.sent;
        return true;
      }
      break;
    }
    ++counters.send_failures;
    return false;
  }

  // ---- TCP ----

  void on_tcp_listener_readable(std::size_t index) {
    DispatchGuard guard(*this);
    const int fd = tcp[index].fd.get();
    for (int round = 0; round < kMaxRoundsPerEvent * 4; ++round) {
      net::SocketAddress remote;
      socklen_t length = remote.capacity();
      net::Fd accepted(::accept4(fd, remote.data(), &length, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!accepted.valid()) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;  // EAGAIN, or out of descriptors: try again on the next event
      }
      remote.set_size(length);
      // Over the limit: accepted only to be closed at once, so the backlog does not keep the listener busy.
      if (connections.size() >= limits.max_connections) continue;
      ++counters.tcp_accepted;
      add_connection(std::move(accepted), remote, false);
    }
  }

  Connection& add_connection(net::Fd fd, const net::SocketAddress& remote, bool connecting) {
    auto owned = std::make_unique<Connection>();
    Connection& connection = *owned;
    connection.id = next_id++;
    connection.fd = std::move(fd);
    connection.remote = remote;
    connection.address_key = remote.to_string();
    connection.connecting = connecting;
    connection.last_activity = net::Clock::now();
    // A connect in progress reports completion (or failure) as writability.
    connection.interest = connecting ? net::kWritable : net::kReadable;
    const std::uint64_t id = connection.id;
    loop.add(connection.fd.get(), connection.interest, [this, id](std::uint32_t events) {
      on_connection_event(id, events);
    });
    connections.emplace(id, std::move(owned));
    by_address[connection.address_key] = id;
    ensure_idle_timer();
    return connection;
  }

  Connection* find_open(std::uint64_t id) {
    const auto found = connections.find(id);
    return found == connections.end() ? nullptr : found->second.get();
  }

  void close(Connection& connection) {
    if (connection.closed) return;
    connection.closed = true;
    loop.remove(connection.fd.get());
    counters.send_failures += connection.out.size();
    ++counters.tcp_closed;
    const auto by = by_address.find(connection.address_key);
    if (by != by_address.end() && by->second == connection.id) by_address.erase(by);
    const auto found = connections.find(connection.id);
    graveyard.push_back(std::move(found->second));
    connections.erase(found);
    if (depth == 0) graveyard.clear();
  }

  void set_interest(Connection& connection, std::uint32_t interest) {
    if (connection.interest == interest) return;
    connection.interest = interest;
    loop.modify(connection.fd.get(), interest);
  }

  void on_connection_event(std::uint64_t id, std::uint32_t events) {
    DispatchGuard guard(*this);
    Connection* connection = find_open(id);
    if (connection == nullptr) return;
    if (connection->connecting) {
      finish_connect(*connection);
      return;
    }
    if ((events & net::kReadable) != 0) {
      read(*connection);
      if (connection->closed) return;
    }
    if ((events & net::kWritable) != 0) flush(*connection);
  }

  void finish_connect(Connection& connection) {
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(connection.fd.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
      close(connection);
      return;
    }
    connection.connecting = false;
    connection.last_activity = net::Clock::now();
    set_interest(connection, net::kReadable);
    flush(connection);
  }

  void read(Connection& connection) {
    if (read_buffer.size() < kReadChunk) read_buffer.resize(kReadChunk);
    for (int round = 0; round < kMaxRoundsPerEvent; ++round) {
      const auto got = ::recv(connection.fd.get(), read_buffer.data(), read_buffer.size(), MSG_DONTWAIT);
      if (got < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        close(connection);  // ECONNRESET and friends: the peer is gone
        return;
      }
      if (got == 0) {
        close(connection);
        return;
      }
      connection.in.append(read_buffer.data(), static_cast<std::size_t>(got));
      connection.last_activity = net::Clock::now();
      if (!process_frames(connection)) return;
      if (static_cast<std::size_t>(got) < read_buffer.size()) return;
    }
  }

  // Delivers every complete message in the buffer; false when the connection was closed.
  bool process_frames(Connection& connection) {
    std::size_t consumed = 0;
    while (!connection.closed && consumed < connection.in.size()) {
      const std::string_view rest = std::string_view(connection.in).substr(consumed);
      const auto frame = sip::frame_stream(rest);
      if (!frame) {
        // The stream cannot be resynchronised after a bad frame: nothing after it can be trusted.
        if (frame.error().kind == sip::ParseErrorKind::TooLarge) {
          ++counters.oversized;
        } else {
          ++counters.malformed;
        }
        close(connection);
        return false;
      }
      if (frame->status == sip::FrameStatus::NeedMore) {
        if (rest.size() > limits.max_message) {
          ++counters.oversized;
          close(connection);
          return false;
        }
        break;
      }
      if (frame->status == sip::FrameStatus::Keepalive) {
        consumed += frame->length;
        continue;
      }
      if (frame->length > limits.max_message) {
        ++counters.oversized;
        close(connection);
        return false;
      }
      SipPeer peer;
      peer.kind = TransportKind::Tcp;
      peer.address = connection.remote;
      peer.connection = connection.id;
      deliver(peer, rest.substr(0, frame->length));
      consumed += frame->length;
    }
    if (connection.closed) return false;  // the Receiver closed it
    connection.in.erase(0, consumed);
    return true;
  }

  // Writes what the kernel takes; false when the connection failed and was closed.
  bool flush(Connection& connection) {
    while (!connection.out.empty()) {
      const std::string& front = connection.out.front();
      const auto written = ::send(connection.fd.get(), front.data() + connection.out_offset,
                                  front.size() - connection.out_offset, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (written < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          set_interest(connection, net::kReadable | net::kWritable);
          return true;
        }
        close(connection);  // EPIPE, ECONNRESET: the queued messages are counted as lost
        return false;
      }
      connection.out_offset += static_cast<std::size_t>(written);
      connection.queued_bytes -= static_cast<std::size_t>(written);
      connection.last_activity = net::Clock::now();
      if (connection.out_offset == front.size()) {
        connection.out.pop_front();
        connection.out_offset = 0;
        ++counters.sent;
      }
    }
    set_interest(connection, net::kReadable);
    return true;
  }

  Connection* connect(const net::SocketAddress& remote) {
    if (remote.family() != AF_INET && remote.family() != AF_INET6) return nullptr;
    if (connections.size() >= limits.max_connections) return nullptr;
    net::Fd fd(::socket(remote.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return nullptr;
    bool in_progress = false;
    if (::connect(fd.get(), remote.data(), remote.size()) != 0) {
      if (errno != EINPROGRESS && errno != EINTR) return nullptr;
      in_progress = true;
    }
    return &add_connection(std::move(fd), remote, in_progress);
  }

  bool send_tcp(const SipPeer& to, std::string_view bytes) {
    Connection* connection = to.connection != 0 ? find_open(to.connection) : nullptr;
    if (connection == nullptr) {
      const auto found = by_address.find(to.address.to_string());
      if (found != by_address.end()) connection = find_open(found->second);
    }
    if (connection == nullptr) connection = connect(to.address);
    if (connection == nullptr || connection->queued_bytes + bytes.size() > limits.max_queued) {
      ++counters.send_failures;
      return false;
    }
    connection->out.emplace_back(bytes);
    connection->queued_bytes += bytes.size();
    // Still connecting, or already waiting for EPOLLOUT: the write handler sends it in order.
    if (connection->connecting || connection->out.size() > 1) return true;
    return flush(*connection);
  }

  // ---- idle connections ----

  void ensure_idle_timer() {
    if (idle_timer || limits.tcp_idle.count() <= 0) return;
    idle_timer.emplace();
    // A quarter of the idle time (at most 10 s): a connection lives at most 1.25 x tcp_idle without traffic.
    const auto idle = std::chrono::duration_cast<std::chrono::nanoseconds>(limits.tcp_idle);
    const auto period = std::min<std::chrono::nanoseconds>(idle / 4, std::chrono::seconds(10));
    idle_timer->arm_every(period);
    loop.add(idle_timer->fd(), net::kReadable, [this](std::uint32_t) { close_idle(); });
  }

  void close_idle() {
    DispatchGuard guard(*this);
    idle_timer->acknowledge();
    const auto now = net::Clock::now();
    std::vector<Connection*> idle;
    for (const auto& [id, connection] : connections) {
      if (now - connection->last_activity >= limits.tcp_idle) idle.push_back(connection.get());
    }
    for (Connection* connection : idle) close(*connection);
  }

  net::EventLoop& loop;
  TransportLimits limits;
  Receiver receiver;
  TransportCounters counters;
  std::vector<net::UdpSocket> udp;
  std::vector<TcpListener> tcp;
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections;
  // The newest open connection to each remote address, for reuse by requests (RFC 3261 18.1.1).
  std::unordered_map<std::string, std::uint64_t> by_address;
  std::vector<std::unique_ptr<Connection>> graveyard;
  std::uint64_t next_id = 1;
  int depth = 0;
  std::optional<net::Timer> idle_timer;
  std::vector<char> udp_buffer;
  std::vector<char> read_buffer;
};

SipTransport::SipTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SipTransport::~SipTransport() = default;

Expected<std::unique_ptr<SipTransport>, std::string> SipTransport::create(net::EventLoop& loop,
                                                                         const std::vector<std::string>& listen,
                                                                         TransportLimits limits, Receiver receiver) {
  if (listen.empty()) return Unexpected{std::string("no listen entries: expected udp:HOST:PORT or tcp:HOST:PORT")};
  if (limits.max_message == 0) return Unexpected{std::string("max_message must be above 0")};
  auto impl = std::make_unique<Impl>(loop, limits, std::move(receiver));
  Impl* const raw = impl.get();
  for (const auto& text : listen) {
    auto entry = parse_listen_entry(text);
    if (!entry) return Unexpected{entry.error()};
    if (entry->kind == TransportKind::Udp) {
      auto socket = net::UdpSocket::bind(entry->address);
      if (!socket) return Unexpected{"listen entry '" + text + "': " + socket.error()};
      // A SIP server's socket must ride out a scheduling stall at thousands of calls/s: every datagram lost
      // here costs the caller a 500 ms retransmission (bench/README.md, call-rate analysis). As root
      // SO_RCVBUFFORCE passes net.core.rmem_max; otherwise the kernel caps SO_RCVBUF there.
      const int receive_buffer = static_cast<int>(limits.udp_receive_buffer);
      if (::setsockopt(socket->fd(), SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer, sizeof receive_buffer) != 0)
        ::setsockopt(socket->fd(), SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
      const std::size_t index = impl->udp.size();
      impl->udp.push_back(std::move(*socket));
      loop.add(impl->udp.back().fd(), net::kReadable, [raw, index](std::uint32_t) { raw->on_udp_readable(index); });
    } else {
      auto listener = listen_tcp(text, entry->address);
      if (!listener) return Unexpected{listener.error()};
      const std::size_t index = impl->tcp.size();
      impl->tcp.push_back(std::move(*listener));
      loop.add(impl->tcp.back().fd.get(), net::kReadable,
               [raw, index](std::uint32_t) { raw->on_tcp_listener_readable(index); });
    }
  }
  return std::unique_ptr<SipTransport>(new SipTransport(std::move(impl)));
}

bool SipTransport::send(const SipPeer& to, std::string_view bytes) {
  Impl::DispatchGuard guard(*impl_);
  if (bytes.empty() || bytes.size() > impl_->limits.max_message) {
    ++impl_->counters.send_failures;
    return false;
  }
  return to.kind == TransportKind::Udp ? impl_->send_udp(to, bytes) : impl_->send_tcp(to, bytes);
}

std::optional<net::SocketAddress> SipTransport::local_address(TransportKind kind) const {
  if (kind == TransportKind::Udp) {
    if (impl_->udp.empty()) return std::nullopt;
    return impl_->udp.front().local_address();
  }
  if (impl_->tcp.empty()) return std::nullopt;
  return impl_->tcp.front().local;
}

const TransportCounters& SipTransport::counters() const { return impl_->counters; }

std::size_t SipTransport::connection_count() const { return impl_->connections.size(); }

bool SipTransport::close_connection(std::uint64_t connection) {
  Impl::DispatchGuard guard(*impl_);
  Connection* open = impl_->find_open(connection);
  if (open == nullptr) return false;
  impl_->close(*open);
  return true;
}

}  // namespace mohq::sim
