// The SDP mohqd answers with (mohqueue-behaviour.md §5.3), and the offer facts the queue needs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sip/sdp.hpp"

namespace mohq::sim {

struct AnswerMedia {
  std::string address;  // rtpproxy's address for the caller (o= and c=)
  bool ipv6 = false;
  unsigned port = 0;    // rtpproxy's port for the caller (m=)
  std::vector<unsigned> payload_types;
  unsigned ptime = 20;
  unsigned version = 1;  // o= session version; bumped for each later answer in the strict profile
};

// Byte for byte what Kamailio sends: the form_rtp_SDP template rewritten by rtpproxy_answer (a=sendrecv, one m-line,
// "a=rtpmap:.. " with a trailing space, then a blank line and "a=nortpproxy:yes" with no line end).
std::string kamailio_answer_sdp(const AnswerMedia& media);
// RFC 3264: the negotiated types only, a=sendonly (the caller only listens), a=ptime.
std::string strict_answer_sdp(const AnswerMedia& media);

// The payload types of the answer: every prompt type (Kamailio, B10) or the offered ones that have a prompt, in
// the offer's order (strict, RFC 3264 6.1).
std::vector<unsigned> answer_payload_types(bool intersect, const std::vector<unsigned>& offered,
                                           const std::vector<unsigned>& prompt_types);

// The ptime for rtpproxy's L command: the first offered stream with an a=ptime of 1 to 3 characters, else 20
// (mohqueue-behaviour.md §13.2).
unsigned offer_ptime(const sip::SessionDescription& offer);

// re-INVITE (§9): is any audio stream on hold? Kamailio's parser looks only at stream-level sendonly/inactive and
// at c=0.0.0.0 (a session-level a=sendonly is missed); strict follows RFC 3264 8.4 (session level counts too).
bool offer_puts_on_hold(const sip::SessionDescription& offer, bool kamailio_rules);
// Does any offered audio payload type have a prompt file?
bool offer_matches_prompts(const sip::SessionDescription& offer, const std::vector<unsigned>& prompt_types);

}  // namespace mohq::sim
