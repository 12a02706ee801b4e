// The SQLite database mohqueue reads (mohqueue-behaviour.md §11). Column types and limits follow Kamailio's
// mohqueue schema (version 1 of both tables); db_sqlite maps the declared types (INTEGER, VARCHAR, TIMESTAMP)
// to its value types, so they matter even though SQLite itself does not enforce lengths.
#include <sqlite3.h>

#include <system_error>

#include "kamailio/kamailio_config.hpp"

namespace mohq::kamailio {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE version (
  id INTEGER PRIMARY KEY NOT NULL,
  table_name VARCHAR(32) NOT NULL UNIQUE,
  table_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE mohqueues (
  id INTEGER PRIMARY KEY NOT NULL,
  name VARCHAR(25) NOT NULL UNIQUE,
  uri VARCHAR(100) NOT NULL UNIQUE,
  mohdir VARCHAR(100),
  mohfile VARCHAR(100) NOT NULL,
  debug INTEGER NOT NULL
);
CREATE TABLE mohqcalls (
  id INTEGER PRIMARY KEY NOT NULL,
  mohq_id INTEGER NOT NULL,
  call_id VARCHAR(100) NOT NULL UNIQUE,
  call_status INTEGER NOT NULL,
  call_from VARCHAR(100) NOT NULL,
  call_contact VARCHAR(100),
  call_time TIMESTAMP NOT NULL
);
-- mohqueue's init_db refuses to start unless both tables are at version 1.
INSERT INTO version (table_name, table_version) VALUES ('version', 1), ('mohqueues', 1), ('mohqcalls', 1);
)sql";

class Database {
 public:
  explicit Database(sqlite3* db) : db_(db) {}
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database() { sqlite3_close(db_); }
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_;
};

class Statement {
 public:
  explicit Statement(sqlite3_stmt* statement) : statement_(statement) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(statement_); }
  sqlite3_stmt* get() const { return statement_; }

 private:
  sqlite3_stmt* statement_;
};

Expected<Done, std::string> check_length(const std::string& queue, const char* column, const std::string& value,
                                         std::size_t limit) {
  if (value.size() > limit) {
    return Unexpected{"queue '" + queue + "': " + column + " '" + value + "' is longer than " +
                      std::to_string(limit) + " characters (mohqueues." + column + ")"};
  }
  return Done{};
}

}  // namespace

Expected<Done, std::string> create_mohqueue_db(const std::filesystem::path& db_path,
                                               const std::vector<MohQueue>& queues) {
  std::error_code error;
  if (std::filesystem::exists(db_path, error)) return Unexpected{db_path.string() + " already exists"};
  for (const auto& queue : queues) {
    for (auto check : {check_length(queue.name, "name", queue.name, 25), check_length(queue.name, "uri", queue.uri, 100),
                       check_length(queue.name, "mohdir", queue.mohdir.string(), 100),
                       check_length(queue.name, "mohfile", queue.mohfile, 100)}) {
      if (!check) return check;
    }
    if (queue.name.empty() || queue.uri.empty() || queue.mohfile.empty()) {
      return Unexpected{std::string("a queue needs a name, a uri and a mohfile")};
    }
  }

  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) return Unexpected{"cannot create " + db_path.string() + ": " + sqlite3_errstr(rc)};

  char* message = nullptr;
  if (sqlite3_exec(db.get(), kSchema, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    return Unexpected{"creating the mohqueue schema in " + db_path.string() + ": " + text};
  }

  sqlite3_stmt* raw_statement = nullptr;
  rc = sqlite3_prepare_v2(db.get(), "INSERT INTO mohqueues (name, uri, mohdir, mohfile, debug) VALUES (?, ?, ?, ?, ?)",
                          -1, &raw_statement, nullptr);
  Statement insert(raw_statement);
  if (rc != SQLITE_OK) return Unexpected{std::string("preparing the queue insert: ") + sqlite3_errmsg(db.get())};
  for (const auto& queue : queues) {
    const std::string mohdir = queue.mohdir.string();
    sqlite3_reset(insert.get());
    sqlite3_bind_text(insert.get(), 1, queue.name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert.get(), 2, queue.uri.c_str(), -1, SQLITE_TRANSIENT);
    if (mohdir.empty()) {
      sqlite3_bind_null(insert.get(), 3);  // mohqueue-behaviour.md §2.1: NULL means the module's mohdir
    } else {
      sqlite3_bind_text(insert.get(), 3, mohdir.c_str(), -1, SQLITE_TRANSIENT);
    }
    sqlite3_bind_text(insert.get(), 4, queue.mohfile.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(insert.get(), 5, queue.debug ? 1 : 0);
    if (sqlite3_step(insert.get()) != SQLITE_DONE) {
      return Unexpected{"inserting queue '" + queue.name + "': " + sqlite3_errmsg(db.get())};
    }
  }
  return Done{};
}

}  // namespace mohq::kamailio
