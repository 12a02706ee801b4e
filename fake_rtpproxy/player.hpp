// One prompt being played to one leg: rtpproxy's player (rtpproxy-protocol.md §3) as a packet generator.
// It knows nothing of sockets or clocks; the Pacer asks it for packets when they are due.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <vector>

#include "rtp/payload_type.hpp"
#include "rtp/rtp_header.hpp"
#include "fake_rtpproxy/rtp_faults.hpp"

namespace mohq::fake_rtpproxy {

struct PlaySpec {
  std::shared_ptr<const std::vector<std::uint8_t>> prompt;  // the raw file bytes, <name>.<pt>
  const rtp::PayloadType* type = nullptr;
  int ptime_ms = 10;                   // from the leg's Z when "session" was used, else 10
  int count = -1;                      // passes to play; negative = for ever
};

// Random initial state, as rtpproxy draws it (SSRC, seq, even timestamp).
struct RtpStart {
  std::uint32_t ssrc;
  std::uint16_t sequence;
  std::uint32_t timestamp;
  static RtpStart random(std::mt19937_64& rng);
};

class Player {
 public:
  // Applies the payload faults (prepend, law_swap, linear16, ptime) once, here.
  Player(const PlaySpec& spec, const RtpFaults& faults, RtpStart start);

  // Writes the next packet (header + payload) into out and returns its size, or 0 when the prompt is done
  // (count exhausted, or the prompt holds no whole chunk). out must hold max_packet_size() bytes.
  std::size_t next_packet(std::span<std::uint8_t> out);
  std::size_t max_packet_size() const;

  bool finished() const { return finished_; }
  std::chrono::milliseconds packet_duration() const;  // between consecutive packets' due times
  std::uint32_t ssrc() const { return header_.ssrc; }
  std::uint64_t packets_generated() const { return packets_generated_; }

 private:
  // The prompt after payload faults: the caller's bytes themselves when no fault changes them, so thousands of
  // players of one file share one copy.
  std::shared_ptr<const std::vector<std::uint8_t>> payload_source_;
  rtp::Packetization packetization_;
  rtp::RtpHeader header_;
  std::uint8_t header_payload_type_;
  std::size_t offset_ = 0;
  int passes_left_;                   // negative = for ever
  bool first_ = true;
  bool finished_ = false;
  std::uint64_t packets_generated_ = 0;
};

}  // namespace mohq::fake_rtpproxy
