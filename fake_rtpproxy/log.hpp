// Leveled logging to stderr with rtpproxy's level names (-d DBUG|INFO|WARN|ERR|CRIT).
#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace mohq::fake_rtpproxy {

enum class LogLevel { Debug = 0, Info = 1, Warning = 2, Error = 3, Critical = 4 };

std::optional<LogLevel> parse_log_level(std::string_view text);  // "DBUG", "info", "3", "ERR:LOCAL0", ...
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void log_line(LogLevel level, std::string_view message);

// Streams into a line only when the level is enabled: LOG(Info) << "x=" << x;
class LogStream {
 public:
  explicit LogStream(LogLevel level) : level_(level) {}
  ~LogStream() { log_line(level_, stream_.str()); }
  template <class T>
  LogStream& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};

}  // namespace mohq::fake_rtpproxy

#define FRTPP_LOG(level)                                                                    \
  if (!::mohq::fake_rtpproxy::log_enabled(::mohq::fake_rtpproxy::LogLevel::level)) {        \
  } else                                                                                    \
    ::mohq::fake_rtpproxy::LogStream(::mohq::fake_rtpproxy::LogLevel::level)
