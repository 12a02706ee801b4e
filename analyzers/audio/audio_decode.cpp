#include "analyzers/audio/audio_decode.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

#include "analyzers/audio/dsp.hpp"
#include "analyzers/audio/gst_decode.hpp"
#include "rtp/g711.hpp"

namespace mohq::analyzers {

std::optional<PayloadEncoding> g711_encoding_of(unsigned payload_type) {
  if (payload_type == 0) return PayloadEncoding::Pcmu;
  if (payload_type == 8) return PayloadEncoding::Pcma;
  return std::nullopt;
}

std::vector<std::int16_t> decode_g711(std::span<const std::uint8_t> bytes, PayloadEncoding law) {
  if (law != PayloadEncoding::Pcmu && law != PayloadEncoding::Pcma) return {};
  return dsp::decode_as(bytes, law);
}

DecodedAudio decode_stream(const RtpStream& stream) {
  DecodedAudio audio;
  audio.samples.reserve(stream.payload_bytes());
  auto skip = [&](unsigned type, std::size_t packets, const std::string& why) {
    audio.packets_skipped += packets;
    if (std::find(audio.skipped_types.begin(), audio.skipped_types.end(), type) != audio.skipped_types.end()) return;
    audio.skipped_types.push_back(type);
    audio.errors.push_back(why);
  };
  const auto& packets = stream.packets;
  for (std::size_t i = 0; i < packets.size();) {
    const unsigned type = packets[i].payload_type;
    if (const auto law = g711_encoding_of(type)) {
      const auto samples = decode_g711(stream.payload(packets[i]), *law);
      audio.samples.insert(audio.samples.end(), samples.begin(), samples.end());
      ++audio.packets_decoded;
      ++i;
      continue;
    }
    // A run of packets of this type.
    std::size_t end = i;
    while (end < packets.size() && packets[end].payload_type == type) ++end;
    const std::size_t count = end - i;
    if (!gst_codec_for(type)) {
      skip(type, count, gst_undecodable_reason(type));
      i = end;
      continue;
    }
    std::vector<std::span<const std::uint8_t>> payloads;
    payloads.reserve(count);
    for (std::size_t k = i; k < end; ++k) payloads.push_back(stream.payload(packets[k]));
    auto samples = decode_payloads(type, payloads);
    if (!samples) {
      skip(type, count, samples.error());
    } else {
      audio.samples.insert(audio.samples.end(), samples->begin(), samples->end());
      audio.packets_decoded += count;
    }
    i = end;
  }
  return audio;
}

Spectrogram spectrogram_data(std::span<const std::int16_t> samples, std::size_t max_columns, std::size_t rows,
                             unsigned sample_rate) {
  Spectrogram out;
  const std::size_t frame = out.frame_size, bins = frame / 2;
  rows = std::clamp<std::size_t>(rows, 1, bins);
  max_columns = std::max<std::size_t>(max_columns, 1);
  const std::size_t frames = samples.size() / frame;
  if (frames == 0) return out;
  const std::size_t per_column = (frames + max_columns - 1) / max_columns;
  const std::size_t columns = (frames + per_column - 1) / per_column;
  const std::size_t bins_per_row = bins / rows;
  out.seconds_per_column = static_cast<double>(per_column * frame) / sample_rate;
  out.hz_per_row = static_cast<double>(bins_per_row) * sample_rate / static_cast<double>(frame);
  std::vector<double> window(frame);
  double window_sum = 0;
  for (std::size_t i = 0; i < frame; ++i) {
    window[i] = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(frame));
    window_sum += window[i];
  }
  // A full-scale sine's peak bin has magnitude 32768 * window_sum / 2: 0 dB.
  const double reference = 32768.0 * window_sum / 2;
  std::vector<std::complex<double>> buffer(frame);
  for (std::size_t c = 0; c < columns; ++c) {
    std::vector<double> power(rows, 0.0);
    std::size_t used = 0;
    for (std::size_t f = c * per_column; f < std::min(frames, (c + 1) * per_column); ++f, ++used) {
      for (std::size_t i = 0; i < frame; ++i) buffer[i] = {samples[f * frame + i] * window[i], 0.0};
      dsp::fft(buffer);
      for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t b = r * bins_per_row; b < (r + 1) * bins_per_row; ++b) power[r] += std::norm(buffer[b]);
    }
    std::vector<float> column(rows);
    for (std::size_t r = 0; r < rows; ++r) {
      const double mean = power[r] / static_cast<double>(std::max<std::size_t>(used, 1) * bins_per_row);
      const double db = std::max(-120.0, 10.0 * std::log10(mean / (reference * reference) + 1e-12));
      column[r] = static_cast<float>(std::round(db * 10) / 10);
    }
    out.db.push_back(std::move(column));
  }
  return out;
}

nlohmann::json to_json(const Spectrogram& spectrogram) {
  return {{"frame_size", spectrogram.frame_size},
          {"seconds_per_column", spectrogram.seconds_per_column},
          {"hz_per_row", spectrogram.hz_per_row},
          {"db", spectrogram.db}};
}

WaveformEnvelope waveform_envelope(std::span<const std::int16_t> samples, std::size_t max_points) {
  WaveformEnvelope out;
  if (samples.empty()) return out;
  max_points = std::max<std::size_t>(max_points, 1);
  out.samples_per_point = (samples.size() + max_points - 1) / max_points;
  for (std::size_t start = 0; start < samples.size(); start += out.samples_per_point) {
    const auto block = samples.subspan(start, std::min(out.samples_per_point, samples.size() - start));
    const auto [lo, hi] = std::minmax_element(block.begin(), block.end());
    out.min.push_back(*lo);
    out.max.push_back(*hi);
  }
  return out;
}

nlohmann::json to_json(const WaveformEnvelope& envelope) {
  return {{"samples_per_point", envelope.samples_per_point}, {"min", envelope.min}, {"max", envelope.max}};
}

}  // namespace mohq::analyzers
