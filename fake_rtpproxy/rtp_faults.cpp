// Parsing and printing of media fault settings (--fault key=value, control command "F key=value").
#include "fake_rtpproxy/rtp_faults.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>

namespace mohq::fake_rtpproxy {
namespace {

constexpr std::string_view kValidKeys =
    "rtp.loss, rtp.burst, rtp.jitter, rtp.ptime, rtp.pt, rtp.prepend, rtp.law_swap, rtp.linear16, reset";

constexpr int kMaxJitterMs = 1000;
constexpr int kMaxPtimeMs = 999;  // rtpproxy refuses 1000 ms and more with E13 (rtpproxy-protocol.md §1.4)
constexpr int kMaxPayloadType = 127;

// WAVE format tags (RFC 2361): 6 = ITU G.711 A-law, 7 = mu-law. A-law is used because a PCMA prompt is what
// mohqueue serves first in the usual "8,0" offer, and the header bytes are noise to the listener either way.
constexpr std::uint16_t kWaveFormatAlaw = 6;
constexpr std::uint32_t kSampleRate = 8000;

template <class Number>
bool parse_number(std::string_view text, Number& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

void put_le16(std::vector<std::uint8_t>& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value & 0xFF));
  out.push_back(static_cast<std::uint8_t>(value >> 8));
}

void put_le32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<std::uint8_t>((value >> shift) & 0xFF));
}

void put_tag(std::vector<std::uint8_t>& out, std::string_view tag) {
  for (const char c : tag) out.push_back(static_cast<std::uint8_t>(c));
}

// The canonical 44-byte header (RIFF, 16-byte fmt chunk, data chunk) a WAV writer puts in front of 8 kHz mono
// A-law samples: what is left in a raw prompt when a .wav file is renamed to .8 (rtpproxy-protocol.md §6.1).
// The data length is not known here, so the header describes an empty data chunk, as a streaming writer
// leaves it before patching the sizes.
std::vector<std::uint8_t> wav_header() {
  constexpr std::uint16_t kChannels = 1;
  constexpr std::uint16_t kBitsPerSample = 8;
  constexpr std::uint16_t kBlockAlign = kChannels * kBitsPerSample / 8;
  constexpr std::uint32_t kFmtChunkSize = 16;
  constexpr std::uint32_t kDataSize = 0;
  std::vector<std::uint8_t> out;
  out.reserve(44);
  put_tag(out, "RIFF");
  put_le32(out, 4 + (8 + kFmtChunkSize) + (8 + kDataSize));  // everything after this field
  put_tag(out, "WAVE");
  put_tag(out, "fmt ");
  put_le32(out, kFmtChunkSize);
  put_le16(out, kWaveFormatAlaw);
  put_le16(out, kChannels);
  put_le32(out, kSampleRate);
  put_le32(out, kSampleRate * kBlockAlign);  // bytes per second
  put_le16(out, kBlockAlign);
  put_le16(out, kBitsPerSample);
  put_tag(out, "data");
  put_le32(out, kDataSize);
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parse_hex(std::string_view text, std::vector<std::uint8_t>& out) {
  if (text.empty() || text.size() % 2 != 0) return false;
  out.clear();
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = hex_digit(text[i]);
    const int low = hex_digit(text[i + 1]);
    if (high < 0 || low < 0) return false;
    out.push_back(static_cast<std::uint8_t>(high * 16 + low));
  }
  return true;
}

bool parse_flag(std::string_view text, bool& out) {
  if (text == "1" || text == "true") {
    out = true;
    return true;
  }
  if (text == "0" || text == "false") {
    out = false;
    return true;
  }
  return false;
}

// "N/M" with 0 < N < M: N dropped out of every M (M = N would drop everything: use rtp.loss=1 for that).
bool parse_burst(std::string_view text, int& length, int& period) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  return parse_number(text.substr(0, slash), length) && parse_number(text.substr(slash + 1), period) &&
         length > 0 && length < period;
}

std::string format_double(double value) {
  std::array<char, 32> buffer{};
  const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  if (error != std::errc()) return std::to_string(value);
  return std::string(buffer.data(), end);
}

std::string format_hex(const std::vector<std::uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const std::uint8_t byte : bytes) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0x0F]);
  }
  return out;
}

}  // namespace

