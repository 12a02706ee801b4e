// RFC 3261 7 (message format), 7.3.1 (folding), 18.3 (framing) and 20.14 (Content-Length).
#include "sip/message.hpp"

#include <array>
#include <utility>

#include "sip/text.hpp"

namespace mohq::sip {

using detail::iequals;
using detail::is_wsp;
using detail::trim;

namespace {

struct CompactForm {
  char letter;
  std::string_view full;
};

// RFC 3261 7.3.3 and the IANA SIP header registry (RFC 3265, 3515, 3892, 4028, 3841 for the others).
constexpr std::array<CompactForm, 15> kCompactForms{{
    {'i', "Call-ID"},          {'f', "From"},           {'t', "To"},
    {'v', "Via"},              {'m', "Contact"},        {'l', "Content-Length"},
    {'c', "Content-Type"},     {'k', "Supported"},      {'s', "Subject"},
    {'o', "Event"},            {'r', "Refer-To"},       {'b', "Referred-By"},
    {'x', "Session-Expires"},  {'e', "Content-Encoding"}, {'u', "Allow-Events"},
}};

Unexpected<ParseError> fail(ParseErrorKind kind, std::string message) {
  return Unexpected(ParseError{kind, std::move(message)});
}

struct Line {
  std::string_view text;  // without its LF and one CR before it
  std::size_t next;       // offset after the LF
  bool terminated;        // false when the input ended before a LF
};

Line read_line(std::string_view text, std::size_t pos) {
  const std::size_t lf = text.find('\n', pos);
  if (lf == std::string_view::npos) return {text.substr(pos), text.size(), false};
  std::size_t end = lf;
  if (end > pos && text[end - 1] == '\r') --end;
  return {text.substr(pos, end - pos), lf + 1, true};
}

std::size_t skip_leading_line_ends(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size() && (text[pos] == '\r' || text[pos] == '\n')) ++pos;
  return pos;
}

// "SIP/" 1*DIGIT "." 1*DIGIT, scheme case-insensitive (RFC 3261 7.1).
bool is_sip_version(std::string_view s) {
  if (s.size() < 7 || !iequals(s.substr(0, 4), "SIP/")) return false;
  s.remove_prefix(4);
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == s.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i != dot && !detail::is_digit(s[i])) return false;
  }
  return true;
}

std::string quoted(std::string_view s) {
  constexpr std::size_t kShown = 60;
  std::string out = "\"";
  for (char c : s.substr(0, kShown)) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  if (s.size() > kShown) out += "...";
  out += '"';
  return out;
}

Expected<Done, ParseError> parse_start_line(std::string_view line, Message& message) {
  if (line.size() >= 4 && iequals(line.substr(0, 4), "SIP/")) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase; the reason is kept byte for byte.
    const std::size_t sp = line.find(' ');
    const std::string_view version = line.substr(0, sp);
    if (!is_sip_version(version)) return fail(ParseErrorKind::BadStartLine, "bad SIP version in status line " + quoted(line));
    const std::string_view rest = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
    const std::string_view code = rest.substr(0, 3);
    const auto number = detail::parse_decimal(code, 999);
    if (code.size() != 3 || !number || *number < 100 || *number > 699 || (rest.size() > 3 && rest[3] != ' ')) {
      return fail(ParseErrorKind::BadStartLine, "bad status code in status line " + quoted(line));
    }
    message.version = std::string(version);
    message.start = StatusLine{static_cast<int>(*number), std::string(rest.size() > 4 ? rest.substr(4) : "")};
    return Done{};
  }
  // Request-Line = Method SP Request-URI SP SIP-Version; runs of SP/HTAB are accepted between the three.
  std::array<std::string_view, 3> parts;
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && is_wsp(line[pos])) ++pos;
    if (pos == line.size()) break;
    std::size_t end = pos;
    while (end < line.size() && !is_wsp(line[end])) ++end;
    if (count == parts.size()) return fail(ParseErrorKind::BadStartLine, "request line has more than three parts: " + quoted(line));
    parts[count++] = line.substr(pos, end - pos);
    pos = end;
  }
  if (count != 3) return fail(ParseErrorKind::BadStartLine, "request line is not \"METHOD URI SIP/2.0\": " + quoted(line));
  if (!detail::is_token(parts[0])) return fail(ParseErrorKind::BadStartLine, "request method is not a token: " + quoted(parts[0]));
  if (!is_sip_version(parts[2])) return fail(ParseErrorKind::BadStartLine, "bad SIP version in request line " + quoted(line));
  message.start = RequestLine{std::string(parts[0]), std::string(parts[1])};
  message.version = std::string(parts[2]);
  return Done{};
}

