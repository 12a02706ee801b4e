// One RTP stream as the analyzers see it: the packets of one SSRC from one source to one destination, in
// capture order. A packet's payload is a view: into the mapped capture file where it lies there (mohq analyze
// copies no payload byte of a classic pcap), else into bytes the stream stores itself.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
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
  const std::uint8_t* payload_data = nullptr;  // valid while the stream (or a copy of it) lives
  std::size_t payload_size = 0;
};

// Payload bytes a stream holds itself: those not in a mapped capture (reassembled datagrams, pcapng read through
// libpcap, streams built by code). Append-only in blocks, so a stored byte never moves and views stay valid.
class PayloadStore {
 public:
  const std::uint8_t* store(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return nullptr;
    if (blocks_.empty() || bytes.size() > capacity_ - used_) {
      capacity_ = std::max(kBlockBytes, bytes.size());
      blocks_.push_back(std::make_unique_for_overwrite<std::uint8_t[]>(capacity_));
      used_ = 0;
    }
    std::uint8_t* const to = blocks_.back().get() + used_;
    std::copy(bytes.begin(), bytes.end(), to);
    used_ += bytes.size();
    return to;
  }

 private:
  static constexpr std::size_t kBlockBytes = 64 * 1024;
  std::vector<std::unique_ptr<std::uint8_t[]>> blocks_;
  std::size_t used_ = 0, capacity_ = 0;
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
  StreamExpectation expected;
  // What the packets' payload_data point into, kept alive with the stream and shared by its copies: the mapped
  // capture file (any object owning the mapping) and the stream's own PayloadStore.
  std::shared_ptr<const void> mapped_capture;
  std::shared_ptr<PayloadStore> owned_payloads;

  std::span<const std::uint8_t> payload(const RtpPacketRecord& packet) const {
    return {packet.payload_data, packet.payload_size};
  }
  // A copy of `payload` in the stream's own store, for a packet record.
  const std::uint8_t* keep(std::span<const std::uint8_t> payload) {
    if (!owned_payloads) owned_payloads = std::make_shared<PayloadStore>();
    return owned_payloads->store(payload);
  }
  // Appends a packet whose payload the stream copies (tests, payloads not in a mapped file).
  void add_packet(RtpPacketRecord packet, std::span<const std::uint8_t> payload) {
    packet.payload_data = keep(payload);
    packet.payload_size = payload.size();
    packets.push_back(packet);
  }
  std::size_t payload_bytes() const {
    std::size_t total = 0;
    for (const auto& packet : packets) total += packet.payload_size;
    return total;
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
