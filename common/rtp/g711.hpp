// G.711 A-law and mu-law, bit-exact with ITU-T G.711 (the classic Sun reference algorithm that rtpproxy's
// makeann and Python's audioop also use), on 16-bit linear samples.
#pragma once

#include <cstdint>
#include <span>

namespace mohq::rtp {

std::uint8_t linear_to_alaw(std::int16_t sample);
std::int16_t alaw_to_linear(std::uint8_t code);
std::uint8_t linear_to_ulaw(std::int16_t sample);
std::int16_t ulaw_to_linear(std::uint8_t code);

// Transcode between the laws the way a misconfigured player effectively does when it serves one law's file
// under the other's payload type (used by fault injection and by analyzers as a hypothesis).
std::uint8_t alaw_to_ulaw(std::uint8_t code);
std::uint8_t ulaw_to_alaw(std::uint8_t code);

// Bulk forms; out.size() must equal in.size().
void encode_alaw(std::span<const std::int16_t> in, std::span<std::uint8_t> out);
void decode_alaw(std::span<const std::uint8_t> in, std::span<std::int16_t> out);
void encode_ulaw(std::span<const std::int16_t> in, std::span<std::uint8_t> out);
void decode_ulaw(std::span<const std::uint8_t> in, std::span<std::int16_t> out);

}  // namespace mohq::rtp
