// The SQLite database mohqueue reads (mohqueue-behaviour.md §11). The schema is sim/db's, the project's one
// copy of Kamailio's mohqueue tables, so a file made here also serves mohqd.
#include <system_error>

#include "kamailio/kamailio_config.hpp"
#include "sim/db/mohqueue_schema.hpp"
#include "sim/db/sqlite_database.hpp"

namespace mohq::kamailio {
namespace {

sim_db::QueueRow to_row(const MohQueue& queue) {
  sim_db::QueueRow row;
  row.name = queue.name;
  row.uri = queue.uri;
  row.mohdir = queue.mohdir.string();  // empty: NULL, the module's mohdir (mohqueue-behaviour.md §2.1)
  row.mohfile = queue.mohfile;
  row.debug = queue.debug;
  return row;
}

}  // namespace

Expected<Done, std::string> create_mohqueue_db(const std::filesystem::path& db_path,
                                               const std::vector<MohQueue>& queues) {
  std::error_code error;
  if (std::filesystem::exists(db_path, error)) return Unexpected{db_path.string() + " already exists"};
  for (const auto& queue : queues) {
    if (auto valid = sim_db::validate_queue(to_row(queue)); !valid) return valid;
  }

  // Rollback journal, SQLite's default: the real Kamailio's load behaviour (kamailio-on-debian.md) was measured
  // on such a file, and WAL would change it.
  sim_db::OpenOptions options;
  options.journal = sim_db::JournalMode::rollback;
  auto db = sim_db::SqliteDatabase::open(db_path, options);
  if (!db) return Unexpected{"cannot create " + db_path.string() + ": " + db.error()};
  if (auto schema = sim_db::ensure_schema(*db); !schema) return schema;
  for (const auto& queue : queues) {
    if (auto inserted = sim_db::insert_queue(*db, to_row(queue)); !inserted) return inserted;
  }
  return Done{};
}

}  // namespace mohq::kamailio
