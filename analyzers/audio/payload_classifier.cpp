// classify_payload: decode the bytes under each of the four hypotheses (mu-law, A-law, s16le, s16be) and keep
// the one that looks most like audio. "Looks like audio" is the order-8 linear prediction gain: real music and
// speech at 8 kHz are predictable (10..40 dB), while bytes decoded under the wrong hypothesis are not: s16 read
// as G.711 turns every low byte into a full-scale random step, G.711 read as s16 pairs unrelated codes, and the
// other law scrambles the segment bits (XOR 0x55 vs ~) into a broadband distortion. Comparing the hypotheses on
// the same bytes (a margin) needs no absolute threshold on the music; thresholds: README.md "Calibration".
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <vector>

#include "analyzers/audio/dsp.hpp"
#include "analyzers/model/payload_classifier.hpp"

namespace mohq::analyzers {

// Calibrated on Debian's asterisk-moh-opsound-wav and asterisk-core-sounds-en-wav (tests/analyzers_audio).
constexpr double kSilenceDbfs = -60.0;        // best hypothesis quieter than this: Silence
constexpr double kMinAudioGainDb = 3.0;       // best hypothesis less predictable than this: not audio
constexpr double kConfidentMarginDb = 6.0;    // margin giving confidence ~0.86 (1 - e^-2)
constexpr double kS16ByteSkew = 0.45;         // even/odd byte histogram distance that marks s16 without a gain
constexpr std::size_t kSpectralFrames = 4;    // 256-point frames averaged for the spectral measures

std::string_view encoding_name(PayloadEncoding encoding) {
  switch (encoding) {
    case PayloadEncoding::Pcmu: return "pcmu";
    case PayloadEncoding::Pcma: return "pcma";
    case PayloadEncoding::Linear16Le: return "s16le";
    case PayloadEncoding::Linear16Be: return "s16be";
    case PayloadEncoding::Silence: return "silence";
    case PayloadEncoding::Unknown: return "unknown";
  }
  return "unknown";
}

namespace {

constexpr std::array<PayloadEncoding, 4> kHypotheses = {PayloadEncoding::Pcmu, PayloadEncoding::Pcma,
                                                        PayloadEncoding::Linear16Le, PayloadEncoding::Linear16Be};

struct ByteSkew {
  double distance = 0;      // total variation distance of the even- and odd-offset byte histograms (0..1)
  bool even_is_high = false;  // the even offsets are the more concentrated ones (the high bytes of s16be)
};

ByteSkew byte_skew(std::span<const std::uint8_t> bytes) {
  std::array<double, 256> even{}, odd{};
  std::size_t n_even = 0, n_odd = 0;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
    even[bytes[i]] += 1;
    odd[bytes[i + 1]] += 1;
    ++n_even;
    ++n_odd;
  }
  ByteSkew skew;
  if (n_even == 0) return skew;
  double distance = 0, h_even = 0, h_odd = 0;
  for (std::size_t v = 0; v < 256; ++v) {
    const double pe = even[v] / static_cast<double>(n_even), po = odd[v] / static_cast<double>(n_odd);
    distance += std::abs(pe - po);
    if (pe > 0) h_even -= pe * std::log2(pe);
    if (po > 0) h_odd -= po * std::log2(po);
  }
  skew.distance = distance / 2;
  skew.even_is_high = h_even < h_odd;
  return skew;
}

}  // namespace

