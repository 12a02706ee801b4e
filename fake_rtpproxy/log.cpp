#include "fake_rtpproxy/log.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <string>

namespace mohq::fake_rtpproxy {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::Warning)};

constexpr const char* kNames[] = {"DBUG", "INFO", "WARN", "ERR", "CRIT"};

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view text) {
  // rtpproxy accepts LEVEL[:FACILITY]; the facility only matters for syslog, which we do not use.
  text = text.substr(0, text.find(':'));
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  if (upper == "DBUG" || upper == "DEBUG" || upper == "0") return LogLevel::Debug;
  if (upper == "INFO" || upper == "1") return LogLevel::Info;
  if (upper == "WARN" || upper == "WARNING" || upper == "2") return LogLevel::Warning;
  if (upper == "ERR" || upper == "ERROR" || upper == "3") return LogLevel::Error;
  if (upper == "CRIT" || upper == "4") return LogLevel::Critical;
  return std::nullopt;
}

void set_log_level(LogLevel level) { g_level = static_cast<int>(level); }

bool log_enabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

void log_line(LogLevel level, std::string_view message) {
  using namespace std::chrono;
  auto now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  std::fprintf(stderr, "%lld.%03lld %s:fake-rtpproxy: %.*s\n", static_cast<long long>(now / 1000),
               static_cast<long long>(now % 1000), kNames[static_cast<int>(level)],
               static_cast<int>(message.size()), message.data());
}

}  // namespace mohq::fake_rtpproxy
