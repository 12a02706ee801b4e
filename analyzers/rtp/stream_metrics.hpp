// What one RTP stream measured like: sequence accounting (RFC 3550 A.1-style extended sequence numbers), loss
// and its burst distribution, RFC 3550 interarrival jitter, inter-arrival and delay-variation statistics, packet
// duration (timestamp step and payload size), markers and timestamp discontinuities, and a per-interval ITU-T
// G.107 E-model (never from cumulative counts: HOMER's mistake, peers.md). Pure functions, no I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/model/rtp_stream.hpp"

namespace mohq::analyzers {

struct MetricsOptions {
  double window_s = 5.0;           // E-model interval (VoIPmonitor and RFC 3611 report per interval too)
  double jitter_buffer_ms = 50.0;  // the fixed buffer of the "with jitter buffer" E-model variant
  bool g711_plc = false;           // G.711 Bpl 25.1 (G.113 App. I, with PLC) instead of 4.3 (without)
};

// The E-model's equipment impairment for the stream's codec (table and sources in stream_metrics.cpp/README).
struct CodecImpairment {
  std::string codec;     // "PCMA", "G729", ... or "unknown (G.711 assumed)"
  double ie = 0;         // equipment impairment factor
  double bpl = 0;        // packet-loss robustness factor
  bool assumed = false;  // codec unknown or without a narrowband value (G.722): G.711 figures used
};

// One E-model interval. Loss slots are sequence numbers: received ones at their arrival time, missing ones
// interpolated between their received neighbours.
struct IntervalQuality {
  double start_s = 0;                // since the stream's first packet
  double end_s = 0;
  std::uint64_t expected = 0;        // sequence slots in the interval
  std::uint64_t lost = 0;            // never received
  std::uint64_t late = 0;            // received but later than the jitter buffer (discarded)
  double loss_percent = 0;           // Ppl
  double burst_ratio = 1;            // BurstR (>= 1)
  double r = 0;                      // R from loss only
  double mos = 0;
  double loss_percent_jb = 0;        // Ppl counting late packets as lost
  double burst_ratio_jb = 1;
  double r_jb = 0;                   // "with a <jitter_buffer_ms> ms fixed jitter buffer"
  double mos_jb = 0;
};

struct EModelSummary {
  CodecImpairment codec;
  double window_s = 0;
  double jitter_buffer_ms = 0;
  std::vector<IntervalQuality> intervals;  // every window; those with < kMinWindowSlots are not aggregated
  // Aggregates over the windows (the stream's MOS is the mean of its windows; the worst one is reported too).
  double r_mean = 0, r_min = 0, mos_mean = 0, mos_min = 0;
  double r_jb_mean = 0, r_jb_min = 0, mos_jb_mean = 0, mos_jb_min = 0;
  std::optional<std::size_t> worst_interval;     // index into intervals (lowest mos)
  std::optional<std::size_t> worst_interval_jb;  // lowest mos_jb
};

struct PercentileStats {
  std::size_t count = 0;
  double min = 0, mean = 0, max = 0, median = 0, p99 = 0;
};

struct JitterSample {
  double time_s = 0;     // end of the second, since the first packet
  double jitter_ms = 0;  // RFC 3550 J at that moment
};

struct PayloadTypeCount {
  std::uint8_t payload_type = 0;
  std::uint64_t packets = 0;
};

// Burst-length and delay-variation buckets (labels in kBurstBucketLabels / kDelayBucketLabels).
inline constexpr std::array<const char*, 6> kBurstBucketLabels = {"1", "2", "3", "4", "5-9", "10+"};
inline constexpr std::array<const char*, 6> kDelayBucketLabels = {"<10", "10-20", "20-50", "50-100", "100-300",
                                                                  ">300"};

struct StreamMetrics {
  // Sequence accounting.
  std::uint64_t packets = 0;
  std::uint64_t expected = 0;        // highest - lowest extended sequence number + 1 (jumps spliced out)
  std::uint64_t lost = 0;            // expected - distinct received
  double loss_percent = 0;
  std::uint64_t duplicates = 0;      // a sequence number seen before
  std::uint64_t reordered = 0;       // arrived after a higher sequence number
  std::uint64_t sequence_jumps = 0;  // > kMaxDropout forward or > kMaxMisorder backward (RFC 3550 A.1): resync
  std::uint64_t sequence_wraps = 0;  // 65535 -> 0 crossings
  std::uint32_t first_sequence = 0;
  std::uint32_t last_sequence = 0;   // 16-bit values of the lowest/highest extended sequence numbers

