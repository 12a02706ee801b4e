// The payload types rtpproxy's player can frame, and its packet sizing rule (rtpproxy-protocol.md §3.3-§3.4).
#include "rtp/payload_type.hpp"

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace mohq::rtp {
namespace {

// RFC 3551 §6 table 4 gives number, name and clock rate (G.722's RTP clock is 8000 although it samples at
// 16 kHz, RFC 3551 §4.5.2). Frame sizes are those of the raw prompt files (rtpproxy-protocol.md §3.3 table):
// sample codecs are read 1 ms (8 bytes) at a time, frame codecs one codec frame at a time.
constexpr std::array<PayloadType, 6> kPlayablePayloadTypes = {{
    {0, "PCMU", 8000, 1, 8},
    {3, "GSM", 8000, 20, 33},
    {4, "G723", 8000, 30, 24},
    {8, "PCMA", 8000, 1, 8},
    {9, "G722", 8000, 1, 8},
    {18, "G729", 8000, 10, 10},
}};

// rtpproxy's player never sends less than one 10 ms tick of audio (RTPS_TICKS_MIN).
constexpr int kMinPtimeMs = 10;
// A ptime of 1000 ms or more is refused with E13 by rtpproxy (rtpproxy-protocol.md §1.4), so it never reaches
// the player; rejecting it here also keeps every product below within 32 bits.
constexpr int kMaxPtimeMs = 999;

}  // namespace

std::span<const PayloadType> playable_payload_types() { return kPlayablePayloadTypes; }

const PayloadType* find_payload_type(int number) {
  for (const PayloadType& type : kPlayablePayloadTypes) {
    if (type.number == number) return &type;
  }
  return nullptr;
}

Packetization packetization(const PayloadType& type, int ptime_ms) {
  if (ptime_ms > kMaxPtimeMs) {
    throw std::out_of_range("ptime " + std::to_string(ptime_ms) + " ms is above " + std::to_string(kMaxPtimeMs) +
                            " ms, which rtpproxy refuses with E13");
  }
  if (type.frame_ms == 0) {
    throw std::invalid_argument("payload type " + std::to_string(type.number) + " has a zero frame duration");
  }
  // Below 10 ms (including "no Z given", stored as -1) the player falls back to its 10 ms tick.
  const auto ptime = static_cast<std::uint32_t>(ptime_ms < kMinPtimeMs ? kMinPtimeMs : ptime_ms);
  // Round up: a packet always covers at least the requested ptime, in whole frames (GSM at 10 ms sends 20 ms).
  const std::uint32_t frames = (ptime + type.frame_ms - 1) / type.frame_ms;

  Packetization result{};
  result.frames = frames;  // at least 1, since ptime >= 10 > 0
  result.duration_ms = frames * type.frame_ms;
  result.payload_bytes = frames * type.frame_bytes;
  result.timestamp_step = result.duration_ms * type.clock_rate / 1000;
  return result;
}

}  // namespace mohq::rtp
