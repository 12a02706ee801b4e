#include "net/udp_socket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

namespace mohq::net {

namespace {

// rtpproxy asks for 256 KiB so a burst of RTP is not dropped while the loop is busy; do the same.
constexpr int kReceiveBufferBytes = 256 * 1024;
// The kernel refuses vlen above UIO_MAXIOV (1024) in one sendmmsg(2).
constexpr std::size_t kMaxBatch = 1024;

std::string bind_error(const SocketAddress& local, const char* step, int error) {
  return "cannot bind UDP socket to " + local.to_string() + ": " + step + ": " + std::strerror(error);
}

}  // namespace

Expected<UdpSocket, std::string> UdpSocket::bind(const SocketAddress& local) {
  if (local.family() != AF_INET && local.family() != AF_INET6) {
    return Unexpected{std::string("cannot bind UDP socket: the local address is not IPv4 or IPv6")};
  }
  Fd fd(::socket(local.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Unexpected{bind_error(local, "socket", errno)};

  // SO_REUSEADDR stays off on purpose: a test must fail loudly when its port is already taken.
  if (local.is_ipv6()) {
    // Without V6ONLY a "::" socket would also take the IPv4 port and hide a conflict.
    const int on = 1;
    if (::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) {
      return Unexpected{bind_error(local, "IPV6_V6ONLY", errno)};
    }
  }
  const int receive_buffer = kReceiveBufferBytes;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer) != 0) {
    return Unexpected{bind_error(local, "SO_RCVBUF", errno)};
  }
  if (::bind(fd.get(), local.data(), local.size()) != 0) {
    return Unexpected{bind_error(local, "bind", errno)};
  }
  // Report the port the kernel picked when asked for port 0.
  SocketAddress bound;
  socklen_t length = bound.capacity();
  if (::getsockname(fd.get(), bound.data(), &length) != 0) {
    return Unexpected{bind_error(local, "getsockname", errno)};
  }
  bound.set_size(length);
  return UdpSocket(std::move(fd), bound);
}

bool UdpSocket::send_to(std::span<const std::uint8_t> data, const SocketAddress& destination) const {
  return send_datagram(fd_.get(), data, destination);
}

bool send_datagram(int fd, std::span<const std::uint8_t> data, const SocketAddress& destination) {
  for (;;) {
    const auto sent = ::sendto(fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                               destination.data(), destination.size());
    if (sent >= 0) return static_cast<std::size_t>(sent) == data.size();
    if (errno != EINTR) return false;  // EAGAIN, ECONNREFUSED, ENETUNREACH, ...: the caller drops it
  }
}

std::optional<Datagram> UdpSocket::receive_from(std::span<std::uint8_t> buffer) const {
  // An ICMP error queued on the socket is reported by the next recvfrom instead of the datagram behind it;
  // skip it (a bounded number of times) so one unreachable peer cannot hide the traffic of the others.
  for (int attempt = 0; attempt < 64; ++attempt) {
    Datagram datagram{0, SocketAddress()};
    socklen_t length = datagram.source.capacity();
    const auto received =
        ::recvfrom(fd_.get(), buffer.data(), buffer.size(), MSG_DONTWAIT, datagram.source.data(), &length);
    if (received >= 0) {
      // A datagram longer than the buffer is truncated by the kernel; size is what was stored.
      datagram.size = static_cast<std::size_t>(received);
      datagram.source.set_size(length);
      return datagram;
    }
    switch (errno) {
      case EAGAIN:
        return std::nullopt;
      case EINTR:
      case ECONNREFUSED:
      case EHOSTUNREACH:
      case ENETUNREACH:
      case EHOSTDOWN:
      case ENETDOWN:
        continue;
      default:
        throw std::system_error(errno, std::generic_category(),
                                "recvfrom on UDP socket " + local_.to_string());
    }
  }
  return std::nullopt;
}

std::size_t UdpSocket::send_batch(std::span<const std::span<const std::uint8_t>> datagrams,
                                  const SocketAddress& destination) const {
  return send_datagrams(fd_.get(), datagrams, destination);
}

std::size_t send_datagrams(int fd, std::span<const std::span<const std::uint8_t>> datagrams,
                           const SocketAddress& destination) {
  std::size_t total = 0;
  std::vector<iovec> vectors;
  std::vector<mmsghdr> messages;
  while (total < datagrams.size()) {
    const auto chunk = std::min(datagrams.size() - total, kMaxBatch);
    vectors.assign(chunk, iovec{});
    messages.assign(chunk, mmsghdr{});
    for (std::size_t i = 0; i < chunk; ++i) {
      const auto& datagram = datagrams[total + i];
      // sendmmsg does not write through these pointers; msghdr just is not const-correct.
      vectors[i].iov_base = const_cast<std::uint8_t*>(datagram.data());
      vectors[i].iov_len = datagram.size();
      messages[i].msg_hdr.msg_name = const_cast<sockaddr*>(destination.data());
      messages[i].msg_hdr.msg_namelen = destination.size();
      messages[i].msg_hdr.msg_iov = &vectors[i];
      messages[i].msg_hdr.msg_iovlen = 1;
    }
    const int sent = ::sendmmsg(fd, messages.data(), static_cast<unsigned>(chunk),
                                MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      break;  // would block or refused: report what went out, never throw
    }
    total += static_cast<std::size_t>(sent);
    if (static_cast<std::size_t>(sent) < chunk) break;
  }
  return total;
}

}  // namespace mohq::net
