// Small DSP helpers for the audio analyzers (internal): a radix-2 FFT, LPC prediction gain, decoding raw bytes
// under an encoding hypothesis. Written for this project; no external DSP library.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "analyzers/model/payload_classifier.hpp"

// The hot loops of the audio checks (every sample of every stream of a capture) are compiled twice on x86-64,
// for AVX2 and for the baseline, and the dynamic loader picks one for the machine (target_clones); elsewhere,
// and in sanitizer builds, once.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || __has_feature(thread_sanitizer)
#define MOHQ_DSP_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MOHQ_DSP_SANITIZED 1
#endif
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__)) && !defined(MOHQ_DSP_SANITIZED)
#define MOHQ_DSP_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MOHQ_DSP_CLONES
#endif

namespace mohq::analyzers::dsp {

// Per block of samples: sum of squares, peak |x|, and of the first difference d[i] = x[i] - x[i-1] (d[0] = 0)
// the sum of squares and the largest |d|. Exact integers.
struct BlockStats {
  std::int64_t energy = 0;
  std::uint64_t diff_energy = 0;
  std::int32_t peak = 0;
  std::int32_t jump = 0;
};
// out[b] for the samples [b * block, min((b + 1) * block, n)); out holds ceil(n / block) entries.
void block_stats(const std::int16_t* x, std::size_t n, std::size_t block, BlockStats* out);

// sums[lag] = sum over i in [lag, n) of x[i] * x[i - lag], for lag = 0..lags-1 (exact: each product <= 2^30,
// n < 2^33).
void lag_products(const std::int16_t* x, std::size_t n, std::size_t lags, std::int64_t* sums);

// The first offset >= from, in steps of `chunk` bytes, whose chunk [offset, offset + chunk) holds a position i
// with (p[i], p[i+1]) one of the container magics' first two bytes ("RI", ".s", "ID", "Og", "fL"); p[offset +
// chunk] must be readable. Returns the offset where the chunks end (the last offset + chunk < n) when none does.
std::size_t find_magic_chunk(const std::uint8_t* p, std::size_t n, std::size_t from, std::size_t chunk);

// In-place iterative radix-2 FFT; data.size() must be a power of two.
void fft(std::vector<std::complex<double>>& data);

// Decodes bytes as one of Pcmu, Pcma, Linear16Le, Linear16Be into 16-bit samples (a trailing odd byte of s16 is
// dropped). Other encodings give an empty vector.
std::vector<std::int16_t> decode_as(std::span<const std::uint8_t> bytes, PayloadEncoding encoding);
// The same into `out` (no allocation); returns the number of samples written (at most out.size()).
std::size_t decode_into(std::span<const std::uint8_t> bytes, PayloadEncoding encoding, std::span<std::int16_t> out);

// Ratio (dB) of the signal's variance to the residual of the best order-`order` linear predictor (autocorrelation
// method, Levinson-Durbin): ~0 dB for white noise, 10..40 dB for music and speech at 8 kHz.
// `order` is clamped to 1..kMaxPredictionOrder.
constexpr int kMaxPredictionOrder = 16;
double prediction_gain_db(std::span<const std::int16_t> samples, int order = 8);

struct SpectralShape {
  double flatness = 0;          // geometric / arithmetic mean of the averaged power spectrum (0..1)
  double high_band_share = 0;   // share of the energy above 3 kHz (8 kHz sampling)
  double zero_crossing_rate = 0;  // sign changes per sample pair (0..1)
};
// Averaged 256-point periodogram over at most max_frames frames spread over the samples (DC removed).
SpectralShape spectral_shape(std::span<const std::int16_t> samples, std::size_t max_frames = 32);

double rms(std::span<const std::int16_t> samples);
double dbfs(double rms_value);  // relative to 32768; -120 for 0

}  // namespace mohq::analyzers::dsp
