#include "sim/db/call_table_writer.hpp"

#include <utility>

namespace mohq::sim_db {

double to_julian_day(std::chrono::system_clock::time_point time) {
  // 2440587.5 is the Julian day of the Unix epoch.
  const double seconds = std::chrono::duration<double>(time.time_since_epoch()).count();
  return seconds / 86400.0 + 2440587.5;
}

void CallTableWriter::insert(CallRow row) {
  Change& change = pending_[row.call_id];
  // A row already written (or an earlier insert still pending) for this Call-ID is replaced: the file must end
  // up with the new call, and a plain INSERT would hit the UNIQUE (call_id) constraint.
  if (change.insert || change.status) change.delete_first = true;
  change.status.reset();
  change.insert = std::move(row);
  if (!change.delete_first) {
    // Nothing known about the file: a stale row from before clear_calls() cannot exist, so INSERT suffices.
  }
}

void CallTableWriter::update_status(const std::string& call_id, CallStatus status) {
  Change& change = pending_[call_id];
  if (change.insert) {
    change.insert->call_status = status;  // the insert carries the latest status
  } else if (change.delete_first) {
    // The call was removed before this update: the row is gone, as the real UPDATE would find nothing.
  } else {
    change.status = status;
  }
}

void CallTableWriter::remove(const std::string& call_id) {
  auto found = pending_.find(call_id);
  if (found != pending_.end() && found->second.insert && !found->second.delete_first) {
    pending_.erase(found);  // inserted and removed between two flushes: the file never sees it
    return;
  }
  Change& change = pending_[call_id];
  change.delete_first = true;
  change.insert.reset();
  change.status.reset();
}

DbResult<Done> CallTableWriter::flush() {
  if (pending_.empty()) return Done{};
  auto transaction = SqliteTransaction::begin(*db_);
  if (!transaction) return Unexpected{"flushing mohqcalls: " + transaction.error()};
  auto erase = db_->prepare("DELETE FROM mohqcalls WHERE call_id = ?");
  if (!erase) return Unexpected{erase.error()};
  auto add = db_->prepare(
      "INSERT INTO mohqcalls (mohq_id, call_id, call_status, call_from, call_contact, call_time) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  if (!add) return Unexpected{add.error()};
  auto update = db_->prepare("UPDATE mohqcalls SET call_status = ? WHERE call_id = ?");
  if (!update) return Unexpected{update.error()};

  for (const auto& [call_id, change] : pending_) {
    if (change.delete_first) {
      erase->reset();
      if (auto bound = erase->bind(1, call_id); !bound) return bound;
      if (auto done = erase->run(); !done) return Unexpected{"flushing mohqcalls: " + done.error()};
    }
    if (change.insert) {
      const CallRow& row = *change.insert;
      add->reset();
      for (auto bound : {add->bind(1, row.mohq_id), add->bind(2, row.call_id),
                         add->bind(3, std::int64_t{static_cast<int>(row.call_status)}), add->bind(4, row.call_from),
                         add->bind(5, row.call_contact), add->bind(6, to_julian_day(row.call_time))}) {
        if (!bound) return bound;
      }
      if (auto done = add->run(); !done) return Unexpected{"flushing mohqcalls: " + done.error()};
    } else if (change.status) {
      update->reset();
      for (auto bound : {update->bind(1, std::int64_t{static_cast<int>(*change.status)}), update->bind(2, call_id)}) {
        if (!bound) return bound;
      }
      if (auto done = update->run(); !done) return Unexpected{"flushing mohqcalls: " + done.error()};
    }
  }
  // Statements must be finalized or reset before COMMIT can release the lock; run() reset them already.
  if (auto committed = transaction->commit(); !committed) return Unexpected{"flushing mohqcalls: " + committed.error()};
  pending_.clear();
  return Done{};
}

}  // namespace mohq::sim_db
