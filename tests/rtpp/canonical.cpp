#include "canonical.hpp"

#include <type_traits>
#include <variant>

namespace mohq::rtpp::testing {
namespace {

void field(std::string& out, const char* name, const std::string& value) {
  out += ' ';
  out += name;
  out += '=';
  out += value;
}

void optional_field(std::string& out, const char* name, const std::optional<std::string>& value) {
  if (value) field(out, name, *value);
}

void flag(std::string& out, bool on, const char* name) {
  if (!on) return;
  out += ' ';
  out += name;
}

std::string join(const std::vector<int>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + std::to_string(values[i]);
  return out;
}

std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + values[i];
  return out;
}

std::string describe_update(const UpdateCommand& c) {
  std::string out(1, c.lookup ? 'L' : 'U');
  const UpdateModifiers& m = c.modifiers;
  flag(out, m.asymmetric, "asym");
  flag(out, m.symmetric, "sym");
  flag(out, m.weak, "weak");
  flag(out, m.new_port, "newport");
  flag(out, m.ipv6, "ipv6");
  if (!m.interfaces.empty()) field(out, "ifaces", m.interfaces);
  if (m.ptime_ms) field(out, "ptime", std::to_string(*m.ptime_ms));
  if (!m.codecs.empty()) field(out, "codecs", join(m.codecs));
  optional_field(out, "local", m.local_address);
  optional_field(out, "remote", m.remote_address);
  field(out, "call", c.call_id);
  field(out, "addr", c.address);
  field(out, "port", c.port);
  field(out, "from", c.from_tag);
  optional_field(out, "to", c.to_tag);
  optional_field(out, "notify", c.notify_socket);
  optional_field(out, "tag", c.notify_tag);
  return out;
}

}  // namespace

std::string describe(const Command& command) {
  return std::visit(
      [](const auto& c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        std::string out;
        if constexpr (std::is_same_v<T, VersionCommand>) {
          out = "V";
        } else if constexpr (std::is_same_v<T, VersionFeatureCommand>) {
          out = "VF";
          field(out, "date", c.date);
        } else if constexpr (std::is_same_v<T, UpdateCommand>) {
          out = describe_update(c);
        } else if constexpr (std::is_same_v<T, DeleteCommand>) {
          out = "D";
          flag(out, c.weak, "weak");
          field(out, "call", c.call_id);
          field(out, "from", c.from_tag);
          optional_field(out, "to", c.to_tag);
        } else if constexpr (std::is_same_v<T, PlayCommand>) {
          out = "P";
          field(out, "count", std::to_string(c.count));
          field(out, "call", c.call_id);
          field(out, "prompt", c.prompt);
          if (c.session_codecs) {
            field(out, "codecs", "session");
          } else {
            field(out, "codecs", c.codecs_text);
            field(out, "pts", c.codecs.empty() ? "-" : join(c.codecs));
          }
          field(out, "from", c.from_tag);
          optional_field(out, "to", c.to_tag);
        } else if constexpr (std::is_same_v<T, StopPlayCommand>) {
          out = "S";
          field(out, "call", c.call_id);
          field(out, "from", c.from_tag);
          optional_field(out, "to", c.to_tag);
        } else if constexpr (std::is_same_v<T, QueryCommand>) {
          out = "Q";
          flag(out, c.verbose, "verbose");
          field(out, "call", c.call_id);
          field(out, "from", c.from_tag);
          optional_field(out, "to", c.to_tag);
          if (!c.counters.empty()) field(out, "counters", join(c.counters));
        } else if constexpr (std::is_same_v<T, InfoCommand>) {
          out = "I";
          flag(out, c.brief, "brief");
          flag(out, c.load, "load");
        } else if constexpr (std::is_same_v<T, StatsCommand>) {
          out = "G";
          flag(out, c.verbose, "verbose");
          if (!c.names.empty()) field(out, "names", join(c.names));
        } else if constexpr (std::is_same_v<T, DeleteAllCommand>) {
          out = "X";
        } else if constexpr (std::is_same_v<T, RecordCommand>) {
          out = std::string(1, c.verb);
          if (!c.modifiers.empty()) field(out, "mods", c.modifiers);
          for (const auto& arg : c.arguments) field(out, "arg", arg);
        } else {
          out = "F";
          for (const auto& [key, value] : c.settings) field(out, "set", key + '=' + value);
        }
        return out;
      },
      command);
}

std::string describe(const Expected<Request, ParseError>& result) {
  std::string out;
  const std::optional<std::string>& cookie = result ? result->cookie : result.error().cookie;
  if (cookie) out = "cookie=" + *cookie + ' ';
  if (!result) return out + 'E' + std::to_string(static_cast<int>(result.error().code));
  return out + describe(result->command);
}

}  // namespace mohq::rtpp::testing
