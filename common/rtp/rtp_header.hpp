// RTP fixed header (RFC 3550 §5.1): serialize for senders, parse for receivers and analyzers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "base/expected.hpp"

namespace mohq::rtp {

inline constexpr std::size_t kFixedHeaderSize = 12;

struct RtpHeader {
  bool padding = false;
  bool extension = false;
  std::uint8_t csrc_count = 0;
  bool marker = false;
  std::uint8_t payload_type = 0;  // 7 bits
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
};

// Writes the 12-byte fixed header (version 2, no CSRCs written even if csrc_count says so) into out[0..12).
// out must hold at least kFixedHeaderSize bytes.
void write_fixed_header(const RtpHeader& header, std::span<std::uint8_t> out);

struct RtpPacketView {
  RtpHeader header;
  std::span<const std::uint8_t> payload;  // after CSRCs and extension, before padding
};

// Parses a whole RTP packet: version must be 2; CSRC list, header extension and padding are honoured and
// must fit. Errors name what is wrong ("too short for CSRC list", ...).
Expected<RtpPacketView, std::string> parse_packet(std::span<const std::uint8_t> packet);

}  // namespace mohq::rtp
