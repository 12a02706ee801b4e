// RFC 3261 20.16 CSeq, 20.42 Via, 20.10/25.1 name-addr and addr-spec.
#include "sip/headers.hpp"

#include <utility>

#include "sip/hostport.hpp"
#include "sip/text.hpp"

namespace mohq::sip {

using detail::is_wsp;
using detail::trim;

namespace {

Unexpected<ParseError> bad(std::string_view header, std::string_view value, std::string_view why) {
  return Unexpected(ParseError{ParseErrorKind::BadValue, "bad " + std::string(header) + " \"" +
                                                             std::string(value.substr(0, 80)) + "\": " + std::string(why)});
}

// Reads one token starting at pos (after skipping whitespace); stops at whitespace or any of `stops`.
std::string_view next_word(std::string_view s, std::size_t& pos, std::string_view stops) {
  while (pos < s.size() && is_wsp(s[pos])) ++pos;
  const std::size_t start = pos;
  while (pos < s.size() && !is_wsp(s[pos]) && stops.find(s[pos]) == std::string_view::npos) ++pos;
  return s.substr(start, pos - start);
}

bool expect_char(std::string_view s, std::size_t& pos, char c) {
  while (pos < s.size() && is_wsp(s[pos])) ++pos;
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

Expected<CSeq, ParseError> parse_cseq(std::string_view value) {
  std::size_t pos = 0;
  const std::string_view number = next_word(value, pos, "");
  const std::string_view method = next_word(value, pos, "");
  if (!trim(value.substr(pos)).empty()) return bad("CSeq", value, "more than a number and a method");
  const auto n = detail::parse_decimal(number, 0x7fffffffULL);
  if (!n) return bad("CSeq", value, "sequence number is not a decimal below 2**31");
  if (!detail::is_token(method)) return bad("CSeq", value, "method is missing or not a token");
  return CSeq{static_cast<std::uint32_t>(*n), std::string(method)};
}

std::optional<std::string> Via::branch() const {
  const Param* p = find_param(params, "branch");
  if (p == nullptr || !p->value) return std::nullopt;
  return p->value;
}

Expected<Via, ParseError> parse_via(std::string_view value) {
  // sent-protocol = name SLASH version SLASH transport, with optional whitespace around the slashes.
  std::size_t pos = 0;
  Via via;
  via.protocol = std::string(next_word(value, pos, "/"));
  if (!expect_char(value, pos, '/')) return bad("Via", value, "no '/' after the protocol name");
  via.version = std::string(next_word(value, pos, "/"));
  if (!expect_char(value, pos, '/')) return bad("Via", value, "no '/' after the protocol version");
  via.transport = std::string(next_word(value, pos, ""));
  if (!detail::is_token(via.protocol) || !detail::is_token(via.version) || !detail::is_token(via.transport)) {
    return bad("Via", value, "sent-protocol is not name/version/transport");
  }
  std::string_view rest = value.substr(pos);
  const std::size_t semicolon = rest.find(';');
  const std::string_view sent_by = trim(rest.substr(0, semicolon));
  const auto hostport = detail::parse_hostport(sent_by);
  if (!hostport) return bad("Via", value, "sent-by is not host[:port]");
  via.host = hostport->host;
  via.port = hostport->port;
  if (semicolon != std::string_view::npos) via.params = parse_params(rest.substr(semicolon + 1));
  return via;
}

std::optional<std::string> NameAddr::tag() const {
  const Param* p = find_param(params, "tag");
  if (p == nullptr || !p->value) return std::nullopt;
  return p->value;
}

Expected<NameAddr, ParseError> parse_name_addr(std::string_view value) {
  const std::string_view s = trim(value);
  NameAddr result;
  std::size_t pos = 0;
  std::size_t lt = std::string_view::npos;
  if (!s.empty() && s.front() == '"') {
    // quoted-string display name, backslash escapes resolved
    std::string display;
    bool closed = false;
    for (pos = 1; pos < s.size(); ++pos) {
      if (s[pos] == '\\' && pos + 1 < s.size()) {
        display += s[++pos];
      } else if (s[pos] == '"') {
        closed = true;
        ++pos;
        break;
      } else {
        display += s[pos];
      }
    }
    if (!closed) return bad("name-addr", value, "display name has no closing quote");
    result.display_name = std::move(display);
    while (pos < s.size() && is_wsp(s[pos])) ++pos;
    if (pos >= s.size() || s[pos] != '<') return bad("name-addr", value, "no <URI> after the display name");
    lt = pos;
  } else {
    lt = s.find('<');
    const std::size_t semicolon = s.find(';');
    if (lt != std::string_view::npos && (semicolon == std::string_view::npos || lt < semicolon)) {
      const std::string_view display = trim(s.substr(0, lt));
      for (char c : display) {
        if (!detail::is_token_char(c) && !is_wsp(c)) return bad("name-addr", value, "display name is not tokens or a quoted string");
      }
      if (!display.empty()) result.display_name = std::string(display);
    } else {
      lt = std::string_view::npos;
    }
  }
  std::string_view params;
  if (lt != std::string_view::npos) {
    const std::size_t gt = s.find('>', lt);
    if (gt == std::string_view::npos) return bad("name-addr", value, "'<' without '>'");
    result.uri = std::string(trim(s.substr(lt + 1, gt - lt - 1)));
    const std::string_view after = trim(s.substr(gt + 1));
    if (!after.empty() && after.front() != ';') return bad("name-addr", value, "text after '>' that is not a parameter");
    params = after.empty() ? after : after.substr(1);
  } else {
    // addr-spec: RFC 3261 20.10, parameters after the URI belong to the header
    const std::size_t semicolon = s.find(';');
    result.uri = std::string(trim(s.substr(0, semicolon)));
    if (semicolon != std::string_view::npos) params = s.substr(semicolon + 1);
    for (char c : result.uri) {
      if (is_wsp(c)) return bad("name-addr", value, "URI without <> contains whitespace");
    }
  }
  const std::size_t colon = result.uri.find(':');
  if (colon == std::string::npos || colon == 0 || !detail::is_alpha(result.uri[0])) {
    return bad("name-addr", value, "URI has no scheme");
  }
  result.params = parse_params(params);
  return result;
}

}  // namespace mohq::sip
