// What differs between `--profile kamailio` (what Kamailio 5.6/5.8 mohqueue puts on the wire) and
// `--profile strict` (the RFC 3261/3262/3264/3515 behaviour), as data: every switch names the defect or quirk of
// mohqueue-behaviour.md §14 it reproduces. Internal defects (lock wedges B1, leaks, slot races B6, B12) have no
// switch: neither profile reproduces them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace mohq::sim {

enum class Profile { Kamailio, Strict };

std::optional<Profile> parse_profile(std::string_view name);
std::string_view profile_name(Profile profile);

struct ProfileRules {
  // sl replies (488, 486, 487, 481, 415, 491, the BYE/NOTIFY/re-INVITE 200s) are sent with no transaction, so a
  // retransmitted request is processed again (Kamailio's sl). Strict: every reply goes through a transaction.
  bool stateless_replies = true;
  // B3: a full queue, an unknown in-dialog request and an out-of-dialog non-INVITE to a queue get no reply.
  // Strict: 486 Busy Here (full), 481 (unknown dialog), 405 (out of dialog).
  bool silent_drops = true;
  // B5: CANCEL answered 487 and the INVITE left without a final response. Strict: 200 to the CANCEL, 487 to
  // the INVITE (RFC 3261 9.2).
  bool cancel_gets_487 = true;
  // B2: a non-2xx, non-481 final response (or timeout) to the REFER deletes the call silently. Strict: the call
  // goes back to the queue, as the module's README documents.
  bool refer_failure_deletes = true;
  // B7: teardown paths that skip rtpproxy D (BYE before the queue, RPC drop, REFER failure, ACK timeout, ...).
  // Strict: D on every teardown.
  bool skip_delete_on_some_teardowns = true;
  // Q1: the caller's Via lines copied into our BYE and REFER.
  bool copy_caller_vias = true;
  // Q2: the next hop is the first Record-Route URI with its parameters removed (";transport=tcp" lost).
  bool strip_next_hop_params = true;
  // B10: the answer lists every prompt payload type, a=sendrecv, trailing spaces, a=nortpproxy. Strict: the
  // offer's types intersected with the prompts (offer order), a=sendonly, a=ptime (RFC 3264 6.1).
  bool kamailio_sdp_template = true;
  // B9: 200 to a re-INVITE with no SDP and no Contact. Strict: our SDP (version bumped) and Contact.
  bool reinvite_ok_without_sdp = true;
  // B8 (the visible part): the reliable 180 is sent once. Strict: retransmitted T1, 2T1, ... (RFC 3262 3).
  bool reliable_provisional_sent_once = true;
  // mohqueue's NOTES: RAck not checked. Strict: a PRACK whose RAck does not match gets 481 (RFC 3262 3).
  bool ignore_rack = true;
  // 4.1: no ACK by the time tm destroys the INVITE transaction (wait_timeout, 5 s) deletes the call without BYE.
  // Strict: the 2xx is retransmitted for 64*T1 and the call is ended with BYE (RFC 3261 13.3.1.4).
  bool ack_timeout_silent = true;
  std::chrono::milliseconds ack_wait{5000};
  // Kamailio's first in-dialog request after the ACK carries CSeq 2 (kamailio-on-debian.md, observed).
  unsigned first_local_cseq = 2;
};

ProfileRules rules_for(Profile profile);

}  // namespace mohq::sim
