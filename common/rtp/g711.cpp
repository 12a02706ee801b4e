// G.711 companding, written to reproduce the classic Sun reference (g711.c) bit for bit, which is also what
// rtpproxy's makeann and Python's audioop use. tests/rtp checks every input against audioop's output.
#include "rtp/g711.hpp"

#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace mohq::rtp {
namespace {

// Both laws code a sample as sign (bit 7), segment (bits 6..4) and a 4-bit step inside the segment (bits 3..0),
// then invert bits so that silence is not a run of zeros on the line (G.711: A-law inverts the even bits,
// i.e. XOR 0x55; mu-law inverts all bits).
constexpr std::uint8_t kSignBit = 0x80;
constexpr std::uint8_t kStepMask = 0x0F;
constexpr int kSegmentShift = 4;
constexpr std::uint8_t kAlawEvenBits = 0x55;

// The first segment whose upper bound is >= magnitude; 8 if none is (the caller clips, see below).
int find_segment(int magnitude, const std::array<int, 8>& segment_upper_bounds) {
  int segment = 0;
  while (segment < 8 && magnitude > segment_upper_bounds[static_cast<std::size_t>(segment)]) ++segment;
  return segment;
}

int segment_of(std::uint8_t code) { return (code >> kSegmentShift) & 0x07; }

// A-law works on 13-bit samples: the 3 low bits of a 16-bit sample never change the code.
// Segment upper bounds for the 13-bit magnitude.
constexpr std::array<int, 8> kAlawSegmentEnds = {0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF};

// mu-law works on 14-bit samples (the 2 low bits never matter). The magnitude is biased by 33 (0x84 in 16-bit
// terms) so that every segment starts at a power of two, and clipped at 8159 so that the biased value stays
// within the last segment (0x2000 is the one value past it, and codes as the largest step anyway).
// This is the 1994 revision of the Sun code, which audioop follows; the older revision biased the 16-bit
// value by 0x84 and clipped at 32635 before quantizing, which codes some samples one step differently
// (e.g. -1 became 0x7F, where audioop and this code give 0x7E).
constexpr int kUlawBias = 0x84 >> 2;
constexpr int kUlawClip = 8159;
constexpr std::array<int, 8> kUlawSegmentEnds = {0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF};
constexpr int kUlawBias16 = 0x84;  // the same bias in 16-bit terms, used when decoding

void require_same_size(std::size_t in_size, std::size_t out_size, const char* what) {
  if (in_size != out_size) {
    throw std::invalid_argument(std::string(what) + ": output holds " + std::to_string(out_size) +
                                " elements but input has " + std::to_string(in_size));
  }
}

}  // namespace

std::uint8_t linear_to_alaw(std::int16_t sample) {
  int magnitude = sample >> 3;  // arithmetic shift (defined in C++20): rounds negative samples down
  std::uint8_t inversion = kAlawEvenBits | kSignBit;  // sign bit 1 means positive in A-law
  if (magnitude < 0) {
    inversion = kAlawEvenBits;
    // One's complement, so that -1 codes like 0: A-law has no zero, its two smallest codes are +/- half a step.
    magnitude = -magnitude - 1;
  }
  // A 13-bit magnitude is at most 0xFFF, so the search always finds a segment.
  const int segment = find_segment(magnitude, kAlawSegmentEnds);
  // Segments 0 and 1 share the same step size (2 in 13-bit units); each later segment doubles it.
  const int step_shift = segment < 2 ? 1 : segment;
  const int step = (magnitude >> step_shift) & kStepMask;
  const auto code = static_cast<std::uint8_t>((segment << kSegmentShift) | step);
  return static_cast<std::uint8_t>(code ^ inversion);
}

std::int16_t alaw_to_linear(std::uint8_t code) {
  const auto plain = static_cast<std::uint8_t>(code ^ kAlawEvenBits);
  const int segment = segment_of(plain);
  // Decode to the middle of the step (+8 in 16-bit units), one step being 16 in segments 0 and 1.
  int magnitude = (plain & kStepMask) << 4;
  if (segment == 0) {
    magnitude += 8;
  } else {
    magnitude += 0x108;  // 0x100 is the segment's base, 8 the half step
    magnitude <<= segment - 1;
  }
  return static_cast<std::int16_t>((plain & kSignBit) != 0 ? magnitude : -magnitude);
}

