// Static RTP payload types the MOH player can frame (RFC 3551 table 4), and how rtpproxy packetizes them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace mohq::rtp {

struct PayloadType {
  int number;                     // RTP payload type, e.g. 8
  std::string_view encoding;      // SDP rtpmap encoding name, e.g. "PCMA"
  std::uint32_t clock_rate;       // RTP clock rate (8000 for all of these; G.722 per RFC 3551 4.5.2)
  std::uint32_t frame_ms;         // smallest unit the player reads from a prompt file
  std::uint32_t frame_bytes;      // bytes of one frame in a raw prompt file
};

// PT 0 (PCMU), 3 (GSM), 4 (G723), 8 (PCMA), 9 (G722), 18 (G729). Nothing else can be played.
std::span<const PayloadType> playable_payload_types();
const PayloadType* find_payload_type(int number);

// rtpproxy's rule (rtpproxy-protocol.md §3.4): a packet holds ceil(ptime / frame_ms) frames, at least one frame,
// and ptime below 10 ms counts as 10 ms. A ptime above 999 ms throws std::out_of_range: rtpproxy refuses it with
// E13 (§1.4) before any player sees it.
struct Packetization {
  std::uint32_t frames;
  std::uint32_t duration_ms;      // frames * frame_ms
  std::uint32_t payload_bytes;    // frames * frame_bytes
  std::uint32_t timestamp_step;   // duration_ms * clock_rate / 1000
};
Packetization packetization(const PayloadType& type, int ptime_ms);

}  // namespace mohq::rtp
