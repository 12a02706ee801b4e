// harness/progress: the load progress line. Exact bytes on a terminal (redraw, clear, truncation, final newline)
// and in a log (throttling by the snapshots' own time, the final line), the ETA, and detect_terminal on fds that
// are not terminals. No clock is involved: every time comes from the snapshots.
#define BOOST_TEST_MODULE test_harness_progress
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <string>

#include "progress/progress_line.hpp"

using mohq::harness::detect_terminal;
using mohq::harness::eta_seconds;
using mohq::harness::format_progress;
using mohq::harness::ProgressLine;
using mohq::harness::ProgressOptions;
using mohq::harness::ProgressSnapshot;
using mohq::harness::truncate_columns;

namespace {

ProgressSnapshot example() {
  ProgressSnapshot s;
  s.case_name = "sustained_100cps";
  s.elapsed_seconds = 12.0;
  s.active = 1200;
  s.done = 300;
  s.failed = 0;
  s.calls_per_second = 98.5;
  s.queue_depth = 1180;
  s.expected_total = 5028;  // (5028 - 300) / 98.5 = 48.0 s
  return s;
}

ProgressSnapshot at(double seconds, std::uint64_t done) {
  ProgressSnapshot s = example();
  s.elapsed_seconds = seconds;
  s.done = done;
  return s;
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + what.size())) ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(format)

BOOST_AUTO_TEST_CASE(the_documented_example) {
  BOOST_TEST(format_progress(example()) ==
             "[load] sustained_100cps  12.0 s  active 1200  done 300  failed 0  98.5 calls/s  queue 1180  ETA 48 s");
}

BOOST_AUTO_TEST_CASE(unknown_queue_and_total_are_question_marks) {
  ProgressSnapshot s = example();
  s.queue_depth.reset();
  s.expected_total.reset();
  BOOST_TEST(format_progress(s) ==
             "[load] sustained_100cps  12.0 s  active 1200  done 300  failed 0  98.5 calls/s  queue ?  ETA ?");
}

