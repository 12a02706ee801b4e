// Small SIP text operations the queue needs on top of common/sip: token tests, the sipfrag status line, and the
// received/rport parameters a UAS adds to the top Via of its responses (RFC 3261 18.2.1, RFC 3581 4).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sip/message.hpp"

namespace mohq::sim {

// The Allow set of every mohqueue reply that has one (§3, §5.3).
inline constexpr std::string_view kAllowedMethods = "INVITE, ACK, BYE, CANCEL, NOTIFY, PRACK";

bool equals_ignore_case(std::string_view a, std::string_view b);
// Runs of spaces and tabs become one space; leading and trailing ones go ("1  1 INVITE" -> "1 1 INVITE").
std::string collapse_spaces(std::string_view text);
// "SIP/2.0 200 OK" -> 200. The sipfrag body of a NOTIFY must start with one (§10.4).
std::optional<int> parse_status_line(std::string_view line);
// Adds received=<source ip> when the top Via's host differs from it, and fills an empty rport with the source
// port (RFC 3581), as Kamailio does for every reply.
void add_received(sip::Message& response, const std::string& source_ip, std::uint16_t source_port);

}  // namespace mohq::sim
