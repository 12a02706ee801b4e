// A SIP call as seen in a capture: its messages in order, the media each side announced, and what the SIP server
// told rtpproxy about it (U/L/P/D). Built by CallTracker; judged by sip_checks; joined to RTP streams by
// attach_streams.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyzers/model/captured_datagram.hpp"

namespace mohq::analyzers {

struct SipEvent {
  std::uint64_t frame = 0;
  double time = 0;
  Endpoint source;
  Endpoint destination;
  TransportProtocol transport = TransportProtocol::Udp;
  std::string method;  // requests
  int code = 0;        // responses
  std::string reason;
  std::uint32_t cseq = 0;
  std::string cseq_method;
  std::vector<std::string> via_branches;  // every Via value's branch, top first ("" when absent)
  std::string from_tag;
  std::string to_tag;
  bool sdp = false;
  std::string sipfrag;   // NOTIFY: the status line of a message/sipfrag body
  bool is_request() const { return !method.empty(); }
};

// The media one side announced: where it wants RTP, which payload types, which ptime.
struct MediaOffer {
  Endpoint endpoint;
  std::vector<unsigned> payload_types;
  std::optional<unsigned> ptime_ms;
  bool hold = false;
};

struct RtpproxyEvent {
  std::uint64_t frame = 0;
  double time = 0;
  std::string command;  // as sent, without the cookie: "LZ20c0,8 <call-id> 127.0.0.1 1 <tags>"
  std::string verb;     // letter + modifiers: "LZ20c0,8"
  std::string reply;    // as received ("" when none was captured)
};

struct CallRecord {
  std::string call_id;
  Endpoint caller;  // the source of the first INVITE
  Endpoint callee;  // its destination
  std::vector<SipEvent> events;
  std::optional<MediaOffer> offer;   // the first INVITE's SDP
  std::optional<MediaOffer> answer;  // the SDP of its first 2xx (or reliable 18x)
  std::vector<RtpproxyEvent> rtpproxy;
  // From the rtpproxy commands (mohqueue-behaviour.md §13): what rtpproxy will play.
  std::vector<int> rtpproxy_offered_types;  // U c<list>: the caller's codecs, rtpproxy's play order
  std::optional<unsigned> rtpproxy_ptime;   // L Z<ptime>
  std::string prompt;                       // P: "<mohdir>/<mohfile>"
};

// Per-call facts for reports.
struct CallTiming {
  std::optional<double> setup_seconds;     // INVITE -> first final response
  std::optional<int> final_code;
  std::optional<double> queue_seconds;     // ACK -> REFER, BYE or the end of the capture
  std::optional<int> refer_code;           // the final response to the first REFER
  std::optional<int> transfer_status;      // the last sipfrag status of its NOTIFYs
  std::string outcome;                     // "transferred", "transfer failed", "caller hung up", "rejected", ...
};
CallTiming call_timing(const CallRecord& call, double capture_end);

}  // namespace mohq::analyzers