// Start line and header block of `text` (leading CR/LF already skipped); returns the offset of the body.
Expected<std::size_t, ParseError> parse_head(std::string_view text, Message& message) {
  Line line = read_line(text, 0);
  if (!line.terminated) return fail(ParseErrorKind::NoEndOfHeaders, "message ends inside the start line");
  if (auto started = parse_start_line(line.text, message); !started) return Unexpected(started.error());
  std::size_t pos = line.next;
  while (true) {
    line = read_line(text, pos);
    if (!line.terminated) {
      return fail(ParseErrorKind::NoEndOfHeaders, "header block is not closed by an empty line");
    }
    pos = line.next;
    if (line.text.empty()) return pos;
    if (line.text.size() > kMaxHeaderLineBytes) {
      return fail(ParseErrorKind::HeaderLineTooLong, "header line longer than " + std::to_string(kMaxHeaderLineBytes) +
                                                         " bytes: " + quoted(line.text));
    }
    if (is_wsp(line.text.front())) {
      // RFC 3261 7.3.1: a line starting with whitespace continues the previous header; the fold is one SP.
      if (message.headers.empty()) {
        return fail(ParseErrorKind::BadHeader, "continuation line before the first header: " + quoted(line.text));
      }
      Header& last = message.headers.back();
      const std::string_view more = trim(line.text);
      if (!more.empty()) {
        if (!last.value.empty()) last.value += ' ';
        last.value += more;
      }
      if (last.name.size() + 2 + last.value.size() > kMaxHeaderLineBytes) {
        return fail(ParseErrorKind::HeaderLineTooLong, "folded header " + last.name + " longer than " +
                                                           std::to_string(kMaxHeaderLineBytes) + " bytes");
      }
      continue;
    }
    const std::size_t colon = line.text.find(':');
    if (colon == std::string_view::npos) return fail(ParseErrorKind::BadHeader, "header line without ':': " + quoted(line.text));
    const std::string_view name = trim(line.text.substr(0, colon));
    if (!detail::is_token(name)) return fail(ParseErrorKind::BadHeader, "invalid header name " + quoted(name));
    if (message.headers.size() == kMaxHeaders) {
      return fail(ParseErrorKind::TooManyHeaders, "more than " + std::to_string(kMaxHeaders) + " headers");
    }
    message.headers.push_back(Header{std::string(name), std::string(trim(line.text.substr(colon + 1)))});
  }
}

// The Content-Length of the message, if any header gives one. Two that disagree are an error (RFC 7230
// 3.3.2's rule, which RFC 3261 does not spell out; accepting either would let two parsers see two bodies).
Expected<std::optional<std::size_t>, ParseError> content_length(const Message& message) {
  std::optional<std::size_t> length;
  for (const std::string_view value : message.header_lines("Content-Length")) {
    const auto number = detail::parse_decimal(value, 0xffffffffULL);
    if (!number) return fail(ParseErrorKind::BadContentLength, "Content-Length is not a decimal number: " + quoted(value));
    if (length && *length != *number) {
      return fail(ParseErrorKind::BadContentLength, "two Content-Length headers disagree: " + std::to_string(*length) +
                                                        " and " + std::to_string(*number));
    }
    length = static_cast<std::size_t>(*number);
  }
  return length;
}

}  // namespace

std::string_view full_header_name(std::string_view name) {
  if (name.size() == 1) {
    const char letter = detail::ascii_lower(name[0]);
    for (const CompactForm& form : kCompactForms) {
      if (form.letter == letter) return form.full;
    }
  }
  return name;
}

bool same_header_name(std::string_view a, std::string_view b) {
  return iequals(full_header_name(a), full_header_name(b));
}

