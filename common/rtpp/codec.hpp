// Parser and formatter for the rtpproxy control protocol, both directions (requests and responses).
// Parsers take untrusted bytes and never throw; errors carry the E-code rtpproxy would reply with.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/expected.hpp"
#include "rtpp/command.hpp"
#include "rtpp/reply.hpp"

namespace mohq::rtpp {

// Datagram (udp:, udp6:) carries a cookie before the command; Stream (unix:, stdio:) does not.
enum class Framing { Datagram, Stream };

struct ParseError {
  std::optional<std::string> cookie;  // set when a cookie was read, so the error reply can carry it
  ErrorCode code;
  std::string message;                // for logs: what was wrong, in words
};

inline constexpr std::size_t kMaxCommandBytes = 8192;
inline constexpr std::size_t kMaxTokens = 24;

Expected<Request, ParseError> parse_request(std::string_view text, Framing framing);
std::string format_request(const Request& request);  // no trailing newline

// Replies are classified by shape: "E<n>" -> ErrorReply, "<int>" -> NumberReply, "<int> <addr>[ 6]" ->
// PortReply, else TextReply. Callers that expect a port treat NumberReply{0} as "no port" (L not found).
Expected<Response, ParseError> parse_response(std::string_view text, Framing framing);
std::string format_response(const Response& response);  // ends with '\n'

// The command letter of a command (V for VF too), for counters, logs and forced-error fault rules.
char command_letter(const Command& command);

}  // namespace mohq::rtpp
