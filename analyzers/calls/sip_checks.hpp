// SIP signalling findings for one call (`sip.*`): answered requests, ACKs, CANCEL, REFER/NOTIFY, the SDP answer,
// copied Vias and the order of messages. Each says what is wrong, with numbers, and what to change.
#pragma once

#include "analyzers/calls/call_record.hpp"
#include "analyzers/model/finding.hpp"

namespace mohq::analyzers {

// How long after a message the capture must go on before a missing answer counts (a capture cut right after
// a request proves nothing). 4 s: beyond tm's 0.5-4 s retransmissions, before Kamailio's 5 s wait timer.
inline constexpr double kAnswerGraceSeconds = 4.0;

Findings check_sip_call(const CallRecord& call, double capture_end);

}  // namespace mohq::analyzers
