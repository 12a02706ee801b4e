// IPv4/IPv6 socket address with text forms "127.0.0.1:22222" and "[::1]:5060".
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace mohq::net {

class SocketAddress {
 public:
  SocketAddress() = default;
  // host is a numeric IPv4 or IPv6 address (no DNS: tests and the fake only use literals).
  static Expected<SocketAddress, std::string> from_host_port(std::string_view host, std::uint16_t port);
  // "host:port", "[v6]:port"
  static Expected<SocketAddress, std::string> parse(std::string_view text);
  static SocketAddress from_sockaddr(const sockaddr* address, socklen_t length);

  int family() const { return storage_.ss_family; }
  bool is_ipv6() const { return family() == AF_INET6; }
  std::uint16_t port() const;
  void set_port(std::uint16_t port);
  std::string host() const;       // numeric, without brackets
  std::string to_string() const;  // "host:port" or "[host]:port"

  const sockaddr* data() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* data() { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t size() const { return length_; }
  socklen_t capacity() const { return sizeof(storage_); }
  void set_size(socklen_t length) { length_ = length; }

  bool operator==(const SocketAddress& other) const;

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

}  // namespace mohq::net
