// A stream's payloads as 8 kHz 16-bit audio (G.711 decoded with common/rtp; G.722, GSM and G.729 through GStreamer,
// gst_decode.hpp), and the data an HTML report plots:
// a log-magnitude spectrogram (a small matrix) and a waveform envelope (min/max per block).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/model/payload_classifier.hpp"
#include "analyzers/model/rtp_stream.hpp"

namespace mohq::analyzers {

constexpr unsigned kG711SampleRate = 8000;

// 0 -> Pcmu, 8 -> Pcma; nullopt for any other payload type (not decoded here).
std::optional<PayloadEncoding> g711_encoding_of(unsigned payload_type);

// G.711 bytes to samples (Pcmu or Pcma; any other encoding gives an empty vector).
std::vector<std::int16_t> decode_g711(std::span<const std::uint8_t> bytes, PayloadEncoding law);

struct DecodedAudio {
  std::vector<std::int16_t> samples;  // payloads in capture order, concatenated (no gap filling)
  std::size_t packets_decoded = 0;
  std::size_t packets_skipped = 0;    // payload type not decodable (not 0/8/3/9/18), or its decoder failed
  std::vector<unsigned> skipped_types;
  std::vector<std::string> errors;    // why: gst_undecodable_reason or the GStreamer error, once per type
};
// PT 0/8 with common/rtp/g711; PT 3/9/18 with decode_payloads (gst_decode.hpp), each run of consecutive packets of
// one such type in one pipeline; every other type is skipped.
DecodedAudio decode_stream(const RtpStream& stream);

struct Spectrogram {
  std::size_t frame_size = 256;
  double seconds_per_column = 0;
  double hz_per_row = 0;
  std::vector<std::vector<float>> db;  // [column][row], dBFS-like (0 dB = full-scale sine), rounded to 0.1 dB
};
// 256-point Hann frames; columns averaged down to at most max_columns, rows (frequency bins) to `rows`.
Spectrogram spectrogram_data(std::span<const std::int16_t> samples, std::size_t max_columns = 200,
                             std::size_t rows = 64, unsigned sample_rate = kG711SampleRate);
nlohmann::json to_json(const Spectrogram& spectrogram);

struct WaveformEnvelope {
  std::size_t samples_per_point = 1;
  std::vector<std::int16_t> min, max;
};
WaveformEnvelope waveform_envelope(std::span<const std::int16_t> samples, std::size_t max_points = 1000);
nlohmann::json to_json(const WaveformEnvelope& envelope);

}  // namespace mohq::analyzers
