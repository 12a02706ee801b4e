#include "net/socket_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace mohq::net {

namespace {

// Digits only, 0-65535: "+5", " 5", "5x" and "65536" are all refused rather than read as something else.
Expected<std::uint16_t, std::string> parse_port(std::string_view text, std::string_view whole) {
  if (text.empty()) return Unexpected{std::string("address '") + std::string(whole) + "' has no port"};
  std::uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return Unexpected{"port '" + std::string(text) + "' in '" + std::string(whole) + "' is not a number"};
    }
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
    if (value > 65535) {
      return Unexpected{"port '" + std::string(text) + "' in '" + std::string(whole) + "' is above 65535"};
    }
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

Expected<SocketAddress, std::string> SocketAddress::from_host_port(std::string_view host, std::uint16_t port) {
  // inet_pton reads a C string: an embedded NUL would silently cut "127.0.0.1\0junk" down to a valid address.
  if (host.empty() || host.find('\0') != std::string_view::npos) {
    return Unexpected{"'" + std::string(host) + "' is not a numeric IPv4 or IPv6 address"};
  }
  const std::string text(host);
  SocketAddress address;
  if (text.find(':') == std::string::npos) {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    if (::inet_pton(AF_INET, text.c_str(), &v4.sin_addr) == 1) {
      std::memcpy(&address.storage_, &v4, sizeof v4);
      address.length_ = sizeof v4;
      return address;
    }
  } else {
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    if (::inet_pton(AF_INET6, text.c_str(), &v6.sin6_addr) == 1) {
      std::memcpy(&address.storage_, &v6, sizeof v6);
      address.length_ = sizeof v6;
      return address;
    }
  }
  return Unexpected{"'" + text + "' is not a numeric IPv4 or IPv6 address"};
}

Expected<SocketAddress, std::string> SocketAddress::parse(std::string_view text) {
  if (text.empty()) return Unexpected{std::string("empty address: expected host:port or [v6]:port")};
  std::string_view host;
  std::string_view port;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return Unexpected{"address '" + std::string(text) + "' has no closing ']'"};
    }
    host = text.substr(1, close - 1);
    const auto rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') {
      return Unexpected{"address '" + std::string(text) + "' needs ':port' after ']'"};
    }
    port = rest.substr(1);
    // Brackets are for IPv6 only: "[1.2.3.4]:5" is a typo, not an IPv4 address.
    if (host.find(':') == std::string_view::npos) {
      return Unexpected{"'" + std::string(host) + "' in brackets is not an IPv6 address"};
    }
  } else {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) {
      return Unexpected{"address '" + std::string(text) + "' has no port: expected host:port"};
    }
    if (text.find(':', colon + 1) != std::string_view::npos) {
      // "::1:5060" cannot be split reliably; RFC 3986 3.2.2 brackets are the unambiguous form.
      return Unexpected{"address '" + std::string(text) + "' looks like IPv6: write it as [host]:port"};
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto port_number = parse_port(port, text);
  if (!port_number) return Unexpected{port_number.error()};
  return from_host_port(host, *port_number);
}

SocketAddress SocketAddress::from_sockaddr(const sockaddr* address, socklen_t length) {
  SocketAddress result;
  if (address == nullptr) return result;
  const auto copied = std::min<socklen_t>(length, sizeof result.storage_);
  std::memcpy(&result.storage_, address, copied);
  result.length_ = copied;
  return result;
}

std::uint16_t SocketAddress::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

void SocketAddress::set_port(std::uint16_t port) {
  if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
}

std::string SocketAddress::host() const {
  char text[INET6_ADDRSTRLEN] = {};
  const void* raw = nullptr;
  if (family() == AF_INET) raw = &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr;
  if (family() == AF_INET6) raw = &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr;
  if (raw == nullptr || ::inet_ntop(family(), raw, text, sizeof text) == nullptr) return {};
  return text;
}

std::string SocketAddress::to_string() const {
  if (family() == AF_INET) return host() + ":" + std::to_string(port());
  if (family() == AF_INET6) return "[" + host() + "]:" + std::to_string(port());
  return "(no address)";
}

bool SocketAddress::operator==(const SocketAddress& other) const {
  if (family() != other.family()) return false;
  // Compare what identifies an endpoint; padding (sin_zero) and IPv6 flow labels do not.
  if (family() == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&storage_);
    const auto* b = reinterpret_cast<const sockaddr_in*>(&other.storage_);
    return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
  }
  if (family() == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&storage_);
    const auto* b = reinterpret_cast<const sockaddr_in6*>(&other.storage_);
    return a->sin6_port == b->sin6_port && a->sin6_scope_id == b->sin6_scope_id &&
           std::memcmp(&a->sin6_addr, &b->sin6_addr, sizeof a->sin6_addr) == 0;
  }
  return length_ == other.length_ && std::memcmp(&storage_, &other.storage_, length_) == 0;
}

}  // namespace mohq::net
