// CallTableWriter: changes wait in memory, coalesce per call, and reach mohqcalls in one transaction per flush.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "scratch_dir.hpp"
#include "sim/db/call_table_writer.hpp"
#include "sim/db/mohqueue_schema.hpp"
#include "sim/db/sqlite_database.hpp"

namespace fs = std::filesystem;
using namespace mohq::sim_db;
using mohq::sim_db::test::ScratchDir;

namespace {

struct CallTable {
  ScratchDir dir;
  fs::path path = dir / "mohq.sqlite";
  SqliteDatabase db = open();
  CallTableWriter writer{db};

  SqliteDatabase open() {
    auto opened = SqliteDatabase::open(path);
    BOOST_TEST_REQUIRE(opened.has_value(), (opened ? std::string() : opened.error()));
    BOOST_TEST_REQUIRE(ensure_schema(*opened).has_value());
    return std::move(opened).value();
  }

  // "call_id|status|from|contact" for each row, by call_id.
  std::vector<std::string> calls() {
    auto query = db.prepare("SELECT call_id, call_status, call_from, call_contact FROM mohqcalls ORDER BY call_id");
    BOOST_TEST_REQUIRE(query.has_value());
    std::vector<std::string> out;
    while (query->step().value()) {
      out.push_back(*query->column_text(0) + "|" + std::to_string(query->column_int(1)) + "|" +
                    query->column_text(2).value_or("NULL") + "|" + query->column_text(3).value_or("NULL"));
    }
    return out;
  }
};

CallRow call(const std::string& call_id) {
  return {1, call_id, CallStatus::entering, "<sip:caller@127.0.0.1>;tag=" + call_id, "", std::chrono::system_clock::now()};
}

void flush(CallTableWriter& writer) {
  auto done = writer.flush();
  BOOST_TEST_REQUIRE(done.has_value(), (done ? std::string() : done.error()));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(call_table_writer)

BOOST_FIXTURE_TEST_CASE(nothing_is_written_before_a_flush, CallTable) {
  writer.insert(call("a"));
  writer.insert(call("b"));
  BOOST_TEST(writer.pending() == 2U);
  BOOST_TEST(calls().empty());
  flush(writer);
  BOOST_TEST(writer.pending() == 0U);
  // mohqueue-behaviour.md §11: call_contact is '' rather than NULL when the INVITE has none.
  BOOST_TEST(calls() == (std::vector<std::string>{"a|1|<sip:caller@127.0.0.1>;tag=a|", "b|1|<sip:caller@127.0.0.1>;tag=b|"}),
             boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(call_time_is_a_julian_day_like_db_sqlite_writes, CallTable) {
  CallRow row = call("a");
  row.call_time = std::chrono::system_clock::time_point{};  // the Unix epoch
  writer.insert(row);
  flush(writer);
  auto query = db.prepare("SELECT call_time = julianday('1970-01-01 00:00:00'), typeof(call_time) FROM mohqcalls");
  BOOST_TEST_REQUIRE(query->step().value());
  BOOST_TEST(query->column_int(0) == 1);
  BOOST_TEST(*query->column_text(1) == "real");
}

BOOST_FIXTURE_TEST_CASE(insert_then_remove_before_a_flush_writes_nothing, CallTable) {
  writer.insert(call("short"));
  writer.update_status("short", CallStatus::in_queue);
  writer.remove("short");
  BOOST_TEST(writer.pending() == 0U);
  // The proof that nothing reaches the file: a flush with nothing pending does not even open a transaction,
  // so it succeeds on a read-only connection.
  auto read_only = SqliteDatabase::open(path, {.create = false, .read_only = true});
  BOOST_TEST_REQUIRE(read_only.has_value());
  CallTableWriter reader_writer(*read_only);
  reader_writer.insert(call("x"));
  reader_writer.remove("x");
  BOOST_TEST(reader_writer.flush().has_value());
  flush(writer);
  BOOST_TEST(calls().empty());
}

BOOST_FIXTURE_TEST_CASE(several_updates_keep_the_last_status, CallTable) {
  writer.insert(call("a"));
  writer.update_status("a", CallStatus::in_queue);
  writer.update_status("a", CallStatus::referred);
  BOOST_TEST(writer.pending() == 1U);
  flush(writer);
  BOOST_TEST(calls() == (std::vector<std::string>{"a|3|<sip:caller@127.0.0.1>;tag=a|"}), boost::test_tools::per_element());

  // On a row already in the file: one UPDATE with the last status (REFER failed -> back in the queue).
  writer.update_status("a", CallStatus::referred);
  writer.update_status("a", CallStatus::in_queue);
  BOOST_TEST(writer.pending() == 1U);
  flush(writer);
  BOOST_TEST(calls() == (std::vector<std::string>{"a|2|<sip:caller@127.0.0.1>;tag=a|"}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(remove_of_a_written_row_deletes_it_and_later_updates_are_ignored, CallTable) {
  writer.insert(call("a"));
  writer.insert(call("b"));
  flush(writer);
  writer.remove("a");
  writer.update_status("a", CallStatus::in_queue);  // a late event for an ended call
  BOOST_TEST(writer.pending() == 1U);
  flush(writer);
  BOOST_TEST(calls() == (std::vector<std::string>{"b|1|<sip:caller@127.0.0.1>;tag=b|"}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(a_call_id_reused_after_its_row_was_written_replaces_the_row, CallTable) {
  writer.insert(call("a"));
  flush(writer);
  writer.remove("a");
  CallRow again = call("a");
  again.call_contact = "<sip:caller@10.0.0.1:5060>";
  writer.insert(again);
  flush(writer);
  BOOST_TEST(calls() == (std::vector<std::string>{"a|1|<sip:caller@127.0.0.1>;tag=a|<sip:caller@10.0.0.1:5060>"}),
             boost::test_tools::per_element());
  // And removed again before the next flush: the written row must still go.
  writer.insert(call("a"));
  writer.remove("a");
  BOOST_TEST(writer.pending() == 1U);
  flush(writer);
  BOOST_TEST(calls().empty());
}

// Thousands of calls entering, queueing and leaving, flushed every 100 events as a timer would: the file
// ends with no row (the real module left 1,940 stale rows at 1000 calls/s, kamailio-on-debian.md).
BOOST_FIXTURE_TEST_CASE(five_thousand_calls_in_and_out_leave_no_row, CallTable) {
  constexpr int kCalls = 5000;
  constexpr int kInQueueAtOnce = 300;
  int events = 0;
  std::size_t most_rows = 0;
  auto tick = [&] {
    if (++events % 100 == 0) {
      flush(writer);
      most_rows = std::max(most_rows, static_cast<std::size_t>(count_calls(db).value()));
    }
  };
  for (int i = 0; i < kCalls + kInQueueAtOnce; ++i) {
    if (i < kCalls) {
      writer.insert(call("call-" + std::to_string(i)));
      tick();
      writer.update_status("call-" + std::to_string(i), CallStatus::in_queue);
      tick();
    }
    if (int leaving = i - kInQueueAtOnce; leaving >= 0) {
      const std::string id = "call-" + std::to_string(leaving);
      if (leaving % 3 == 0) {
        writer.update_status(id, CallStatus::referred);
        tick();
      }
      writer.remove(id);
      tick();
    }
  }
  flush(writer);
  BOOST_TEST(writer.pending() == 0U);
  BOOST_TEST(count_calls(db).value() == 0);
  BOOST_TEST(most_rows >= static_cast<std::size_t>(kInQueueAtOnce) - 100U);  // rows were really written meanwhile
}

BOOST_AUTO_TEST_CASE(a_write_to_a_read_only_database_is_an_error_and_the_changes_stay_pending) {
  ScratchDir dir;
  {
    auto db = SqliteDatabase::open(dir / "mohq.sqlite");
    BOOST_TEST_REQUIRE(db.has_value());
    BOOST_TEST_REQUIRE(ensure_schema(*db).has_value());
  }
  auto read_only = SqliteDatabase::open(dir / "mohq.sqlite", {.create = false, .read_only = true});
  BOOST_TEST_REQUIRE(read_only.has_value());
  CallTableWriter writer(*read_only);
  writer.insert(call("a"));
  auto failed = writer.flush();
  BOOST_TEST_REQUIRE(!failed.has_value());
  BOOST_TEST(failed.error().find("attempt to write a readonly database") != std::string::npos, failed.error());
  BOOST_TEST(writer.pending() == 1U);
}

// Kamailio (or anyone) holding the write lock past busy_timeout: an error, nothing half-written, and the next
// flush writes everything.
BOOST_AUTO_TEST_CASE(a_locked_database_fails_the_flush_and_the_next_one_retries) {
  ScratchDir dir;
  auto db = SqliteDatabase::open(dir / "mohq.sqlite", {.busy_timeout = std::chrono::milliseconds(50)});
  BOOST_TEST_REQUIRE(db.has_value());
  BOOST_TEST_REQUIRE(ensure_schema(*db).has_value());
  CallTableWriter writer(*db);
  writer.insert(call("a"));
  writer.insert(call("b"));
  {
    auto other = SqliteDatabase::open(dir / "mohq.sqlite");
    BOOST_TEST_REQUIRE(other.has_value());
    auto lock = SqliteTransaction::begin(*other);
    BOOST_TEST_REQUIRE(lock.has_value());
    auto failed = writer.flush();
    BOOST_TEST_REQUIRE(!failed.has_value());
    BOOST_TEST(failed.error().find("database is locked") != std::string::npos, failed.error());
    BOOST_TEST(writer.pending() == 2U);
  }  // the other connection rolls back and lets go
  auto retried = writer.flush();
  BOOST_TEST_REQUIRE(retried.has_value(), (retried ? std::string() : retried.error()));
  BOOST_TEST(count_calls(*db).value() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
