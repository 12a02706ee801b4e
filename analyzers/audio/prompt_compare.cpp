#include "analyzers/audio/prompt_compare.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>

#include "analyzers/audio/audio_decode.hpp"
#include "analyzers/audio/dsp.hpp"

namespace mohq::analyzers {
namespace {

bool equal_at(std::span<const std::uint8_t> prompt, std::size_t offset, std::span<const std::uint8_t> payload) {
  return offset + payload.size() <= prompt.size() &&
         std::memcmp(prompt.data() + offset, payload.data(), payload.size()) == 0;
}

// Offset of payload in the prompt: chunk-aligned offsets first (how rtpproxy plays), then any offset.
std::optional<std::size_t> locate(std::span<const std::uint8_t> prompt, std::span<const std::uint8_t> payload,
                                  bool* aligned) {
  if (payload.empty() || payload.size() > prompt.size()) return std::nullopt;
  for (std::size_t offset = 0; offset + payload.size() <= prompt.size(); offset += payload.size())
    if (equal_at(prompt, offset, payload)) {
      if (aligned) *aligned = true;
      return offset;
    }
  for (std::size_t offset = 0; offset + payload.size() <= prompt.size(); ++offset)
    if (equal_at(prompt, offset, payload)) {
      if (aligned) *aligned = false;
      return offset;
    }
  return std::nullopt;
}

std::size_t next_power_of_two(std::size_t n) {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

// The lag of `segment` inside `reference` with the largest normalized correlation (FFT cross-correlation).
std::pair<long, double> best_lag(std::span<const std::int16_t> reference, std::span<const std::int16_t> segment) {
  const std::size_t n = next_power_of_two(reference.size() + segment.size());
  std::vector<std::complex<double>> a(n), b(n);
  for (std::size_t i = 0; i < reference.size(); ++i) a[i] = {static_cast<double>(reference[i]), 0};
  for (std::size_t i = 0; i < segment.size(); ++i) b[i] = {static_cast<double>(segment[i]), 0};
  dsp::fft(a);
  dsp::fft(b);
  for (std::size_t i = 0; i < n; ++i) a[i] *= std::conj(b[i]);
  // Inverse FFT through conjugation.
  for (auto& v : a) v = std::conj(v);
  dsp::fft(a);
  double segment_energy = 0;
  for (const auto s : segment) segment_energy += static_cast<double>(s) * s;
  std::vector<double> prefix(reference.size() + 1, 0.0);
  for (std::size_t i = 0; i < reference.size(); ++i) prefix[i + 1] = prefix[i] + static_cast<double>(reference[i]) * reference[i];
  long best = 0;
  double best_value = -2;
  for (std::size_t lag = 0; lag + segment.size() <= reference.size(); ++lag) {
    const double energy = prefix[lag + segment.size()] - prefix[lag];
    if (energy <= 0 || segment_energy <= 0) continue;
    const double value = std::conj(a[lag]).real() / static_cast<double>(n) / std::sqrt(energy * segment_energy);
    if (value > best_value) {
      best_value = value;
      best = static_cast<long>(lag);
    }
  }
  return {best, best_value};
}

}  // namespace

PromptComparison compare_payloads_with_prompt(const std::vector<std::span<const std::uint8_t>>& payloads,
                                              std::span<const std::uint8_t> prompt, PayloadEncoding prompt_encoding,
                                              PayloadEncoding stream_encoding, double max_search_seconds) {
  PromptComparison result;
  result.packets = payloads.size();
  if (payloads.empty() || prompt.empty()) return result;

  bool aligned = false;
  result.start_offset = locate(prompt, payloads.front(), &aligned);
  result.start_on_chunk_boundary = result.start_offset && aligned;
  if (result.start_offset) {
    std::size_t offset = *result.start_offset;
    for (std::size_t i = 0; i < payloads.size(); ++i) {
      const auto payload = payloads[i];
      if (offset + payload.size() > prompt.size()) {  // partial tail dropped: wrap
        offset = 0;
        ++result.loops;
      }
      if (equal_at(prompt, offset, payload)) {
        ++result.matched_packets;
        offset += payload.size();
        continue;
      }
      if (!result.first_mismatch_packet) result.first_mismatch_packet = i;
      if (const auto found = locate(prompt, payload, nullptr)) {  // lost packets or a restart: follow the file
        ++result.resyncs;
        ++result.matched_packets;
        offset = *found + payload.size();
      } else {
        offset += payload.size();
      }
    }
  } else {
    result.first_mismatch_packet = 0;
  }
  if (result.byte_exact()) return result;

  // Audio comparison: decode both, align the stream's first second inside the prompt's first minute.
  const auto reference = decode_g711(prompt, prompt_encoding);
  std::vector<std::uint8_t> joined;
  for (const auto payload : payloads) joined.insert(joined.end(), payload.begin(), payload.end());
  const auto received = decode_g711(joined, stream_encoding);
  if (reference.empty() || received.empty()) return result;
  const std::size_t search =
      std::min(reference.size(), static_cast<std::size_t>(std::max(1.0, max_search_seconds) * kG711SampleRate));
  const std::size_t segment_size = std::min<std::size_t>({received.size(), kG711SampleRate, search});
  const auto [lag, correlation] =
      best_lag(std::span(reference).first(search), std::span(received).first(segment_size));
  result.lag_samples = lag;
  result.correlation = correlation;
  // rtpproxy loops over the whole chunks only: the partial tail is never played.
  const std::size_t chunk = std::max<std::size_t>(payloads.front().size(), 1);
  const std::size_t loop_length = std::max<std::size_t>(reference.size() / chunk * chunk, 1);
  double signal = 0, noise = 0;
  std::size_t position = static_cast<std::size_t>(lag);
  for (const auto sample : received) {
    if (position >= loop_length) position = 0;
    const double p = reference[position++];
    signal += p * p;
    noise += (sample - p) * (sample - p);
  }
  result.snr_db = noise <= 0 ? 120.0 : 10.0 * std::log10(std::max(signal, 1e-9) / noise);
  return result;
}

PromptComparison compare_with_prompt(const RtpStream& stream, std::span<const std::uint8_t> prompt,
                                     PayloadEncoding prompt_encoding, double max_search_seconds) {
  std::vector<std::span<const std::uint8_t>> payloads;
  payloads.reserve(stream.packets.size());
  for (const auto& packet : stream.packets) payloads.push_back(stream.payload(packet));
  const auto law = stream.packets.empty() ? std::nullopt : g711_encoding_of(stream.packets.front().payload_type);
  return compare_payloads_with_prompt(payloads, prompt, prompt_encoding, law.value_or(PayloadEncoding::Unknown),
                                      max_search_seconds);
}

nlohmann::json to_json(const PromptComparison& c) {
  nlohmann::json out = {{"packets", c.packets},         {"matched_packets", c.matched_packets},
                        {"byte_exact", c.byte_exact()}, {"loops", c.loops},
                        {"resyncs", c.resyncs},         {"start_on_chunk_boundary", c.start_on_chunk_boundary}};
  out["start_offset"] = c.start_offset ? nlohmann::json(*c.start_offset) : nlohmann::json(nullptr);
  out["first_mismatch_packet"] = c.first_mismatch_packet ? nlohmann::json(*c.first_mismatch_packet) : nlohmann::json(nullptr);
  if (c.lag_samples) out["lag_samples"] = *c.lag_samples;
  if (c.correlation) out["correlation"] = *c.correlation;
  if (c.snr_db) out["snr_db"] = *c.snr_db;
  return out;
}

}  // namespace mohq::analyzers
