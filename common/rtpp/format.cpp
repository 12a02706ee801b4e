// format_request, format_response and command_letter. format_request writes what parse_request reads back
// to an equal model, in the layout Kamailio sends (rtpproxy-protocol.md §2.8): flags, then Z, then c, e.g.
// "UAc8,0,101", "LZ20c0,8", "P-1 callid /path session ftag;1 ttag;1".
#include <string>
#include <type_traits>
#include <variant>

#include "rtpp/codec.hpp"
#include "rtpp/parse_detail.hpp"

namespace mohq::rtpp {
namespace {

void append_arg(std::string& out, const std::string& arg) {
  out += ' ';
  out += arg;
}

void append_optional(std::string& out, const std::optional<std::string>& arg) {
  if (arg) append_arg(out, *arg);
}

std::string join(const std::vector<int>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(values[i]);
  }
  return out;
}

// Order: A|S, E/I, W, N, 6, l, r, Z, c. '6' must come before l (rtpproxy checks l's family against the
// flags seen so far) and nothing that starts with a digit or '.' may follow an IPv4 l/r address.
std::string format_modifiers(const UpdateModifiers& m) {
  std::string out;
  if (m.asymmetric) out += 'A';
  if (m.symmetric) out += 'S';
  for (char c : m.interfaces) out += detail::to_upper(c);
  if (m.weak) out += 'W';
  if (m.new_port) out += 'N';
  if (m.ipv6) out += '6';
  if (m.local_address) out += 'l' + *m.local_address;
  if (m.remote_address) out += 'r' + *m.remote_address;
  if (m.ptime_ms) out += 'Z' + std::to_string(*m.ptime_ms);
  if (!m.codecs.empty()) out += 'c' + join(m.codecs);
  return out;
}

std::string format_command(const UpdateCommand& c) {
  std::string out(1, c.lookup ? 'L' : 'U');
  out += format_modifiers(c.modifiers);
  append_arg(out, c.call_id);
  append_arg(out, c.address);
  append_arg(out, c.port);
  append_arg(out, c.from_tag);
  append_optional(out, c.to_tag);
  if (!c.lookup && c.notify_socket && c.notify_tag) {  // notify is U only (§2.2)
    append_arg(out, *c.notify_socket);
    append_arg(out, *c.notify_tag);
  }
  return out;
}

std::string format_command(const VersionCommand&) { return "V"; }
std::string format_command(const VersionFeatureCommand& c) { return "VF " + c.date; }

std::string format_command(const DeleteCommand& c) {
  std::string out = c.weak ? "Dw" : "D";
  append_arg(out, c.call_id);
  append_arg(out, c.from_tag);
  append_optional(out, c.to_tag);
  return out;
}

std::string format_command(const PlayCommand& c) {
  // A bare P means one pass; writing "P" rather than "P1" keeps the text no longer than what was parsed.
  std::string out = c.count == 1 ? "P" : "P" + std::to_string(c.count);
  append_arg(out, c.call_id);
  append_arg(out, c.prompt);
  if (c.session_codecs) {
    append_arg(out, "session");
  } else {
    append_arg(out, c.codecs_text.empty() ? join(c.codecs) : c.codecs_text);
  }
  append_arg(out, c.from_tag);
  append_optional(out, c.to_tag);
  return out;
}

std::string format_command(const StopPlayCommand& c) {
  std::string out = "S";
  append_arg(out, c.call_id);
  append_arg(out, c.from_tag);
  append_optional(out, c.to_tag);
  return out;
}

std::string format_command(const QueryCommand& c) {
  std::string out = c.verbose ? "Qv" : "Q";
  append_arg(out, c.call_id);
  append_arg(out, c.from_tag);
  if (c.to_tag) {  // counters can only follow a to_tag (§2.6)
    append_arg(out, *c.to_tag);
    for (const auto& name : c.counters) append_arg(out, name);
  }
  return out;
}

std::string format_command(const InfoCommand& c) {
  std::string out = "I";
  if (c.brief) out += 'b';
  if (c.load) out += 'l';
  return out;
}

std::string format_command(const StatsCommand& c) {
  std::string out = c.verbose ? "Gv" : "G";
  for (const auto& name : c.names) append_arg(out, name);
  return out;
}

std::string format_command(const DeleteAllCommand&) { return "X"; }

std::string format_command(const RecordCommand& c) {
  std::string out(1, c.verb);
  out += c.modifiers;
  for (const auto& arg : c.arguments) append_arg(out, arg);
  return out;
}

std::string format_command(const FaultCommand& c) {
  std::string out = "F";
  for (const auto& [key, value] : c.settings) append_arg(out, key + '=' + value);
  return out;
}

}  // namespace

std::string format_request(const Request& request) {
  std::string out;
  if (request.cookie) {
    out = *request.cookie;
    out += ' ';
  }
  out += std::visit([](const auto& command) { return format_command(command); }, request.command);
  return out;
}

std::string format_response(const Response& response) {
  std::string out;
  if (response.cookie) {
    out = *response.cookie;
    out += ' ';
  }
  std::visit(
      [&out](const auto& reply) {
        using T = std::decay_t<decltype(reply)>;
        if constexpr (std::is_same_v<T, NumberReply>) {
          out += std::to_string(reply.value);
        } else if constexpr (std::is_same_v<T, PortReply>) {
          out += std::to_string(reply.port);
          if (!reply.address.empty()) {
            out += ' ';
            out += reply.address;
            if (reply.ipv6) out += " 6";
          }
        } else if constexpr (std::is_same_v<T, ErrorReply>) {
          out += 'E';
          out += std::to_string(static_cast<int>(reply.code));
        } else {
          out += reply.text;
        }
      },
      response.reply);
  out += '\n';
  return out;
}

char command_letter(const Command& command) {
  return std::visit(
      [](const auto& c) -> char {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, VersionCommand> || std::is_same_v<T, VersionFeatureCommand>) return 'V';
        else if constexpr (std::is_same_v<T, UpdateCommand>) return c.lookup ? 'L' : 'U';
        else if constexpr (std::is_same_v<T, DeleteCommand>) return 'D';
        else if constexpr (std::is_same_v<T, PlayCommand>) return 'P';
        else if constexpr (std::is_same_v<T, StopPlayCommand>) return 'S';
        else if constexpr (std::is_same_v<T, QueryCommand>) return 'Q';
        else if constexpr (std::is_same_v<T, InfoCommand>) return 'I';
        else if constexpr (std::is_same_v<T, StatsCommand>) return 'G';
        else if constexpr (std::is_same_v<T, DeleteAllCommand>) return 'X';
        else if constexpr (std::is_same_v<T, RecordCommand>) return c.verb;
        else return 'F';
      },
      command);
}

}  // namespace mohq::rtpp
