// A received stream against the prompt file it should carry. rtpproxy plays the file from offset 0, looping, in
// whole ptime chunks, and drops the partial tail: so the payloads, in order, are the file's chunks at offsets
// 0, c, 2c, ... wrapping to 0 when fewer than c bytes remain. When the bytes are not the file's (a transcoding
// path, or the wrong file), both are decoded and compared as audio: cross-correlation alignment, then SNR.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/model/payload_classifier.hpp"
#include "analyzers/model/rtp_stream.hpp"

namespace mohq::analyzers {

struct PromptComparison {
  std::size_t packets = 0;
  std::optional<std::size_t> start_offset;       // offset in the file of the first payload
  bool start_on_chunk_boundary = false;          // start_offset is a multiple of the first payload's size
  std::size_t matched_packets = 0;               // payload == the file's bytes at the walked offset
  std::optional<std::size_t> first_mismatch_packet;  // index into the packets
  std::size_t resyncs = 0;                       // mismatches after which the walk found the payload elsewhere
  std::size_t loops = 0;                         // wraps to offset 0
  bool byte_exact() const { return packets > 0 && matched_packets == packets; }
  // Filled when not byte-exact and both sides decode (G.711): the audio comparison.
  std::optional<long> lag_samples;   // prompt sample aligned with the stream's first sample
  std::optional<double> correlation; // normalized cross-correlation at that lag (-1..1)
  std::optional<double> snr_db;      // prompt (looped from lag) vs stream, over the whole stream
};

// payloads: one span per packet, in order. prompt_encoding: the file's law (Pcmu/Pcma), stream_encoding: what the
// payloads are (from their payload type); the audio comparison needs both to be G.711.
PromptComparison compare_payloads_with_prompt(const std::vector<std::span<const std::uint8_t>>& payloads,
                                              std::span<const std::uint8_t> prompt, PayloadEncoding prompt_encoding,
                                              PayloadEncoding stream_encoding, double max_search_seconds = 60);
// The stream's payloads (by its first packet's payload type) against the prompt file bytes.
PromptComparison compare_with_prompt(const RtpStream& stream, std::span<const std::uint8_t> prompt,
                                     PayloadEncoding prompt_encoding, double max_search_seconds = 60);

nlohmann::json to_json(const PromptComparison& comparison);

}  // namespace mohq::analyzers
