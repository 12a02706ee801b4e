// A SIP call flow as a "ladder": what a SIPp caller sent and received, normalized so two runs (or two SUTs,
// Kamailio's mohqueue and mohqd) can be compared line by line. Built from SIPp's -message_file trace,
// plus the rtpproxy commands the SUT sent for the same Call-ID (from fake-rtpproxy's -d DBUG log).
//
//   --> INVITE | CSeq: 1 INVITE | Via: 1 | SDP: yes | Contact: <sip:caller1@CALLER> | Allow: ... | ...
//   <-- 100 Trying to enter MOH queue | CSeq: 1 INVITE | Via: 1 | SDP: no
//   rtpproxy: Uc8,0,101
//
// "-->" is caller to SUT, "<--" SUT to caller. Addresses are replaced by CALLER and SUT, random numbers
// (RSeq, and the RAck that echoes it) by <rseq>, and retransmissions are folded (counted, not listed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/expected.hpp"
#include "sip/message.hpp"

namespace mohq::harness {

// From the caller's (SIPp's) side.
enum class Direction { sent, received };

// One message of a SIPp trace.
struct TraceMessage {
  Direction direction = Direction::sent;
  std::string timestamp;  // as SIPp wrote it, "2026-11-26 07:12:25.907995"
  sip::Message message;
};

// SIPp 3.6.1 -trace_msg output: blocks "---- <timestamp>" / "UDP message sent (N bytes):" or
// "UDP message received [N] bytes :" / empty line / the message. A block that does not parse is an error
// naming its position.
Expected<std::vector<TraceMessage>, std::string> parse_sipp_trace(std::string_view text);

// The headers a step records, in this order, when present (case-insensitive, compact forms understood).
inline constexpr std::string_view kLadderHeaders[] = {
    "Contact", "Allow", "Supported", "Require", "RSeq", "RAck", "Refer-To", "Referred-By", "Content-Type", "Event"};

struct LadderStep {
  Direction direction = Direction::sent;
  std::string method;  // requests
  int code = 0;        // responses (method empty)
  std::string reason;  // responses
  std::uint32_t cseq = 0;
  std::string cseq_method;
  std::size_t vias = 0;  // Via values, over all Via lines
  bool sdp = false;      // a non-empty body with Content-Type application/sdp
  std::vector<std::pair<std::string, std::string>> headers;  // normalized values, kLadderHeaders order

  bool is_request() const { return !method.empty(); }
  std::string to_text() const;  // one line, the format above
  bool operator==(const LadderStep&) const = default;
};

struct Ladder {
  std::vector<LadderStep> steps;
  std::vector<std::string> rtpproxy;  // command letter + modifiers ("Uc8,0,101", "LZ20c0,8", "P-1", "D"), in order
  std::size_t retransmissions = 0;    // folded messages (not part of the comparison)
  bool operator==(const Ladder& other) const { return steps == other.steps && rtpproxy == other.rtpproxy; }
};

struct LadderNormalization {
  std::string caller_hostport;  // "127.0.0.1:25070": replaced by CALLER
  std::string sut_hostport;     // "127.0.0.1:5060": replaced by SUT
};

// Folds retransmissions (same direction, start line, CSeq and top Via branch as an earlier message) and
// normalizes the rest. rtpproxy stays empty: see rtpproxy_commands_for.
Ladder make_ladder(const std::vector<TraceMessage>& messages, const LadderNormalization& normalization);

// fake-rtpproxy's -d DBUG log lines "command '<cookie> <cmd> <call-id> ...' -> '...'" (the cookie is absent
// on unix sockets): the command token of every command naming one of call_ids, in log order.
std::vector<std::string> rtpproxy_commands_for(std::string_view log_text, const std::vector<std::string>& call_ids);

// Text form: a comment header ("# ..." lines are ignored when parsing), one line per step, then one
// "rtpproxy: <cmd>" line per command.
std::string to_text(const Ladder& ladder, std::string_view title = {});
Expected<Ladder, std::string> parse_ladder(std::string_view text);

// Readable differences, empty when equal: "step 3: expected '<-- 200 OK ...', got '<-- 486 Busy Here ...'",
// "step 2 (<-- 200 OK): Contact: expected '<sip:1008@SUT>', got none", "missing step 5: ...", ...
std::vector<std::string> diff_ladders(const Ladder& expected, const Ladder& actual);

}  // namespace mohq::harness
