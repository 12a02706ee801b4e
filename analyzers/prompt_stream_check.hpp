// Judges one received RTP stream against the prompt file it should carry. rtpproxy plays prompt files
// verbatim, so the strongest check needs no audio model: the payloads, in order, must be the file's bytes,
// chunk by chunk, looping from offset 0 with the partial tail dropped (rtpproxy-protocol.md §3.4).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mohq::analyzers {

struct ReceivedPacket {
  std::chrono::steady_clock::time_point arrival;
  std::vector<std::uint8_t> bytes;  // the whole RTP packet
  std::uint16_t source_port = 0;    // where it came from: a player sends from its leg's port
};

struct PromptExpectation {
  int payload_type = 8;
  int ptime_ms = 20;
  std::size_t payload_bytes = 160;
  std::uint32_t timestamp_step = 160;
  std::size_t min_packets = 1;
  double max_median_interval_error_ms = 2.0;  // a loose sanity bound, not a benchmark
};

struct StreamSummary {
  std::size_t packets = 0;
  std::size_t payload_mismatches = 0;      // packets whose payload differs from the prompt at that point
  std::optional<std::size_t> first_mismatch_packet;
  double median_interval_ms = 0;
  double p99_interval_deviation_ms = 0;
  double max_interval_deviation_ms = 0;
  std::vector<std::string> failures;       // empty when the stream is what was expected
  bool passed() const { return failures.empty(); }
};

StreamSummary check_prompt_stream(const std::vector<ReceivedPacket>& packets, const std::vector<std::uint8_t>& prompt,
                                  const PromptExpectation& expected);

}  // namespace mohq::analyzers