std::optional<std::string_view> Message::header(std::string_view name) const {
  for (const Header& h : headers) {
    if (same_header_name(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

std::vector<std::string_view> Message::header_lines(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const Header& h : headers) {
    if (same_header_name(h.name, name)) values.emplace_back(h.value);
  }
  return values;
}

std::vector<std::string_view> Message::header_values(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const std::string_view line : header_lines(name)) {
    for (const std::string_view element : detail::split_outside_quotes(line, ',')) {
      const std::string_view trimmed = trim(element);
      if (!trimmed.empty()) values.push_back(trimmed);
    }
  }
  return values;
}

Expected<Message, ParseError> parse_message(std::string_view datagram) {
  if (datagram.size() > kMaxMessageBytes) {
    return fail(ParseErrorKind::TooLarge, "message of " + std::to_string(datagram.size()) + " bytes is over the limit of " +
                                              std::to_string(kMaxMessageBytes));
  }
  const std::string_view text = datagram.substr(skip_leading_line_ends(datagram));
  if (text.empty()) return fail(ParseErrorKind::Empty, "empty message (only CR/LF bytes)");
  Message message;
  const auto body_offset = parse_head(text, message);
  if (!body_offset) return Unexpected(body_offset.error());
  const std::string_view rest = text.substr(*body_offset);
  const auto length = content_length(message);
  if (!length) return Unexpected(length.error());
  if (!*length) {
    message.body = std::string(rest);  // RFC 3261 18.3: on UDP the body runs to the end of the datagram
  } else if (**length > rest.size()) {
    return fail(ParseErrorKind::TruncatedBody, "truncated body: Content-Length is " + std::to_string(**length) + " but only " +
                                                   std::to_string(rest.size()) + " bytes follow the headers");
  } else {
    message.body = std::string(rest.substr(0, **length));  // extra bytes are ignored (RFC 3261 18.3)
  }
  return message;
}

Message with_content_length(Message message) {
  bool seen = false;
  std::vector<Header> headers;
  headers.reserve(message.headers.size() + 1);
  for (Header& h : message.headers) {
    if (same_header_name(h.name, "Content-Length")) {
      if (seen) continue;
      seen = true;
      h.value = std::to_string(message.body.size());
    }
    headers.push_back(std::move(h));
  }
  if (!seen) headers.push_back(Header{"Content-Length", std::to_string(message.body.size())});
  message.headers = std::move(headers);
  return message;
}

std::string serialize(const Message& message) {
  std::string out;
  if (const RequestLine* request = message.request()) {
    out += request->method + ' ' + request->uri + ' ' + message.version;
  } else {
    const StatusLine& status = *message.status();
    out += message.version + ' ' + std::to_string(status.code) + ' ' + status.reason;
  }
  out += "\r\n";
  bool seen = false;
  for (const Header& h : message.headers) {
    if (same_header_name(h.name, "Content-Length")) {
      if (seen) continue;
      seen = true;
      out += h.name + ": " + std::to_string(message.body.size()) + "\r\n";
      continue;
    }
    out += h.name + ": " + h.value + "\r\n";
  }
  if (!seen) out += "Content-Length: " + std::to_string(message.body.size()) + "\r\n";
  out += "\r\n";
  out += message.body;
  return out;
}

Expected<Frame, ParseError> frame_stream(std::string_view buffer) {
  if (const std::size_t line_ends = skip_leading_line_ends(buffer); line_ends > 0) {
    return Frame{FrameStatus::Keepalive, line_ends};
  }
  // The first empty line ends the header block: a LF followed by LF or CRLF. The start line is not empty
  // (leading line ends were handled above), so the first such LF belongs to the last header line.
  std::size_t head_end = std::string_view::npos;
  for (std::size_t lf = buffer.find('\n'); lf != std::string_view::npos; lf = buffer.find('\n', lf + 1)) {
    if (lf + 1 < buffer.size() && buffer[lf + 1] == '\n') {
      head_end = lf + 2;
      break;
    }
    if (lf + 2 < buffer.size() && buffer[lf + 1] == '\r' && buffer[lf + 2] == '\n') {
      head_end = lf + 3;
      break;
    }
  }
  if (head_end == std::string_view::npos) {
    if (buffer.size() > kMaxMessageBytes) return fail(ParseErrorKind::TooLarge, "no end of headers within the first " + std::to_string(kMaxMessageBytes) + " bytes");
    return Frame{FrameStatus::NeedMore, 0};
  }
  if (head_end > kMaxMessageBytes) return fail(ParseErrorKind::TooLarge, "header block over the limit of " + std::to_string(kMaxMessageBytes) + " bytes");
  Message head;
  const auto body_offset = parse_head(buffer.substr(0, head_end), head);
  if (!body_offset) return Unexpected(body_offset.error());
  const auto length = content_length(head);
  if (!length) return Unexpected(length.error());
  if (!*length) return fail(ParseErrorKind::MissingContentLength, "no Content-Length on a stream (RFC 3261 18.3)");
  if (**length > kMaxMessageBytes - head_end) {
    return fail(ParseErrorKind::TooLarge, "message of " + std::to_string(head_end + **length) + " bytes is over the limit of " +
                                              std::to_string(kMaxMessageBytes));
  }
  const std::size_t total = head_end + **length;
  if (buffer.size() < total) return Frame{FrameStatus::NeedMore, 0};
  return Frame{FrameStatus::Complete, total};
}

}  // namespace mohq::sip
