#include "sim/db/mohqueue_schema.hpp"

namespace mohq::sim_db {
namespace {

// Same tables, column names, declared types and unique constraints as Kamailio 5.6's
// db_sqlite/mohqueue-create.sql and the 'version' table of standard-create.sql. Kamailio's db_sqlite maps the
// declared types (INTEGER, VARCHAR, TIMESTAMP) to its value types, so they matter although SQLite does not
// enforce lengths. The version table comes first: mohqueue-create.sql alone does not create it.
constexpr std::string_view kSchema = R"sql(
CREATE TABLE version (
  id INTEGER PRIMARY KEY NOT NULL,
  table_name VARCHAR(32) NOT NULL,
  table_version INTEGER DEFAULT 0 NOT NULL,
  CONSTRAINT version_table_name_idx UNIQUE (table_name)
);
CREATE TABLE mohqueues (
  id INTEGER PRIMARY KEY NOT NULL,
  name VARCHAR(25) NOT NULL,
  uri VARCHAR(100) NOT NULL,
  mohdir VARCHAR(100),
  mohfile VARCHAR(100) NOT NULL,
  debug INTEGER NOT NULL,
  CONSTRAINT mohqueues_mohqueue_uri_idx UNIQUE (uri),
  CONSTRAINT mohqueues_mohqueue_name_idx UNIQUE (name)
);
CREATE TABLE mohqcalls (
  id INTEGER PRIMARY KEY NOT NULL,
  mohq_id INTEGER NOT NULL,
  call_id VARCHAR(100) NOT NULL,
  call_status INTEGER NOT NULL,
  call_from VARCHAR(100) NOT NULL,
  call_contact VARCHAR(100),
  call_time TIMESTAMP WITHOUT TIME ZONE NOT NULL,
  CONSTRAINT mohqcalls_mohqcalls_idx UNIQUE (call_id)
);
INSERT INTO version (table_name, table_version) VALUES ('version', 1), ('mohqueues', 1), ('mohqcalls', 1);
)sql";

DbResult<bool> table_exists(SqliteDatabase& db, std::string_view table) {
  auto query = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  if (!query) return Unexpected{query.error()};
  if (auto bound = query->bind(1, table); !bound) return Unexpected{bound.error()};
  return query->step();
}

DbResult<Done> check_version(SqliteDatabase& db, std::string_view table, int wanted) {
  auto query = db.prepare("SELECT table_version FROM version WHERE table_name = ?");
  if (!query) return Unexpected{query.error()};
  if (auto bound = query->bind(1, table); !bound) return Unexpected{bound.error()};
  auto row = query->step();
  if (!row) return Unexpected{row.error()};
  const std::string where = db.path().string() + ": table " + std::string(table);
  if (!*row) {
    return Unexpected{where + " has no row in the version table; mohqueue needs version " + std::to_string(wanted)};
  }
  const std::int64_t found = query->column_int(0);
  if (found != wanted) {
    return Unexpected{where + " is at version " + std::to_string(found) + ", mohqueue needs version " +
                      std::to_string(wanted)};
  }
  return Done{};
}

DbResult<Done> check_length(const QueueRow& queue, const char* column, const std::string& value, std::size_t limit) {
  if (value.size() > limit) {
    return Unexpected{"queue '" + queue.name + "': " + column + " '" + value + "' is longer than " +
                      std::to_string(limit) + " characters (mohqueues." + column + ")"};
  }
  return Done{};
}

}  // namespace

std::string_view schema_sql() { return kSchema; }

