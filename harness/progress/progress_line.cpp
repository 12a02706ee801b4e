#include "progress/progress_line.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <utility>

namespace mohq::harness {
namespace {

// Fixed-point text without locale surprises (a "de" locale must not turn 98.5 into 98,5 in a CI log).
std::string fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "?";
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  if (ec != std::errc()) return "?";
  return std::string(buffer, end);
}

// A case name comes from a suite file; a newline or an escape in it would break the one-line display.
std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 || byte == 0x7f) ? '?' : c;
  }
  return out;
}

std::string format_eta(const ProgressSnapshot& snapshot) {
  const auto eta = eta_seconds(snapshot);
  if (!eta) return "ETA ?";
  const double seconds = std::ceil(*eta);
  // Past two minutes the seconds digit only flickers; minutes are what an operator plans with.
  if (seconds < 120) return "ETA " + fixed(seconds, 0) + " s";
  return "ETA " + fixed(std::ceil(seconds / 60), 0) + " min";
}

}  // namespace

std::optional<double> eta_seconds(const ProgressSnapshot& snapshot) {
  if (!snapshot.expected_total) return std::nullopt;
  const std::uint64_t finished = snapshot.done + snapshot.failed;
  if (finished >= *snapshot.expected_total) return 0.0;
  if (!(snapshot.calls_per_second > 0) || !std::isfinite(snapshot.calls_per_second)) return std::nullopt;
  return static_cast<double>(*snapshot.expected_total - finished) / snapshot.calls_per_second;
}

std::string format_progress(const ProgressSnapshot& snapshot, const std::string& prefix) {
  std::string line = "[" + printable(prefix) + "] " + printable(snapshot.case_name);
  line += "  " + fixed(snapshot.elapsed_seconds, 1) + " s";
  line += "  active " + std::to_string(snapshot.active);
  line += "  done " + std::to_string(snapshot.done);
  line += "  failed " + std::to_string(snapshot.failed);
  line += "  " + fixed(snapshot.calls_per_second, 1) + " calls/s";
  line += "  queue " + (snapshot.queue_depth ? std::to_string(*snapshot.queue_depth) : std::string("?"));
  line += "  " + format_eta(snapshot);
  return line;
}

std::string truncate_columns(const std::string& text, std::size_t columns) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    // A UTF-8 continuation byte (10xxxxxx) belongs to the character already counted.
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (count == columns) return text.substr(0, i);
    ++count;
  }
  return text;
}

TerminalInfo detect_terminal(int fd) {
  TerminalInfo info;
  const char* term = std::getenv("TERM");
  info.is_terminal = ::isatty(fd) == 1 && term != nullptr && *term != '\0' && std::strcmp(term, "dumb") != 0;
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    info.width = size.ws_col;
  } else if (const char* columns = std::getenv("COLUMNS"); columns != nullptr) {
    std::size_t value = 0;
    const std::string_view text(columns);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size() && value > 0) info.width = value;
  }
  return info;
}

ProgressLine::ProgressLine(std::ostream& out, ProgressOptions options) : out_(out), options_(std::move(options)) {}

ProgressLine::~ProgressLine() {
  // A destructor must not throw; a stream set to throw on failure is the caller's business, not a crash here.
  try {
    finish();
  } catch (...) {
  }
}

void ProgressLine::draw(const ProgressSnapshot& snapshot) {
  // Clear first, then draw: with the clear after the text, a line that fills the width leaves the cursor on its
  // last character and "\x1b[K" erases that character. One column is kept free because some terminals wrap as
  // soon as the last column is written, and a wrapped line can no longer be redrawn with "\r".
  const std::size_t columns = options_.width > 1 ? options_.width - 1 : 1;
  out_ << "\r\x1b[K" << truncate_columns(format_progress(snapshot, options_.prefix), columns);
  out_.flush();
}

void ProgressLine::print_plain(const ProgressSnapshot& snapshot) {
  out_ << format_progress(snapshot, options_.prefix) << '\n';
  out_.flush();
  last_printed_at_ = snapshot.elapsed_seconds;
  last_printed_case_ = snapshot.case_name;
}

void ProgressLine::update(const ProgressSnapshot& snapshot) {
  last_ = snapshot;
  if (options_.is_terminal) {
    draw(snapshot);
    return;
  }
  const bool due = !last_printed_at_ || snapshot.case_name != last_printed_case_ ||
                   snapshot.elapsed_seconds < *last_printed_at_ ||
                   snapshot.elapsed_seconds - *last_printed_at_ >= options_.plain_interval_seconds;
  if (due) print_plain(snapshot);
}

void ProgressLine::finish(const ProgressSnapshot& snapshot) {
  if (options_.is_terminal) {
    draw(snapshot);
    out_ << '\n';
    out_.flush();
  } else {
    print_plain(snapshot);
  }
  last_.reset();
  last_printed_at_.reset();
  last_printed_case_.clear();
}

void ProgressLine::finish() {
  if (last_) finish(*last_);
}

}  // namespace mohq::harness
