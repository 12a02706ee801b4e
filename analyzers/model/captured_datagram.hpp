// What the capture reader hands to the analysis: one UDP payload, or one SIP message reassembled from a TCP
// stream, with where and when it was seen. Link layers, VLAN tags, IP versions and fragments are gone by here.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace mohq::analyzers {

enum class TransportProtocol { Udp, Tcp };

struct Endpoint {
  std::string ip;  // numeric, IPv6 without brackets
  std::uint16_t port = 0;
  auto operator<=>(const Endpoint&) const = default;
  bool operator==(const Endpoint&) const = default;
  std::string to_string() const {
    return (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
  }
};

struct CapturedDatagram {
  std::uint64_t frame = 0;   // 1-based number of the frame that completed it (as Wireshark numbers frames)
  double time = 0;           // seconds since the epoch, from the capture's timestamp (us or ns resolution)
  TransportProtocol transport = TransportProtocol::Udp;
  Endpoint source;
  Endpoint destination;
  std::string_view payload;  // valid only during the callback
};

}  // namespace mohq::analyzers
