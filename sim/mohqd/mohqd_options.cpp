#include "sim/mohqd/mohqd_options.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace mohq::sim {

namespace {

using Error = std::string;

Expected<long long, Error> parse_integer(const std::string& key, const std::string& text, long long low,
                                         long long high) {
  long long value = 0;
  const auto* end = text.data() + text.size();
  if (auto [ptr, ec] = std::from_chars(text.data(), end, value); ec != std::errc() || ptr != end || text.empty())
    return Unexpected(key + ": '" + text + "' is not an integer");
  if (value < low || value > high)
    return Unexpected(key + ": " + text + " is outside " + std::to_string(low) + ".." + std::to_string(high));
  return value;
}

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

struct Parser {
  MohqdOptions options;
  bool listen_given = false;
  bool rtpproxy_given = false;
  std::set<std::string> config_files;  // against include loops

  Expected<Done, Error> apply(const std::string& key, const std::string& value) {
    if (key == "listen") {
      if (!listen_given) options.listen.clear();
      listen_given = true;
      if (!value.starts_with("udp:") && !value.starts_with("tcp:"))
        return Unexpected("listen: '" + value + "' must be udp:HOST:PORT or tcp:HOST:PORT");
      options.listen.push_back(value);
    } else if (key == "rtpproxy") {
      if (!rtpproxy_given) options.rtpproxy.clear();
      rtpproxy_given = true;
      if (!value.starts_with("udp:") && !value.starts_with("unix:") && !value.starts_with("udp6:"))
        return Unexpected("rtpproxy: '" + value + "' must be udp:HOST:PORT or unix:PATH");
      options.rtpproxy.push_back(value);
    } else if (key == "db") {
      if (!value.starts_with("sqlite:") || value.size() == 7)
        return Unexpected("db: '" + value + "' must be sqlite:PATH (Kamailio's db_sqlite URL sqlite:///PATH works too)");
      std::string path = value.substr(7);
      // Kamailio's db_url form sqlite://[host]/database: "sqlite:////abs/path" is "/abs/path".
      if (path.starts_with("//")) {
        path = path.substr(2);
        const auto slash = path.find('/');
        path = slash == std::string::npos ? std::string() : path.substr(slash + 1);
        if (path.empty()) return Unexpected("db: '" + value + "' names no database file");
      }
      options.db_path = path;
    } else if (key == "mohdir") {
      std::error_code error;
      if (!std::filesystem::is_directory(value, error))
        return Unexpected("mohdir: '" + value + "' is not a directory");
      if (value.size() > 100) return Unexpected("mohdir: longer than 100 characters (mohqueue's limit)");
      options.mohdir = value;
    } else if (key == "maxcalls") {
      auto n = parse_integer(key, value, 1, 5000);  // moh_maxcalls' range
      if (!n) return Unexpected(n.error());
      options.maxcalls = static_cast<std::size_t>(*n);
    } else if (key == "rpc") {
      options.rpc = value == "off" ? "" : value;
    } else if (key == "profile") {
      auto profile = parse_profile(value);
      if (!profile) return Unexpected("profile: '" + value + "' is not kamailio or strict");
      options.profile = *profile;
    } else if (key == "queue") {
      const auto first = value.find(',');
      const auto second = first == std::string::npos ? first : value.find(',', first + 1);
      if (second == std::string::npos)
        return Unexpected("queue: '" + value + "' must be NAME,URI,MOHFILE");
      options.queues.push_back({value.substr(0, first), value.substr(first + 1, second - first - 1),
                                value.substr(second + 1)});
    } else if (key == "send") {
      const auto comma = value.rfind(',');
      if (comma == std::string::npos || comma == 0 || comma + 1 == value.size() || !value.starts_with("sip"))
        return Unexpected("send: '" + value + "' must be REQUEST-URI,QUEUE (mohq_send for that Request-URI)");
      options.send_rules.emplace_back(value.substr(0, comma), value.substr(comma + 1));
    } else if (key == "rtpproxy-timeout-ms") {
      auto n = parse_integer(key, value, 10, 60000);
      if (!n) return Unexpected(n.error());
      options.rtpproxy_timeout = std::chrono::milliseconds(*n);
    } else if (key == "rtpproxy-tries") {
      auto n = parse_integer(key, value, 1, 20);
      if (!n) return Unexpected(n.error());
      options.rtpproxy_tries = static_cast<int>(*n);
    } else if (key == "reload-interval") {
      auto n = parse_integer(key, value, 1, 86400);
      if (!n) return Unexpected(n.error());
      options.reload_interval = std::chrono::seconds(*n);
    } else if (key == "db-flush-ms") {
      auto n = parse_integer(key, value, 1, 10000);
      if (!n) return Unexpected(n.error());
      options.db_flush_interval = std::chrono::milliseconds(*n);
    } else if (key == "log-level") {
      if (value != "debug" && value != "info" && value != "warning" && value != "error")
        return Unexpected("log-level: '" + value + "' is not debug, info, warning or error");
      options.log_level = value;
    } else if (key == "server-header") {
      options.server_header = value;
    } else if (key == "config") {
      return read_config(value);
    } else {
      return Unexpected(key + ": unknown key (mohqd --help lists them)");
    }
    return Done{};
  }

