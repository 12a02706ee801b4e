// fake-rtpproxy's command line: rtpproxy's own flags (so scripts and init files can swap the binaries) plus a
// few long options of ours. Parsing never exits the process; main() decides (exit code 2 on errors).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/expected.hpp"
#include "fake_rtpproxy/log.hpp"

namespace mohq::fake_rtpproxy {

struct ControlSocketSpec {
  enum class Kind { Udp, Udp6, Unix, Stdio };
  Kind kind = Kind::Udp;
  std::string host;        // udp/udp6
  std::uint16_t port = 0;  // udp/udp6
  std::string path;        // unix
  std::string text;        // as given, for messages
};

// rtpproxy's default control port (rtpproxy-protocol.md §1.1).
inline constexpr std::uint16_t kDefaultControlPort = 22222;

// "udp:127.0.0.1:22222", "udp6:[::1]:22222", "unix:/run/x.sock", "/run/x.sock", "stdio:"
Expected<ControlSocketSpec, std::string> parse_control_socket(std::string_view text);

struct Options {
  std::string listen_ipv4;               // -l: media address (v4)
  std::string listen_ipv6;               // -6: media address (v6)
  std::string advertised_address;        // -A: address put in U/L replies instead of the bound one
  std::vector<ControlSocketSpec> control;  // -s, repeatable; default unix:/var/run/rtpproxy.sock
  int port_min = 35000;                  // -m
  int port_max = 65000;                  // -M
  bool sequential_ports = false;         // -b
  bool force_asymmetric = false;         // --force_asymmetric
  int session_ttl_s = 60;                // -T
  std::optional<int> setup_ttl_s;        // -W (defaults to -T)
  LogLevel log_level = LogLevel::Warning;  // -d
  std::string pid_file;                  // -p
  std::string stats_json;                // --stats-json
  std::vector<std::pair<std::string, std::string>> faults;  // --fault key=value
  std::optional<std::uint64_t> seed;     // --seed: reproducible SSRC/seq/ts, port order and faults
  int media_threads = 0;                 // --media-threads: threads sending prompts; 0 = one per CPU, at most 4
  int media_nice = 0;                    // --media-nice: niceness of those threads (-20..19)
};

struct CommandLine {
  enum class Action { Run, Help, Version };
  Action action = Action::Run;
  Options options;
};

Expected<CommandLine, std::string> parse_command_line(std::span<const std::string_view> arguments);
std::string usage_text();

}  // namespace mohq::fake_rtpproxy