BOOST_AUTO_TEST_CASE(prefix_and_control_characters_in_the_name) {
  ProgressSnapshot s = example();
  s.case_name = "bad\nname\x1b[2J";
  const std::string line = format_progress(s, "soak");
  BOOST_TEST(line.starts_with("[soak] bad?name?[2J  12.0 s"));
  BOOST_TEST(line.find('\n') == std::string::npos);
  BOOST_TEST(line.find('\x1b') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(eta_rules) {
  ProgressSnapshot s = example();
  BOOST_TEST(eta_seconds(s).value() == 48.0, boost::test_tools::tolerance(1e-9));
  s.failed = 28;  // failed calls are finished calls too: (5028 - 328) / 98.5
  BOOST_TEST(eta_seconds(s).value() == 4700 / 98.5, boost::test_tools::tolerance(1e-9));
  s.calls_per_second = 0;
  BOOST_TEST(!eta_seconds(s).has_value());
  BOOST_TEST(format_progress(s).ends_with("ETA ?"));
  s.done = 5000;  // nothing remains: 0 even without a rate
  BOOST_TEST(eta_seconds(s).value() == 0.0);
  BOOST_TEST(format_progress(s).ends_with("ETA 0 s"));
  s.expected_total.reset();
  BOOST_TEST(!eta_seconds(s).has_value());
}

BOOST_AUTO_TEST_CASE(eta_rounds_up_and_switches_to_minutes) {
  ProgressSnapshot s = example();
  s.done = 0;
  s.calls_per_second = 10;
  s.expected_total = 1185;  // 118.5 s -> 119 s
  BOOST_TEST(format_progress(s).ends_with("ETA 119 s"));
  s.expected_total = 1200;  // 120 s -> 2 min
  BOOST_TEST(format_progress(s).ends_with("ETA 2 min"));
  s.expected_total = 36010;  // 3601 s -> 61 min
  BOOST_TEST(format_progress(s).ends_with("ETA 61 min"));
}

BOOST_AUTO_TEST_CASE(truncation_counts_characters_not_bytes) {
  BOOST_TEST(truncate_columns("abcdef", 3) == "abc");
  BOOST_TEST(truncate_columns("abc", 10) == "abc");
  BOOST_TEST(truncate_columns("h\xC3\xA9llo", 2) == "h\xC3\xA9");  // "hé", the two bytes of é kept together
  BOOST_TEST(truncate_columns("abc", 0).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(terminal)

BOOST_AUTO_TEST_CASE(redraws_in_place_and_ends_with_one_newline) {
  std::ostringstream out;
  {
    ProgressLine line(out, ProgressOptions{.is_terminal = true, .width = 200});
    line.update(at(1, 10));
    line.update(at(1.5, 20));
    line.finish(at(2, 30));
  }
  const std::string text = out.str();
  BOOST_TEST(count_of(text, "\r\x1b[K") == 3u);
  BOOST_TEST(count_of(text, "\n") == 1u);
  BOOST_TEST(text.back() == '\n');
  BOOST_TEST(text == "\r\x1b[K" + format_progress(at(1, 10)) + "\r\x1b[K" + format_progress(at(1.5, 20)) +
                         "\r\x1b[K" + format_progress(at(2, 30)) + "\n");
}

BOOST_AUTO_TEST_CASE(cut_to_the_width_minus_the_last_column) {
  std::ostringstream out;
  ProgressLine line(out, ProgressOptions{.is_terminal = true, .width = 40});
  line.update(example());
  BOOST_TEST(out.str() == "\r\x1b[K" + format_progress(example()).substr(0, 39));
  line.set_width(20);
  out.str("");
  line.update(example());
  BOOST_TEST(out.str() == "\r\x1b[K[load] sustained_10");
}

BOOST_AUTO_TEST_CASE(no_newline_before_finish) {
  std::ostringstream out;
  ProgressLine line(out, ProgressOptions{.is_terminal = true, .width = 200});
  for (int i = 0; i < 50; ++i) line.update(at(i * 0.1, static_cast<std::uint64_t>(i)));
  BOOST_TEST(out.str().find('\n') == std::string::npos);
  line.finish();  // the last update, ended
  BOOST_TEST(out.str().ends_with(format_progress(at(4.9, 49)) + "\n"));
}

BOOST_AUTO_TEST_CASE(destructor_ends_the_line_once) {
  std::ostringstream out;
  {
    ProgressLine line(out, ProgressOptions{.is_terminal = true, .width = 200});
    line.update(example());
  }
  BOOST_TEST(count_of(out.str(), "\n") == 1u);
  std::ostringstream untouched;
  { ProgressLine line(untouched, ProgressOptions{.is_terminal = true}); }
  BOOST_TEST(untouched.str().empty());
  std::ostringstream finished;
  {
    ProgressLine line(finished, ProgressOptions{.is_terminal = true, .width = 200});
    line.finish(example());
  }
  BOOST_TEST(count_of(finished.str(), "\n") == 1u);  // not a second time from the destructor
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(plain)

BOOST_AUTO_TEST_CASE(at_most_every_interval_and_always_a_final_line) {
  std::ostringstream out;
  {
    ProgressLine line(out, ProgressOptions{.is_terminal = false, .width = 10});
    for (int tenth = 0; tenth <= 123; ++tenth) line.update(at(tenth / 10.0, static_cast<std::uint64_t>(tenth)));
    line.finish(at(12.4, 124));
  }
  // printed at 0.0, 5.0, 10.0 (the first due time each) and the final line; the width does not cut a log line.
  const std::string expected = format_progress(at(0, 0)) + "\n" + format_progress(at(5, 50)) + "\n" +
                               format_progress(at(10, 100)) + "\n" + format_progress(at(12.4, 124)) + "\n";
  BOOST_TEST(out.str() == expected);
  BOOST_TEST(out.str().find('\r') == std::string::npos);
  BOOST_TEST(out.str().find('\x1b') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(custom_interval) {
  std::ostringstream out;
  ProgressLine line(out, ProgressOptions{.is_terminal = false, .plain_interval_seconds = 1});
  line.update(at(0, 0));
  line.update(at(0.99, 1));
  line.update(at(1.0, 2));
  BOOST_TEST(count_of(out.str(), "\n") == 2u);
}

BOOST_AUTO_TEST_CASE(final_line_even_right_after_a_printed_one) {
  std::ostringstream out;
  ProgressLine line(out, ProgressOptions{});
  line.update(at(3, 30));
  line.finish(at(3, 30));
  BOOST_TEST(out.str() == format_progress(at(3, 30)) + "\n" + format_progress(at(3, 30)) + "\n");
}

BOOST_AUTO_TEST_CASE(a_new_case_or_a_restarted_clock_prints_at_once) {
  std::ostringstream out;
  ProgressLine line(out, ProgressOptions{});
  line.update(at(4, 40));
  ProgressSnapshot other = at(4.5, 1);
  other.case_name = "burst";
  line.update(other);         // another case: printed although 0.5 s passed
  line.update(at(0.2, 1));    // back to the first name, time restarted: printed
  BOOST_TEST(count_of(out.str(), "\n") == 3u);
  BOOST_TEST(out.str().find("[load] burst  4.5 s") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(after_finish_a_new_display_starts) {
  std::ostringstream out;
  ProgressLine line(out, ProgressOptions{});
  line.update(at(1, 1));
  line.finish();
  line.update(at(1.5, 2));  // first update of a new display: printed
  line.finish();
  line.finish();            // nothing left to finish
  BOOST_TEST(count_of(out.str(), "\n") == 4u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(detect_terminal_on_a_pipe_and_dev_null) {
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  const auto piped = detect_terminal(fds[1]);
  BOOST_TEST(!piped.is_terminal);
  BOOST_TEST(piped.width > 0u);
  ::close(fds[0]);
  ::close(fds[1]);
  const int null_fd = ::open("/dev/null", O_WRONLY);
  BOOST_REQUIRE(null_fd >= 0);
  BOOST_TEST(!detect_terminal(null_fd).is_terminal);
  ::close(null_fd);
}

BOOST_AUTO_TEST_CASE(detect_terminal_on_a_pseudo_terminal_honours_term) {
  // A pty is a terminal; the width comes from TIOCGWINSZ (0 on a fresh pty, so $COLUMNS or 80).
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
    BOOST_TEST_MESSAGE("no pseudo terminal available; skipped");
    if (master >= 0) ::close(master);
    return;
  }
  const int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  BOOST_REQUIRE(slave >= 0);
  const char* saved = std::getenv("TERM");
  const std::string saved_term = saved ? saved : "";
  ::setenv("TERM", "xterm", 1);
  BOOST_TEST(detect_terminal(slave).is_terminal);
  ::setenv("TERM", "dumb", 1);
  BOOST_TEST(!detect_terminal(slave).is_terminal);
  ::unsetenv("TERM");
  BOOST_TEST(!detect_terminal(slave).is_terminal);
  if (saved) ::setenv("TERM", saved_term.c_str(), 1);
  ::close(slave);
  ::close(master);
}
