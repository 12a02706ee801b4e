// host[:port] as in RFC 3261 25.1 hostport, shared by the URI and Via parsers. Internal to common/sip.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mohq::sip::detail {

struct HostPort {
  std::string host;  // IPv6 references keep their brackets
  std::optional<std::uint16_t> port;
};

// Hostnames and IPv4 addresses: letters, digits, '-', '.', '_' (seen in the wild). IPv6: "[" hex, ':' and
// '.' "]". A port is 0..65535 in decimal. Anything else is nullopt.
std::optional<HostPort> parse_hostport(std::string_view text);

}  // namespace mohq::sip::detail
