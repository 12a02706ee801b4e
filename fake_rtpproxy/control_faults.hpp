// Control-plane faults: make the fake answer late, not at all, or with an error, as a sick rtpproxy would.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace mohq::fake_rtpproxy {

struct ControlFaults {
  int reply_delay_ms = 0;         // reply.delay=MS: every reply leaves MS later
  int drop_next_replies = 0;      // reply.drop=N: the next N replies are never sent (the cache keeps them)
  double drop_rate = 0.0;         // reply.drop_rate=P: each reply is lost with probability P
  std::map<char, int> forced_errors;  // error.U=72: the command is not run and E72 is the reply
};

// Keys reply.delay, reply.drop, reply.drop_rate, error.<LETTER> (value a code, or "none"), reset.
Expected<Done, std::string> apply_control_fault(ControlFaults& faults, std::string_view key, std::string_view value);
std::string describe(const ControlFaults& faults);

}  // namespace mohq::fake_rtpproxy