  Expected<Done, Error> read_config(const std::string& path) {
    if (!config_files.insert(path).second) return Unexpected("config: '" + path + "' includes itself");
    std::ifstream file(path);
    if (!file) return Unexpected("config: cannot read '" + path + "'");
    std::string line;
    int number = 0;
    while (std::getline(file, line)) {
      ++number;
      line = trim(line.substr(0, line.find('#')));
      if (line.empty()) continue;
      const auto equals = line.find('=');
      if (equals == std::string::npos)
        return Unexpected(path + ":" + std::to_string(number) + ": expected 'key = value'");
      const std::string key = trim(line.substr(0, equals));
      auto applied = apply(key, trim(line.substr(equals + 1)));
      if (!applied) return Unexpected(path + ":" + std::to_string(number) + ": " + applied.error());
    }
    return Done{};
  }
};

}  // namespace

Expected<MohqdOptions, std::string> parse_mohqd_options(const std::vector<std::string>& arguments) {
  Parser parser;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    std::string argument = arguments[i];
    if (!argument.starts_with("--")) return Unexpected("'" + argument + "': options start with -- (mohqd --help)");
    argument = argument.substr(2);
    std::string key = argument, value;
    if (const auto equals = argument.find('='); equals != std::string::npos) {
      key = argument.substr(0, equals);
      value = argument.substr(equals + 1);
    } else {
      if (i + 1 >= arguments.size()) return Unexpected(key + ": needs a value");
      value = arguments[++i];
    }
    auto applied = parser.apply(key, value);
    if (!applied) return Unexpected(applied.error());
  }
  if (parser.options.db_path.empty()) return Unexpected("db: required (--db sqlite:PATH)");
  if (parser.options.mohdir.empty()) return Unexpected("mohdir: required (mohqueue's mohdir is mandatory)");
  return parser.options;
}

std::string mohqd_usage() {
  return R"(mohqd: a reference MOH queue, wire-compatible with Kamailio's mohqueue (+ rtpproxy module)

usage: mohqd --db sqlite:PATH --mohdir DIR [options]
  --listen udp:HOST:PORT | tcp:HOST:PORT   SIP listen address, repeatable (default udp:127.0.0.1:5060)
  --rtpproxy udp:HOST:PORT | unix:PATH     rtpproxy node, repeatable: a set chosen by Call-ID
                                           (default udp:127.0.0.1:22222)
  --db sqlite:PATH                         mohqueues/mohqcalls in Kamailio's schema (created if absent)
  --mohdir DIR                             default directory of the prompt files (<mohfile>.<pt>)
  --maxcalls N                             calls at once across all queues, 1..5000 (default 50)
  --rpc HOST:PORT | off                    JSON-RPC 2.0 over HTTP POST /RPC (default 127.0.0.1:5062)
  --profile kamailio | strict              what goes on the wire (default kamailio; see sim/README.md)
  --queue NAME,URI,MOHFILE                 add this queue to mohqueues when absent, repeatable
  --send REQUEST-URI,QUEUE                 mohq_send(QUEUE) for INVITEs to REQUEST-URI, repeatable
  --rtpproxy-timeout-ms N --rtpproxy-tries N   Kamailio's rtpproxy_tout / rtpproxy_retr (1000, 5)
  --reload-interval S                      queue reload period, seconds (60)
  --db-flush-ms N                          how often call-table changes are written (100)
  --log-level debug|info|warning|error     (info)
  --server-header TEXT                     the Server/User-Agent value (mohqd)
  --config FILE                            "key = value" lines with the keys above; '#' comments
A bad configuration prints the key at fault and exits 2.
)";
}

}  // namespace mohq::sim
