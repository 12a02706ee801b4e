#include "harness/rtp_sink.hpp"

#include <poll.h>

#include <array>

namespace mohq::harness {

Expected<RtpSink, std::string> RtpSink::open(const std::string& host, std::uint16_t port) {
  auto address = net::SocketAddress::from_host_port(host, port);
  if (!address) return Unexpected(address.error());
  auto socket = net::UdpSocket::bind(*address);
  if (!socket) return Unexpected(socket.error());
  return RtpSink(std::move(*socket));
}

std::size_t RtpSink::collect(std::chrono::milliseconds duration, std::size_t max_packets) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + duration;
  std::size_t received = 0;
  std::array<std::uint8_t, 2048> buffer;
  while (received < max_packets) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    pollfd waiting{socket_.fd(), POLLIN, 0};
    if (::poll(&waiting, 1, static_cast<int>(left)) <= 0) continue;
    while (received < max_packets) {
      auto datagram = socket_.receive_from(buffer);
      if (!datagram) break;
      if (first_source_.empty()) first_source_ = datagram->source.to_string();
      packets_.push_back({Clock::now(), std::vector<std::uint8_t>(buffer.begin(), buffer.begin() + datagram->size)});
      ++received;
    }
  }
  return received;
}

}  // namespace mohq::harness
