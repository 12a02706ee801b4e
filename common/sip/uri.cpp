// RFC 3261 19.1.1 SIP-URI / SIPS-URI, and 25.1 hostport.
#include "sip/uri.hpp"

#include <utility>

#include "sip/hostport.hpp"
#include "sip/text.hpp"

namespace mohq::sip {

using detail::trim;

namespace detail {

std::optional<HostPort> parse_hostport(std::string_view text) {
  HostPort result;
  std::string_view rest;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close < 3) return std::nullopt;
    for (char c : text.substr(1, close - 1)) {
      const bool hex = is_digit(c) || (ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f');
      if (!hex && c != ':' && c != '.') return std::nullopt;
    }
    result.host = std::string(text.substr(0, close + 1));
    rest = text.substr(close + 1);
  } else {
    const std::size_t colon = text.find(':');
    const std::string_view host = text.substr(0, colon);
    if (host.empty()) return std::nullopt;
    for (char c : host) {
      if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_') return std::nullopt;
    }
    result.host = std::string(host);
    rest = colon == std::string_view::npos ? std::string_view{} : text.substr(colon);
  }
  if (!rest.empty()) {
    if (rest.front() != ':') return std::nullopt;
    const auto port = parse_decimal(rest.substr(1), 65535);
    if (!port) return std::nullopt;
    result.port = static_cast<std::uint16_t>(*port);
  }
  return result;
}

}  // namespace detail

namespace {

Unexpected<ParseError> bad_uri(std::string_view text, std::string_view why) {
  return Unexpected(ParseError{ParseErrorKind::BadValue, "bad SIP URI \"" + std::string(text.substr(0, 80)) + "\": " +
                                                             std::string(why)});
}

std::vector<Param> split_pairs(std::string_view text, char separator) {
  std::vector<Param> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = text.substr(start, end - start);
    if (!item.empty()) {
      const std::size_t eq = item.find('=');
      Param p{std::string(item.substr(0, eq)), std::nullopt};
      if (eq != std::string_view::npos) p.value = std::string(item.substr(eq + 1));
      out.push_back(std::move(p));
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

const Param* find_param(const std::vector<Param>& params, std::string_view name) {
  for (const Param& p : params) {
    if (detail::iequals(p.name, name)) return &p;
  }
  return nullptr;
}

std::vector<Param> parse_params(std::string_view text) {
  std::vector<Param> out;
  for (const std::string_view item : detail::split_outside_quotes(text, ';')) {
    const std::size_t eq = item.find('=');
    const std::string_view name = trim(item.substr(0, eq));
    if (name.empty()) continue;
    Param p{std::string(name), std::nullopt};
    if (eq != std::string_view::npos) p.value = std::string(trim(item.substr(eq + 1)));
    out.push_back(std::move(p));
  }
  return out;
}

Expected<SipUri, ParseError> parse_uri(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return bad_uri(text, "no scheme");
  SipUri uri;
  uri.scheme = detail::to_lower(text.substr(0, colon));
  if (uri.scheme != "sip" && uri.scheme != "sips") return bad_uri(text, "scheme is not sip or sips");
  std::string_view rest = text.substr(colon + 1);

  // userinfo ends at the first '@' before any '?' (an escaped '@' in headers must not be taken for it).
  const std::size_t at = rest.substr(0, rest.find('?')).find('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const std::size_t pw = userinfo.find(':');
    if (pw == 0 || userinfo.empty()) return bad_uri(text, "empty user part before '@'");
    uri.user = std::string(userinfo.substr(0, pw));
    if (pw != std::string_view::npos) uri.password = std::string(userinfo.substr(pw + 1));
    rest = rest.substr(at + 1);
  }
  const std::size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    uri.headers = split_pairs(rest.substr(question + 1), '&');
    rest = rest.substr(0, question);
  }
  const std::size_t semicolon = rest.find(';');
  if (semicolon != std::string_view::npos) {
    uri.params = split_pairs(rest.substr(semicolon + 1), ';');
    rest = rest.substr(0, semicolon);
  }
  const auto hostport = detail::parse_hostport(rest);
  if (!hostport) return bad_uri(text, "bad host or port");
  uri.host = hostport->host;
  uri.port = hostport->port;
  return uri;
}

std::string to_string(const SipUri& uri) {
  std::string out = uri.scheme + ':';
  if (uri.user) {
    out += *uri.user;
    if (uri.password) out += ':' + *uri.password;
    out += '@';
  }
  out += uri.host;
  if (uri.port) out += ':' + std::to_string(*uri.port);
  for (const Param& p : uri.params) {
    out += ';' + p.name;
    if (p.value) out += '=' + *p.value;
  }
  char separator = '?';
  for (const Param& h : uri.headers) {
    out += separator + h.name;
    if (h.value) out += '=' + *h.value;
    separator = '&';
  }
  return out;
}

}  // namespace mohq::sip
