// Small DSP helpers for the audio analyzers (internal): a radix-2 FFT, LPC prediction gain, decoding raw bytes
// under an encoding hypothesis. Written for this project; no external DSP library.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "analyzers/model/payload_classifier.hpp"

namespace mohq::analyzers::dsp {

// In-place iterative radix-2 FFT; data.size() must be a power of two.
void fft(std::vector<std::complex<double>>& data);

// Decodes bytes as one of Pcmu, Pcma, Linear16Le, Linear16Be into 16-bit samples (a trailing odd byte of s16 is
// dropped). Other encodings give an empty vector.
std::vector<std::int16_t> decode_as(std::span<const std::uint8_t> bytes, PayloadEncoding encoding);

// Ratio (dB) of the signal's variance to the residual of the best order-`order` linear predictor (autocorrelation
// method, Levinson-Durbin): ~0 dB for white noise, 10..40 dB for music and speech at 8 kHz.
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
