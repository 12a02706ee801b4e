// Kamailio mohqueue's tables (version 1 of both; mohqueue-behaviour.md §1.1, §11) and the operations on them
// that mohqueue performs outside the call hot path. This is the one copy of the schema in the project: the
// Kamailio harness creates its database with it too, so one file serves both Kamailio and mohqd.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/db/sqlite_database.hpp"

namespace mohq::sim_db {

// Column limits of Kamailio's schema (VARCHAR(n)); SQLite does not enforce them, Kamailio's C buffers do.
inline constexpr std::size_t kQueueNameMax = 25;
inline constexpr std::size_t kUriMax = 100;
inline constexpr std::size_t kMohdirMax = 100;
inline constexpr std::size_t kMohfileMax = 100;
inline constexpr std::size_t kCallIdMax = 100;
inline constexpr std::size_t kCallFromMax = 100;
inline constexpr std::size_t kCallContactMax = 100;

// The table versions mohqueue's init_db insists on.
inline constexpr int kMohqueuesVersion = 1;
inline constexpr int kMohqcallsVersion = 1;

// mohqcalls.call_status = call state / 100 (mohqueue-behaviour.md §4.1).
enum class CallStatus : int {
  entering = 1,  // CLSTA_ENTER .. CLSTA_CANCEL: INVITE received, not yet ACKed
  in_queue = 2,  // CLSTA_INQUEUE: ACKed, music playing
  referred = 3,  // CLSTA_REFER / CLSTA_RFRWAIT: REFER sent
};

// One row of mohqueues.
struct QueueRow {
  std::int64_t id = 0;  // ignored by insert_queue (SQLite assigns it)
  std::string name;
  std::string uri;
  std::string mohdir;  // empty <=> NULL: the module's mohdir parameter applies (mohqueue-behaviour.md §2.1)
  std::string mohfile;
  bool debug = false;
};

// The CREATE TABLE text of version, mohqueues and mohqcalls, with the version rows Kamailio's own
// mohqueue-create.sql (and standard-create.sql for 'version') insert.
std::string_view schema_sql();

// Creates the three tables when none exists; when they exist, checks that mohqueues and mohqcalls are at
// version 1 (an error names the table, the version found and the one needed). A file with some of the
// tables but not the others is an error too: mohqueue would refuse it.
DbResult<Done> ensure_schema(SqliteDatabase& db);

// name, uri and mohfile must be non-empty and every value within its column's limit.
DbResult<Done> validate_queue(const QueueRow& queue);
DbResult<Done> insert_queue(SqliteDatabase& db, const QueueRow& queue);
DbResult<std::vector<QueueRow>> load_queues(SqliteDatabase& db);
// mohqueue.debug RPC: updates the row with that name; an unknown name is an error.
DbResult<Done> set_queue_debug(SqliteDatabase& db, std::string_view name, bool debug);

// mohqueue deletes every call row at start-up (clear_calls, mohqueue-behaviour.md §11).
DbResult<Done> clear_calls(SqliteDatabase& db);
DbResult<std::int64_t> count_calls(SqliteDatabase& db);

}  // namespace mohq::sim_db
