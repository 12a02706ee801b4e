// RFC 3261 17.1.1.1 and table 4: the timer values every transaction derives its timers from. Time is a
// value passed in by the caller (std::chrono::steady_clock::time_point), never read here, so the state
// machines run the same under a test clock as under the real one.
#pragma once

#include <chrono>

namespace mohq::sip {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Millis = std::chrono::milliseconds;

struct TransactionTimers {
  Millis t1{500};   // RTT estimate
  Millis t2{4000};  // maximum retransmit interval for non-INVITE requests and INVITE responses
  Millis t4{5000};  // maximum duration a message remains in the network

  // Timers B, F, H and J, and the 2xx retransmission limit of 13.3.1.4.
  Millis timeout() const { return 64 * t1; }
  bool operator==(const TransactionTimers&) const = default;
};

// How a transaction reaches its peer: retransmission timers (A, E, G) and the wait states (I, J, K) only
// run over an unreliable transport (RFC 3261 17.1.1.2, 17.1.2.2, 17.2.1, 17.2.2).
enum class Delivery { Unreliable, Reliable };

}  // namespace mohq::sip