DbResult<Done> ensure_schema(SqliteDatabase& db) {
  int present = 0;
  std::string missing;
  for (const char* table : {"version", "mohqueues", "mohqcalls"}) {
    auto exists = table_exists(db, table);
    if (!exists) return Unexpected{exists.error()};
    if (*exists) {
      ++present;
    } else {
      missing += (missing.empty() ? "" : ", ") + std::string(table);
    }
  }
  if (present == 0) {
    auto transaction = SqliteTransaction::begin(db);
    if (!transaction) return Unexpected{transaction.error()};
    if (auto created = db.exec(std::string(kSchema)); !created) {
      return Unexpected{"creating the mohqueue schema: " + created.error()};
    }
    return transaction->commit();
  }
  if (present != 3) {
    return Unexpected{db.path().string() + " has only part of the mohqueue schema (missing: " + missing + ")"};
  }
  if (auto checked = check_version(db, "mohqueues", kMohqueuesVersion); !checked) return checked;
  return check_version(db, "mohqcalls", kMohqcallsVersion);
}

DbResult<Done> validate_queue(const QueueRow& queue) {
  if (queue.name.empty() || queue.uri.empty() || queue.mohfile.empty()) {
    return Unexpected{std::string("a queue needs a name, a uri and a mohfile")};
  }
  for (auto check : {check_length(queue, "name", queue.name, kQueueNameMax),
                     check_length(queue, "uri", queue.uri, kUriMax),
                     check_length(queue, "mohdir", queue.mohdir, kMohdirMax),
                     check_length(queue, "mohfile", queue.mohfile, kMohfileMax)}) {
    if (!check) return check;
  }
  return Done{};
}

DbResult<Done> insert_queue(SqliteDatabase& db, const QueueRow& queue) {
  if (auto valid = validate_queue(queue); !valid) return valid;
  auto insert = db.prepare("INSERT INTO mohqueues (name, uri, mohdir, mohfile, debug) VALUES (?, ?, ?, ?, ?)");
  if (!insert) return Unexpected{insert.error()};
  for (auto bound : {insert->bind(1, queue.name), insert->bind(2, queue.uri),
                     queue.mohdir.empty() ? insert->bind_null(3) : insert->bind(3, queue.mohdir),
                     insert->bind(4, queue.mohfile), insert->bind(5, std::int64_t{queue.debug ? 1 : 0})}) {
    if (!bound) return bound;
  }
  if (auto done = insert->run(); !done) return Unexpected{"inserting queue '" + queue.name + "': " + done.error()};
  return Done{};
}

DbResult<std::vector<QueueRow>> load_queues(SqliteDatabase& db) {
  auto query = db.prepare("SELECT id, name, uri, mohdir, mohfile, debug FROM mohqueues ORDER BY id");
  if (!query) return Unexpected{query.error()};
  std::vector<QueueRow> queues;
  for (;;) {
    auto row = query->step();
    if (!row) return Unexpected{row.error()};
    if (!*row) break;
    QueueRow queue;
    queue.id = query->column_int(0);
    queue.name = query->column_text(1).value_or("");
    queue.uri = query->column_text(2).value_or("");
    queue.mohdir = query->column_text(3).value_or("");
    queue.mohfile = query->column_text(4).value_or("");
    queue.debug = query->column_int(5) != 0;
    queues.push_back(std::move(queue));
  }
  return queues;
}

DbResult<Done> set_queue_debug(SqliteDatabase& db, std::string_view name, bool debug) {
  auto update = db.prepare("UPDATE mohqueues SET debug = ? WHERE name = ?");
  if (!update) return Unexpected{update.error()};
  for (auto bound : {update->bind(1, std::int64_t{debug ? 1 : 0}), update->bind(2, name)}) {
    if (!bound) return bound;
  }
  if (auto done = update->run(); !done) return done;
  if (db.changes() == 0) return Unexpected{"no queue named '" + std::string(name) + "' in mohqueues"};
  return Done{};
}

DbResult<Done> clear_calls(SqliteDatabase& db) {
  if (auto done = db.exec("DELETE FROM mohqcalls"); !done) return Unexpected{"clearing mohqcalls: " + done.error()};
  return Done{};
}

DbResult<std::int64_t> count_calls(SqliteDatabase& db) {
  auto query = db.prepare("SELECT count(*) FROM mohqcalls");
  if (!query) return Unexpected{query.error()};
  auto row = query->step();
  if (!row) return Unexpected{row.error()};
  return query->column_int(0);
}

}  // namespace mohq::sim_db
