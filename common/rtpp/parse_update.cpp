// U and L: positional arguments, the notify pair and the modifier string (rtpproxy-protocol.md §2.1, §2.2).
// The modifiers are walked left to right like rtpproxy does, so with several faults the first one decides
// the E-code. Only what the command text alone decides is checked here; whether e/i, l, r or the notify
// socket can be honoured (E11/E12 without bridge mode, E31/E32, E36, E37, E75) is the fake's decision.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rtpp/parse_detail.hpp"

namespace mohq::rtpp::detail {
namespace {

// url_unquote in rtpproxy: every '%' must start a two-hex-digit escape (E10 otherwise).
bool is_valid_url_encoding(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    if (text.size() - i < 3) return false;
    if (!is_hex_digit(text[i + 1]) || !is_hex_digit(text[i + 2])) return false;
    i += 2;
  }
  return true;
}

enum class Family { V4, V6 };

struct ExtractedAddress {
  std::string_view text;  // as sent, brackets included for IPv6
  Family family;
  std::size_t next;       // index of the first character after the address
};

// rtpproxy's extractaddr: "[" hex-digits-and-colons "]" for IPv6, else a run of digits and dots; either
// must be non-empty. The address ends at the first character outside that set (IPv4) or after ']' (IPv6),
// which is where the next modifier letter starts.
std::optional<ExtractedAddress> extract_address(std::string_view mods, std::size_t at) {
  if (at < mods.size() && mods[at] == '[') {
    std::size_t end = at + 1;
    while (end < mods.size() && (is_hex_digit(mods[end]) || mods[end] == ':')) ++end;
    if (end == at + 1 || end >= mods.size() || mods[end] != ']') return std::nullopt;
    return ExtractedAddress{mods.substr(at, end + 1 - at), Family::V6, end + 1};
  }
  std::size_t end = at;
  while (end < mods.size() && (is_digit(mods[end]) || mods[end] == '.')) ++end;
  if (end == at) return std::nullopt;
  return ExtractedAddress{mods.substr(at, end - at), Family::V4, end};
}

// l{label} (rtpproxy 20260306): a non-empty label closed by '}'; the modifier string goes on after it.
std::optional<ExtractedAddress> extract_label(std::string_view mods, std::size_t at) {
  const std::size_t close = mods.find('}', at + 1);
  if (close == std::string_view::npos || close == at + 1) return std::nullopt;
  return ExtractedAddress{mods.substr(at, close + 1 - at), Family::V4, close + 1};
}

std::string quoted(std::string_view what, char c) {
  std::string m(what);
  m += " `";
  m += c;
  m += '\'';
  return m;
}

Expected<UpdateModifiers, Failure> parse_modifiers(std::string_view mods, bool lookup) {
  const char verb = lookup ? 'L' : 'U';
  const std::string prefix = std::string(1, verb) + ": ";
  UpdateModifiers out;
  bool have_codecs = false;
  std::size_t i = 0;
  while (i < mods.size()) {
    const char c = mods[i++];
    switch (c) {
      // a and s undo each other; the later one wins, as in rtpproxy.
      case 'a':
      case 'A':
        out.asymmetric = true;
        out.symmetric = false;
        break;
      case 's':
      case 'S':
        out.symmetric = true;
        out.asymmetric = false;
        break;
      case 'w':
      case 'W': out.weak = true; break;
      case 'n':
      case 'N': out.new_port = true; break;
      case '6': out.ipv6 = true; break;
      case 'e':
      case 'E':
      case 'i':
      case 'I':
        // The first letter picks the caller leg's interface, the second the callee's; a third is refused.
        if (out.interfaces.size() >= 2) {
          return fail(to_lower(c) == 'e' ? ErrorCode::ExternalNotBridged : ErrorCode::InternalNotBridged,
                      prefix + "more than two e/i modifiers");
        }
        out.interfaces.push_back(to_lower(c));
        break;
      case 'z':
      case 'Z': {
        // strtol semantics: optional sign, then digits; no digits reads as 0. Valid range 1..999 (E13).
        std::size_t end = i;
        if (end < mods.size() && (mods[end] == '+' || mods[end] == '-')) ++end;
        while (end < mods.size() && is_digit(mods[end])) ++end;
        const auto ptime = parse_integer<int>(mods.substr(i, end - i));
        if (!ptime || *ptime <= 0 || *ptime >= 1000) {
          return fail(ErrorCode::BadPtime, prefix + "ptime \"" + std::string(mods.substr(i, end - i)) +
                                               "\" is not within 1..999");
        }
        out.ptime_ms = *ptime;
        i = end;
        break;
      }
      case 'c':
      case 'C': {
        std::size_t end = i;
        while (end < mods.size() && (is_digit(mods[end]) || mods[end] == ',')) ++end;
        if (end == i) return fail(ErrorCode::BadCodecList, prefix + "empty codec list");
        if (have_codecs) return fail(ErrorCode::BadCodecList, prefix + "second codec list");
        // rtpproxy stores the text as it is; the model holds numbers, so empty items ("8,,0", ",8", "8,")
        // and numbers beyond int are refused here with the same code.
        const std::string_view list = mods.substr(i, end - i);
        std::size_t start = 0;
        while (true) {
          const std::size_t comma = list.find(',', start);
          const std::string_view item = list.substr(start, comma == std::string_view::npos ? list.npos : comma - start);
          const auto pt = parse_unsigned_digits<int>(item);
          if (!pt) return fail(ErrorCode::BadCodecList, prefix + "malformed codec list \"" + std::string(list) + "\"");
          out.codecs.push_back(*pt);
          if (comma == std::string_view::npos) break;
          start = comma + 1;
        }
        have_codecs = true;
        i = end;
        break;
      }
      case 'l':
      case 'L': {
        const bool label = i < mods.size() && mods[i] == '{';
        const auto address = label ? extract_label(mods, i) : extract_address(mods, i);
        if (!address) return fail(ErrorCode::BadLocalAddress, prefix + "bad local address after l");
        // rtpproxy refuses a local address of the other family than the session's so far (a '6' later in
        // the string does not count); a label's family is only known to the fake.
        if (!label && (address->family == Family::V6) != out.ipv6) {
          return fail(ErrorCode::LocalAddressUnusable,
                      prefix + "local address " + std::string(address->text) + " is not of the session's family");
        }
        out.local_address = std::string(address->text);
        out.remote_address.reset();  // l and r both pick the local address; the later one wins
        i = address->next;
        break;
      }
      case 'r':
      case 'R': {
        const auto address = extract_address(mods, i);
        if (!address) return fail(ErrorCode::BadRemoteAddress, prefix + "bad remote address after r");
        out.remote_address = std::string(address->text);
        out.local_address.reset();
        i = address->next;
        break;
      }
      default: return fail(ErrorCode::BadUpdateModifier, quoted(prefix + "unknown modifier", c));
    }
  }
  return out;
}

}  // namespace

