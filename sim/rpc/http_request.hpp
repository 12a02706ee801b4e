// HTTP/1.1 request framing for the JSON-RPC listener: a pure function over the bytes received so far, so the
// server and the fuzzer (fuzz/fuzz_http_request.cpp) run exactly the same code.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mohq::sim {

// Request line, headers and body together; beyond this the answer is 413.
inline constexpr std::size_t kMaxHttpRequestBytes = 1024 * 1024;

struct HttpRequest {
  std::string method;   // as sent, case-sensitive ("POST")
  std::string target;   // request-target as sent ("/RPC", "/RPC?x=1")
  int minor_version = 1;  // HTTP/1.<minor_version>: 0 or 1
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent, values without surrounding blanks
  std::string body;
  bool keep_alive = true;  // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive"
  std::size_t consumed = 0;  // bytes of the input this request used (pipelined requests follow)

  // First header with this name, compared case-insensitively.
  std::optional<std::string_view> header(std::string_view name) const;
  // The path without a query ("/RPC?x" -> "/RPC").
  std::string_view path() const;
};

// Not a whole request yet: read more and call again with everything received.
struct HttpNeedMore {};

// The request cannot be served; answer with this status and close the connection.
struct HttpParseError {
  int status = 400;     // 400, 411, 413, 501, 505
  std::string reason;   // for the response body and logs, e.g. "bad header line 3"
};

using HttpParseResult = std::variant<HttpNeedMore, HttpRequest, HttpParseError>;

// Parses the first request in input. Leading empty lines are skipped (RFC 9112 §2.2). Lines end in CRLF or a
// bare LF. A body needs Content-Length (POST without one: 411); Transfer-Encoding is refused (501). Never
// throws on any input; a request (or an incomplete head) longer than max_bytes is 413.
HttpParseResult parse_http_request(std::string_view input, std::size_t max_bytes = kMaxHttpRequestBytes);

// Standard reason phrase for the statuses the listener sends ("Not Found"); "Unknown" otherwise.
std::string_view http_reason_phrase(int status);

}  // namespace mohq::sim
