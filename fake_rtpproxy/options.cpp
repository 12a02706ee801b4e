#include "fake_rtpproxy/options.hpp"

#include <charconv>
#include <functional>
#include <map>

namespace mohq::fake_rtpproxy {
namespace {

using Result = Expected<Done, std::string>;

Expected<long long, std::string> parse_integer(std::string_view flag, std::string_view text, long long min,
                                               long long max) {
  long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Unexpected(std::string(flag) + ": '" + std::string(text) + "' is not a whole number from " +
                      std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

// Splits "host:port" where host may be "[v6]".
Expected<std::pair<std::string, std::uint16_t>, std::string> split_host_port(std::string_view text,
                                                                             std::string_view what) {
  std::string_view host = text;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return Unexpected(std::string(what) + ": missing ']' in '" + std::string(text) + "'");
    host = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Unexpected(std::string(what) + ": expected ':' after ']' in '" + std::string(text) + "'");
      port_text = rest.substr(1);
    }
  } else if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (host.empty()) return Unexpected(std::string(what) + ": no host in '" + std::string(text) + "'");
  std::uint16_t port = kDefaultControlPort;
  if (!port_text.empty()) {
    auto value = parse_integer(what, port_text, 1, 65535);
    if (!value) return Unexpected(value.error());
    port = static_cast<std::uint16_t>(*value);
  }
  return std::pair{std::string(host), port};
}

}  // namespace

Expected<ControlSocketSpec, std::string> parse_control_socket(std::string_view text) {
  ControlSocketSpec spec;
  spec.text = std::string(text);
  auto take_prefix = [&](std::string_view prefix) {
    if (text.substr(0, prefix.size()) != prefix) return false;
    text.remove_prefix(prefix.size());
    return true;
  };
  if (take_prefix("udp6:")) {
    spec.kind = ControlSocketSpec::Kind::Udp6;
  } else if (take_prefix("udp:")) {
    spec.kind = ControlSocketSpec::Kind::Udp;
  } else if (take_prefix("unix:")) {
    spec.kind = ControlSocketSpec::Kind::Unix;
  } else if (take_prefix("stdio:")) {
    spec.kind = ControlSocketSpec::Kind::Stdio;
    return spec;
  } else if (text.find(':') != std::string_view::npos && text.front() != '/') {
    return Unexpected("-s: unsupported control socket '" + spec.text +
                      "' (fake-rtpproxy speaks udp:, udp6:, unix: and stdio:)");
  } else {
    spec.kind = ControlSocketSpec::Kind::Unix;  // like rtpproxy: a bare path is a unix socket
  }
  if (spec.kind == ControlSocketSpec::Kind::Unix) {
    if (text.empty()) return Unexpected("-s: empty unix socket path in '" + spec.text + "'");
    spec.path = std::string(text);
    return spec;
  }
  auto host_port = split_host_port(text, "-s");
  if (!host_port) return Unexpected(host_port.error());
  spec.host = host_port->first;
  spec.port = host_port->second;
  if (spec.host == "*") spec.host = spec.kind == ControlSocketSpec::Kind::Udp6 ? "::" : "0.0.0.0";
  return spec;
}

Expected<CommandLine, std::string> parse_command_line(std::span<const std::string_view> arguments) {
  CommandLine line;
  Options& o = line.options;

  // Flags rtpproxy has that change nothing for a fake driven over loopback: accepted so command lines
  // written for the real daemon keep working.
  const std::string_view kIgnoredFlags = "fF2iPRD";
  using Setter = std::function<Result(std::string_view)>;
  auto integer_into = [](int& target, std::string_view flag, long long min, long long max) {
    return [&target, flag, min, max](std::string_view value) -> Result {
      auto parsed = parse_integer(flag, value, min, max);
      if (!parsed) return Unexpected(parsed.error());
      target = static_cast<int>(*parsed);
      return Done{};
    };
  };
  std::map<char, Setter> valued = {
      {'l', [&](std::string_view v) -> Result {
         if (v.find('/') != std::string_view::npos)
           return Unexpected(std::string("-l ") + std::string(v) + ": bridge mode (two addresses) is not supported by fake-rtpproxy");
         o.listen_ipv4 = std::string(v);
         return Done{};
       }},
      {'6', [&](std::string_view v) -> Result { o.listen_ipv6 = std::string(v); return Done{}; }},
      {'A', [&](std::string_view v) -> Result { o.advertised_address = std::string(v); return Done{}; }},
      {'s', [&](std::string_view v) -> Result {
         auto spec = parse_control_socket(v);
         if (!spec) return Unexpected(spec.error());
         o.control.push_back(*spec);
         return Done{};
       }},
      {'m', integer_into(o.port_min, "-m", 1, 65535)},
      {'M', integer_into(o.port_max, "-M", 1, 65535)},
      {'T', integer_into(o.session_ttl_s, "-T", 1, 86400)},
      {'W', [&](std::string_view v) -> Result {
         auto parsed = parse_integer("-W", v, 1, 86400);
         if (!parsed) return Unexpected(parsed.error());
         o.setup_ttl_s = static_cast<int>(*parsed);
         return Done{};
       }},
      {'d', [&](std::string_view v) -> Result {
         auto level = parse_log_level(v);
         if (!level) return Unexpected("-d: unknown log level '" + std::string(v) + "' (DBUG, INFO, WARN, ERR, CRIT)");
         o.log_level = *level;
         return Done{};
       }},
      {'p', [&](std::string_view v) -> Result { o.pid_file = std::string(v); return Done{}; }},
      {'t', [](std::string_view v) -> Result {
         auto parsed = parse_integer("-t", v, 0, 255);
         if (!parsed) return Unexpected(parsed.error());
         return Done{};
       }},
      {'u', [](std::string_view) -> Result { return Done{}; }},  // user[:group]: we never drop privileges
      {'L', [](std::string_view v) -> Result {
         auto parsed = parse_integer("-L", v, 1, 10'000'000);
         if (!parsed) return Unexpected(parsed.error());
         return Done{};
       }},
  };
  // Real rtpproxy features a fake would only pretend to have: refuse them loudly rather than misbehave.
  const std::map<char, std::string_view> refused = {
      {'n', "timeout notification (-n)"}, {'r', "recording (-r)"}, {'S', "recording (-S)"},
      {'c', "scheduling policy (-c)"},  {'N', "-N"},
  };

  for (std::size_t i = 0; i < arguments.size(); ++i) {
    std::string_view arg = arguments[i];
    auto next_value = [&](std::string_view flag) -> Expected<std::string_view, std::string> {
      if (i + 1 >= arguments.size()) return Unexpected(std::string(flag) + " needs a value");
      return arguments[++i];
    };
    if (arg.starts_with("--")) {
      std::string_view name = arg.substr(2);
      std::optional<std::string_view> inline_value;
      if (auto eq = name.find('='); eq != std::string_view::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      auto value_of = [&]() -> Expected<std::string_view, std::string> {
        if (inline_value) return *inline_value;
        return next_value(arg);
      };
      if (name == "help") {
        line.action = CommandLine::Action::Help;
      } else if (name == "version") {
        line.action = CommandLine::Action::Version;
      } else if (name == "force_asymmetric") {
        o.force_asymmetric = true;
      } else if (name == "stats-json") {
        auto v = value_of();
        if (!v) return Unexpected(v.error());
        o.stats_json = std::string(*v);
      } else if (name == "fault") {
        auto v = value_of();
        if (!v) return Unexpected(v.error());
        auto eq = v->find('=');
        if (eq == std::string_view::npos || eq == 0)
          return Unexpected("--fault: expected KEY=VALUE, got '" + std::string(*v) + "'");
        o.faults.emplace_back(std::string(v->substr(0, eq)), std::string(v->substr(eq + 1)));
      } else if (name == "media-threads") {
        auto v = value_of();
        if (!v) return Unexpected(v.error());
        auto parsed = parse_integer("--media-threads", *v, 1, 64);
        if (!parsed) return Unexpected(parsed.error());
        o.media_threads = static_cast<int>(*parsed);
      } else if (name == "media-nice") {
        auto v = value_of();
        if (!v) return Unexpected(v.error());
        auto parsed = parse_integer("--media-nice", *v, -20, 19);
        if (!parsed) return Unexpected(parsed.error());
        o.media_nice = static_cast<int>(*parsed);
      } else if (name == "seed") {
        auto v = value_of();
        if (!v) return Unexpected(v.error());
        std::uint64_t seed = 0;
        auto [end, error] = std::from_chars(v->data(), v->data() + v->size(), seed);
        if (error != std::errc() || end != v->data() + v->size())
          return Unexpected("--seed: '" + std::string(*v) + "' is not a whole number");
        o.seed = seed;
      } else {
        return Unexpected("unknown option '" + std::string(arg) + "' (see --help)");
      }
      continue;
    }
    if (arg.size() < 2 || arg.front() != '-') {
      return Unexpected("unexpected argument '" + std::string(arg) + "' (see --help)");
    }
    // A cluster of short flags, e.g. "-fF" or "-m40000"; a valued flag takes the rest or the next argument.
    for (std::size_t k = 1; k < arg.size(); ++k) {
      char flag = arg[k];
      std::string flag_text = std::string("-") + flag;
      if (flag == 'h') {
        line.action = CommandLine::Action::Help;
      } else if (flag == 'V' || flag == 'v') {
        line.action = CommandLine::Action::Version;
      } else if (flag == 'b') {
        o.sequential_ports = true;
      } else if (flag == 'a') {
        o.force_asymmetric = true;
      } else if (kIgnoredFlags.find(flag) != std::string_view::npos) {
        // accepted, no effect (always foreground, no privileges to check)
      } else if (auto r = refused.find(flag); r != refused.end()) {
        return Unexpected(flag_text + ": " + std::string(r->second) + " is not supported by fake-rtpproxy");
      } else if (auto setter = valued.find(flag); setter != valued.end()) {
        std::string_view value;
        if (k + 1 < arg.size()) {
          value = arg.substr(k + 1);
        } else {
          auto v = next_value(flag_text);
          if (!v) return Unexpected(v.error());
          value = *v;
        }
        auto applied = setter->second(value);
        if (!applied) return Unexpected(applied.error());
        break;
      } else {
        return Unexpected("unknown option '" + flag_text + "' (see --help)");
      }
    }
  }

  if (line.action != CommandLine::Action::Run) return line;
  if (o.listen_ipv4.empty() && o.listen_ipv6.empty()) o.listen_ipv4 = "127.0.0.1";
  if (o.control.empty()) {
    auto spec = parse_control_socket("unix:/var/run/rtpproxy.sock");
    o.control.push_back(*spec);
  }
  // rtpproxy-protocol.md §4.3: min rounds up to even; the highest RTP port keeps RTCP (+1) within -M.
  if (o.port_min % 2 != 0) ++o.port_min;
  if (o.port_max % 2 != 0) --o.port_max; else o.port_max -= 2;
  if (o.port_min > o.port_max) {
    return Unexpected("-m/-M: the port range holds no even RTP port with its RTCP port (" +
                      std::to_string(o.port_min) + ".." + std::to_string(o.port_max + 1) + ")");
  }
  return line;
}

std::string usage_text() {
  return R"(usage: fake-rtpproxy [-l ADDR] [-6 ADDR] [-s SOCKET]... [-m MIN] [-M MAX] [-T TTL] [-W TTL]
                     [-d LEVEL] [-A ADDR] [-p PIDFILE] [-b] [-f] [-F]
                     [--stats-json FILE] [--fault KEY=VALUE]... [--seed N] [--media-threads N] [--media-nice N]
A stand-in for rtpproxy that speaks its control protocol and streams prompt files over RTP.
  -l ADDR        IPv4 media address (default 127.0.0.1)
  -6 ADDR        IPv6 media address
  -s SOCKET      control socket: udp:HOST[:PORT], udp6:HOST[:PORT], unix:PATH or stdio: (repeatable)
  -m MIN -M MAX  RTP port range (default 35000-65000; RTP even, RTCP = RTP + 1)
  -b             allocate ports in order instead of at random
  -T TTL         idle session timeout in seconds (default 60); -W TTL for sessions not yet answered
  -d LEVEL       log level DBUG, INFO, WARN (default), ERR or CRIT, on stderr
  -A ADDR        address advertised in U/L replies
  -p PIDFILE     write the process id there
  -f -F -2 -i -P -R -D -t -u -L   accepted for compatibility, no effect (always in the foreground)
  --stats-json FILE   write rtpproxy-like counters as JSON on exit
  --fault KEY=VALUE   inject a fault (see fake_rtpproxy/README.md); also at run time: "F KEY=VALUE"
  --seed N            reproducible random choices
  --media-threads N   threads sending prompts (default: one per CPU, at most 4)
  --media-nice N      niceness of those threads, e.g. -10 to keep time on a busy machine (default 0)
)";
}

}  // namespace mohq::fake_rtpproxy