PayloadGuess classify_payload(std::span<const std::uint8_t> bytes, ClassifierDetail detail) {
  PayloadGuess guess;
  if (bytes.size() < 16) return guess;
  const ByteSkew skew = byte_skew(bytes);
  guess.odd_even_byte_skew = skew.distance;

  // One decode buffer per thread: mohq analyze classifies windows of every stream on every core.
  thread_local std::vector<std::int16_t> buffer;
  if (buffer.size() < bytes.size()) buffer.resize(bytes.size());
  double quietest = 0;
  for (std::size_t h = 0; h < kHypotheses.size(); ++h) {
    const auto samples = std::span<const std::int16_t>(buffer.data(), dsp::decode_into(bytes, kHypotheses[h], buffer));
    auto& m = guess.by_encoding[h];
    m.level_dbfs = dsp::dbfs(dsp::rms(samples));
    m.prediction_gain_db = dsp::prediction_gain_db(samples);
    if (detail == ClassifierDetail::Full) {
      const auto shape = dsp::spectral_shape(samples, kSpectralFrames);
      m.zero_crossing_rate = shape.zero_crossing_rate;
      m.high_band_energy = shape.high_band_share;
      m.spectral_flatness = shape.flatness;
    }
    quietest = h == 0 ? m.level_dbfs : std::min(quietest, m.level_dbfs);
  }

  std::array<std::size_t, 4> order = {0, 1, 2, 3};
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return guess.by_encoding[a].prediction_gain_db > guess.by_encoding[b].prediction_gain_db;
  });
  const auto& best = guess.by_encoding[order[0]];
  guess.margin_db = best.prediction_gain_db - guess.by_encoding[order[1]].prediction_gain_db;

  if (quietest < kSilenceDbfs) {
    guess.encoding = PayloadEncoding::Silence;
    guess.confidence = 1.0;
  } else if (best.prediction_gain_db >= kMinAudioGainDb) {
    guess.encoding = kHypotheses[order[0]];
    guess.confidence = 1.0 - std::exp(-guess.margin_db / (kConfidentMarginDb / 2));
  } else if (skew.distance >= kS16ByteSkew) {
    // Noise-like but with s16's byte structure: one offset holds concentrated high bytes.
    guess.encoding = skew.even_is_high ? PayloadEncoding::Linear16Be : PayloadEncoding::Linear16Le;
    guess.confidence = std::min(1.0, skew.distance);
  } else {
    guess.encoding = PayloadEncoding::Unknown;
    guess.confidence = 0;
  }

  std::size_t law = 0;
  if (guess.encoding == PayloadEncoding::Pcma) law = 1;
  else if (guess.encoding != PayloadEncoding::Pcmu)
    law = guess.by_encoding[1].prediction_gain_db > guess.by_encoding[0].prediction_gain_db ? 1 : 0;
  guess.zero_crossing_rate = guess.by_encoding[law].zero_crossing_rate;
  guess.high_band_energy = guess.by_encoding[law].high_band_energy;
  guess.spectral_flatness = guess.by_encoding[law].spectral_flatness;
  return guess;
}

std::optional<ContainerHeader> find_container_header(std::span<const std::uint8_t> bytes) {
  struct Magic {
    const char* format;
    const char* text;
    std::size_t size;
  };
  static constexpr std::array<Magic, 5> kMagic = {{{"wav", "RIFF", 4},
                                                   {"au", ".snd", 4},
                                                   {"id3", "ID3", 3},
                                                   {"ogg", "OggS", 4},
                                                   {"flac", "fLaC", 4}}};
  const std::size_t n = bytes.size();
  const std::uint8_t* const p = bytes.data();
  // The exact test at offsets [from, to).
  auto scan = [&](std::size_t from, std::size_t to) -> std::optional<ContainerHeader> {
    for (std::size_t i = from; i < to && i + 2 < n; ++i) {  // every magic is at least 3 bytes
      // The first two bytes first: audio has these pairs often enough that a memcmp per magic and offset of a
      // flagged chunk showed in profiles.
      const std::uint8_t a = p[i], b = p[i + 1];
      if (!((a == 'R' && b == 'I') || (a == '.' && b == 's') || (a == 'I' && b == 'D') || (a == 'O' && b == 'g') ||
            (a == 'f' && b == 'L')))
        continue;
      for (const auto& magic : kMagic) {
        if (i + magic.size > n || std::memcmp(p + i, magic.text, magic.size) != 0) continue;
        const std::string_view format = magic.format;
        if (format == "wav") {  // "RIFF" <size> "WAVE"
          if (i + 12 > n || std::memcmp(p + i + 8, "WAVE", 4) != 0) continue;
        } else if (format == "au") {  // ".snd" <data offset >= 24, big-endian>
          if (i + 8 > n) continue;
          const std::uint32_t offset = (std::uint32_t{p[i + 4]} << 24) | (std::uint32_t{p[i + 5]} << 16) |
                                       (std::uint32_t{p[i + 6]} << 8) | p[i + 7];
          if (offset < 24 || offset > 65536) continue;
        } else if (format == "id3") {  // "ID3" major version 2..4, revision < 0xFF
          if (i + 5 > n || p[i + 3] < 2 || p[i + 3] > 4 || p[i + 4] == 0xFF) continue;
        } else if (format == "ogg") {  // stream structure version 0
          if (i + 5 > n || p[i + 4] != 0) continue;
        }
        return ContainerHeader{std::string(format), i};
      }
    }
    return std::nullopt;
  };
  // This scan sees every payload byte of a capture. Each 64-byte chunk is first tested for any of the magics'
  // first two bytes ("RI", ".s", "ID", "Og", "fL"), with a branch-free loop the compiler turns into SIMD
  // compares; in audio that pair shows up in about one chunk of 200, and only those chunks get the exact test.
  constexpr std::size_t kChunk = 64;
  std::size_t start = 0;
  for (;;) {
    start = dsp::find_magic_chunk(p, n, start, kChunk);
    if (start + kChunk >= n) break;  // no chunk hit: the tail is left
    if (auto found = scan(start, start + kChunk)) return found;
    start += kChunk;
  }
  return scan(start, n);
}

}  // namespace mohq::analyzers
