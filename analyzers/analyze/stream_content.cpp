#include "analyzers/analyze/stream_content.hpp"

#include <fstream>
#include <iterator>

#include "analyzers/audio/audio_checks.hpp"
#include "analyzers/audio/audio_decode.hpp"
#include "analyzers/audio/prompt_compare.hpp"
#include "analyzers/audio/wav_writer.hpp"

namespace mohq::analyzers {

namespace {

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The prompt file this stream should carry: <prompt_dir>/<basename of rtpproxy's P path>.<pt>; without a P
// command in the capture, the one file in the directory with that payload type, if there is exactly one.
std::optional<std::filesystem::path> prompt_file_for(const RtpStream& stream, const std::filesystem::path& dir) {
  if (dir.empty() || stream.packets.empty()) return std::nullopt;
  const std::string suffix = "." + std::to_string(stream.packets.front().payload_type);
  if (!stream.expected.prompt.empty()) {
    auto candidate = dir / (std::filesystem::path(stream.expected.prompt).filename().string() + suffix);
    if (std::filesystem::is_regular_file(candidate)) return candidate;
    return std::nullopt;
  }
  std::optional<std::filesystem::path> only;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (!entry.is_regular_file() || !entry.path().string().ends_with(suffix)) continue;
    if (only) return std::nullopt;  // ambiguous
    only = entry.path();
  }
  return only;
}

std::string safe_name(std::string text) {
  for (char& c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
  return text;
}

}  // namespace

void analyze_stream_content(StreamResult& entry, const AnalyzeOptions& options, Findings& findings) {
  const RtpStream& stream = entry.stream;
  const auto report = check_audio(stream);
  // The caller's own leg is a microphone, not a prompt: silence and level there are normal, and it is compared
  // with no prompt file; its codec findings still count.
  for (const auto& finding : report.findings)
    if (!stream.expected.from_caller || !finding.id.starts_with("audio.")) findings.push_back(finding);
  entry.audio = {{"content_checked", report.content_checked},
                 {"note", report.content_note},
                 {"seconds", report.measures.seconds},
                 {"rms_dbfs", report.measures.rms_dbfs},
                 {"peak_dbfs", report.measures.peak_dbfs},
                 {"clicks", report.measures.click_seconds.size()},
                 {"clipped_samples", report.measures.clipped_samples},
                 {"longest_silence_seconds", report.measures.longest_silence_seconds}};
  if (!report.windows.empty()) {
    const auto& guess = report.windows.front();
    entry.audio["classifier_first_window"] = {{"encoding", std::string(encoding_name(guess.encoding))},
                                              {"confidence", guess.confidence}};
  }

  const bool wants_samples = !options.wav_dir.empty() || options.audio_data;
  if (wants_samples) {
    const auto decoded = decode_stream(stream);
    if (!decoded.samples.empty()) {
      if (!options.wav_dir.empty()) {
        const auto path = options.wav_dir / (safe_name(stream_label(stream)) + ".wav");
        if (write_wav(path, decoded.samples)) entry.wav = path.string();
      }
      if (options.audio_data) {
        entry.audio["waveform"] = to_json(waveform_envelope(decoded.samples));
        entry.audio["spectrogram"] = to_json(spectrogram_data(decoded.samples));
      }
    }
  }

  if (stream.expected.from_caller) return;
  if (const auto prompt = prompt_file_for(stream, options.prompt_dir)) {
    const auto bytes = read_bytes(*prompt);
    const auto law = g711_encoding_of(stream.packets.front().payload_type);
    const auto comparison = compare_with_prompt(stream, bytes, law.value_or(PayloadEncoding::Unknown));
    entry.prompt = to_json(comparison);
    entry.prompt["file"] = prompt->string();
    if (!comparison.byte_exact()) {
      Finding finding;
      finding.id = "audio.prompt_mismatch";
      finding.severity = Severity::Warning;
      finding.call_id = stream.expected.call_id;
      finding.stream = stream_label(stream);
      finding.message = "the stream is not the prompt file " + prompt->string() + " played verbatim (" +
                        std::to_string(comparison.matched_packets) + " of " + std::to_string(comparison.packets) +
                        " packets match)";
      finding.evidence = entry.prompt;
      finding.fix = "rtpproxy plays prompts byte for byte: a mismatch means another file, a transcoding hop, "
                    "or damage on the way; compare the file the server really opened";
      findings.push_back(std::move(finding));
    }
  }
}

nlohmann::json capture_summary_json(const CaptureSummary& summary) {
  return {{"format", summary.format},
          {"link_type", summary.link_type},
          {"frames", summary.frames},
          {"bytes", summary.bytes},
          {"datagrams", summary.datagrams},
          {"tcp_messages", summary.tcp_messages},
          {"skipped", {{"unsupported", summary.skipped_unsupported},
                       {"truncated", summary.skipped_truncated},
                       {"malformed", summary.skipped_malformed},
                       {"fragments_expired", summary.fragments_expired},
                       {"tcp_streams_abandoned", summary.tcp_streams_abandoned}}},
          {"truncated", summary.truncated},
          {"warnings", summary.warnings}};
}

}  // namespace mohq::analyzers
