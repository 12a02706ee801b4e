// ensure_schema, queue rows, and agreement with the schema of the installed Kamailio.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "scratch_dir.hpp"
#include "sim/db/mohqueue_schema.hpp"
#include "sim/db/sqlite_database.hpp"

namespace fs = std::filesystem;
using namespace mohq::sim_db;
using mohq::sim_db::test::ScratchDir;

namespace {

SqliteDatabase open_db(const fs::path& path) {
  auto db = SqliteDatabase::open(path);
  BOOST_TEST_REQUIRE(db.has_value(), (db ? std::string() : db.error()));
  return std::move(db).value();
}

// Every row of a query, columns joined with '|', NULL as "NULL".
std::vector<std::string> rows(SqliteDatabase& db, const std::string& sql) {
  auto query = db.prepare(sql);
  BOOST_TEST_REQUIRE(query.has_value(), (query ? std::string() : query.error()));
  std::vector<std::string> out;
  while (query->step().value()) {
    std::string row;
    for (int column = 0; column < query->column_count(); ++column) {
      row += (column > 0 ? "|" : "") + query->column_text(column).value_or("NULL");
    }
    out.push_back(row);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(schema)

BOOST_AUTO_TEST_CASE(creates_the_three_tables_and_the_version_rows_mohqueue_checks) {
  ScratchDir dir;
  auto db = open_db(dir / "mohq.sqlite");
  BOOST_TEST_REQUIRE(ensure_schema(db).has_value());
  BOOST_TEST(rows(db, "SELECT table_name, table_version FROM version ORDER BY table_name") ==
                 (std::vector<std::string>{"mohqcalls|1", "mohqueues|1", "version|1"}),
             boost::test_tools::per_element());
  BOOST_TEST(rows(db, "PRAGMA journal_mode") == (std::vector<std::string>{"wal"}), boost::test_tools::per_element());
  // A second run finds the tables and leaves them as they are.
  BOOST_TEST_REQUIRE(ensure_schema(db).has_value());
  BOOST_TEST(rows(db, "SELECT count(*) FROM version") == (std::vector<std::string>{"3"}),
             boost::test_tools::per_element());
}

// Column names, declared types, NOT NULL, defaults and primary keys as Kamailio's own mohqueue-create.sql
// makes them (db_sqlite maps the declared types to its value types). Reads the installed file at test time.
BOOST_AUTO_TEST_CASE(tables_match_the_installed_kamailio_schema) {
  // mohqueue-create.sql does not create the version table it inserts into (kamailio-on-debian.md): Kamailio's
  // kamdbctl runs standard-create.sql, which does, first.
  const fs::path sql_dir = "/usr/share/kamailio/db_sqlite";
  if (!fs::exists(sql_dir / "mohqueue-create.sql") || !fs::exists(sql_dir / "standard-create.sql")) {
    BOOST_TEST_MESSAGE("skipped: " << sql_dir << " not installed (apt-get install kamailio-sqlite-modules)");
    return;
  }
  ScratchDir dir;
  auto real = open_db(dir / "real.sqlite");
  for (const char* file : {"standard-create.sql", "mohqueue-create.sql"}) {
    std::stringstream text;
    text << std::ifstream(sql_dir / file).rdbuf();
    auto ran = real.exec(text.str());
    BOOST_TEST_REQUIRE(ran.has_value(), file << ": " << (ran ? std::string() : ran.error()));
  }
  auto ours = open_db(dir / "ours.sqlite");
  BOOST_TEST_REQUIRE(ensure_schema(ours).has_value());

  for (const char* table : {"version", "mohqueues", "mohqcalls"}) {
    BOOST_TEST_CONTEXT("table " << table) {
      const std::string info = std::string("PRAGMA table_info(") + table + ")";
      auto expected = rows(real, info);
      BOOST_TEST(expected.size() >= 3U);
      BOOST_TEST(rows(ours, info) == expected, boost::test_tools::per_element());
      // The unique constraints: same indexed columns.
      const std::string unique = std::string("SELECT group_concat(ii.name) FROM pragma_index_list('") + table +
                                 "') il JOIN pragma_index_info(il.name) ii WHERE il.\"unique\" = 1 GROUP BY il.name "
                                 "ORDER BY 1";
      BOOST_TEST(rows(ours, unique) == rows(real, unique), boost::test_tools::per_element());
    }
  }
  const std::string versions = "SELECT table_name, table_version FROM version ORDER BY table_name";
  BOOST_TEST(rows(ours, versions) == rows(real, versions), boost::test_tools::per_element());
  // ensure_schema accepts the file Kamailio's own SQL made.
  BOOST_TEST(ensure_schema(real).has_value());
}

BOOST_AUTO_TEST_CASE(a_wrong_table_version_is_an_error_naming_table_and_versions) {
  ScratchDir dir;
  auto db = open_db(dir / "mohq.sqlite");
  BOOST_TEST_REQUIRE(ensure_schema(db).has_value());
  BOOST_TEST_REQUIRE(db.exec("UPDATE version SET table_version = 2 WHERE table_name = 'mohqcalls'").has_value());
  auto refused = ensure_schema(db);
  BOOST_TEST_REQUIRE(!refused.has_value());
  BOOST_TEST(refused.error().find("table mohqcalls is at version 2, mohqueue needs version 1") != std::string::npos,
             refused.error());

  BOOST_TEST_REQUIRE(db.exec("DELETE FROM version WHERE table_name = 'mohqueues'").has_value());
  refused = ensure_schema(db);
  BOOST_TEST_REQUIRE(!refused.has_value());
  BOOST_TEST(refused.error().find("table mohqueues has no row in the version table") != std::string::npos,
             refused.error());
}

BOOST_AUTO_TEST_CASE(part_of_the_schema_is_an_error) {
  ScratchDir dir;
  auto db = open_db(dir / "mohq.sqlite");
  BOOST_TEST_REQUIRE(db.exec("CREATE TABLE mohqueues (id INTEGER PRIMARY KEY)").has_value());
  auto refused = ensure_schema(db);
  BOOST_TEST_REQUIRE(!refused.has_value());
  BOOST_TEST(refused.error().find("missing: version, mohqcalls") != std::string::npos, refused.error());
}

BOOST_AUTO_TEST_CASE(an_unopenable_file_is_an_error_with_sqlites_message) {
  auto db = SqliteDatabase::open("/nonexistent-dir/mohq.sqlite");
  BOOST_TEST_REQUIRE(!db.has_value());
  BOOST_TEST(db.error().find("cannot open /nonexistent-dir/mohq.sqlite: unable to open database file") == 0U,
             db.error());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(queues)

BOOST_AUTO_TEST_CASE(load_returns_the_rows_with_null_mohdir_as_empty) {
  ScratchDir dir;
  auto db = open_db(dir / "mohq.sqlite");
  BOOST_TEST_REQUIRE(ensure_schema(db).has_value());
  BOOST_TEST_REQUIRE(insert_queue(db, {0, "abc", "sip:1008@127.0.0.1:5060", "/srv/moh", "test", false}).has_value());
  BOOST_TEST_REQUIRE(insert_queue(db, {0, "def", "sip:1009@127.0.0.1:5060", "", "hold", true}).has_value());
  BOOST_TEST(rows(db, "SELECT name, mohdir FROM mohqueues ORDER BY id") ==
                 (std::vector<std::string>{"abc|/srv/moh", "def|NULL"}),
             boost::test_tools::per_element());

  auto queues = load_queues(db);
  BOOST_TEST_REQUIRE(queues.has_value());
  BOOST_TEST_REQUIRE(queues->size() == 2U);
  const QueueRow& abc = (*queues)[0];
  BOOST_TEST((abc.id == 1 && abc.name == "abc" && abc.uri == "sip:1008@127.0.0.1:5060" && abc.mohdir == "/srv/moh" &&
              abc.mohfile == "test" && !abc.debug));
  const QueueRow& def = (*queues)[1];
  BOOST_TEST((def.id == 2 && def.name == "def" && def.mohdir.empty() && def.mohfile == "hold" && def.debug));
}

BOOST_AUTO_TEST_CASE(set_debug_writes_the_named_row_and_refuses_an_unknown_name) {
  ScratchDir dir;
  auto db = open_db(dir / "mohq.sqlite");
  BOOST_TEST_REQUIRE(ensure_schema(db).has_value());
  BOOST_TEST_REQUIRE(insert_queue(db, {0, "abc", "sip:1008@127.0.0.1:5060", "", "test", false}).has_value());
  BOOST_TEST_REQUIRE(set_queue_debug(db, "abc", true).has_value());
  BOOST_TEST(rows(db, "SELECT debug FROM mohqueues WHERE name = 'abc'") == (std::vector<std::string>{"1"}),
             boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(set_queue_debug(db, "abc", false).has_value());
  BOOST_TEST(load_queues(db)->at(0).debug == false);
  auto unknown = set_queue_debug(db, "nope", true);
  BOOST_TEST_REQUIRE(!unknown.has_value());
  BOOST_TEST(unknown.error() == "no queue named 'nope' in mohqueues");
}

BOOST_AUTO_TEST_CASE(column_limits_and_mandatory_values_are_checked_before_writing) {
  ScratchDir dir;
  auto db = open_db(dir / "mohq.sqlite");
  BOOST_TEST_REQUIRE(ensure_schema(db).has_value());
  auto long_name = insert_queue(db, {0, std::string(26, 'q'), "sip:1@h", "", "test", false});
  BOOST_TEST_REQUIRE(!long_name.has_value());
  BOOST_TEST(long_name.error().find("is longer than 25 characters (mohqueues.name)") != std::string::npos);
  BOOST_TEST(!insert_queue(db, {0, "abc", "sip:1@h", "", "", false}).has_value());
  BOOST_TEST(!insert_queue(db, {0, "abc", "sip:1@h/" + std::string(100, 'x'), "", "test", false}).has_value());
  BOOST_TEST(load_queues(db)->empty());
  // The unique name is SQLite's to enforce: its message comes back.
  BOOST_TEST_REQUIRE(insert_queue(db, {0, "abc", "sip:1@h", "", "test", false}).has_value());
  auto duplicate = insert_queue(db, {0, "abc", "sip:2@h", "", "test", false});
  BOOST_TEST_REQUIRE(!duplicate.has_value());
  BOOST_TEST(duplicate.error().find("UNIQUE constraint failed: mohqueues.name") != std::string::npos, duplicate.error());
}

BOOST_AUTO_TEST_CASE(clear_calls_empties_mohqcalls) {
  ScratchDir dir;
  auto db = open_db(dir / "mohq.sqlite");
  BOOST_TEST_REQUIRE(ensure_schema(db).has_value());
  BOOST_TEST_REQUIRE(db.exec("INSERT INTO mohqcalls (mohq_id, call_id, call_status, call_from, call_time) "
                             "VALUES (1, 'stale', 2, 'f', julianday('now'))").has_value());
  BOOST_TEST(count_calls(db).value() == 1);
  BOOST_TEST_REQUIRE(clear_calls(db).has_value());
  BOOST_TEST(count_calls(db).value() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
