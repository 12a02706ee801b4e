#include "analyzers/audio/dsp.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "rtp/g711.hpp"

namespace mohq::analyzers::dsp {

void fft(std::vector<std::complex<double>>& data) {
  const std::size_t n = data.size();
  // Bit-reversal permutation.
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(data[i], data[j]);
  }
  // Twiddles for this size, cached; complex products written out (std::complex's operator* checks for NaN).
  thread_local std::vector<double> cos_table, sin_table;
  if (cos_table.size() != n / 2) {
    cos_table.resize(n / 2);
    sin_table.resize(n / 2);
    for (std::size_t k = 0; k < n / 2; ++k) {
      const double angle = -2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n);
      cos_table[k] = std::cos(angle);
      sin_table[k] = std::sin(angle);
    }
  }
  for (std::size_t length = 2; length <= n; length <<= 1) {
    const std::size_t stride = n / length;
    for (std::size_t start = 0; start < n; start += length) {
      for (std::size_t k = 0; k < length / 2; ++k) {
        const double wr = cos_table[k * stride], wi = sin_table[k * stride];
        const std::complex<double> even = data[start + k];
        const std::complex<double> o = data[start + k + length / 2];
        const std::complex<double> odd(o.real() * wr - o.imag() * wi, o.real() * wi + o.imag() * wr);
        data[start + k] = even + odd;
        data[start + k + length / 2] = even - odd;
      }
    }
  }
}

MOHQ_DSP_CLONES
void block_stats(const std::int16_t* x, std::size_t n, std::size_t block, BlockStats* out) {
  for (std::size_t b = 0, index = 0; b < n; b += block, ++index) {
    const std::size_t stop = std::min(b + block, n);
    std::int64_t energy = 0;
    std::uint64_t diff_energy = 0;
    int peak = 0, jump = 0;
    std::size_t first = b;
    if (b == 0) {  // d[0] = 0: the first sample has no predecessor
      energy = x[0] * x[0];
      peak = std::abs(int{x[0]});
      first = 1;
    }
    for (std::size_t i = first; i < stop; ++i) {
      // 32-bit products (s^2 <= 2^30, d^2 < 2^32 unsigned) widened for the sums: SIMD has those multiplies.
      const int s = x[i];
      const int d = s - x[i - 1];
      energy += s * s;
      peak = std::max(peak, s < 0 ? -s : s);
      diff_energy += static_cast<std::uint32_t>(d) * static_cast<std::uint32_t>(d);
      jump = std::max(jump, d < 0 ? -d : d);
    }
    out[index] = {energy, diff_energy, peak, jump};
  }
}

MOHQ_DSP_CLONES
void lag_products(const std::int16_t* x, std::size_t n, std::size_t lags, std::int64_t* sums) {
  for (std::size_t lag = 0; lag < lags; ++lag) {
    std::int64_t products = 0;
    for (std::size_t i = lag; i < n; ++i) products += x[i] * x[i - lag];
    sums[lag] = products;
  }
}

MOHQ_DSP_CLONES
std::size_t find_magic_chunk(const std::uint8_t* p, std::size_t n, std::size_t from, std::size_t chunk) {
  std::size_t start = from;
  for (; start + chunk < n; start += chunk) {
    std::uint8_t hit = 0;
    for (std::size_t i = start; i < start + chunk; ++i) {
      const std::uint8_t a = p[i], b = p[i + 1];
      hit |= static_cast<std::uint8_t>(((a == 'R') & (b == 'I')) | ((a == '.') & (b == 's')) | ((a == 'I') & (b == 'D')) |
                                       ((a == 'O') & (b == 'g')) | ((a == 'f') & (b == 'L')));
    }
    if (hit != 0) return start;
  }
  return start;
}

std::size_t decode_into(std::span<const std::uint8_t> bytes, PayloadEncoding encoding, std::span<std::int16_t> out) {
  switch (encoding) {
    case PayloadEncoding::Pcmu:
    case PayloadEncoding::Pcma: {
      const std::size_t n = std::min(bytes.size(), out.size());
      if (encoding == PayloadEncoding::Pcmu) rtp::decode_ulaw(bytes.first(n), out.first(n));
      else rtp::decode_alaw(bytes.first(n), out.first(n));
      return n;
    }
    case PayloadEncoding::Linear16Le:
    case PayloadEncoding::Linear16Be: {
      const bool little = encoding == PayloadEncoding::Linear16Le;
      const std::size_t n = std::min(bytes.size() / 2, out.size());
      for (std::size_t i = 0; i < n; ++i) {
        const unsigned lo = little ? bytes[2 * i] : bytes[2 * i + 1];
        const unsigned hi = little ? bytes[2 * i + 1] : bytes[2 * i];
        out[i] = static_cast<std::int16_t>(static_cast<std::uint16_t>((hi << 8) | lo));
      }
      return n;
    }
    default:
      return 0;
  }
}

std::vector<std::int16_t> decode_as(std::span<const std::uint8_t> bytes, PayloadEncoding encoding) {
  const bool g711 = encoding == PayloadEncoding::Pcmu || encoding == PayloadEncoding::Pcma;
  std::vector<std::int16_t> out(g711 ? bytes.size() : bytes.size() / 2);
  out.resize(decode_into(bytes, encoding, out));
  return out;
}

