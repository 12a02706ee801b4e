// Audio findings over one RTP stream: what the bytes are versus what the payload type claims, container headers
// inside the payload, payload types the call never negotiated, and — on the decoded audio (G.711 here; G.722, GSM
// and G.729 through GStreamer, gst_decode.hpp) — clicks, clipping, silence and level. Thresholds are the named
// constants in audio_checks.cpp, calibrated on Debian's hold music (README.md, "Calibration").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "analyzers/model/finding.hpp"
#include "analyzers/model/payload_classifier.hpp"
#include "analyzers/model/rtp_stream.hpp"

namespace mohq::analyzers {

// Measures of the decoded audio, reported as evidence and by tests.
struct AudioMeasures {
  double seconds = 0;
  double rms_dbfs = -120;          // over the non-silent 1 s windows (the whole stream if all are silent)
  double peak_dbfs = -120;
  double silent_seconds = 0;       // 1 s windows below the idle level
  double longest_silence_seconds = 0;
  std::vector<double> click_seconds;  // positions of impulsive jumps
  double max_click_ratio = 0;      // largest |first difference| / local first-difference RMS
  double difference_kurtosis = 0;  // of the first difference over the whole stream (computed when clicks were found)
  std::size_t clipped_runs = 0;    // runs of >= kClipRunSamples samples at full scale
  std::size_t clipped_samples = 0;
};

// The measures of 8 kHz samples (exposed so tests calibrate on files without building streams).
AudioMeasures measure_audio(std::span<const std::int16_t> samples);

struct AudioCheckReport {
  Findings findings;
  bool content_checked = false;     // false: payload type not decodable, or G.711 bytes not what the type claims
  std::string content_note;         // why content checks were skipped
  AudioMeasures measures;
  std::vector<PayloadGuess> windows;  // the classifier on each 1 s (8000-byte) window (G.711 only)
};

AudioCheckReport check_audio(const RtpStream& stream);
inline Findings audio_findings(const RtpStream& stream) { return check_audio(stream).findings; }

}  // namespace mohq::analyzers
