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
#include <string>
#include <unordered_map>
#include <unordered_set>

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

// call_time as Kamailio's db_sqlite stores a DB1_DATETIME (dbase.c timet_to_sqlite): a Julian day number (REAL),
// like SQLite's julianday().
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
  // What one call still needs in the file, after coalescing.
  struct Change {
    enum class Kind { write_row, set_status, delete_row } kind = Kind::write_row;
    CallRow row;                 // write_row: INSERT OR REPLACE this row
    CallStatus status{};  // set_status: UPDATE call_status
  };

  SqliteDatabase* db_;
  std::unordered_map<std::string, Change> pending_;
  // Call-IDs with a row in the file, as of the last successful flush: a remove of a call missing here and
  // still pending as an insert drops it unwritten.
  std::unordered_set<std::string> in_file_;
};

}  // namespace mohq::sim_db
