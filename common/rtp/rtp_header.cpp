// RTP fixed header layout, RFC 3550 §5.1:
//   byte 0: V(2) P(1) X(1) CC(4)   byte 1: M(1) PT(7)   bytes 2-3: sequence   4-7: timestamp   8-11: SSRC
// then CC 32-bit CSRCs, then (if X) a 4-byte extension header whose second half counts 32-bit words that
// follow (§5.3.1), then the payload, then (if P) padding whose last byte counts the padding bytes, itself
// included. All fields are big-endian (network order).
#include "rtp/rtp_header.hpp"

#include <stdexcept>

namespace mohq::rtp {
namespace {

constexpr std::uint8_t kVersion = 2;
constexpr std::size_t kCsrcSize = 4;
constexpr std::size_t kExtensionHeaderSize = 4;
constexpr std::size_t kExtensionWordSize = 4;

std::uint16_t read_u16(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

std::uint32_t read_u32(std::span<const std::uint8_t> bytes, std::size_t at) {
  return (std::uint32_t{bytes[at]} << 24) | (std::uint32_t{bytes[at + 1]} << 16) |
         (std::uint32_t{bytes[at + 2]} << 8) | std::uint32_t{bytes[at + 3]};
}

void write_u16(std::span<std::uint8_t> bytes, std::size_t at, std::uint16_t value) {
  bytes[at] = static_cast<std::uint8_t>(value >> 8);
  bytes[at + 1] = static_cast<std::uint8_t>(value);
}

void write_u32(std::span<std::uint8_t> bytes, std::size_t at, std::uint32_t value) {
  bytes[at] = static_cast<std::uint8_t>(value >> 24);
  bytes[at + 1] = static_cast<std::uint8_t>(value >> 16);
  bytes[at + 2] = static_cast<std::uint8_t>(value >> 8);
  bytes[at + 3] = static_cast<std::uint8_t>(value);
}

Unexpected<std::string> too_short(const std::string& what, std::size_t needed, std::size_t size) {
  return Unexpected{"RTP packet too short for " + what + ": needs " + std::to_string(needed) + " bytes, has " +
                    std::to_string(size)};
}

}  // namespace

void write_fixed_header(const RtpHeader& header, std::span<std::uint8_t> out) {
  if (out.size() < kFixedHeaderSize) {
    throw std::invalid_argument("write_fixed_header: buffer of " + std::to_string(out.size()) +
                                " bytes cannot hold the 12-byte RTP header");
  }
  out[0] = static_cast<std::uint8_t>((kVersion << 6) | (header.padding ? 0x20 : 0) | (header.extension ? 0x10 : 0) |
                                     (header.csrc_count & 0x0F));
  out[1] = static_cast<std::uint8_t>((header.marker ? 0x80 : 0) | (header.payload_type & 0x7F));
  write_u16(out, 2, header.sequence);
  write_u32(out, 4, header.timestamp);
  write_u32(out, 8, header.ssrc);
}

Expected<RtpPacketView, std::string> parse_packet(std::span<const std::uint8_t> packet) {
  const std::size_t size = packet.size();
  if (size < kFixedHeaderSize) return too_short("fixed header", kFixedHeaderSize, size);

  const int version = packet[0] >> 6;
  if (version != kVersion) {
    return Unexpected{"RTP version is " + std::to_string(version) + ", expected 2"};
  }

  RtpHeader header;
  header.padding = (packet[0] & 0x20) != 0;
  header.extension = (packet[0] & 0x10) != 0;
  header.csrc_count = packet[0] & 0x0F;
  header.marker = (packet[1] & 0x80) != 0;
  header.payload_type = packet[1] & 0x7F;
  header.sequence = read_u16(packet, 2);
  header.timestamp = read_u32(packet, 4);
  header.ssrc = read_u32(packet, 8);

  // Every bound below is checked before the bytes it covers are read; sizes stay far below SIZE_MAX
  // (at most 12 + 15*4 + 4 + 65535*4), so the additions cannot wrap.
  std::size_t payload_start = kFixedHeaderSize + header.csrc_count * kCsrcSize;
  if (payload_start > size) return too_short("CSRC list", payload_start, size);

  if (header.extension) {
    if (payload_start + kExtensionHeaderSize > size) {
      return too_short("header extension header", payload_start + kExtensionHeaderSize, size);
    }
    const std::size_t extension_words = read_u16(packet, payload_start + 2);
    payload_start += kExtensionHeaderSize + extension_words * kExtensionWordSize;
    if (payload_start > size) return too_short("header extension", payload_start, size);
  }

  std::size_t padding_size = 0;
  if (header.padding) {
    // The count byte is itself padding, so it must lie after the headers (RFC 3550 §5.1, P bit).
    if (payload_start == size) return too_short("padding count", payload_start + 1, size);
    padding_size = packet[size - 1];
    if (padding_size == 0) return Unexpected{std::string("RTP padding bit set but padding count is 0")};
    if (padding_size > size - payload_start) {
      return Unexpected{"RTP padding count " + std::to_string(padding_size) + " exceeds the " +
                        std::to_string(size - payload_start) + " bytes after the headers"};
    }
  }

  return RtpPacketView{header, packet.subspan(payload_start, size - payload_start - padding_size)};
}

}  // namespace mohq::rtp
