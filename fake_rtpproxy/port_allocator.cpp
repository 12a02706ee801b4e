#include "fake_rtpproxy/port_allocator.hpp"

#include <algorithm>

namespace mohq::fake_rtpproxy {

PortAllocator::PortAllocator(std::string address, int min, int max, bool sequential, std::mt19937_64& rng,
                             const std::vector<int>& excluded)
    : address_(std::move(address)) {
  std::vector<int> ports;
  for (int port = min; port <= max; port += 2) {
    bool clashes = std::any_of(excluded.begin(), excluded.end(),
                               [port](int other) { return other == port || other == port + 1; });
    if (!clashes) ports.push_back(port);
  }
  if (!sequential) std::shuffle(ports.begin(), ports.end(), rng);
  free_.assign(ports.begin(), ports.end());
}

Expected<std::unique_ptr<LegSockets>, std::string> PortAllocator::allocate() {
  // A pair another program holds is put at the back and the next one tried, once round the table at most.
  std::string last_error = "the port range is exhausted";
  for (std::size_t tries = free_.size(); tries > 0; --tries) {
    int port = free_.front();
    free_.pop_front();
    auto rtp_address = net::SocketAddress::from_host_port(address_, static_cast<std::uint16_t>(port));
    auto rtcp_address = net::SocketAddress::from_host_port(address_, static_cast<std::uint16_t>(port + 1));
    if (!rtp_address || !rtcp_address) return Unexpected("bad media address " + address_);
    auto rtp = net::UdpSocket::bind(*rtp_address);
    if (rtp) {
      auto rtcp = net::UdpSocket::bind(*rtcp_address);
      if (rtcp) return std::make_unique<LegSockets>(LegSockets{std::move(*rtp), std::move(*rtcp)});
      last_error = rtcp.error();
    } else {
      last_error = rtp.error();
    }
    free_.push_back(port);
  }
  return Unexpected(last_error);
}

void PortAllocator::release(int rtp_port) { free_.push_back(rtp_port); }

}  // namespace mohq::fake_rtpproxy
