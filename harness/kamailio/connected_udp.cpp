#include "kamailio/connected_udp.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mohq::kamailio::detail {

Expected<ConnectedUdpSocket, std::string> ConnectedUdpSocket::connect(const std::string& host, std::uint16_t port) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
  } else {
    return Unexpected{"'" + host + "' is not a numeric IP address"};
  }
  int fd = ::socket(storage.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Unexpected{std::string("socket: ") + std::strerror(errno)};
  ConnectedUdpSocket socket(fd);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&storage), length) != 0) {
    return Unexpected{"connect to " + host + ":" + std::to_string(port) + ": " + std::strerror(errno)};
  }
  return socket;
}

ConnectedUdpSocket::~ConnectedUdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

std::uint16_t ConnectedUdpSocket::local_port() const {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return 0;
  if (storage.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
}

bool ConnectedUdpSocket::send(const std::string& datagram) const {
  return ::send(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(datagram.size());
}

std::optional<std::string> ConnectedUdpSocket::receive(std::chrono::milliseconds timeout) const {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  char buffer[65536];
  ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
  if (got < 0) return std::nullopt;  // ECONNREFUSED: the peer is not bound yet
  return std::string(buffer, static_cast<std::size_t>(got));
}

std::string bracket_ipv6(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace mohq::kamailio::detail
