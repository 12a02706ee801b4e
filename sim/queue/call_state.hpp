// The call states of Kamailio's mohqueue (mohqueue-behaviour.md §4.1), with the numeric values the module
// logs (in hex) and stores in the DB (state / 100), so logs and mohqcalls rows read the same for both.
#pragma once

#include <string_view>

#include "sim/db/mohqueue_schema.hpp"

namespace mohq::sim {

enum class CallState : int {
  Enter = 100,       // record created from the initial INVITE; nothing sent yet
  Trying = 101,      // 100 Trying sent
  PrackStart = 102,  // reliable 180 sent, waiting for PRACK
  PrackReply = 103,  // PRACK received and answered
  Invited = 104,     // 200 OK with SDP sent, waiting for ACK
  Cancel = 105,      // CANCEL received before the call was queued
  InQueue = 200,     // ACKed, music playing: counted and retrievable
  Refer = 301,       // REFER sent, no final response yet
  ReferWait = 302,   // REFER accepted, waiting for the sipfrag NOTIFYs
  ByeOk = 304,       // the caller's BYE is being processed
  Bye = 305,         // we sent BYE, waiting for its final response
};

constexpr int state_value(CallState state) { return static_cast<int>(state); }
// mohqcalls.call_status for a state.
constexpr sim_db::CallStatus db_status(CallState state) {
  return static_cast<sim_db::CallStatus>(state_value(state) / 100);
}
// "in queue" and later: the answered states (the module's `state >= CLSTA_INQUEUE` tests).
constexpr bool is_answered(CallState state) { return state_value(state) >= state_value(CallState::InQueue); }
std::string_view state_name(CallState state);

}  // namespace mohq::sim
