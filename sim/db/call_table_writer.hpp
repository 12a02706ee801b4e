// Write-behind for mohqcalls. mohqueue opens a DB connection per insert/update/delete on the SIP path and, at
// 1000 calls/s, lost writes to "database is locked" and left stale rows (kamailio-on-debian.md, "Under load").
// Here the SIP path only records the change in memory; the owner calls flush() from a timer, which writes
// everything pending in one transaction. Changes to one call coalesce: a call that comes and goes between two
// flushes never touches the file, and only the last status of several updates is written.
//
// Not thread-safe: one owner (the event loop that handles SIP and runs the flush timer) calls everything.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "sim/db/mohqueue_schema.hpp"
#include "sim/db/sqlite_database.hpp"

namespace mohq::sim_db {

// One row of mohqcalls (mohqueue-behaviour.md §11, add_call_rec).
struct CallRow {
  std::int64_t mohq_id = 0;
  std::string call_id;
  CallStatus call_status = CallStatus::entering;
  std::string call_from;     // the full From header body
  std::string call_contact;  // the raw Contact body, or empty (written as '', not NULL, as mohqueue does)
  std::chrono::system_clock::time_point call_time;
};

// call_time as Kamailio's db_sqlite stores a DB1_DATETIME: a Julian day number (REAL), like julianday().
double to_julian_day(std::chrono::system_clock::time_point time);

class CallTableWriter {
 public:
  explicit CallTableWriter(SqliteDatabase& db) : db_(&db) {}

  void insert(CallRow row);
  void update_status(const std::string& call_id, CallStatus status);
  void remove(const std::string& call_id);

  // Calls with a change not yet written.
  std::size_t pending() const { return pending_.size(); }

  // Writes every pending change in one transaction. On failure nothing is written, the changes stay pending
  // (the next flush retries them) and the error carries SQLite's message.
  DbResult<Done> flush();

 private:
  // What the file must go through for one call, after coalescing.
  struct Change {
    bool delete_first = false;      // DELETE the row the file may hold
    std::optional<CallRow> insert;  // then INSERT this row
    std::optional<CallStatus> status;  // else UPDATE call_status (only when insert is empty)
  };

  SqliteDatabase* db_;
  std::unordered_map<std::string, Change> pending_;
};

}  // namespace mohq::sim_db
