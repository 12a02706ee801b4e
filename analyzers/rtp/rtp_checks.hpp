// Findings about one RTP stream (rtp.ptime, rtp.payload_size, rtp.timestamp, rtp.jitter, rtp.loss, rtp.sequence,
// rtp.marker) from its metrics, and about several SSRCs on one flow (rtp.ssrc_change). Pure functions, no I/O.
#pragma once

#include <vector>

#include "analyzers/model/finding.hpp"
#include "analyzers/model/rtp_stream.hpp"
#include "analyzers/rtp/stream_metrics.hpp"

namespace mohq::analyzers {

// Thresholds (why: see rtp_checks.cpp).
inline constexpr unsigned kDefaultPtimeMs = 20;
inline constexpr double kPtimeToleranceMs = 0.5;
inline constexpr double kJitterWarningMs = 30;
inline constexpr double kJitterErrorMs = 50;
inline constexpr double kLossErrorPercent = 5;

Findings check_rtp_stream(const RtpStream& stream, const StreamMetrics& metrics);

// Several SSRCs on the same flow (source and destination): one rtp.ssrc_change per flow with more than one SSRC;
// an error when two of them send at the same time. Null pointers are skipped.
Findings check_ssrc_changes(const std::vector<const RtpStream*>& streams_of_one_flow);

}  // namespace mohq::analyzers
