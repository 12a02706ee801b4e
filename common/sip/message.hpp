// SIP messages (RFC 3261 7) as values: parse a datagram, frame a stream, serialize. Parsers take untrusted
// bytes and never throw; errors are values whose message says what is wrong.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/expected.hpp"

namespace mohq::sip {

// RFC 3261 18.1.1 says a UDP request should stay under the path MTU; 64 KiB is the UDP datagram limit and
// more than any message this project sends or receives. The other two bound the work per message.
inline constexpr std::size_t kMaxMessageBytes = 65535;
inline constexpr std::size_t kMaxHeaders = 200;
inline constexpr std::size_t kMaxHeaderLineBytes = 8192;  // one logical header line, after unfolding

enum class ParseErrorKind {
  Empty,               // nothing but CR/LF (a keepalive) or no bytes at all
  TooLarge,            // more than kMaxMessageBytes
  BadStartLine,        // neither "METHOD URI SIP/x.y" nor "SIP/x.y NNN reason"
  BadHeader,           // a header line without ':' or with an invalid name, or a fold before any header
  HeaderLineTooLong,   // a logical header line over kMaxHeaderLineBytes
  TooManyHeaders,      // more than kMaxHeaders
  NoEndOfHeaders,      // the header block is not closed by an empty line
  BadContentLength,    // not a decimal number, or two Content-Length headers that disagree
  TruncatedBody,       // Content-Length larger than the bytes that follow the headers
  MissingContentLength, // on a stream, where RFC 3261 18.3 makes it mandatory
  BadValue             // a header value or URI that does not follow its grammar (sip/headers.hpp, sip/uri.hpp)
};

struct ParseError {
  ParseErrorKind kind;
  std::string message;
};

struct RequestLine {
  std::string method;  // case-sensitive (RFC 3261 7.1), kept as received
  std::string uri;     // the Request-URI as received; parse_uri() in sip/uri.hpp to look inside
  bool operator==(const RequestLine&) const = default;
};

struct StatusLine {
  int code = 0;        // 100..699
  std::string reason;  // may be empty
  bool operator==(const StatusLine&) const = default;
};

struct Header {
  std::string name;   // as received (e.g. "l", "CALL-ID"), surrounding whitespace removed
  std::string value;  // folds replaced by one space, surrounding whitespace removed
  bool operator==(const Header&) const = default;
};

struct Message {
  std::variant<RequestLine, StatusLine> start;
  std::string version = "SIP/2.0";  // as received
  std::vector<Header> headers;      // in received order, Content-Length included
  std::string body;

  bool is_request() const { return std::holds_alternative<RequestLine>(start); }
  const RequestLine* request() const { return std::get_if<RequestLine>(&start); }
  const StatusLine* status() const { return std::get_if<StatusLine>(&start); }

  // Header lookup is case-insensitive and treats compact forms as their full names ("i" is "Call-ID").
  // The value of the first header with that name.
  std::optional<std::string_view> header(std::string_view name) const;
  // The value of every header line with that name, in order.
  std::vector<std::string_view> header_lines(std::string_view name) const;
  // Every list element of every line with that name: "Via: a, b" + "Via: c" gives a, b, c. Commas inside
  // "quoted strings" and <...> do not split. Only meaningful for headers whose grammar is a list.
  std::vector<std::string_view> header_values(std::string_view name) const;

  bool operator==(const Message&) const = default;
};

// The full name of a compact form ("v" -> "Via"), or the name itself when it is not one (RFC 3261 7.3.3 and
// the extensions listed in README.md).
std::string_view full_header_name(std::string_view name);
// Same header? Case-insensitive, compact forms equal to their full names.
bool same_header_name(std::string_view a, std::string_view b);

// One UDP datagram (or one message cut from a stream by frame_stream). CRLF or bare LF line ends, leading
// empty lines are skipped (RFC 3261 7.5). Without Content-Length the body is the rest of the datagram
// (RFC 3261 18.3); bytes after Content-Length are ignored.
Expected<Message, ParseError> parse_message(std::string_view datagram);

// Headers in order, CRLF line ends, and exactly one Content-Length, with the body's size: the first
// Content-Length (or "l") header keeps its place and name, later ones are dropped, and one is added at
// the end when there was none.
std::string serialize(const Message& message);
// What serialize() does to the header list, applied to the model: parse(serialize(m)) == with_content_length(m).
Message with_content_length(Message message);

// TCP/TLS framing (RFC 3261 18.3). Keepalive: the buffer starts with CR/LF bytes (RFC 5626 4.4.1 "\r\n\r\n"
// pings); drop `length` bytes. Complete: the first message is `length` bytes; pass them to parse_message.
// NeedMore: read more bytes. An error means the stream cannot be resynchronised: close the connection.
enum class FrameStatus { Keepalive, Complete, NeedMore };
struct Frame {
  FrameStatus status;
  std::size_t length = 0;
  bool operator==(const Frame&) const = default;
};
Expected<Frame, ParseError> frame_stream(std::string_view buffer);

}  // namespace mohq::sip
