// RTP stream findings: see rtp_checks.hpp and README.md.
#include "analyzers/rtp/rtp_checks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "rtp/payload_type.hpp"

namespace mohq::analyzers {
namespace {

// Why the thresholds in rtp_checks.hpp have their values:
// - kDefaultPtimeMs: RFC 3551 §4.5's default packetization for G.711 and most audio, and what mohqueue sends as
//   Z when the INVITE has no a=ptime.
// - kPtimeToleranceMs: timestamp steps are whole samples, so a real ptime mismatch is at least one codec frame
//   (1 ms for G.711, 10 ms for G.729); half a millisecond only absorbs floating-point rounding.
// - kArrivalPtimeToleranceMs: when the packet duration must come from capture times (unknown clock), capture
//   timestamps and scheduler ticks add a millisecond or two.
// - kJitterWarningMs: 30 ms is the usual planning limit (Cisco/ITU guidance): above it, typical 40-60 ms adaptive
//   buffers start to grow and to discard. kJitterErrorMs: 50 ms, the mean deviation reaching the size of the
//   smallest fixed buffer VoIPmonitor models (50 ms): that buffer then discards packets all the time.
// - kLossErrorPercent: 5 % drops G.711 without PLC to MOS ~2.5 (R ~48), "many users dissatisfied" (G.107 Annex
//   B); it is also the level at which even PLC (Bpl 25.1) falls below MOS 3.6. Checked per E-model window too,
//   so 20 s of outage in a 10-minute call is not averaged away.
constexpr double kArrivalPtimeToleranceMs = 2.0;

std::string fmt(const char* format, double a, double b = 0, double c = 0, double d = 0) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, format, a, b, c, d);
  return buffer;
}

std::string hex32(std::uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%08x", value);
  return buffer;
}

bool near(double a, double b, double tolerance) { return std::fabs(a - b) <= tolerance; }

nlohmann::json optional_json(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json buckets(const std::array<std::uint64_t, 6>& counts, const std::array<const char*, 6>& labels) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < labels.size(); ++i) out[labels[i]] = counts[i];
  return out;
}

Finding make(const RtpStream& stream, std::string id, Severity severity, std::string message, nlohmann::json evidence,
             std::string fix) {
  Finding finding;
  finding.id = std::move(id);
  finding.severity = severity;
  finding.call_id = stream.expected.call_id;
  finding.stream = stream_label(stream);
  finding.message = std::move(message);
  finding.evidence = std::move(evidence);
  finding.fix = std::move(fix);
  return finding;
}

// The packet duration signalling asks for, rounded up to whole codec frames as rtpproxy does (§3.4: GSM at 10 ms
// sends 20 ms, G.723.1 always at least 30 ms).
double expected_duration_ms(const rtp::PayloadType* codec, unsigned ptime_ms) {
  if (!codec) return ptime_ms;
  try {
    return rtp::packetization(*codec, static_cast<int>(ptime_ms)).duration_ms;
  } catch (const std::exception&) {
    return ptime_ms;
  }
}

}  // namespace

