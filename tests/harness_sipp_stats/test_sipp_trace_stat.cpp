// harness/sipp_stats: SIPp 3.6.1 -trace_stat files read back. The fixtures in data/ are real files written by the
// Debian sip-tester 3.6.1 on 127.0.0.1 with -fd 1 (how: data/README.md); the expected numbers below are read off
// those files by eye (the CurrentTime/StartTime epochs and the count columns), not computed by the code under test.
#define BOOST_TEST_MODULE test_harness_sipp_stats
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "process/temp_dir.hpp"
#include "sipp_stats/sipp_trace_stat.hpp"
#include "support/source_tree.hpp"

namespace mh = mohq::harness;
using boost::test_tools::tolerance;

namespace {

std::string fixture_text(const std::string& name) {
  const auto path = mohq::test::source_tree() / "tests" / "harness_sipp_stats" / "data" / name;
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot open " << path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<mh::TraceStatRow> fixture(const std::string& name) {
  auto rows = mh::parse_trace_stat(fixture_text(name));
  BOOST_REQUIRE_MESSAGE(rows.has_value(), (rows ? "" : rows.error()));
  return *rows;
}

std::string header_of(const std::string& text) { return text.substr(0, text.find('\n') + 1); }

// The fixture's text with one field of data line `line` (1 = first row after the header) replaced.
std::string with_field(const std::string& text, int line, const std::string& column, const std::string& value) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (auto nl = text.find('\n'); nl != std::string::npos; start = nl + 1, nl = text.find('\n', start))
    lines.push_back(text.substr(start, nl - start));
  std::size_t index = 0;
  {
    std::size_t pos = 0, field = 0;
    const std::string& header = lines[0];
    while (header.compare(pos, column.size() + 1, column + ";") != 0) {
      pos = header.find(';', pos) + 1;
      ++field;
    }
    index = field;
  }
  std::string& target = lines[static_cast<std::size_t>(line)];
  std::size_t begin = 0;
  for (std::size_t i = 0; i < index; ++i) begin = target.find(';', begin) + 1;
  const std::size_t end = target.find(';', begin);
  target.replace(begin, end - begin, value);
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(real_files)

BOOST_AUTO_TEST_CASE(twenty_calls_at_ten_per_second) {
  const auto rows = fixture("uac_20_calls.csv");
  BOOST_TEST_REQUIRE(rows.size() == 5u);  // t=0, two periods, two closing rows
  const auto& first = rows.front();
  BOOST_TEST(first.total_created == 0u);
  BOOST_TEST(first.elapsed_seconds == 0.000383, tolerance(1e-6));
  const auto& second_period = rows[2];
  BOOST_TEST(second_period.elapsed_seconds == 2.008104, tolerance(1e-6));  // 1795705354.348859 - 1795705352.340755
  BOOST_TEST(second_period.period_seconds == 1.003530, tolerance(1e-6));
  BOOST_TEST(second_period.current_calls == 1u);
  BOOST_TEST(second_period.total_created == 20u);
  BOOST_TEST(second_period.successful == 19u);
  BOOST_TEST(second_period.call_rate == 10.9671, tolerance(1e-9));
  BOOST_TEST(second_period.call_rate_cumulative == 9.96016, tolerance(1e-9));
  BOOST_TEST(second_period.target_rate == 10.0);
  const auto& last = rows.back();
  BOOST_TEST(last.total_created == 20u);
  BOOST_TEST(last.successful == 20u);
  BOOST_TEST(last.failed == 0u);
  BOOST_TEST(last.retransmissions == 0u);
  BOOST_TEST(last.current_calls == 0u);
  BOOST_TEST(last.elapsed_seconds == 2.013763, tolerance(1e-6));
  // every column is kept as written
  BOOST_TEST(last.columns.size() == 95u);
  BOOST_TEST(*last.text("ElapsedTime(C)") == "00:00:02");
  BOOST_TEST(*last.duration_seconds("ElapsedTime(C)") == 2.0);
  BOOST_TEST(*last.duration_seconds("CallLength(C)") == 0.006, tolerance(1e-12));
  BOOST_TEST(*last.count("OutgoingCall(C)") == 20u);
  BOOST_TEST(*last.count("ResponseTimeRepartition1_<10") == 20u);
  BOOST_TEST(last.text("ResponseTimeRepartition1").value().empty());
  BOOST_TEST(*last.epoch_seconds("StartTime") == 1795705352.340755, tolerance(1e-15));
  BOOST_TEST(!last.count("StartTime").has_value());
  BOOST_TEST(!last.text("NoSuchColumn").has_value());
}

BOOST_AUTO_TEST_CASE(response_time_in_milliseconds) {
  const auto rows = fixture("uac_response_time.csv");  // the UAS paused 15 ms before its 200
  BOOST_TEST(rows.front().response_time1_ms == 0.0);
  BOOST_TEST(rows.back().response_time1_ms == 16.0, tolerance(1e-9));  // "00:00:00:016000"
}

BOOST_AUTO_TEST_CASE(timeouts_failures_and_retransmissions) {
  const auto rows = fixture("uac_timeouts.csv");  // calls to a port where nobody answers, -recv_timeout 3000
  BOOST_TEST_REQUIRE(rows.size() == 7u);
  BOOST_TEST(rows[2].current_calls == 6u);
  BOOST_TEST(rows[2].retransmissions == 5u);
  BOOST_TEST(rows[4].failed == 3u);
  BOOST_TEST(rows.back().failed == 6u);
  BOOST_TEST(rows.back().retransmissions == 12u);
  BOOST_TEST(*rows.back().count("FailedTimeoutOnRecv(C)") == 6u);
}

BOOST_AUTO_TEST_CASE(sipp_stats_of_the_last_row) {
  const auto stats = mh::to_sipp_stats(fixture("uac_timeouts.csv"));
  BOOST_TEST_REQUIRE(stats.has_value());
  BOOST_TEST(stats->total_calls == 6u);
  BOOST_TEST(stats->successful_calls == 0u);
  BOOST_TEST(stats->failed_calls == 6u);
  BOOST_TEST(stats->retransmissions == 12u);
  BOOST_TEST(stats->elapsed_seconds == 5.006726, tolerance(1e-6));
  BOOST_TEST(stats->call_rate == 1.19856, tolerance(1e-9));
  BOOST_TEST(stats->average_response_ms == 0.0);
  BOOST_TEST(stats->extra.at("TargetRate").get<double>() == 3.0);
  BOOST_TEST(stats->extra.at("FailedTimeoutOnRecv(C)").get<std::uint64_t>() == 6u);
  BOOST_TEST(stats->extra.at("Warnings(C)").get<std::uint64_t>() == 6u);
  BOOST_TEST(stats->extra.at("OutgoingCall(C)").get<std::uint64_t>() == 6u);
  BOOST_TEST(stats->extra.at("CallLength(C)_ms").get<double>() == 3004.0, tolerance(1e-9));
  BOOST_TEST(!stats->extra.contains("FailedCall(C)"));        // mapped, not repeated
  BOOST_TEST(!stats->extra.contains("FailedTcpConnect(C)"));  // 0: left out
  BOOST_TEST(!mh::to_sipp_stats(std::vector<mh::TraceStatRow>{}).has_value());

  const auto answered = mh::to_sipp_stats(fixture("uac_response_time.csv"));
  BOOST_TEST(answered->average_response_ms == 16.0, tolerance(1e-9));
  BOOST_TEST(answered->successful_calls == 12u);
}

BOOST_AUTO_TEST_CASE(load_samples_fold_the_closing_rows) {
  const auto samples = mh::to_load_samples(fixture("uac_20_calls.csv"));
  BOOST_TEST_REQUIRE(samples.size() == 3u);  // rows at 2.0136 and 2.0138 s fold into the one at 2.0081 s
  BOOST_TEST(samples[1].t == 1.004483, tolerance(1e-6));
  BOOST_TEST(samples[1].calls_per_second == 8.97308, tolerance(1e-9));
  BOOST_TEST(samples[2].t == 2.013763, tolerance(1e-6));
  BOOST_TEST(samples[2].calls_per_second == 10.9671, tolerance(1e-9));  // the period's rate, not the closing 0
  BOOST_TEST(samples[2].active_calls == 0u);                             // the closing row's state

  const auto failing = mh::to_load_samples(fixture("uac_timeouts.csv"));
  std::vector<std::uint64_t> failed, active;
  for (const auto& s : failing) {
    failed.push_back(s.failed);
    active.push_back(s.active_calls);
  }
  BOOST_TEST(failed == (std::vector<std::uint64_t>{0, 0, 0, 0, 3, 6}), boost::test_tools::per_element());
  BOOST_TEST(active == (std::vector<std::uint64_t>{0, 2, 6, 6, 3, 0}), boost::test_tools::per_element());
  BOOST_TEST(mh::to_load_samples(fixture("uac_20_calls.csv"), 0).size() == 5u);  // no folding
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(aggregation)

// pair_a (30 calls at 10/s) and pair_b (20 calls at 5/s) ran at the same time; pair_b started first
// (StartTime 1795705368.942959), so it is the origin. Rows relative to it: a at 0.0031, 1.0060, 2.0105, 3.0117,
// 3.0119; b at 0.0019, 1.0059, 2.0105, 3.0138, 4.0118, 4.0119. Samples at 0, 1, 2, 3, 4 and 4.011909 (the end).
BOOST_AUTO_TEST_CASE(two_processes_one_timeline) {
  const auto rows = mh::aggregate_trace_stat({fixture("pair_a.csv"), fixture("pair_b.csv")}, 1.0);
  BOOST_TEST_REQUIRE(rows.size() == 6u);
  std::vector<double> t;
  std::vector<std::uint64_t> total, current;
  for (const auto& r : rows) {
    t.push_back(r.elapsed_seconds);
    total.push_back(r.total_created);
    current.push_back(r.current_calls);
  }
  BOOST_TEST(t[4] == 4.0);
  BOOST_TEST(t[5] == 4.011909, tolerance(1e-6));
  // t=0: nothing written yet; t=1, 2, 3: each process' row from about a second earlier; t=4: a's closing row
  // (30) + b's row at 3.0138 (15); the end: 30 + 20.
  BOOST_TEST(total == (std::vector<std::uint64_t>{0, 0, 13, 30, 45, 50}), boost::test_tools::per_element());
  BOOST_TEST(current == (std::vector<std::uint64_t>{0, 0, 0, 2, 0, 0}), boost::test_tools::per_element());
  BOOST_TEST(rows[2].call_rate == 8.98204 + 3.98804, tolerance(1e-9));
  BOOST_TEST(rows[3].call_rate == 10.9562 + 5.9761, tolerance(1e-9));
  BOOST_TEST(rows[3].target_rate == 15.0);
  BOOST_TEST(rows[5].successful == 50u);
  BOOST_TEST(rows[5].call_rate_cumulative == 9.97009 + 4.98629, tolerance(1e-9));
  // columns: numbers summed, times and durations left out
  BOOST_TEST(*rows[5].count("OutgoingCall(C)") == 50u);
  BOOST_TEST(*rows[3].number("CallRate(P)") == 10.9562 + 5.9761, tolerance(1e-9));
  BOOST_TEST(!rows[5].text("CurrentTime").has_value());
  BOOST_TEST(!rows[5].text("CallLength(C)").has_value());
  BOOST_TEST(rows[5].start_time == 1795705368.942959, tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(a_finished_process_makes_no_new_calls) {
  // pair_a wrote its last row at 3.0119 s: summed at sample 4 with its own CallRate(P) (0 there anyway) and
  // OutgoingCall(P) 0; at the end its periodic columns count 0 while its cumulative ones stay.
  const auto rows = mh::aggregate_trace_stat({fixture("pair_a.csv"), fixture("pair_b.csv")}, 1.0);
  BOOST_TEST(*rows[4].count("OutgoingCall(P)") == 5u);   // b's period ending at 3.0138
  BOOST_TEST(*rows[5].count("OutgoingCall(P)") == 0u);   // b's closing row 0, a finished
  BOOST_TEST(*rows[5].count("OutgoingCall(C)") == 50u);
}

BOOST_AUTO_TEST_CASE(three_processes_with_failures) {
  // uac_timeouts ran at the same time as the pair (it started first: the origin, 1795705368.939330).
  const auto rows =
      mh::aggregate_trace_stat({fixture("pair_a.csv"), fixture("pair_b.csv"), fixture("uac_timeouts.csv")}, 1.0);
  const auto& end = rows.back();
  BOOST_TEST(end.elapsed_seconds == 5.006726, tolerance(1e-6));
  BOOST_TEST(end.total_created == 56u);
  BOOST_TEST(end.successful == 50u);
  BOOST_TEST(end.failed == 6u);
  BOOST_TEST(end.retransmissions == 12u);
  const auto stats = mh::to_sipp_stats(rows);
  BOOST_TEST(stats->total_calls == 56u);
  BOOST_TEST(stats->extra.at("FailedTimeoutOnRecv(C)").get<std::uint64_t>() == 6u);
  const auto samples = mh::to_load_samples(rows);
  BOOST_TEST(samples.back().failed == 6u);
}

BOOST_AUTO_TEST_CASE(response_time_weighted_by_successful_calls) {
  // uac_response_time: 12 successful at 16 ms; uac_20_calls: 20 successful at 0 ms -> 16 * 12 / 32 = 6 ms.
  const auto rows =
      mh::aggregate_trace_stat({fixture("uac_response_time.csv"), fixture("uac_20_calls.csv")}, 1.0);
  // The two runs were 38 s apart: the timeline spans both, the end holds both totals.
  BOOST_TEST(rows.back().total_created == 32u);
  BOOST_TEST(rows.back().response_time1_ms == 6.0, tolerance(1e-9));
}

// A time stamp claiming 130 years (found by fuzz_sipp_trace_stat, then a 20,000-row timeline that took minutes
// under ASan): the grid stays at about 3,600 samples, the long stretch without new rows repeats the sum before
// it, and the end still holds the final totals.
BOOST_AUTO_TEST_CASE(a_time_stamp_claiming_years_bounds_the_timeline) {
  auto a = fixture("pair_a.csv");
  a.back().current_time += 4.1e9;
  const auto rows = mh::aggregate_trace_stat({a, fixture("pair_b.csv")}, 1.0);
  BOOST_TEST_REQUIRE(rows.size() >= 3600u);
  BOOST_TEST(rows.size() <= 3602u);
  BOOST_TEST(rows[1].period_seconds > 1e6);  // stretched: 130 years / 3,600
  // Sample 1 holds every real row (b's last one counted the first time), sample 2 counts b as finished, and from
  // then on nothing changes until a's far row: equal sums, later times.
  BOOST_TEST(rows[2].total_created == 20u + a[a.size() - 2].total_created);  // b's total, a's row before the far one
  BOOST_TEST(rows[3].columns == rows[2].columns);
  BOOST_TEST(rows[3].total_created == rows[2].total_created);
  BOOST_TEST(rows[3].elapsed_seconds > rows[2].elapsed_seconds);
  BOOST_TEST(rows[3500].columns == rows[2].columns);
  BOOST_TEST(rows.back().total_created == 50u);  // a's far row arrives at the end
  BOOST_TEST(rows.back().elapsed_seconds > 4e9);
}

BOOST_AUTO_TEST_CASE(degenerate_inputs) {
  BOOST_TEST(mh::aggregate_trace_stat({}, 1.0).empty());
  BOOST_TEST(mh::aggregate_trace_stat({{}, {}}, 1.0).empty());
  BOOST_TEST(mh::aggregate_trace_stat({fixture("pair_a.csv")}, 0).empty());
  const auto one = mh::aggregate_trace_stat({{}, fixture("pair_a.csv")}, 1.0);
  BOOST_TEST(one.back().total_created == 30u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tolerant_and_malformed)

BOOST_AUTO_TEST_CASE(a_file_still_being_written) {
  const std::string text = fixture_text("uac_20_calls.csv");
  BOOST_TEST(mh::parse_trace_stat("")->empty());
  BOOST_TEST(mh::parse_trace_stat("StartTi")->empty());                   // header being written
  BOOST_TEST(mh::parse_trace_stat(text.substr(0, 500))->empty());         // still the header
  BOOST_TEST(mh::parse_trace_stat(header_of(text))->empty());             // header only
  const std::size_t second_row_end = text.find('\n', text.find('\n', header_of(text).size()) + 1);
  for (const std::size_t cut : {second_row_end - 20, second_row_end, second_row_end + 1, second_row_end + 100}) {
    const auto rows = mh::parse_trace_stat(text.substr(0, cut));
    BOOST_TEST_REQUIRE(rows.has_value());
    BOOST_TEST(rows->size() == (cut > second_row_end ? 2u : 1u), "cut at " << cut);
  }
}

BOOST_AUTO_TEST_CASE(crlf_lines_are_read_too) {
  std::string text = fixture_text("uac_20_calls.csv");
  std::string crlf;
  for (const char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const auto rows = mh::parse_trace_stat(crlf);
  BOOST_TEST_REQUIRE(rows.has_value());
  BOOST_TEST(rows->back().total_created == 20u);
}

BOOST_AUTO_TEST_CASE(not_a_sipp_file) {
  const auto csv = mh::parse_trace_stat("name,value\nfoo,1\n");
  BOOST_TEST_REQUIRE(!csv.has_value());
  BOOST_TEST(csv.error().find("line 1: not a SIPp -trace_stat file: the header lacks StartTime") == 0u,
             csv.error());
  BOOST_TEST(csv.error().find("'name,value'") != std::string::npos);

  const auto other = mh::parse_trace_stat("StartTime;CurrentTime;\n");  // SIPp-like, but not the columns we need
  BOOST_TEST_REQUIRE(!other.has_value());
  BOOST_TEST(other.error().find("lacks LastResetTime, TargetRate") != std::string::npos, other.error());

  const auto fragment = mh::parse_trace_stat("<html>");
  BOOST_TEST_REQUIRE(!fragment.has_value());
  BOOST_TEST(fragment.error().find("not a SIPp -trace_stat file") != std::string::npos);

  const std::string binary("\x00\x01\xff\n\x02", 5);
  BOOST_TEST(!mh::parse_trace_stat(binary).has_value());
}

BOOST_AUTO_TEST_CASE(a_row_with_the_wrong_number_of_fields) {
  std::string text = fixture_text("uac_20_calls.csv");
  const std::size_t row2 = text.find('\n', header_of(text).size()) + 1;
  text.erase(text.find(';', row2), 1);  // two fields of the second row merged
  const auto rows = mh::parse_trace_stat(text);
  BOOST_TEST_REQUIRE(!rows.has_value());
  BOOST_TEST(rows.error() == "line 3: 95 fields, the header has 96");
}

BOOST_AUTO_TEST_CASE(main_columns_must_parse) {
  const std::string text = fixture_text("uac_20_calls.csv");
  const auto bad_count = mh::parse_trace_stat(with_field(text, 2, "TotalCallCreated", "nine"));
  BOOST_TEST_REQUIRE(!bad_count.has_value());
  BOOST_TEST(bad_count.error() == "line 3: column TotalCallCreated: 'nine' is not a count");
  const auto negative = mh::parse_trace_stat(with_field(text, 2, "CurrentCall", "-1"));
  BOOST_TEST(negative.error() == "line 3: column CurrentCall: '-1' is not a count");
  const auto bad_time = mh::parse_trace_stat(with_field(text, 1, "CurrentTime", "yesterday"));
  BOOST_TEST(bad_time.error() == "line 2: column CurrentTime: 'yesterday' is not a SIPp time (DATE TIME EPOCH)");
  const auto bad_duration = mh::parse_trace_stat(with_field(text, 1, "ResponseTime1(C)", "12 ms"));
  BOOST_TEST(bad_duration.error() ==
             "line 2: column ResponseTime1(C): '12 ms' is not a SIPp duration (HH:MM:SS:FRACTION)");
  const auto bad_rate = mh::parse_trace_stat(with_field(text, 1, "CallRate(P)", "fast"));
  BOOST_TEST(bad_rate.error() == "line 2: column CallRate(P): 'fast' is not a rate");
  // Other columns are not checked: they are kept as text.
  const auto odd = mh::parse_trace_stat(with_field(text, 1, "Warnings(C)", "many"));
  BOOST_TEST_REQUIRE(odd.has_value());
  BOOST_TEST(*(*odd)[0].text("Warnings(C)") == "many");
  BOOST_TEST(!(*odd)[0].count("Warnings(C)").has_value());
}

BOOST_AUTO_TEST_CASE(non_finite_rates_read_as_zero) {
  const std::string text = fixture_text("uac_20_calls.csv");
  const auto rows = mh::parse_trace_stat(with_field(with_field(text, 1, "CallRate(P)", "nan"), 1, "CallRate(C)", "inf"));
  BOOST_TEST_REQUIRE(rows.has_value());
  BOOST_TEST((*rows)[0].call_rate == 0.0);
  BOOST_TEST((*rows)[0].call_rate_cumulative == 0.0);
  BOOST_TEST(!(*rows)[0].number("CallRate(P)").has_value());
}

BOOST_AUTO_TEST_CASE(duration_forms) {
  mh::TraceStatRow row;
  row.columns = {{"us", "00:00:01:234000"}, {"ms", "00:00:00:012"}, {"whole", "01:02:03"},
                 {"bogus_stdev", "2562047788015:12:55:808000"}, {"short", "1:2"}, {"letters", "aa:bb:cc"},
                 {"five", "00:00:00:00:00"}, {"empty_part", "00::00"}};
  BOOST_TEST(*row.duration_seconds("us") == 1.234, tolerance(1e-12));
  BOOST_TEST(*row.duration_seconds("ms") == 0.012, tolerance(1e-12));
  BOOST_TEST(*row.duration_seconds("whole") == 3723.0);
  BOOST_TEST(row.duration_seconds("bogus_stdev").has_value());  // SIPp wrote it; absurd but a duration
  BOOST_TEST(!row.duration_seconds("short").has_value());
  BOOST_TEST(!row.duration_seconds("letters").has_value());
  BOOST_TEST(!row.duration_seconds("five").has_value());
  BOOST_TEST(!row.duration_seconds("empty_part").has_value());
}

BOOST_AUTO_TEST_CASE(read_file_errors_name_the_file) {
  const auto missing = mh::read_trace_stat_file("/nonexistent/sipp_stats.csv");
  BOOST_TEST_REQUIRE(!missing.has_value());
  BOOST_TEST(missing.error() == "/nonexistent/sipp_stats.csv: cannot open");
  const auto dir = mohq::process::make_temp_dir("mohq-sipp-stats-");
  BOOST_TEST_REQUIRE(dir.has_value());
  const auto path = dir->path() / "not_sipp.csv";
  std::ofstream(path) << "a;b;c\n1;2;3\n";
  const auto wrong = mh::read_trace_stat_file(path);
  BOOST_TEST_REQUIRE(!wrong.has_value());
  BOOST_TEST(wrong.error().starts_with(path.string() + ": line 1: not a SIPp -trace_stat file"));
  const auto good = mh::read_trace_stat_file(mohq::test::source_tree() / "tests/harness_sipp_stats/data/pair_b.csv");
  BOOST_TEST_REQUIRE(good.has_value());
  BOOST_TEST(good->size() == 6u);
}

BOOST_AUTO_TEST_CASE(tail_follows_a_growing_file) {
  const std::string text = fixture_text("uac_timeouts.csv");
  const auto dir = mohq::process::make_temp_dir("mohq-sipp-stats-");
  BOOST_TEST_REQUIRE(dir.has_value());
  const auto path = dir->path() / "live.csv";
  mh::TraceStatTail tail(path);
  BOOST_TEST(tail.poll()->empty());  // not created yet

  std::vector<mh::TraceStatRow> seen;
  std::ofstream out(path, std::ios::binary);
  // Written in odd-sized pieces, as a writer's buffer may land: rows must come out whole and once.
  for (std::size_t at = 0; at < text.size(); at += 777) {
    out << text.substr(at, 777) << std::flush;
    auto rows = tail.poll();
    BOOST_TEST_REQUIRE(rows.has_value(), (rows ? "" : rows.error()));
    for (auto& row : *rows) seen.push_back(std::move(row));
  }
  const auto whole = fixture("uac_timeouts.csv");
  BOOST_TEST_REQUIRE(seen.size() == whole.size());
  for (std::size_t i = 0; i < seen.size(); ++i) BOOST_TEST(seen[i].columns == whole[i].columns);
  BOOST_TEST(tail.poll()->empty());  // nothing new

  out.close();
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "x";
  const auto shrunk = tail.poll();
  BOOST_TEST_REQUIRE(!shrunk.has_value());
  BOOST_TEST(shrunk.error().find("shrank") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tail_rejects_a_non_sipp_file) {
  const auto dir = mohq::process::make_temp_dir("mohq-sipp-stats-");
  BOOST_TEST_REQUIRE(dir.has_value());
  const auto path = dir->path() / "other.csv";
  std::ofstream(path) << "time,calls\n";
  mh::TraceStatTail tail(path);
  const auto rows = tail.poll();
  BOOST_TEST_REQUIRE(!rows.has_value());
  BOOST_TEST(rows.error().find("not a SIPp -trace_stat file") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
