// RTP payloads of the compressed codecs rtpproxy plays (G.722, GSM, G.729) decoded to 8 kHz 16-bit audio through
// GStreamer: appsrc (codec caps, one buffer per frame or packet, timestamped) ! decoder ! audioconvert !
// audioresample ! audio/x-raw,S16LE,8000,mono ! appsink. G.711 stays in audio_decode.hpp (common/rtp/g711).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/expected.hpp"

namespace mohq::analyzers {

struct GstCodec {
  unsigned payload_type = 0;
  const char* name = "";            // "G.722", "GSM", "G.729"
  const char* caps = "";            // appsrc caps
  const char* element = "";         // decoder element
  const char* debian_package = "";  // where the element comes from
  std::size_t frame_bytes = 1;      // payloads are cut into frames of this size (1: any size, G.722)
  std::size_t frame_samples = 1;    // 8 kHz output samples per frame
};

// PT 9 G.722 (avdec_g722, gstreamer1.0-libav; 16 kHz audio, 8 bytes per ms), PT 3 GSM full rate (gsmdec,
// gstreamer1.0-plugins-bad; 33 bytes per 20 ms), PT 18 G.729 (avdec_g729, gstreamer1.0-libav; 10 bytes per
// 10 ms). nullopt for anything else, including PT 4 (see gst_undecodable_reason).
std::optional<GstCodec> gst_codec_for(unsigned payload_type);

// Why a payload type that is neither G.711 nor a gst_codec_for type is not decoded (for audio.unchecked).
std::string gst_undecodable_reason(unsigned payload_type);

// Whether the decoder element of the codec is installed (initialises GStreamer).
bool gst_decoder_available(const GstCodec& codec);

// 8 kHz samples the payloads decode to: whole frames only (a G.729 payload's 2-byte Annex B SID frame or any
// partial frame is left out).
std::size_t gst_expected_samples(const GstCodec& codec, const std::vector<std::span<const std::uint8_t>>& payloads);

// Decodes the payloads (in order, no gap filling) to exactly gst_expected_samples samples of 8 kHz mono audio.
// Errors: payload type not decodable here, decoder element missing ("... install the Debian package X"),
// GStreamer errors, no progress for 10 s, or an output length more than 2 % (min. 20 ms) off the expected one.
Expected<std::vector<std::int16_t>, std::string> decode_payloads(unsigned payload_type,
                                                                 const std::vector<std::span<const std::uint8_t>>& payloads);
Expected<std::vector<std::int16_t>, std::string> decode_payloads(const GstCodec& codec,
                                                                 const std::vector<std::span<const std::uint8_t>>& payloads);

}  // namespace mohq::analyzers
