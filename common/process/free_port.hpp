// Free local UDP ports for test processes (SIP, rtpproxy control, RTP), found by binding and releasing.
// A port is free when we looked; another process may take it before the one we hand it to binds it, so
// callers start their processes soon after and treat a bind failure as a clear error, not a mystery.
#pragma once

#include <cstdint>
#include <string>

#include "base/expected.hpp"

namespace mohq::process {

// A port the kernel picks from its ephemeral range (host is a numeric IPv4 or IPv6 address).
Expected<std::uint16_t, std::string> find_free_udp_port(const std::string& host);

// count consecutive free UDP ports starting at an even port, chosen below the kernel's ephemeral range
// (so outgoing sockets of other processes do not land in it): for rtpproxy's -m/-M range or SIPp's
// media ports (-mp P binds P and P+2). Returns the first port.
Expected<std::uint16_t, std::string> find_free_udp_port_block(const std::string& host, unsigned count);

// An even port p with p+1 also free: an RTP/RTCP pair.
inline Expected<std::uint16_t, std::string> find_free_port_pair(const std::string& host) {
  return find_free_udp_port_block(host, 2);
}

}  // namespace mohq::process
