// What bytes look like, whatever their payload type says: the no-reference signals that separate G.711 from
// 16-bit linear PCM, A-law from mu-law, and audio from a container header (peers.md, "Audio-content checks").
// Used on RTP payloads (codec.payload_mismatch) and on prompt files (mohq prompt lint). Implemented in
// analyzers/audio.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <optional>
#include <string>
#include <string_view>

namespace mohq::analyzers {

enum class PayloadEncoding {
  Pcmu,          // G.711 mu-law
  Pcma,          // G.711 A-law
  Linear16Le,    // 16-bit signed little-endian PCM (a WAV's data, "raw" audio)
  Linear16Be,
  Silence,       // too quiet to tell (all idle codes / zeros)
  Unknown,       // none of the above fits (compressed codecs, noise)
};

std::string_view encoding_name(PayloadEncoding encoding);

// The measurements of the bytes decoded under one hypothesis (Pcmu, Pcma, Linear16Le, Linear16Be).
struct EncodingMeasures {
  double prediction_gain_db = 0;     // variance / order-8 LPC residual: ~0 dB for noise, 10..40 dB for audio
  double level_dbfs = -120;          // RMS
  double zero_crossing_rate = 0;
  double high_band_energy = 0;       // share of energy above 3 kHz
  double spectral_flatness = 0;
};

struct PayloadGuess {
  PayloadEncoding encoding = PayloadEncoding::Unknown;
  double confidence = 0;  // 0..1
  // The measurements the guess is based on (reported as evidence). The four scalars below describe the bytes
  // decoded as G.711 under the guessed law, or (guess not a law) under the law that fits better; by_encoding
  // holds every hypothesis, indexed by static_cast<std::size_t>(PayloadEncoding) for Pcmu..Linear16Be, so a
  // caller that knows the claimed law reads its measures there.
  std::array<EncodingMeasures, 4> by_encoding{};
  double margin_db = 0;              // prediction gain of the best hypothesis minus the runner-up
  double zero_crossing_rate = 0;     // of the audio decoded as the claimed law
  double high_band_energy = 0;       // share of energy above 3 kHz
  double spectral_flatness = 0;
  double odd_even_byte_skew = 0;     // difference of byte statistics at even and odd offsets (s16 shows it)
};

// Full: every measurement. Decision: only what the guess is decided on (levels, prediction gains, byte skew,
// margin; the same encoding and confidence as Full); the spectral description (zero-crossing rate, high-band
// energy, flatness) stays 0. mohq analyze classifies windows of every stream with Decision and describes in Full
// only the window a finding quotes.
enum class ClassifierDetail { Full, Decision };

// Guesses the encoding of raw bytes (an RTP payload run, or a prompt file). At least ~0.25 s of audio (2000
// bytes) for a confident answer.
PayloadGuess classify_payload(std::span<const std::uint8_t> bytes, ClassifierDetail detail = ClassifierDetail::Full);

// Container headers inside audio bytes: "RIFF....WAVE", ".snd" (Sun/NeXT .au), "ID3", "OggS", "fLaC".
struct ContainerHeader {
  std::string format;   // "wav", "au", "id3", "ogg", "flac"
  std::size_t offset = 0;
};
std::optional<ContainerHeader> find_container_header(std::span<const std::uint8_t> bytes);

}  // namespace mohq::analyzers
