// rtpproxy control replies (rtpproxy-protocol.md §1.3): the payload after the cookie, always ending in '\n'.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "rtpp/error_code.hpp"

namespace mohq::rtpp {

struct NumberReply {        // "0", "20040107", "1"
  long long value = 0;
  bool operator==(const NumberReply&) const = default;
};
struct PortReply {          // "<port> <addr>[ 6]" (U/L); address empty means the bare "<port>" form
  int port = 0;
  std::string address;
  bool ipv6 = false;
  bool operator==(const PortReply&) const = default;
};
struct ErrorReply {         // "E<n>"
  ErrorCode code;
  bool operator==(const ErrorReply&) const = default;
};
struct TextReply {          // anything else: I's lines, Q's values; stored without the final '\n'
  std::string text;
  bool operator==(const TextReply&) const = default;
};

using Reply = std::variant<NumberReply, PortReply, ErrorReply, TextReply>;

struct Response {
  std::optional<std::string> cookie;
  Reply reply;
  bool operator==(const Response&) const = default;
};

}  // namespace mohq::rtpp