Findings check_rtp_stream(const RtpStream& stream, const StreamMetrics& m) {
  Findings findings;
  if (m.packets == 0) return findings;
  const rtp::PayloadType* codec = m.main_payload_type ? rtp::find_payload_type(*m.main_payload_type) : nullptr;
  const std::string codec_name = codec ? std::string(codec->encoding) : "PT " + std::to_string(m.main_payload_type.value_or(0));
  const unsigned negotiated = stream.expected.ptime_ms.value_or(kDefaultPtimeMs);
  const double expected_ms = expected_duration_ms(codec, negotiated);
  const std::optional<double> step_ms = m.ptime_ms;          // S: from the timestamp step
  const std::optional<double> payload_ms = m.payload_ptime_ms;  // P: from the payload size
  const bool payload_matches_expected = payload_ms && near(*payload_ms, expected_ms, kPtimeToleranceMs);

  // rtp.ptime: the packets carry another duration than negotiated (S, or P / arrival times without a clock).
  {
    std::optional<double> measured;
    double tolerance = kPtimeToleranceMs;
    std::string basis;
    if (step_ms) {
      measured = step_ms;
      basis = "timestamp step";
    } else if (payload_ms) {
      measured = payload_ms;
      basis = "payload size";
    } else if (m.inter_arrival_ms.count > 0) {
      measured = m.inter_arrival_ms.median;
      tolerance = kArrivalPtimeToleranceMs;
      basis = "inter-arrival time";
    }
    // A step that disagrees with a payload of the expected duration is a timestamp fault, not a ptime one.
    const bool timestamp_fault = step_ms && payload_matches_expected;
    if (measured && !near(*measured, expected_ms, tolerance) && !timestamp_fault) {
      nlohmann::json evidence = {{"median_timestamp_step", m.median_timestamp_step ? nlohmann::json(*m.median_timestamp_step)
                                                                                      : nlohmann::json(nullptr)},
                                 {"packet_ms", *measured},
                                 {"basis", basis},
                                 {"payload_ms", optional_json(payload_ms)},
                                 {"median_inter_arrival_ms", m.inter_arrival_ms.median},
                                 {"expected_ms", expected_ms},
                                 {"negotiated_ptime_ms", stream.expected.ptime_ms ? nlohmann::json(*stream.expected.ptime_ms)
                                                                                  : nlohmann::json(nullptr)},
                                 {"ptime_assumed", !stream.expected.ptime_ms.has_value()}};
      findings.push_back(make(stream, "rtp.ptime", Severity::Warning,
                              "Packets carry " + fmt("%.4g", *measured) + " ms of audio (" + basis + ") where " +
                                  fmt("%.4g", expected_ms) + " ms is expected" +
                                  (stream.expected.ptime_ms ? "" : " (no ptime known, 20 ms assumed)"),
                              std::move(evidence),
                              "rtpproxy repacketizes to the L command's Z value: check the caller's a=ptime / "
                              "mohqueue's LZ<ptime> (and that P uses `session`: a codec list always plays 10 ms)"));
    }
  }

  // rtp.payload_size: sizes that are not the codec's bytes for the packet duration, or that vary.
  if (codec && m.median_payload_size) {
    const double duration_ms = step_ms.value_or(expected_ms);
    std::optional<std::uint32_t> expected_bytes;
    try {
      expected_bytes = rtp::packetization(*codec, static_cast<int>(std::lround(duration_ms))).payload_bytes;
    } catch (const std::exception&) {
    }
    const bool mismatch = step_ms && payload_ms && !near(*payload_ms, *step_ms, kPtimeToleranceMs) &&
                          !payload_matches_expected;
    const bool partial = !m.payload_whole_frames;
    const bool varying = m.payload_size_changes > 0;
    if (mismatch || partial || varying) {
      std::string what;
      if (mismatch || partial) {
        what = "Median payload of " + std::to_string(*m.median_payload_size) + " bytes is not what " + codec_name +
               " at " + fmt("%.4g", duration_ms) + " ms gives" +
               (expected_bytes ? " (" + std::to_string(*expected_bytes) + " bytes)" : std::string{}) +
               (partial ? ", and not a whole number of frames" : "");
      } else {
        what = "Payload sizes vary (" + std::to_string(m.min_payload_size) + "-" + std::to_string(m.max_payload_size) +
               " bytes, " + std::to_string(m.payload_size_changes) + " packets differ from the median " +
               std::to_string(*m.median_payload_size) + ")";
      }
      nlohmann::json evidence = {{"codec", codec_name},
                                 {"median_bytes", *m.median_payload_size},
                                 {"min_bytes", m.min_payload_size},
                                 {"max_bytes", m.max_payload_size},
                                 {"packets_differing", m.payload_size_changes},
                                 {"expected_bytes", expected_bytes ? nlohmann::json(*expected_bytes) : nlohmann::json(nullptr)},
                                 {"packet_ms", duration_ms},
                                 {"payload_ms", optional_json(payload_ms)},
                                 {"whole_frames", m.payload_whole_frames}};
      findings.push_back(make(stream, "rtp.payload_size", (mismatch || partial) ? Severity::Error : Severity::Warning,
                              what, std::move(evidence),
                              "rtpproxy plays <prompt>.<pt> byte for byte in ptime chunks: check the file is raw " +
                                  codec_name + " for PT " + std::to_string(codec->number) +
                                  " (no WAV header, not another codec's file) and the sender's codec/PT mapping"));
    }
  }

  // rtp.timestamp: step vs payload duration, step errors, jumps.
  {
    const bool step_mismatch = step_ms && payload_ms && !near(*step_ms, *payload_ms, kPtimeToleranceMs) &&
                               payload_matches_expected;
    const bool nonpositive = m.median_timestamp_step && *m.median_timestamp_step <= 0;
    if (step_mismatch || nonpositive || m.timestamp_step_errors > 0 || m.timestamp_jumps > 0) {
      std::string what;
      if (step_mismatch || nonpositive) {
        what = "Timestamp advances " + std::to_string(m.median_timestamp_step.value_or(0)) + " per packet (" +
               fmt("%.4g", step_ms.value_or(0)) + " ms) but each packet carries " + fmt("%.4g", payload_ms.value_or(0)) +
               " ms of audio";
      } else {
        what = std::to_string(m.timestamp_step_errors) + " timestamp step error(s) and " +
               std::to_string(m.timestamp_jumps) + " timestamp jump(s) without marker";
      }
      nlohmann::json evidence = {
          {"median_timestamp_step", m.median_timestamp_step ? nlohmann::json(*m.median_timestamp_step) : nlohmann::json(nullptr)},
          {"expected_step", payload_ms ? nlohmann::json(std::lround(*payload_ms * m.clock_rate / 1000)) : nlohmann::json(nullptr)},
          {"clock_rate", m.clock_rate},
          {"step_errors", m.timestamp_step_errors},
          {"jumps", m.timestamp_jumps},
          {"talkspurts", m.talkspurts}};
      findings.push_back(make(stream, "rtp.timestamp", (step_mismatch || nonpositive) ? Severity::Error : Severity::Warning,
                              what, std::move(evidence),
                              "the sender must advance the timestamp by the samples in each packet (8 per ms at 8 kHz, "
                              "G.722 included) and keep it continuous across prompt loops; a jump without marker is a "
                              "restarted sender: check the player/relay in front of this stream"));
    }
  }

  // rtp.jitter.
  if (m.max_jitter_ms > kJitterWarningMs) {
    nlohmann::json evidence = {{"final_ms", m.jitter_ms},
                               {"max_ms", m.max_jitter_ms},
                               {"warning_ms", kJitterWarningMs},
                               {"error_ms", kJitterErrorMs},
                               {"max_delay_variation_ms", m.max_delay_variation_ms},
                               {"delay_variation_ms", buckets(m.delay_variation, kDelayBucketLabels)},
                               {"late_packets", m.late_packets},
                               {"jitter_buffer_ms", m.emodel.jitter_buffer_ms},
                               {"mos_jb_min", m.emodel.mos_jb_min}};
    findings.push_back(make(stream, "rtp.jitter", m.max_jitter_ms > kJitterErrorMs ? Severity::Error : Severity::Warning,
                            "RFC 3550 jitter reaches " + fmt("%.1f", m.max_jitter_ms) + " ms (final " +
                                fmt("%.1f", m.jitter_ms) + " ms); " + std::to_string(m.late_packets) +
                                " packets would miss a " + fmt("%.0f", m.emodel.jitter_buffer_ms) + " ms jitter buffer",
                            std::move(evidence),
                            "check the network path and the sender host's load (rtpproxy sends what is due on each "
                            "10 ms tick, so a starved player bursts); receivers need a jitter buffer above the max"));
  }

  // rtp.loss, judged on the whole stream and on each E-model window.
  if (m.lost > 0) {
    double worst_window_loss = 0;
    for (const auto& q : m.emodel.intervals) {
      if (q.expected >= kMinWindowSlots) worst_window_loss = std::max(worst_window_loss, q.loss_percent);
    }
    const bool error = m.loss_percent >= kLossErrorPercent || worst_window_loss >= kLossErrorPercent;
    nlohmann::json evidence = {{"lost", m.lost},
                               {"expected", m.expected},
                               {"loss_percent", m.loss_percent},
                               {"worst_window_loss_percent", worst_window_loss},
                               {"bursts", buckets(m.loss_bursts, kBurstBucketLabels)},
                               {"burst_count", m.loss_burst_count},
                               {"max_burst", m.max_loss_burst},
                               {"mos_mean", m.emodel.mos_mean},
                               {"mos_min", m.emodel.mos_min},
                               {"error_percent", kLossErrorPercent}};
    findings.push_back(make(stream, "rtp.loss", error ? Severity::Error : Severity::Warning,
                            std::to_string(m.lost) + " of " + std::to_string(m.expected) + " packets lost (" +
                                fmt("%.2f", m.loss_percent) + " %, worst " + fmt("%.0f", m.emodel.window_s) +
                                " s window " + fmt("%.2f", worst_window_loss) + " %) in " +
                                std::to_string(m.loss_burst_count) + " burst(s), longest " +
                                std::to_string(m.max_loss_burst),
                            std::move(evidence),
                            "check the path between sender and capture point (firewall/NAT, congested links) and "
                            "the sender's and capture host's drop counters (netstat -su, ip -s link)"));
  }

  // rtp.sequence.
  if (m.duplicates > 0 || m.reordered > 0 || m.sequence_jumps > 0) {
    nlohmann::json evidence = {{"duplicates", m.duplicates},
                               {"reordered", m.reordered},
                               {"sequence_jumps", m.sequence_jumps},
                               {"first_sequence", m.first_sequence},
                               {"last_sequence", m.last_sequence}};
    findings.push_back(make(stream, "rtp.sequence", Severity::Warning,
                            std::to_string(m.duplicates) + " duplicate(s), " + std::to_string(m.reordered) +
                                " reordered packet(s), " + std::to_string(m.sequence_jumps) + " sequence jump(s)",
                            std::move(evidence),
                            "duplicates usually mean the capture saw the packet twice (SPAN of both directions, "
                            "two interfaces) or a routing loop; reordering means multipath or a queueing sender; a "
                            "jump is a restarted sender that kept its SSRC"));
  }

  // rtp.marker.
  if (!m.first_packet_marker || m.markers_mid_stream > 0) {
    nlohmann::json evidence = {{"first_packet_marker", m.first_packet_marker},
                               {"markers", m.markers},
                               {"markers_mid_stream", m.markers_mid_stream},
                               {"talkspurts", m.talkspurts},
                               {"first_sequence", stream.packets.front().sequence}};
    std::string what = !m.first_packet_marker ? "The first packet has no marker bit" : "";
    if (m.markers_mid_stream > 0) {
      what += (what.empty() ? "" : "; ") + std::to_string(m.markers_mid_stream) +
              " marker(s) in the middle of a continuous stream";
    }
    if (!m.first_packet_marker) what += " (or the capture started after the stream)";
    findings.push_back(make(stream, "rtp.marker", Severity::Warning, what, std::move(evidence),
                            "rtpproxy sets the marker on the first packet of each playback only (seamless loops "
                            "have none): a missing first marker or stray markers make receivers resync their "
                            "jitter buffer; check the sender/relay rewriting the RTP header"));
  }
  return findings;
}

