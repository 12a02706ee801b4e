// A thin RAII layer over the SQLite C API: one open file, prepared statements, transactions. Every failure
// is an Expected error carrying SQLite's own message, so a caller can log it and carry on (mohqueue itself
// only logs failed writes as warnings, mohqueue-behaviour.md §11).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/expected.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace mohq::sim_db {

using DbError = std::string;

template <class T>
using DbResult = Expected<T, DbError>;

// A prepared statement; finalized on destruction. Parameters are 1-based as in SQLite, columns 0-based.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Clears the previous bindings and makes the statement runnable again.
  void reset();
  DbResult<Done> bind(int index, std::string_view text);
  DbResult<Done> bind(int index, std::int64_t value);
  DbResult<Done> bind(int index, double value);
  DbResult<Done> bind_null(int index);

  // true: a row is available through column_*; false: the statement has finished.
  DbResult<bool> step();
  // For statements that return no rows (INSERT, UPDATE, DELETE).
  DbResult<Done> run();

  int column_count() const;
  std::int64_t column_int(int column) const;
  std::optional<std::string> column_text(int column) const;  // nullopt for NULL

 private:
  DbError error(const char* what) const;
  sqlite3* db_;
  sqlite3_stmt* statement_;
};

enum class JournalMode {
  wal,       // readers never block the writer; what mohqd uses
  rollback,  // SQLite's default (DELETE): what a fresh file for the real Kamailio gets, so its load numbers hold
};

struct OpenOptions {
  bool create = true;  // create the file when missing
  bool read_only = false;
  JournalMode journal = JournalMode::wal;
  // Kamailio opens the same file: wait this long for its lock rather than fail with "database is locked".
  std::chrono::milliseconds busy_timeout{2000};
};

class SqliteDatabase {
 public:
  static DbResult<SqliteDatabase> open(const std::filesystem::path& path, const OpenOptions& options = {});

  SqliteDatabase(SqliteDatabase&& other) noexcept;
  SqliteDatabase& operator=(SqliteDatabase&& other) noexcept;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  ~SqliteDatabase();

  const std::filesystem::path& path() const { return path_; }
  DbResult<SqliteStatement> prepare(std::string_view sql);
  // Runs one or more statements that return no rows of interest.
  DbResult<Done> exec(const std::string& sql);
  std::int64_t changes() const;
  sqlite3* handle() const { return db_; }

 private:
  SqliteDatabase(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::filesystem::path path_;
};

// BEGIN IMMEDIATE on construction (takes the write lock up front, so busy_timeout applies to it rather than to
// a later lock upgrade that cannot wait); ROLLBACK on destruction unless commit() succeeded.
class SqliteTransaction {
 public:
  static DbResult<SqliteTransaction> begin(SqliteDatabase& db);
  SqliteTransaction(SqliteTransaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  ~SqliteTransaction();
  DbResult<Done> commit();

 private:
  explicit SqliteTransaction(SqliteDatabase* db) : db_(db) {}
  SqliteDatabase* db_;
};

}  // namespace mohq::sim_db