std::uint8_t linear_to_ulaw(std::int16_t sample) {
  int magnitude = sample >> 2;  // arithmetic shift: rounds negative samples down
  std::uint8_t inversion = 0xFF;  // sign bit 0 after inversion means negative in mu-law
  if (magnitude < 0) {
    inversion = 0x7F;
    magnitude = -magnitude;
  }
  if (magnitude > kUlawClip) magnitude = kUlawClip;
  magnitude += kUlawBias;
  const int segment = find_segment(magnitude, kUlawSegmentEnds);
  if (segment >= 8) {
    // Only the clipped maximum (8159 + 33 = 0x2000) gets here; it takes the largest code.
    return static_cast<std::uint8_t>(0x7F ^ inversion);
  }
  const int step = (magnitude >> (segment + 1)) & kStepMask;
  const auto code = static_cast<std::uint8_t>((segment << kSegmentShift) | step);
  return static_cast<std::uint8_t>(code ^ inversion);
}

std::int16_t ulaw_to_linear(std::uint8_t code) {
  const auto plain = static_cast<std::uint8_t>(~code);
  const int segment = segment_of(plain);
  // Rebuild the biased magnitude at the middle of the step (+4 in segment 0 units, scaled with the segment),
  // then remove the bias. Code 0xFF (plain 0x00, positive) and 0x7F (negative) both decode to 0.
  const int biased = (((plain & kStepMask) << 3) + kUlawBias16) << segment;
  return static_cast<std::int16_t>((plain & kSignBit) != 0 ? kUlawBias16 - biased : biased - kUlawBias16);
}

// Decode to 16-bit linear, then encode with the other law: what a transcoder that works through linear PCM
// produces. The steps of the two laws do not line up, so some codes merge. G.711 also defines direct
// conversion tables (the Sun reference ships them as alaw2ulaw/ulaw2alaw); those are NOT used here and may
// differ by one step for some codes.
std::uint8_t alaw_to_ulaw(std::uint8_t code) { return linear_to_ulaw(alaw_to_linear(code)); }
std::uint8_t ulaw_to_alaw(std::uint8_t code) { return linear_to_alaw(ulaw_to_linear(code)); }

void encode_alaw(std::span<const std::int16_t> in, std::span<std::uint8_t> out) {
  require_same_size(in.size(), out.size(), "encode_alaw");
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = linear_to_alaw(in[i]);
}

namespace {
// 256-entry tables built once from the reference functions above: the analyzers decode every payload byte of
// a capture (tens of millions), where a lookup is several times cheaper than the bit arithmetic.
template <std::int16_t (*Decode)(std::uint8_t)>
const std::array<std::int16_t, 256>& decode_table() {
  static const std::array<std::int16_t, 256> table = [] {
    std::array<std::int16_t, 256> built{};
    for (int code = 0; code < 256; ++code) built[static_cast<std::size_t>(code)] = Decode(static_cast<std::uint8_t>(code));
    return built;
  }();
  return table;
}
}  // namespace

void decode_alaw(std::span<const std::uint8_t> in, std::span<std::int16_t> out) {
  require_same_size(in.size(), out.size(), "decode_alaw");
  const auto& table = decode_table<alaw_to_linear>();
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = table[in[i]];
}

void encode_ulaw(std::span<const std::int16_t> in, std::span<std::uint8_t> out) {
  require_same_size(in.size(), out.size(), "encode_ulaw");
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = linear_to_ulaw(in[i]);
}

void decode_ulaw(std::span<const std::uint8_t> in, std::span<std::int16_t> out) {
  require_same_size(in.size(), out.size(), "decode_ulaw");
  const auto& table = decode_table<ulaw_to_linear>();
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = table[in[i]];
}

}  // namespace mohq::rtp
