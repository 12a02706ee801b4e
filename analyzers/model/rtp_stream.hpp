// One RTP stream as the analyzers see it: the packets of one SSRC from one source to one destination, in
// capture order, with their payloads in one contiguous buffer (a 60 s stream is 3,000 packets, 480 kB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analyzers/model/captured_datagram.hpp"

namespace mohq::analyzers {

struct RtpPacketRecord {
  std::uint64_t frame = 0;
  double time = 0;  // capture time, seconds
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::uint8_t payload_type = 0;
  bool marker = false;
  std::size_t payload_offset = 0;  // into RtpStream::payloads
  std::size_t payload_size = 0;
};

// What signalling says the stream should be (from SDP and the rtpproxy commands), when a call was found.
struct StreamExpectation {
  std::string call_id;
  std::vector<unsigned> negotiated_types;  // the answer's payload types (empty: none known)
  std::optional<unsigned> ptime_ms;        // a=ptime, or rtpproxy's Z; nullopt: 20 ms is assumed
  std::string prompt;                      // rtpproxy P: "<mohdir>/<mohfile>" (no .<pt>)
  bool from_caller = false;                // the caller's own leg (to the answer's address), not the prompt
};

struct RtpStream {
  Endpoint source;
  Endpoint destination;
  std::uint32_t ssrc = 0;
  std::vector<RtpPacketRecord> packets;
  std::vector<std::uint8_t> payloads;
  StreamExpectation expected;

  std::span<const std::uint8_t> payload(const RtpPacketRecord& packet) const {
    return {payloads.data() + packet.payload_offset, packet.payload_size};
  }
};

// "127.0.0.1:40000 -> 127.0.0.1:6000 ssrc 0x1a2b3c4d": how findings and reports name a stream.
inline std::string stream_label(const RtpStream& stream) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string ssrc = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) ssrc += kHex[(stream.ssrc >> shift) & 0xf];
  return stream.source.to_string() + " -> " + stream.destination.to_string() + " ssrc " + ssrc;
}

}  // namespace mohq::analyzers