double prediction_gain_db(std::span<const std::int16_t> samples, int order) {
  const std::size_t n = samples.size();
  order = std::clamp(order, 1, kMaxPredictionOrder);
  const auto lags = static_cast<std::size_t>(order) + 1;
  if (n <= lags) return 0;
  const std::int16_t* const x = samples.data();
  // The autocorrelation of the mean-removed signal from integer sums: sum(x[i] * x[i-lag]) is exact in 64 bits
  // (each product <= 2^30) and a loop the compiler vectorizes; the mean is taken out afterwards,
  //   r[lag] = P[lag] - mean * (sum of x[lag..n) + sum of x[0..n-lag)) + (n - lag) * mean^2,
  // which equals the sum over (x[i] - mean)(x[i-lag] - mean) up to double rounding.
  std::array<double, kMaxPredictionOrder + 1> r{};
  std::int64_t total = 0;
  for (std::size_t i = 0; i < n; ++i) total += x[i];
  const double mean = static_cast<double>(total) / static_cast<double>(n);
  std::array<std::int64_t, kMaxPredictionOrder + 1> products{};
  lag_products(x, n, lags, products.data());
  std::int64_t head = 0, tail = 0;  // sum of x[0..lag) and of x[n-lag..n)
  for (std::size_t lag = 0; lag < lags; ++lag) {
    const auto sums = static_cast<double>((total - head) + (total - tail));
    r[lag] = static_cast<double>(products[lag]) - mean * sums + static_cast<double>(n - lag) * mean * mean;
    head += x[lag];
    tail += x[n - 1 - lag];
  }
  if (r[0] <= 0) return 0;
  r[0] *= 1.0 + 1e-9;  // white-noise correction keeps the recursion stable
  std::array<double, kMaxPredictionOrder + 1> a{}, previous{};
  double error = r[0];
  for (std::size_t i = 1; i < lags; ++i) {
    double acc = r[i];
    for (std::size_t j = 1; j < i; ++j) acc -= a[j] * r[i - j];
    const double k = acc / error;
    previous = a;
    a[i] = k;
    for (std::size_t j = 1; j < i; ++j) a[j] = previous[j] - k * previous[i - j];
    error *= (1.0 - k * k);
    if (error <= r[0] * 1e-12) { error = r[0] * 1e-12; break; }
  }
  return 10.0 * std::log10(r[0] / error);
}

SpectralShape spectral_shape(std::span<const std::int16_t> samples, std::size_t max_frames) {
  constexpr std::size_t kFrame = 256;
  SpectralShape shape;
  const std::size_t n = samples.size();
  if (n < 2) return shape;
  std::size_t crossings = 0;
  for (std::size_t i = 1; i < n; ++i)
    if ((samples[i] >= 0) != (samples[i - 1] >= 0)) ++crossings;
  shape.zero_crossing_rate = static_cast<double>(crossings) / static_cast<double>(n - 1);
  if (n < kFrame) return shape;
  const std::size_t available = n / kFrame;
  const std::size_t frames = std::max<std::size_t>(1, std::min(available, max_frames));
  std::array<double, kFrame / 2 + 1> power{};
  std::vector<std::complex<double>> buffer(kFrame);
  static const std::array<double, kFrame> window = [] {
    std::array<double, kFrame> w{};
    for (std::size_t i = 0; i < kFrame; ++i) w[i] = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * static_cast<double>(i) / kFrame);
    return w;
  }();
  for (std::size_t f = 0; f < frames; ++f) {
    const std::size_t start = (f * available / frames) * kFrame;
    double mean = 0;
    for (std::size_t i = 0; i < kFrame; ++i) mean += samples[start + i];
    mean /= kFrame;
    for (std::size_t i = 0; i < kFrame; ++i) buffer[i] = {(samples[start + i] - mean) * window[i], 0.0};
    fft(buffer);
    for (std::size_t k = 0; k <= kFrame / 2; ++k) power[k] += std::norm(buffer[k]);
  }
  double total = 0, high = 0, log_sum = 0;
  std::size_t bins = 0;
  for (std::size_t k = 1; k <= kFrame / 2; ++k) {  // skip DC
    const double p = power[k] + 1e-9;
    total += p;
    if (k * 8000 / kFrame >= 3000) high += p;
    log_sum += std::log(p);
    ++bins;
  }
  if (total > 0) {
    shape.high_band_share = high / total;
    shape.flatness = std::exp(log_sum / static_cast<double>(bins)) / (total / static_cast<double>(bins));
  }
  return shape;
}

double rms(std::span<const std::int16_t> samples) {
  if (samples.empty()) return 0;
  std::int64_t acc = 0;  // exact (each square <= 2^30), and vectorized where a double sum would not be
  for (const auto s : samples) acc += s * s;
  return std::sqrt(static_cast<double>(acc) / static_cast<double>(samples.size()));
}

double dbfs(double rms_value) { return rms_value <= 0 ? -120.0 : std::max(-120.0, 20.0 * std::log10(rms_value / 32768.0)); }

}  // namespace mohq::analyzers::dsp