Expected<Done, std::string> apply_fault_setting(RtpFaults& faults, std::string_view key, std::string_view value) {
  auto bad = [&](std::string_view expected) {
    return Unexpected{std::string(key) + ": '" + std::string(value) + "' is not " + std::string(expected)};
  };
  if (key == "reset") {
    faults = RtpFaults{};
    return Done{};
  }
  if (key == "rtp.loss") {
    double probability = 0;
    // !(p >= 0) also refuses NaN, which from_chars accepts as "nan".
    if (!parse_number(value, probability) || !(probability >= 0.0) || probability > 1.0) {
      return bad("a probability from 0 to 1");
    }
    faults.loss = probability;
    return Done{};
  }
  if (key == "rtp.burst") {
    if (value == "none") {
      faults.burst_length = 0;
      faults.burst_period = 0;
      return Done{};
    }
    int length = 0;
    int period = 0;
    if (!parse_burst(value, length, period)) return bad("N/M with 0 < N < M (drop N packets out of every M), or none");
    faults.burst_length = length;
    faults.burst_period = period;
    return Done{};
  }
  if (key == "rtp.jitter") {
    int ms = 0;
    if (!parse_number(value, ms) || ms < 0 || ms > kMaxJitterMs) return bad("a delay in ms from 0 to 1000");
    faults.jitter_ms = ms;
    return Done{};
  }
  if (key == "rtp.ptime") {
    if (value == "none") {
      faults.ptime_ms.reset();
      return Done{};
    }
    int ms = 0;
    if (!parse_number(value, ms) || ms < 1 || ms > kMaxPtimeMs) {
      return bad("a packet time in ms from 1 to 999, or none");
    }
    faults.ptime_ms = ms;
    return Done{};
  }
  if (key == "rtp.pt") {
    if (value == "none") {
      faults.payload_type.reset();
      return Done{};
    }
    int number = 0;
    if (!parse_number(value, number) || number < 0 || number > kMaxPayloadType) {
      return bad("an RTP payload type from 0 to 127, or none");
    }
    faults.payload_type = number;
    return Done{};
  }
  if (key == "rtp.prepend") {
    if (value == "none") {
      faults.prepend.clear();
      return Done{};
    }
    if (value == "wav") {
      faults.prepend = wav_header();
      return Done{};
    }
    constexpr std::string_view kHexPrefix = "hex:";
    std::vector<std::uint8_t> bytes;
    if (!value.starts_with(kHexPrefix) || !parse_hex(value.substr(kHexPrefix.size()), bytes)) {
      return bad("wav, hex:<pairs of hex digits, at least one byte>, or none");
    }
    faults.prepend = std::move(bytes);
    return Done{};
  }
  if (key == "rtp.law_swap" || key == "rtp.linear16") {
    bool on = false;
    if (!parse_flag(value, on)) return bad("0, 1, true or false");
    (key == "rtp.law_swap" ? faults.law_swap : faults.linear16) = on;
    return Done{};
  }
  return Unexpected{"unknown fault '" + std::string(key) + "' (media faults: " + std::string(kValidKeys) + ")"};
}

std::string describe(const RtpFaults& faults) {
  std::string out;
  auto add = [&out](std::string_view key, const std::string& value) {
    if (!out.empty()) out += ' ';
    out += key;
    out += '=';
    out += value;
  };
  if (faults.loss != 0.0) add("rtp.loss", format_double(faults.loss));
  if (faults.burst_length > 0 && faults.burst_period > 0) {
    add("rtp.burst", std::to_string(faults.burst_length) + "/" + std::to_string(faults.burst_period));
  }
  if (faults.jitter_ms != 0) add("rtp.jitter", std::to_string(faults.jitter_ms));
  if (faults.ptime_ms) add("rtp.ptime", std::to_string(*faults.ptime_ms));
  if (faults.payload_type) add("rtp.pt", std::to_string(*faults.payload_type));
  if (!faults.prepend.empty()) {
    add("rtp.prepend", faults.prepend == wav_header() ? std::string("wav") : "hex:" + format_hex(faults.prepend));
  }
  if (faults.law_swap) add("rtp.law_swap", "1");
  if (faults.linear16) add("rtp.linear16", "1");
  return out;
}

}  // namespace mohq::fake_rtpproxy
