// `mohq prompt convert`: any audio file GStreamer can decode -> rtpproxy prompt files <out>.<pt> (raw codec
// payload, rtpproxy-protocol.md §3.3). G.711 is encoded here, bit-exact (common/rtp/g711); G.722 and GSM go
// through GStreamer encoders (avenc_g722 from gstreamer1.0-libav, gsmenc from gstreamer1.0-plugins-bad); G.729
// and G.723.1 have no free encoder in Debian.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "base/expected.hpp"

namespace mohq::analyzers {

// The one rate and layout every prompt is made from: 8 kHz, mono, signed 16-bit (makeann's "slin").
inline constexpr int kPromptSampleRate = 8000;
// Converted prompts are padded with silence to whole 20 ms so each loop ends on a packet boundary at a 10 or
// 20 ms ptime (rtpproxy-protocol.md §3.4: the partial chunk is dropped at every loop).
inline constexpr std::size_t kPromptPadSamples = 160;

// Decodes any audio file GStreamer can (WAV, FLAC, MP3, Ogg/Vorbis, ...) to 8 kHz mono S16 (uridecodebin !
// audioconvert ! audioresample). The error names the file and GStreamer's reason.
Expected<std::vector<std::int16_t>, std::string> decode_audio_file(const std::filesystem::path& path);

// "0,8,9" -> {0, 8, 9}. Rejects anything but decimal payload types separated by commas, and duplicates.
Expected<std::vector<int>, std::string> parse_codec_list(const std::string& text);

// pcm padded with zero samples to a multiple of kPromptPadSamples (what convert encodes).
std::vector<std::int16_t> pad_to_whole_frames(std::span<const std::int16_t> pcm);

// The raw prompt bytes of pcm (8 kHz mono) for one payload type: 0 and 8 with common/rtp/g711, 9 and 3 with the
// GStreamer encoder; 18, 4 and anything else are errors saying why. pcm should already be whole frames
// (pad_to_whole_frames); the output is exactly pcm.size() bytes for 0/8/9 and pcm.size()/160*33 for 3.
Expected<std::vector<std::uint8_t>, std::string> encode_prompt(std::span<const std::int16_t> pcm, int payload_type);

struct ConvertedPrompt {
  int payload_type;
  std::filesystem::path path;   // set when written
  std::uint64_t bytes = 0;
  std::string error;            // why this codec was not written (empty on success)
};

struct ConvertResult {
  std::uint64_t samples = 0;    // decoded, before padding
  std::vector<ConvertedPrompt> prompts;  // one per requested codec, in the requested order
  bool all_written() const;
};

// Decodes input once, then writes <out_base>.<pt> for each codec (creating out_base's directory; each file is
// written to a temporary name and renamed, so a running rtpproxy never opens half a file). An error when the
// input cannot be decoded; per-codec failures are in the result.
Expected<ConvertResult, std::string> convert_prompt(const std::filesystem::path& input,
                                                    const std::filesystem::path& out_base,
                                                    const std::vector<int>& codecs);

}  // namespace mohq::analyzers
