#include "sim/db/sqlite_database.hpp"

#include <sqlite3.h>

#include <utility>

namespace mohq::sim_db {

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), statement_(std::exchange(other.statement_, nullptr)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(statement_);
    db_ = other.db_;
    statement_ = std::exchange(other.statement_, nullptr);
  }
  return *this;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

DbError SqliteStatement::error(const char* what) const {
  return std::string(what) + " '" + sqlite3_sql(statement_) + "': " + sqlite3_errmsg(db_);
}

void SqliteStatement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

DbResult<Done> SqliteStatement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
    return Unexpected{error("binding a parameter of")};
  }
  return Done{};
}

DbResult<Done> SqliteStatement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) return Unexpected{error("binding a parameter of")};
  return Done{};
}

DbResult<Done> SqliteStatement::bind(int index, double value) {
  if (sqlite3_bind_double(statement_, index, value) != SQLITE_OK) return Unexpected{error("binding a parameter of")};
  return Done{};
}

DbResult<Done> SqliteStatement::bind_null(int index) {
  if (sqlite3_bind_null(statement_, index) != SQLITE_OK) return Unexpected{error("binding a parameter of")};
  return Done{};
}

DbResult<bool> SqliteStatement::step() {
  int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  DbError message = error("running");
  sqlite3_reset(statement_);  // leaves the statement reusable after a failure
  return Unexpected{std::move(message)};
}

DbResult<Done> SqliteStatement::run() {
  auto row = step();
  if (!row) return Unexpected{row.error()};
  sqlite3_reset(statement_);
  return Done{};
}

int SqliteStatement::column_count() const { return sqlite3_column_count(statement_); }

std::int64_t SqliteStatement::column_int(int column) const { return sqlite3_column_int64(statement_, column); }

std::optional<std::string> SqliteStatement::column_text(int column) const {
  if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
  const auto* text = sqlite3_column_text(statement_, column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

DbResult<SqliteDatabase> SqliteDatabase::open(const std::filesystem::path& path, const OpenOptions& options) {
  int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (options.create && !options.read_only) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteDatabase db(raw, path);  // closes raw on every return below
  if (rc != SQLITE_OK) {
    return Unexpected{"cannot open " + path.string() + ": " + (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc))};
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));
  if (!options.read_only && options.journal == JournalMode::wal) {
    auto wal = db.exec("PRAGMA journal_mode=WAL");
    if (!wal) return Unexpected{"switching " + path.string() + " to WAL: " + wal.error()};
    // In WAL mode NORMAL still keeps the file consistent; it only skips the fsync per commit, which otherwise
    // stalls the event loop for milliseconds at every call-table flush (bench/README.md). The call table is
    // cleared at every start anyway.
    auto sync = db.exec("PRAGMA synchronous=NORMAL");
    if (!sync) return Unexpected{"setting synchronous=NORMAL on " + path.string() + ": " + sync.error()};
  }
  return db;
}

SqliteDatabase::SqliteDatabase(SqliteDatabase&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

SqliteDatabase& SqliteDatabase::operator=(SqliteDatabase&& other) noexcept {
  if (this != &other) {
    sqlite3_close(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

SqliteDatabase::~SqliteDatabase() { sqlite3_close(db_); }

DbResult<SqliteStatement> SqliteDatabase::prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr) != SQLITE_OK) {
    return Unexpected{"preparing '" + std::string(sql) + "' on " + path_.string() + ": " + sqlite3_errmsg(db_)};
  }
  return SqliteStatement(db_, statement);
}

DbResult<Done> SqliteDatabase::exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    return Unexpected{text + " (on " + path_.string() + ")"};
  }
  return Done{};
}

std::int64_t SqliteDatabase::changes() const { return sqlite3_changes(db_); }

DbResult<SqliteTransaction> SqliteTransaction::begin(SqliteDatabase& db) {
  auto started = db.exec("BEGIN IMMEDIATE");
  if (!started) return Unexpected{"starting a transaction: " + started.error()};
  return SqliteTransaction(&db);
}

SqliteTransaction::~SqliteTransaction() {
  if (db_ != nullptr) (void)db_->exec("ROLLBACK");
}

DbResult<Done> SqliteTransaction::commit() {
  auto committed = db_->exec("COMMIT");
  if (!committed) return Unexpected{"committing: " + committed.error()};  // the destructor rolls back
  db_ = nullptr;
  return Done{};
}

}  // namespace mohq::sim_db
