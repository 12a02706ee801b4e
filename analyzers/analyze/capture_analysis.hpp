// `mohq analyze`'s engine: one pass over a capture (analyzers/capture) that sorts datagrams into SIP, rtpproxy
// control and RTP; then calls (analyzers/calls), streams joined to their calls through SDP and the rtpproxy
// commands, metrics (analyzers/rtp), content checks (analyzers/audio) and every finding, in one result.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/calls/call_record.hpp"
#include "analyzers/model/finding.hpp"
#include "analyzers/model/rtp_stream.hpp"
#include "base/expected.hpp"

namespace mohq::analyzers {

struct AnalyzeOptions {
  std::filesystem::path prompt_dir;  // compare streams with <prompt_dir>/<mohfile>.<pt>
  std::filesystem::path wav_dir;     // write what each stream carried as WAV
  std::size_t min_stream_packets = 5;  // fewer RTP-looking packets on a flow are noise, not a stream
  bool audio_data = false;           // keep waveform/spectrogram data for an HTML report
  unsigned threads = 0;              // streams judged in parallel; 0: one per core
};

struct StreamResult {
  RtpStream stream;
  nlohmann::json metrics;        // analyzers/rtp
  nlohmann::json audio;          // level, classifier measurements, waveform/spectrogram when asked
  nlohmann::json prompt;         // the comparison with the prompt file, when one was found
  std::string wav;               // path written, if any
};

struct AnalysisResult {
  nlohmann::json capture;        // format, link type, frames, warnings, truncated
  std::vector<CallRecord> calls;
  std::vector<StreamResult> streams;
  Findings findings;
  double capture_start = 0;
  double capture_end = 0;
  std::size_t sip_messages = 0;
  std::size_t rtpproxy_commands = 0;
  std::size_t rtp_packets = 0;
  bool has_errors() const;
};

// An error only when the file cannot be read as a capture at all (exit status 2).
Expected<AnalysisResult, std::string> analyze_capture(const std::filesystem::path& capture,
                                                      const AnalyzeOptions& options);

// The JSON of `mohq analyze --json` (schema "mohq.analyze/1": capture, calls, streams, findings).
nlohmann::json to_json(const AnalysisResult& result);
// The readable summary printed on the terminal.
std::string terminal_summary(const AnalysisResult& result);

}  // namespace mohq::analyzers
