#include "sim/rpc/http_request.hpp"

#include <cstdint>

namespace mohq::sim {

namespace {

constexpr std::size_t kMaxHeaders = 100;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
    case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

// Field values: visible characters, blanks and obs-text; no other control characters (a bare CR included).
bool is_field_value(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

// Does the comma-separated Connection value hold this option?
bool has_connection_option(std::string_view value, std::string_view option) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    const auto item = trim(value.substr(0, comma));
    if (iequals(item, option)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

HttpParseError error(int status, std::string reason) { return HttpParseError{status, std::move(reason)}; }

// One line ending at LF (the CR before it, if any, removed); nullopt if no LF yet.
std::optional<std::string_view> next_line(std::string_view input, std::size_t& position) {
  const auto lf = input.find('\n', position);
  if (lf == std::string_view::npos) return std::nullopt;
  auto line = input.substr(position, lf - position);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  position = lf + 1;
  return line;
}

}  // namespace

std::optional<std::string_view> HttpRequest::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (iequals(field, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::string_view HttpRequest::path() const {
  const std::string_view whole(target);
  return whole.substr(0, whole.find('?'));
}

HttpParseResult parse_http_request(std::string_view input, std::size_t max_bytes) {
  std::size_t position = 0;
  // Leading empty lines (a client's stray CRLF after a previous body) are skipped, a bounded number of them.
  for (int skipped = 0; skipped < 8; ++skipped) {
    if (position < input.size() && input[position] == '\n') {
      ++position;
    } else if (position + 1 < input.size() && input[position] == '\r' && input[position + 1] == '\n') {
      position += 2;
    } else {
      break;
    }
  }
  if (position < input.size() && is_blank(input[position])) return error(400, "request line starts with a blank");

  // The whole head first, so an incomplete one is only "need more" (or too long).
  std::size_t head_end = std::string_view::npos;
  {
    std::size_t scan = position;
    bool first = true;
    while (const auto line = next_line(input, scan)) {
      if (line->empty()) {
        if (first) return error(400, "empty request line");
        head_end = scan;
        break;
      }
      first = false;
    }
  }
  if (head_end == std::string_view::npos) {
    if (input.size() > max_bytes) return error(413, "request head longer than " + std::to_string(max_bytes) + " bytes");
    return HttpNeedMore{};
  }
  if (head_end > max_bytes) return error(413, "request head longer than " + std::to_string(max_bytes) + " bytes");

  HttpRequest request;
  // Request line: method SP request-target SP HTTP-version.
  const auto request_line = *next_line(input, position);
  const auto first_space = request_line.find(' ');
  const auto last_space = request_line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == last_space) {
    return error(400, "request line is not 'METHOD TARGET HTTP/1.1'");
  }
  const auto method = request_line.substr(0, first_space);
  const auto target = request_line.substr(first_space + 1, last_space - first_space - 1);
  const auto version = request_line.substr(last_space + 1);
  if (!is_token(method)) return error(400, "method is not a token");
  if (target.empty()) return error(400, "empty request target");
  for (char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return error(400, "request target holds a blank or control character");
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[5] < '0' || version[5] > '9' ||
      version[6] != '.' || version[7] < '0' || version[7] > '9') {
    return error(400, "bad HTTP version");
  }
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) {
    return error(505, "HTTP version " + std::string(version.substr(5)) + " is not supported");
  }
  request.method = std::string(method);
  request.target = std::string(target);
  request.minor_version = version[7] - '0';

  // Header fields until the empty line.
  std::optional<std::uint64_t> content_length;
  for (std::size_t number = 1;; ++number) {
    const auto line = *next_line(input, position);
    if (line.empty()) break;
    if (request.headers.size() >= kMaxHeaders) return error(400, "more than " + std::to_string(kMaxHeaders) + " header fields");
    if (is_blank(line.front())) return error(400, "folded header line " + std::to_string(number));
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return error(400, "header line " + std::to_string(number) + " has no ':'");
    const auto name = line.substr(0, colon);
    const auto value = trim(line.substr(colon + 1));
    if (!is_token(name)) return error(400, "header line " + std::to_string(number) + " has a bad field name");
    if (!is_field_value(value)) return error(400, "header '" + std::string(name) + "' holds a control character");
    if (iequals(name, "Content-Length")) {
      if (value.empty() || value.size() > 15) return error(400, "bad Content-Length");
      std::uint64_t length = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return error(400, "Content-Length is not a number");
        length = length * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (content_length && *content_length != length) return error(400, "conflicting Content-Length fields");
      content_length = length;
    } else if (iequals(name, "Transfer-Encoding")) {
      return error(501, "Transfer-Encoding is not supported: send Content-Length");
    }
    request.headers.emplace_back(std::string(name), std::string(value));
  }

  const auto connection = request.header("Connection");
  if (request.minor_version == 1) {
    request.keep_alive = !(connection && has_connection_option(*connection, "close"));
  } else {
    request.keep_alive = connection && has_connection_option(*connection, "keep-alive");
  }

  if (!content_length) {
    if (request.method == "POST") return error(411, "POST needs a Content-Length");
    content_length = 0;
  }
  if (*content_length > max_bytes || head_end + *content_length > max_bytes) {
    return error(413, "request longer than " + std::to_string(max_bytes) + " bytes");
  }
  const auto length = static_cast<std::size_t>(*content_length);
  if (input.size() - head_end < length) return HttpNeedMore{};
  request.body = std::string(input.substr(head_end, length));
  request.consumed = head_end + length;
  return request;
}

std::string_view http_reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

}  // namespace mohq::sim
