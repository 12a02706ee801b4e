// Non-blocking UDP socket bound to one address.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/expected.hpp"
#include "net/fd.hpp"
#include "net/socket_address.hpp"

namespace mohq::net {

struct Datagram {
  std::size_t size;
  SocketAddress source;
};

// Sending on a descriptor the caller does not own (a media thread sending on a session's socket): the same
// behaviour as UdpSocket::send_to and send_batch, which call these.
bool send_datagram(int fd, std::span<const std::uint8_t> data, const SocketAddress& destination);
std::size_t send_datagrams(int fd, std::span<const std::span<const std::uint8_t>> datagrams,
                           const SocketAddress& destination);

class UdpSocket {
 public:
  // Binds (port 0 = any free port). Errors name the address and errno text.
  static Expected<UdpSocket, std::string> bind(const SocketAddress& local);

  int fd() const { return fd_.get(); }
  const SocketAddress& local_address() const { return local_; }

  // Returns false when the kernel would block or refused the datagram (loopback ICMP errors are ignored:
  // a UDP sender cannot do anything about them and must not stop).
  bool send_to(std::span<const std::uint8_t> data, const SocketAddress& destination) const;
  // nullopt when nothing is waiting.
  std::optional<Datagram> receive_from(std::span<std::uint8_t> buffer) const;

  // Several datagrams to one destination in one sendmmsg(2) call; returns how many went out.
  std::size_t send_batch(std::span<const std::span<const std::uint8_t>> datagrams,
                         const SocketAddress& destination) const;

 private:
  UdpSocket(Fd fd, SocketAddress local) : fd_(std::move(fd)), local_(local) {}
  Fd fd_;
  SocketAddress local_;
};

}  // namespace mohq::net
