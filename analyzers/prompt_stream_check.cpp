#include "analyzers/prompt_stream_check.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "rtp/rtp_header.hpp"

namespace mohq::analyzers {
namespace {

double percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto index = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size()))) ;
  return values[std::min(values.size() - 1, index == 0 ? 0 : index - 1)];
}

}  // namespace

StreamSummary check_prompt_stream(const std::vector<ReceivedPacket>& packets, const std::vector<std::uint8_t>& prompt,
                                  const PromptExpectation& expected) {
  StreamSummary summary;
  summary.packets = packets.size();
  auto fail = [&](const std::string& text) {
    if (summary.failures.size() < 20) summary.failures.push_back(text);
  };
  if (packets.size() < expected.min_packets) {
    fail("received " + std::to_string(packets.size()) + " RTP packets, expected at least " +
         std::to_string(expected.min_packets));
    if (packets.empty()) return summary;
  }
  // Payload of chunk k is prompt[(k mod chunks) * size, +size): the file loops, its partial tail dropped.
  const std::size_t chunks = expected.payload_bytes ? prompt.size() / expected.payload_bytes : 0;
  if (chunks == 0) fail("the prompt holds no whole " + std::to_string(expected.payload_bytes) + "-byte chunk");

  std::optional<rtp::RtpHeader> previous;
  std::vector<double> intervals;
  for (std::size_t k = 0; k < packets.size(); ++k) {
    auto parsed = rtp::parse_packet(packets[k].bytes);
    if (!parsed) {
      fail("packet " + std::to_string(k) + " is not RTP: " + parsed.error());
      continue;
    }
    const auto& header = parsed->header;
    if (header.payload_type != expected.payload_type) {
      fail("packet " + std::to_string(k) + " has payload type " + std::to_string(header.payload_type) + ", expected " +
           std::to_string(expected.payload_type));
    }
    if (parsed->payload.size() != expected.payload_bytes) {
      fail("packet " + std::to_string(k) + " carries " + std::to_string(parsed->payload.size()) + " bytes, expected " +
           std::to_string(expected.payload_bytes));
    }
    if (header.marker != (k == 0)) {
      fail("packet " + std::to_string(k) + (header.marker ? " has the marker bit set" : " (the first) lacks the marker bit"));
    }
    if (previous) {
      if (header.ssrc != previous->ssrc) fail("SSRC changed at packet " + std::to_string(k));
      if (static_cast<std::uint16_t>(header.sequence - previous->sequence) != 1)
        fail("sequence step " + std::to_string(static_cast<std::uint16_t>(header.sequence - previous->sequence)) +
             " at packet " + std::to_string(k));
      if (header.timestamp - previous->timestamp != expected.timestamp_step)
        fail("timestamp step " + std::to_string(header.timestamp - previous->timestamp) + " at packet " +
             std::to_string(k) + ", expected " + std::to_string(expected.timestamp_step));
      intervals.push_back(std::chrono::duration<double, std::milli>(packets[k].arrival - packets[k - 1].arrival).count());
    }
    previous = header;
    if (chunks > 0 && parsed->payload.size() == expected.payload_bytes) {
      const std::uint8_t* want = prompt.data() + (k % chunks) * expected.payload_bytes;
      if (std::memcmp(want, parsed->payload.data(), expected.payload_bytes) != 0) {
        ++summary.payload_mismatches;
        if (!summary.first_mismatch_packet) summary.first_mismatch_packet = k;
      }
    }
  }
  if (summary.payload_mismatches > 0) {
    fail(std::to_string(summary.payload_mismatches) + " of " + std::to_string(packets.size()) +
         " payloads differ from the prompt file (first at packet " + std::to_string(*summary.first_mismatch_packet) + ")");
  }
  if (!intervals.empty()) {
    summary.median_interval_ms = percentile(intervals, 0.5);
    std::vector<double> deviations;
    deviations.reserve(intervals.size());
    for (double interval : intervals) deviations.push_back(std::fabs(interval - expected.ptime_ms));
    summary.p99_interval_deviation_ms = percentile(deviations, 0.99);
    summary.max_interval_deviation_ms = *std::max_element(deviations.begin(), deviations.end());
    if (std::fabs(summary.median_interval_ms - expected.ptime_ms) > expected.max_median_interval_error_ms) {
      std::ostringstream text;
      text << "median packet interval " << summary.median_interval_ms << " ms, expected " << expected.ptime_ms << " ms";
      fail(text.str());
    }
  }
  return summary;
}

}  // namespace mohq::analyzers
