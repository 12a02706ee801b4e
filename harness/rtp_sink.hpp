// A UDP socket that stands where a caller's RTP goes and records every packet with its arrival time.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "analyzers/prompt_stream_check.hpp"
#include "base/expected.hpp"
#include "net/udp_socket.hpp"

namespace mohq::harness {

class RtpSink {
 public:
  static Expected<RtpSink, std::string> open(const std::string& host, std::uint16_t port);
  std::uint16_t port() const { return socket_.local_address().port(); }
  const net::UdpSocket& socket() const { return socket_; }

  // Receives until `duration` has passed or `max_packets` arrived; returns how many arrived in this call.
  std::size_t collect(std::chrono::milliseconds duration, std::size_t max_packets = SIZE_MAX);
  const std::vector<analyzers::ReceivedPacket>& packets() const { return packets_; }
  // The source address of the first packet ("" when none): the player's port.
  const std::string& first_source() const { return first_source_; }

 private:
  explicit RtpSink(net::UdpSocket socket) : socket_(std::move(socket)) {}
  net::UdpSocket socket_;
  std::vector<analyzers::ReceivedPacket> packets_;
  std::string first_source_;
};

}  // namespace mohq::harness
