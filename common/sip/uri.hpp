// A small SIP/SIPS URI parser (RFC 3261 19.1): enough to read users, hosts, ports and parameters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "sip/message.hpp"

namespace mohq::sip {

// ";name=value" or ";name". Names are compared case-insensitively by find_param.
struct Param {
  std::string name;
  std::optional<std::string> value;
  bool operator==(const Param&) const = default;
};
const Param* find_param(const std::vector<Param>& params, std::string_view name);
// "a=1;b;c=x" (no leading ';') into params; whitespace around names and values is dropped.
std::vector<Param> parse_params(std::string_view text);

struct SipUri {
  std::string scheme;                   // "sip" or "sips", lower case
  std::optional<std::string> user;      // without the password; escapes are not decoded
  std::optional<std::string> password;
  std::string host;                     // as written; an IPv6 reference keeps its brackets: "[::1]"
  std::optional<std::uint16_t> port;
  std::vector<Param> params;            // ;transport=udp;lr
  std::vector<Param> headers;           // ?Replaces=...&Subject=...
  bool operator==(const SipUri&) const = default;
};

// Only "sip:" and "sips:" URIs; "tel:" and others are an error.
Expected<SipUri, ParseError> parse_uri(std::string_view text);
std::string to_string(const SipUri& uri);

}  // namespace mohq::sip
