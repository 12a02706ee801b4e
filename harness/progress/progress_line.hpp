// A live progress display for `mohq run`'s load cases:
//
//   [load] sustained_100cps  12.0 s  active 1200  done 300  failed 0  98.5 calls/s  queue 1180  ETA 48 s
//
// On a terminal the line is redrawn in place ("\r", the text cut to the terminal width, "\x1b[K" to clear what a
// longer previous line left), with no newline until finish(). Anywhere else (CI logs, pipes) a redraw would be
// garbage, so it prints a plain full line at most every `plain_interval_seconds` and always a final one.
// The display owns no clock and does not look at the process' output: the caller passes the stream, whether it
// is a terminal, the width and the time (ProgressSnapshot::elapsed_seconds), so tests are deterministic.
// detect_terminal() answers the "is it a terminal, how wide" question for a real file descriptor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace mohq::harness {

// What a load runner knows at one moment. "done" and "failed" are disjoint: a finished call is one or the other.
struct ProgressSnapshot {
  std::string case_name;                       // "sustained_100cps"; control characters are shown as '?'
  double elapsed_seconds = 0;                  // since the load started; also the display's notion of time
  std::uint64_t active = 0;                    // calls in progress
  std::uint64_t done = 0;                      // calls ended successfully
  std::uint64_t failed = 0;                    // calls ended in failure
  double calls_per_second = 0;                 // recent rate of new calls (e.g. SIPp's CallRate(P))
  std::optional<std::uint64_t> queue_depth;    // callers in the MOH queue; unset: unknown ("queue ?")
  std::optional<std::uint64_t> expected_total; // calls the load will make; unset: no ETA ("ETA ?")
};

// Seconds until done + failed reaches expected_total at the recent rate: in a steady load calls end at the rate
// they start, so the recent rate of new calls is the best cheap estimate of the finishing rate.
// 0 when nothing remains; unset when the total is unknown or nothing remains to be done at a rate <= 0.
std::optional<double> eta_seconds(const ProgressSnapshot& snapshot);

// The line without any control sequence or newline:
// "[PREFIX] CASE  12.0 s  active N  done N  failed N  R calls/s  queue N|?  ETA N s|N min|?".
std::string format_progress(const ProgressSnapshot& snapshot, const std::string& prefix = "load");

struct ProgressOptions {
  bool is_terminal = false;             // redraw in place (true) or print plain lines (false)
  std::size_t width = 80;               // terminal columns; used only when is_terminal
  double plain_interval_seconds = 5;    // least time between two plain lines (the final line always comes)
  std::string prefix = "load";          // the "[load]" tag
};

// Where `fd` goes: a terminal when isatty(fd) and TERM is set and not "dumb" (a dumb terminal or an unknown one
// may print "\x1b[K" literally); the width from TIOCGWINSZ, else $COLUMNS, else 80.
struct TerminalInfo {
  bool is_terminal = false;
  std::size_t width = 80;
};
TerminalInfo detect_terminal(int fd);

// One progress display on one stream. Not thread-safe: one load runner calls it.
// The destructor ends the display as finish() does, so a terminal is never left with the cursor mid-line when
// a load runner leaves early (an exception, an error return).
class ProgressLine {
 public:
  ProgressLine(std::ostream& out, ProgressOptions options);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // A new state. Terminal: redrawn now. Plain: printed when it is the first, when interval seconds have passed
  // since the last printed line, when the case name changed or when the time went backwards (a new load).
  void update(const ProgressSnapshot& snapshot);
  // The final state: drawn and ended with a newline (terminal), or printed (plain, even when update() just
  // printed the same state). Further updates start a new display.
  void finish(const ProgressSnapshot& snapshot);
  // finish() with the last snapshot given to update(); nothing when there was none or it was already finished.
  void finish();

  // The terminal was resized (SIGWINCH); takes effect at the next redraw.
  void set_width(std::size_t width) { options_.width = width; }
  const ProgressOptions& options() const { return options_; }

 private:
  void draw(const ProgressSnapshot& snapshot);
  void print_plain(const ProgressSnapshot& snapshot);

  std::ostream& out_;
  ProgressOptions options_;
  std::optional<ProgressSnapshot> last_;      // last state given, not yet finished
  std::optional<double> last_printed_at_;     // plain: elapsed_seconds of the last printed line
  std::string last_printed_case_;             // plain: its case name
};

// `text` cut to at most `columns` characters (UTF-8 code points, a multi-byte character is never split).
std::string truncate_columns(const std::string& text, std::size_t columns);

}  // namespace mohq::harness