Findings check_ssrc_changes(const std::vector<const RtpStream*>& streams_of_one_flow) {
  Findings findings;
  std::map<std::pair<Endpoint, Endpoint>, std::vector<const RtpStream*>> flows;
  for (const RtpStream* stream : streams_of_one_flow) {
    if (stream && !stream->packets.empty()) flows[{stream->source, stream->destination}].push_back(stream);
  }
  for (auto& [flow, streams] : flows) {
    std::sort(streams.begin(), streams.end(), [](const RtpStream* a, const RtpStream* b) {
      return a->packets.front().time < b->packets.front().time;
    });
    std::map<std::uint32_t, int> distinct;
    for (const RtpStream* s : streams) ++distinct[s->ssrc];
    if (distinct.size() < 2) continue;
    auto first_time = [](const RtpStream* s) {
      double t = s->packets.front().time;
      for (const auto& p : s->packets) t = std::min(t, p.time);
      return t;
    };
    auto last_time = [](const RtpStream* s) {
      double t = s->packets.front().time;
      for (const auto& p : s->packets) t = std::max(t, p.time);
      return t;
    };
    nlohmann::json ssrcs = nlohmann::json::array();
    std::uint64_t overlaps = 0;
    for (std::size_t i = 0; i < streams.size(); ++i) {
      const RtpStream* s = streams[i];
      ssrcs.push_back({{"ssrc", hex32(s->ssrc)},
                       {"packets", s->packets.size()},
                       {"first_time", first_time(s)},
                       {"last_time", last_time(s)},
                       {"first_frame", s->packets.front().frame},
                       {"first_marker", s->packets.front().marker}});
      for (std::size_t k = i + 1; k < streams.size(); ++k) {
        if (streams[k]->ssrc != s->ssrc && first_time(streams[k]) < last_time(s)) ++overlaps;
      }
    }
    const std::size_t changes = streams.size() - 1;
    Finding finding;
    finding.id = "rtp.ssrc_change";
    finding.severity = overlaps > 0 ? Severity::Error : Severity::Warning;
    finding.call_id = streams.front()->expected.call_id;
    finding.stream = stream_label(*streams.front());
    finding.message = std::to_string(distinct.size()) + " SSRCs on " + flow.first.to_string() + " -> " +
                      flow.second.to_string() + " (" + std::to_string(changes) + " change(s)" +
                      (overlaps > 0 ? ", " + std::to_string(overlaps) + " overlapping: two senders at once)" : ")");
    finding.evidence = {{"ssrcs", ssrcs}, {"changes", changes}, {"overlapping_pairs", overlaps}};
    finding.fix = overlaps > 0
                      ? "two sources send to this address at once (a player and relayed media, or two players): "
                        "check that rtpproxy's P mutes the other leg and that no second relay/B2BUA sends here"
                      : "rtpproxy gives every new playback (each P, or S then P) a fresh SSRC, seq and timestamp: "
                        "expected on a prompt change, but receivers that latch the first SSRC drop the rest; check "
                        "each new SSRC starts with a marker and that the receiver accepts SSRC changes";
    findings.push_back(std::move(finding));
  }
  return findings;
}

}  // namespace mohq::analyzers
