// parse_request: tokenising, cookie handling and every command but U/L (rtpproxy-protocol.md §1.2-§2.7).
// The checks run in rtpproxy's order so the first failing one decides the E-code: tokenising (E5), unknown
// command (E0), argument count (E1), modifiers on a command without any (E2), subcommands (E3), then the
// command's own modifiers and arguments.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rtpp/codec.hpp"
#include "rtpp/parse_detail.hpp"

namespace mohq::rtpp {
namespace {

using detail::fail;
using detail::Failure;

constexpr bool is_separator(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The command, split on runs of separators (§1.2), with the cookie taken off in Datagram framing (§1.3).
struct Tokens {
  std::optional<std::string> cookie;
  std::vector<std::string_view> args;  // the command, up to the first "&&"
  std::size_t subcommands = 0;         // number of "&&"-introduced subcommands (rtpproxy-protocol.md §2.10)
};

std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_separator(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_separator(text[i])) ++i;
    if (i > start) tokens.push_back(text.substr(start, i - start));
  }
  return tokens;
}

std::optional<std::string> leading_cookie(std::string_view text) {
  // Only for the oversize error reply: the first token, when it is whole and has no NUL.
  std::size_t i = 0;
  while (i < text.size() && is_separator(text[i])) ++i;
  std::size_t end = i;
  while (end < text.size() && !is_separator(text[end])) ++end;
  if (end == i || end == text.size()) return std::nullopt;
  std::string_view token = text.substr(i, end - i);
  if (token.find('\0') != std::string_view::npos) return std::nullopt;
  return std::string(token);
}

Unexpected<ParseError> error(const std::optional<std::string>& cookie, ErrorCode code, std::string message) {
  return Unexpected<ParseError>{ParseError{cookie, code, std::move(message)}};
}

Expected<Tokens, ParseError> tokenize(std::string_view text, Framing framing) {
  Tokens out;
  if (text.size() > kMaxCommandBytes) {
    return error(framing == Framing::Datagram ? leading_cookie(text) : std::nullopt, ErrorCode::Syntax,
                 "command longer than " + std::to_string(kMaxCommandBytes) + " bytes");
  }
  std::size_t group_size = 0;  // tokens in the command or subcommand being filled
  for (std::string_view token : split(text)) {
    // rtpproxy: a NUL inside a parameter is a syntax error; it is found token by token, so a cookie read
    // before it is still echoed.
    if (token.find('\0') != std::string_view::npos) {
      return error(out.cookie, ErrorCode::Syntax, "NUL byte inside a token");
    }
    if (framing == Framing::Datagram && !out.cookie) {
      out.cookie = std::string(token);
      continue;
    }
    if (token == "&&") {
      if (group_size == 0) return error(out.cookie, ErrorCode::Syntax, "\"&&\" with no command before it");
      ++out.subcommands;
      group_size = 0;
      continue;
    }
    if (++group_size > kMaxTokens) {
      return error(out.cookie, ErrorCode::Syntax,
                   "more than " + std::to_string(kMaxTokens) + " tokens in a command or subcommand");
    }
    if (out.subcommands == 0) out.args.push_back(token);
  }
  if (framing == Framing::Datagram && !out.cookie) return error(out.cookie, ErrorCode::Syntax, "empty datagram");
  if (out.args.empty()) return error(out.cookie, ErrorCode::Syntax, "empty command");
  if (group_size == 0) return error(out.cookie, ErrorCode::Syntax, "\"&&\" with no subcommand after it");
  return out;
}

// Per-command argument counts and whether modifiers are allowed, as rtpproxy's pre-parse checks them.
struct CommandShape {
  char letter;             // 'V' also for VF ('F' is mohq's fault command, see below)
  bool feature = false;    // VF
  std::size_t min_args;
  std::size_t max_args;
  bool takes_modifiers;
  std::string_view modifiers;
};

constexpr std::size_t kQueryCounters = 14;  // names Q accepts (§2.6), so Q takes at most 4 + 14 tokens
constexpr std::size_t kUnbounded = static_cast<std::size_t>(-1);

std::optional<CommandShape> shape_of(std::string_view head) {
  const char letter = detail::to_upper(head.front());
  const std::string_view mods = head.substr(1);
  switch (letter) {
    case 'U': return CommandShape{'U', false, 5, 8, true, mods};
    case 'L': return CommandShape{'L', false, 5, 6, true, mods};
    case 'D': return CommandShape{'D', false, 3, 4, true, mods};
    case 'P': return CommandShape{'P', false, 5, 6, true, mods};
    case 'R': return CommandShape{'R', false, 3, 4, true, mods};
    case 'C': return CommandShape{'C', false, 4, 5, true, mods};
    case 'S': return CommandShape{'S', false, 3, 4, false, mods};
    case 'N': return CommandShape{'N', false, 3, 4, true, mods};
    case 'I': return CommandShape{'I', false, 1, 1, true, mods};
    case 'Q': return CommandShape{'Q', false, 3, 4 + kQueryCounters, true, mods};
    case 'X': return CommandShape{'X', false, 1, 1, false, mods};
    case 'G': return CommandShape{'G', false, 1, kUnbounded, true, mods};
    case 'F': return CommandShape{'F', false, 1, kUnbounded, false, mods};  // mohq extension
    case 'V':
      if (!mods.empty() && detail::to_upper(mods.front()) == 'F') {
        return CommandShape{'V', true, 2, 2, false, mods.substr(1)};
      }
      return CommandShape{'V', false, 1, 1, false, mods};
    default: return std::nullopt;
  }
}

std::string str(std::string_view v) { return std::string(v); }

std::optional<std::string> optional_arg(const std::vector<std::string_view>& args, std::size_t index) {
  if (index < args.size()) return str(args[index]);
  return std::nullopt;
}

std::string letter_message(std::string_view what, char c) {
  std::string m(what);
  m += " `";
  m += c;
  m += '\'';
  return m;
}

Expected<Command, Failure> parse_delete(const std::vector<std::string_view>& args, std::string_view mods) {
  DeleteCommand cmd;
  for (char c : mods) {
    if (detail::to_lower(c) != 'w') return fail(ErrorCode::BadDeleteModifier, letter_message("D: unknown modifier", c));
    cmd.weak = true;
  }
  cmd.call_id = str(args[1]);
  cmd.from_tag = str(args[2]);
  cmd.to_tag = optional_arg(args, 3);
  return Command{std::move(cmd)};
}

Expected<Command, Failure> parse_play(const std::vector<std::string_view>& args, std::string_view mods) {
  PlayCommand cmd;
  if (!mods.empty()) {
    // §3.1: everything after P must be one whole integer (strtol with an end check in rtpproxy).
    auto count = detail::parse_integer<int>(mods);
    if (!count) return fail(ErrorCode::BadPlayCount, "P: play count \"" + str(mods) + "\" is not an integer");
    cmd.count = *count;
  }
  cmd.call_id = str(args[1]);
  cmd.prompt = str(args[2]);
  cmd.codecs_text = str(args[3]);
  // §3.2: only the exact word "session" refers to the leg's stored list; anything else is a list whose
  // validity (E60) is decided when the player is created.
  cmd.session_codecs = args[3] == "session";
  if (!cmd.session_codecs) cmd.codecs = detail::leading_payload_types(args[3]);
  cmd.from_tag = str(args[4]);
  cmd.to_tag = optional_arg(args, 5);
  return Command{std::move(cmd)};
}

Expected<Command, Failure> parse_query(const std::vector<std::string_view>& args, std::string_view mods) {
  QueryCommand cmd;
  // rtpproxy checks Q's modifiers only once the session is found, so it answers E50 before E19; a parser
  // without sessions reports E19 first (README: deviations).
  for (char c : mods) {
    if (detail::to_lower(c) != 'v') return fail(ErrorCode::BadQueryModifier, letter_message("Q: unknown modifier", c));
    cmd.verbose = true;
  }
  cmd.call_id = str(args[1]);
  cmd.from_tag = str(args[2]);
  cmd.to_tag = optional_arg(args, 3);
  for (std::size_t i = 4; i < args.size(); ++i) cmd.counters.push_back(str(args[i]));
  return Command{std::move(cmd)};
}

Expected<Command, Failure> parse_info(std::string_view mods) {
  InfoCommand cmd;
  for (char c : mods) {
    switch (detail::to_lower(c)) {
      case 'b': cmd.brief = true; break;
      case 'l': cmd.load = true; break;
      default: return fail(ErrorCode::BadInfoModifier, letter_message("I: unknown modifier", c));
    }
  }
  return Command{cmd};
}

Expected<Command, Failure> parse_stats(const std::vector<std::string_view>& args, std::string_view mods) {
  StatsCommand cmd;
  for (char c : mods) {
    if (detail::to_lower(c) != 'v') return fail(ErrorCode::BadStatsModifier, letter_message("G: unknown modifier", c));
    cmd.verbose = true;
  }
  for (std::size_t i = 1; i < args.size(); ++i) cmd.names.push_back(str(args[i]));
  return Command{std::move(cmd)};
}

// R[s], C[s|p] and N[a] (§2.5). rtpproxy: R and C take s and p, p is refused for R with E6 and any other
// letter is E7; N takes a lone "a" (E6 when more follows it, E7 for anything else).
Expected<Command, Failure> parse_record(char verb, const std::vector<std::string_view>& args, std::string_view mods) {
  if (verb == 'N') {
    if (!mods.empty()) {
      if (detail::to_lower(mods.front()) != 'a') {
        return fail(ErrorCode::BadRecordModifier, letter_message("N: unknown modifier", mods.front()));
      }
      if (mods.size() > 1) return fail(ErrorCode::BadNModifier, "N: nothing may follow the a modifier");
    }
  } else {
    for (char c : mods) {
      const char l = detail::to_lower(c);
      if (l == 's') continue;
      if (l == 'p') {
        if (verb == 'R') return fail(ErrorCode::BadNModifier, "R: the p modifier is only allowed with C");
        continue;
      }
      return fail(ErrorCode::BadRecordModifier, letter_message(verb == 'R' ? "R: unknown modifier" : "C: unknown modifier", c));
    }
  }
  RecordCommand cmd;
  cmd.verb = verb;
  cmd.modifiers = str(mods);
  for (std::size_t i = 1; i < args.size(); ++i) cmd.arguments.push_back(str(args[i]));
  return Command{std::move(cmd)};
}

// F key=value... (mohq extension, not rtpproxy): every argument needs a non-empty key before its first '='.
Expected<Command, Failure> parse_fault(const std::vector<std::string_view>& args) {
  FaultCommand cmd;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::size_t eq = args[i].find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return fail(ErrorCode::Syntax, "F: argument \"" + str(args[i]) + "\" is not key=value");
    }
    cmd.settings.emplace_back(str(args[i].substr(0, eq)), str(args[i].substr(eq + 1)));
  }
  return Command{std::move(cmd)};
}

