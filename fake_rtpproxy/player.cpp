// rtpproxy's prompt player (rtpproxy-protocol.md §3.4, rtpp:src/rtpp_server.c) as a pure packet generator.
#include "fake_rtpproxy/player.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "rtp/g711.hpp"

namespace mohq::fake_rtpproxy {
namespace {

constexpr int kPcmu = 0;
constexpr int kPcma = 8;

// rtp.law_swap: the file's law served under the other law's name. PT 8 bytes become the mu-law codes of the
// same samples (and PT 0 the A-law codes), so the receiver decodes them with the wrong table; other payload
// types carry no G.711 and are left alone.
void swap_law(int payload_type, std::vector<std::uint8_t>& bytes) {
  if (payload_type == kPcma) {
    for (auto& byte : bytes) byte = rtp::alaw_to_ulaw(byte);
  } else if (payload_type == kPcmu) {
    for (auto& byte : bytes) byte = rtp::ulaw_to_alaw(byte);
  }
}

// rtp.linear16: the file holds 16-bit little-endian linear PCM although it is named .8 or .0, the "loud static
// at half speed" of kamailio #1273 (rtpproxy-protocol.md §6.1). Built from the G.711 file by decoding it, so the
// static carries the prompt's own audio. Payload types other than 0 and 8 are not G.711 and are left alone.
void to_linear16(int payload_type, std::vector<std::uint8_t>& bytes) {
  if (payload_type != kPcma && payload_type != kPcmu) return;
  std::vector<std::uint8_t> linear;
  linear.reserve(bytes.size() * 2);
  for (const std::uint8_t code : bytes) {
    const std::int16_t sample = payload_type == kPcma ? rtp::alaw_to_linear(code) : rtp::ulaw_to_linear(code);
    const auto bits = static_cast<std::uint16_t>(sample);
    linear.push_back(static_cast<std::uint8_t>(bits & 0xFF));
    linear.push_back(static_cast<std::uint8_t>(bits >> 8));
  }
  bytes = std::move(linear);
}

}  // namespace

RtpStart RtpStart::random(std::mt19937_64& rng) {
  const std::uint64_t bits = rng();
  RtpStart start{};
  start.ssrc = static_cast<std::uint32_t>(bits);
  start.sequence = static_cast<std::uint16_t>(bits >> 32);
  // rtpproxy-protocol.md §3.4: the initial timestamp is random and even.
  start.timestamp = static_cast<std::uint32_t>(rng()) & ~std::uint32_t{1};
  return start;
}

Player::Player(const PlaySpec& spec, const RtpFaults& faults, RtpStart start) {
  if (spec.type == nullptr) throw std::invalid_argument("Player: PlaySpec has no payload type");
  // rtp.ptime replaces the negotiated ptime; packetization() applies rtpproxy's 10 ms floor and E13 ceiling.
  packetization_ = rtp::packetization(*spec.type, faults.ptime_ms.value_or(spec.ptime_ms));
  header_payload_type_ = static_cast<std::uint8_t>(faults.payload_type.value_or(spec.type->number) & 0x7F);

  payload_source_ = spec.prompt ? spec.prompt : std::make_shared<const std::vector<std::uint8_t>>();
  if (faults.law_swap || faults.linear16 || !faults.prepend.empty()) {
    // Fault order: the file's bytes are transformed first (law_swap, then linear16 on the result), and the
    // prepended bytes go in front untouched, like a header left in the file: they are replayed on every loop.
    auto changed = std::make_shared<std::vector<std::uint8_t>>(*payload_source_);
    if (faults.law_swap) swap_law(spec.type->number, *changed);
    if (faults.linear16) to_linear16(spec.type->number, *changed);
    changed->insert(changed->begin(), faults.prepend.begin(), faults.prepend.end());
    payload_source_ = std::move(changed);
  }

  header_.ssrc = start.ssrc;
  header_.sequence = start.sequence;
  header_.timestamp = start.timestamp;
  header_.payload_type = header_payload_type_;

  // count: 1 = once, n = n passes, negative = for ever (rtpproxy-protocol.md §3.1). 0 never reaches a player
  // (P0 only stops); treated as nothing to play. A prompt without one whole chunk plays nothing either.
  passes_left_ = spec.count < 0 ? -1 : spec.count;
  finished_ = passes_left_ == 0 || payload_source_->size() < packetization_.payload_bytes;
}

std::size_t Player::max_packet_size() const { return rtp::kFixedHeaderSize + packetization_.payload_bytes; }

std::chrono::milliseconds Player::packet_duration() const {
  return std::chrono::milliseconds(packetization_.duration_ms);
}

std::size_t Player::next_packet(std::span<std::uint8_t> out) {
  if (finished_) return 0;
  if (out.size() < max_packet_size()) {
    throw std::invalid_argument("Player::next_packet: buffer of " + std::to_string(out.size()) +
                                " bytes, a packet needs " + std::to_string(max_packet_size()));
  }
  const std::size_t chunk = packetization_.payload_bytes;
  const std::vector<std::uint8_t>& source = *payload_source_;
  if (source.size() - offset_ < chunk) {
    // Short read: the pass ends and the partial tail is dropped. If passes remain, read again from offset 0
    // in this same call; seq, ts and SSRC continue and no marker is set, so the loop is seamless.
    if (passes_left_ > 0) --passes_left_;
    if (passes_left_ == 0) {
      finished_ = true;
      return 0;
    }
    offset_ = 0;  // the constructor guaranteed at least one whole chunk
  }

  header_.marker = first_;  // marker bit on the very first packet only
  first_ = false;
  rtp::write_fixed_header(header_, out);
  std::copy_n(source.begin() + static_cast<std::ptrdiff_t>(offset_), chunk,
              out.begin() + static_cast<std::ptrdiff_t>(rtp::kFixedHeaderSize));
  offset_ += chunk;

  // Unsigned arithmetic wraps at 16 and 32 bits, as RTP requires.
  header_.sequence = static_cast<std::uint16_t>(header_.sequence + 1);
  header_.timestamp += packetization_.timestamp_step;
  ++packets_generated_;
  return rtp::kFixedHeaderSize + chunk;
}

}  // namespace mohq::fake_rtpproxy