  // Loss bursts: maximal runs of consecutive missing sequence numbers, by length.
  std::array<std::uint64_t, 6> loss_bursts{};
  std::uint64_t loss_burst_count = 0;
  std::uint64_t max_loss_burst = 0;

  // RFC 3550 §6.4.1 / A.8 interarrival jitter, on packets of the main payload type in arrival order.
  std::uint32_t clock_rate = 8000;
  bool clock_rate_known = false;     // false: the PT is not in the static table, 8000 Hz assumed
  double jitter = 0;                 // final J, timestamp units
  double jitter_ms = 0;
  double max_jitter = 0;
  double max_jitter_ms = 0;
  std::vector<JitterSample> jitter_over_time;  // one per second

  // Inter-arrival times of consecutive packets (capture order), ms.
  PercentileStats inter_arrival_ms;

  // Delay variation: arrival relative to the timestamp clock, against the fastest packet (ms), bucketed.
  std::array<std::uint64_t, 6> delay_variation{};
  double max_delay_variation_ms = 0;
  std::uint64_t late_packets = 0;    // delay variation > MetricsOptions::jitter_buffer_ms

  // Packet duration.
  std::optional<std::uint8_t> main_payload_type;     // the most frequent one
  std::vector<PayloadTypeCount> payload_types;       // every PT seen, by first appearance
  std::optional<std::int64_t> median_timestamp_step; // over consecutive (seq + 1) packets of the main PT
  std::optional<double> ptime_ms;                    // median step / clock rate
  std::optional<std::size_t> median_payload_size;
  std::size_t min_payload_size = 0, max_payload_size = 0;
  std::uint64_t payload_size_changes = 0;            // packets whose size differs from the median
  std::optional<double> payload_ptime_ms;            // median payload size as audio time for the codec
  bool payload_whole_frames = true;                  // the median size is a whole number of codec frames

  // Markers and timestamp discontinuities (an SSRC change is another stream).
  std::uint64_t markers = 0;
  bool first_packet_marker = false;
  std::uint64_t markers_mid_stream = 0;   // marker on a packet whose timestamp continues the previous one
  std::uint64_t talkspurts = 0;           // marker + forward timestamp gap (silence suppression): legitimate
  std::uint64_t timestamp_step_errors = 0;  // step != seq delta x median step, by up to kTimestampJumpSteps
  std::uint64_t timestamp_jumps = 0;        // larger, or backwards, without a marker

  double duration_s = 0;  // last - first capture time
  EModelSummary emodel;
};

// Constants (why: see stream_metrics.cpp).
inline constexpr std::int64_t kMaxDropout = 3000;     // RFC 3550 A.1
inline constexpr std::int64_t kMaxMisorder = 100;     // RFC 3550 A.1
inline constexpr std::int64_t kTimestampJumpSteps = 10;
inline constexpr std::uint64_t kMinWindowSlots = 10;

StreamMetrics compute_metrics(const RtpStream& stream, const MetricsOptions& options = {});

// The E-model pieces, exposed for the tests and other analyzers.
CodecImpairment codec_impairment(std::optional<std::uint8_t> payload_type, bool g711_plc = false);
double effective_ie(const CodecImpairment& codec, double loss_percent, double burst_ratio);  // Ie,eff
double r_factor(double ie_eff);                  // 93.2 - Ie,eff (Id = 0: one-way delay unknown)
double mos_from_r(double r);                     // G.107 Annex B

nlohmann::json to_json(const StreamMetrics& metrics);

}  // namespace mohq::analyzers