Expected<Command, Failure> parse_update(const std::vector<std::string_view>& args) {
  UpdateCommand cmd;
  cmd.lookup = to_upper(args[0].front()) == 'L';
  cmd.call_id = std::string(args[1]);
  cmd.address = std::string(args[2]);
  cmd.port = std::string(args[3]);
  cmd.from_tag = std::string(args[4]);
  // §2.1: 6 tokens carry a to_tag; 7 a notify pair without to_tag; 8 both. L stops at 6 (checked before).
  switch (args.size()) {
    case 6: cmd.to_tag = std::string(args[5]); break;
    case 7:
      cmd.notify_socket = std::string(args[5]);
      cmd.notify_tag = std::string(args[6]);
      break;
    case 8:
      cmd.to_tag = std::string(args[5]);
      cmd.notify_socket = std::string(args[6]);
      cmd.notify_tag = std::string(args[7]);
      break;
    default: break;
  }
  // rtpproxy decodes the notify tag before it looks at the modifiers; the model keeps the tag as sent.
  if (cmd.notify_tag && !is_valid_url_encoding(*cmd.notify_tag)) {
    return fail(ErrorCode::BadNotifyTag, "U: notify tag \"" + *cmd.notify_tag + "\" is not valid URL encoding");
  }
  auto modifiers = parse_modifiers(args[0].substr(1), cmd.lookup);
  if (!modifiers) return Unexpected<Failure>{modifiers.error()};
  cmd.modifiers = std::move(*modifiers);
  return Command{std::move(cmd)};
}

}  // namespace mohq::rtpp::detail
