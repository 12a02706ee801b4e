// Typed views of the headers a UAS and a capture analyzer need: CSeq, Via, and name-addr headers
// (From, To, Contact, Route, Record-Route, Refer-To). Each parses one header value (one list element for
// list headers: take them from Message::header_values) and never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "sip/message.hpp"
#include "sip/uri.hpp"

namespace mohq::sip {

struct CSeq {
  std::uint32_t number = 0;  // RFC 3261 8.1.1.5: less than 2**31
  std::string method;
  bool operator==(const CSeq&) const = default;
};
Expected<CSeq, ParseError> parse_cseq(std::string_view value);

// "SIP/2.0/UDP host:port;branch=...;rport".
struct Via {
  std::string protocol = "SIP";
  std::string version = "2.0";
  std::string transport;               // as written, e.g. "UDP", "TCP", "WS"
  std::string host;                    // IPv6 keeps its brackets
  std::optional<std::uint16_t> port;
  std::vector<Param> params;
  std::optional<std::string> branch() const;  // the branch parameter's value, if any
  bool operator==(const Via&) const = default;
};
Expected<Via, ParseError> parse_via(std::string_view value);

// name-addr ("Alice" <sip:a@h>;tag=x) or addr-spec (sip:a@h;tag=x). In the addr-spec form, everything after
// the first ';' is a header parameter, not a URI parameter (RFC 3261 20.10).
struct NameAddr {
  std::optional<std::string> display_name;  // quotes removed, backslash escapes resolved
  std::string uri;                          // the URI text; parse_uri() to look inside
  std::vector<Param> params;                // header parameters: tag, expires, q, ...
  std::optional<std::string> tag() const;
  bool operator==(const NameAddr&) const = default;
};
Expected<NameAddr, ParseError> parse_name_addr(std::string_view value);

}  // namespace mohq::sip
