// parse_response: rtpproxy replies (rtpproxy-protocol.md §1.3) classified by shape, as codec.hpp documents.
#include <string>
#include <string_view>

#include "rtpp/codec.hpp"
#include "rtpp/parse_detail.hpp"

namespace mohq::rtpp {
namespace {

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t space = text.find(' ', start);
    parts.push_back(text.substr(start, space == std::string_view::npos ? text.npos : space - start));
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  return parts;
}

// The address of a U/L reply: a numeric IPv4/IPv6 address or an advertised (-A) name. It must hold a '.'
// or ':' so that two plain numbers (a G reply with two counters, say) are not taken for "<port> <addr>".
bool looks_like_address(std::string_view text) {
  if (text.empty()) return false;
  bool separator = false;
  for (char c : text) {
    const bool word = detail::is_hex_digit(c) || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') || c == '-' ||
                      c == '_' || c == '%';
    if (c == '.' || c == ':') {
      separator = true;
    } else if (!word) {
      return false;
    }
  }
  return separator;
}

Reply classify(std::string_view payload) {
  if (payload.find('\n') != std::string_view::npos) return TextReply{std::string(payload)};
  if (payload.size() >= 2 && payload.front() == 'E') {
    if (auto code = detail::parse_unsigned_digits<int>(payload.substr(1))) {
      return ErrorReply{static_cast<ErrorCode>(*code)};
    }
  }
  if (auto number = detail::parse_integer<long long>(payload)) {
    if (payload.front() != '+') return NumberReply{*number};
  }
  const auto parts = split_spaces(payload);
  if (parts.size() == 2 || (parts.size() == 3 && parts[2] == "6")) {
    const auto port = detail::parse_unsigned_digits<int>(parts[0]);
    if (port && *port <= 65535 && looks_like_address(parts[1])) {
      return PortReply{*port, std::string(parts[1]), parts.size() == 3};
    }
  }
  return TextReply{std::string(payload)};
}

Unexpected<ParseError> error(std::string message) {
  return Unexpected<ParseError>{ParseError{std::nullopt, ErrorCode::Syntax, std::move(message)}};
}

}  // namespace

Expected<Response, ParseError> parse_response(std::string_view text, Framing framing) {
  if (text.empty()) return error("empty reply");
  if (text.size() > kMaxCommandBytes) return error("reply longer than " + std::to_string(kMaxCommandBytes) + " bytes");
  Response response;
  std::string_view payload = text;
  if (framing == Framing::Datagram) {
    // "<cookie> <payload>": the cookie is the first word of the first line. A first line without a space
    // is a reply sent without cookie (rtpproxy's E5 to a datagram that had none).
    const std::size_t line_end = text.find('\n');
    const std::size_t space = text.find(' ');
    if (space != std::string_view::npos && space < line_end) {
      if (space == 0) return error("reply starts with a space: empty cookie");
      response.cookie = std::string(text.substr(0, space));
      payload = text.substr(space + 1);
    }
  }
  if (!payload.empty() && payload.back() == '\n') payload.remove_suffix(1);
  response.reply = classify(payload);
  return response;
}

}  // namespace mohq::rtpp
