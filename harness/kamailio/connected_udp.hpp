// Internal to harness/kamailio: a blocking UDP socket connect()ed to one peer, for the short request/answer
// probes (SIP OPTIONS, rtpproxy V). Not part of the library's public surface.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "base/expected.hpp"

namespace mohq::kamailio::detail {

class ConnectedUdpSocket {
 public:
  static Expected<ConnectedUdpSocket, std::string> connect(const std::string& host, std::uint16_t port);
  ConnectedUdpSocket(ConnectedUdpSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ConnectedUdpSocket& operator=(ConnectedUdpSocket&&) = delete;
  ConnectedUdpSocket(const ConnectedUdpSocket&) = delete;
  ConnectedUdpSocket& operator=(const ConnectedUdpSocket&) = delete;
  ~ConnectedUdpSocket();

  std::uint16_t local_port() const;
  bool send(const std::string& datagram) const;
  // One datagram, or nullopt on timeout or an ICMP error (nothing listening yet).
  std::optional<std::string> receive(std::chrono::milliseconds timeout) const;

 private:
  explicit ConnectedUdpSocket(int fd) : fd_(fd) {}
  int fd_;
};

// "[::1]" for IPv6 literals, the host itself otherwise (SIP URIs and Via need the brackets).
std::string bracket_ipv6(const std::string& host);

}  // namespace mohq::kamailio::detail
