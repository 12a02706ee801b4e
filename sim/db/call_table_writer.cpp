#include "sim/db/call_table_writer.hpp"

#include <utility>

namespace mohq::sim_db {

double to_julian_day(std::chrono::system_clock::time_point time) {
  // 2440587.5 is the Julian day of the Unix epoch.
  const double seconds = std::chrono::duration<double>(time.time_since_epoch()).count();
  return seconds / 86400.0 + 2440587.5;
}

void CallTableWriter::insert(CallRow row) {
  // A row the file may hold for this Call-ID is overwritten by INSERT OR REPLACE (UNIQUE call_id).
  Change& change = pending_[row.call_id];
  change.kind = Change::Kind::write_row;
  change.row = std::move(row);
}

void CallTableWriter::update_status(const std::string& call_id, CallStatus status) {
  auto [at, fresh] = pending_.try_emplace(call_id);
  Change& change = at->second;
  if (fresh) {
    change.kind = Change::Kind::set_status;
    change.status = status;
    return;
  }
  switch (change.kind) {
    case Change::Kind::write_row: change.row.call_status = status; break;  // the row carries the latest status
    case Change::Kind::set_status: change.status = status; break;          // only the last one counts
    case Change::Kind::delete_row: break;  // the row is gone: the real UPDATE would match nothing either
  }
}

void CallTableWriter::remove(const std::string& call_id) {
  auto found = pending_.find(call_id);
  if (found != pending_.end() && found->second.kind == Change::Kind::write_row && !in_file_.contains(call_id)) {
    pending_.erase(found);  // inserted and removed between two flushes: the file never sees it
    return;
  }
  Change& change = pending_[call_id];
  change.kind = Change::Kind::delete_row;
}

DbResult<Done> CallTableWriter::flush() {
  if (pending_.empty()) return Done{};
  auto transaction = SqliteTransaction::begin(*db_);
  if (!transaction) return Unexpected{"flushing mohqcalls: " + transaction.error()};
  auto erase = db_->prepare("DELETE FROM mohqcalls WHERE call_id = ?");
  if (!erase) return Unexpected{erase.error()};
  auto add = db_->prepare(
      "INSERT OR REPLACE INTO mohqcalls (mohq_id, call_id, call_status, call_from, call_contact, call_time) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  if (!add) return Unexpected{add.error()};
  auto update = db_->prepare("UPDATE mohqcalls SET call_status = ? WHERE call_id = ?");
  if (!update) return Unexpected{update.error()};

  for (const auto& [call_id, change] : pending_) {
    DbResult<Done> done = Done{};
    switch (change.kind) {
      case Change::Kind::delete_row:
        erase->reset();
        if (auto bound = erase->bind(1, call_id); !bound) return bound;
        done = erase->run();
        break;
      case Change::Kind::write_row: {
        const CallRow& row = change.row;
        add->reset();
        for (auto bound : {add->bind(1, row.mohq_id), add->bind(2, row.call_id),
                           add->bind(3, std::int64_t{static_cast<int>(row.call_status)}), add->bind(4, row.call_from),
                           add->bind(5, row.call_contact), add->bind(6, to_julian_day(row.call_time))}) {
          if (!bound) return bound;
        }
        done = add->run();
        break;
      }
      case Change::Kind::set_status:
        update->reset();
        for (auto bound : {update->bind(1, std::int64_t{static_cast<int>(change.status)}), update->bind(2, call_id)}) {
          if (!bound) return bound;
        }
        done = update->run();
        break;
    }
    if (!done) return Unexpected{"flushing mohqcalls (call " + call_id + "): " + done.error()};
  }
  // Statements must be finalized or reset before COMMIT can release the lock; run() reset them already.
  if (auto committed = transaction->commit(); !committed) return Unexpected{"flushing mohqcalls: " + committed.error()};
  for (const auto& [call_id, change] : pending_) {
    if (change.kind == Change::Kind::write_row) in_file_.insert(call_id);
    if (change.kind == Change::Kind::delete_row) in_file_.erase(call_id);
  }
  pending_.clear();
  return Done{};
}

}  // namespace mohq::sim_db