Expected<Command, Failure> parse_command(const Tokens& tokens) {
  const std::vector<std::string_view>& args = tokens.args;
  const auto shape = shape_of(args.front());
  if (!shape) return fail(ErrorCode::UnknownCommand, letter_message("unknown command", args.front().front()));
  if (args.size() < shape->min_args || args.size() > shape->max_args) {
    return fail(ErrorCode::ArgumentCount,
                std::string(1, shape->letter) + (shape->feature ? "F" : "") + ": wrong number of arguments (" +
                    std::to_string(args.size()) + " tokens)");
  }
  if (!shape->takes_modifiers && !shape->modifiers.empty()) {
    return fail(ErrorCode::UnexpectedModifiers, std::string(1, shape->letter) + (shape->feature ? "F" : "") +
                                                    ": modifiers \"" + str(shape->modifiers) + "\" not allowed");
  }
  // The model has no subcommands; rtpproxy refuses them (E3) for every command but U/L/Q (README: deviations).
  if (tokens.subcommands > 0) return fail(ErrorCode::BadSubcommand, "subcommands (&&) are not supported");

  const std::string_view mods = shape->modifiers;
  switch (shape->letter) {
    case 'U':
    case 'L': return detail::parse_update(args);
    case 'D': return parse_delete(args, mods);
    case 'P': return parse_play(args, mods);
    case 'S': return Command{StopPlayCommand{str(args[1]), str(args[2]), optional_arg(args, 3)}};
    case 'Q': return parse_query(args, mods);
    case 'I': return parse_info(mods);
    case 'G': return parse_stats(args, mods);
    case 'X': return Command{DeleteAllCommand{}};
    case 'R':
    case 'C':
    case 'N': return parse_record(shape->letter, args, mods);
    case 'F': return parse_fault(args);
    case 'V':
      if (shape->feature) return Command{VersionFeatureCommand{str(args[1])}};
      return Command{VersionCommand{}};
    default: break;
  }
  return fail(ErrorCode::UnknownCommand, letter_message("unknown command", args.front().front()));
}

}  // namespace

namespace detail {

std::vector<int> leading_payload_types(std::string_view codecs) {
  std::vector<int> out;
  std::size_t i = 0;
  while (i < codecs.size()) {
    std::size_t end = i;
    while (end < codecs.size() && is_digit(codecs[end])) ++end;
    auto pt = parse_unsigned_digits<int>(codecs.substr(i, end - i));
    if (!pt) break;
    out.push_back(*pt);
    i = end < codecs.size() ? end + 1 : end;  // skip the one separator
  }
  return out;
}

}  // namespace detail

Expected<Request, ParseError> parse_request(std::string_view text, Framing framing) {
  auto tokens = tokenize(text, framing);
  if (!tokens) return Unexpected<ParseError>{tokens.error()};
  auto command = parse_command(*tokens);
  if (!command) return error(tokens->cookie, command.error().code, command.error().message);
  return Request{std::move(tokens->cookie), std::move(*command)};
}

}  // namespace mohq::rtpp
