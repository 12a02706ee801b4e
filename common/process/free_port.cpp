#include "process/free_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <vector>

namespace mohq::process {
namespace {

class BoundSocket {
 public:
  BoundSocket() = default;
  explicit BoundSocket(int fd) : fd_(fd) {}
  BoundSocket(BoundSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  BoundSocket& operator=(BoundSocket&&) = delete;
  BoundSocket(const BoundSocket&) = delete;
  BoundSocket& operator=(const BoundSocket&) = delete;
  ~BoundSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

Expected<Address, std::string> make_address(const std::string& host, std::uint16_t port) {
  Address a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    a.length = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    a.length = sizeof(sockaddr_in6);
  } else {
    return Unexpected{"'" + host + "' is not a numeric IPv4 or IPv6 address"};
  }
  return a;
}

// Bound socket, or an invalid one if the port is taken.
BoundSocket try_bind(const Address& address) {
  int fd = ::socket(address.storage.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return BoundSocket();
  BoundSocket socket(fd);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0) return BoundSocket();
  return socket;
}

std::uint16_t ephemeral_low() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  unsigned low = 32768;
  if (!(in >> low) || low < 2048 || low > 65535) low = 32768;
  return static_cast<std::uint16_t>(low);
}

}  // namespace

Expected<std::uint16_t, std::string> find_free_udp_port(const std::string& host) {
  auto address = make_address(host, 0);
  if (!address) return Unexpected{address.error()};
  BoundSocket socket = try_bind(*address);
  if (socket.fd() < 0) return Unexpected{"cannot bind a UDP socket on " + host + ": " + std::strerror(errno)};
  Address bound;
  bound.length = sizeof bound.storage;
  if (::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&bound.storage), &bound.length) != 0) {
    return Unexpected{std::string("getsockname: ") + std::strerror(errno)};
  }
  if (bound.storage.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&bound.storage)->sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6*>(&bound.storage)->sin6_port);
}

Expected<std::uint16_t, std::string> find_free_udp_port_block(const std::string& host, unsigned count) {
  if (count == 0 || count > 1000) return Unexpected{std::string("port block size must be 1..1000")};
  auto probe = make_address(host, 0);
  if (!probe) return Unexpected{probe.error()};
  const unsigned first = 10000;
  const unsigned last = ephemeral_low();  // exclusive
  if (last <= first + count) return Unexpected{std::string("no room for a port block below the ephemeral range")};
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<unsigned> pick(first / 2, (last - count) / 2 - 1);
  for (int attempt = 0; attempt < 200; ++attempt) {
    unsigned start = pick(random) * 2;
    std::vector<BoundSocket> held;  // kept bound until the whole block checked out
    for (unsigned i = 0; i < count; ++i) {
      auto address = make_address(host, static_cast<std::uint16_t>(start + i));
      BoundSocket socket = try_bind(*address);
      if (socket.fd() < 0) break;
      held.push_back(std::move(socket));
    }
    if (held.size() == count) return static_cast<std::uint16_t>(start);
  }
  return Unexpected{"no block of " + std::to_string(count) + " free UDP ports found on " + host};
}

}  // namespace mohq::process
