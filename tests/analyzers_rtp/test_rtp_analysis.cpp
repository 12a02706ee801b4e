// analyzers/rtp: stream metrics (sequence accounting, bursts, RFC 3550 jitter, delay variation, ptime, per-interval
// E-model) and the rtp.* findings, on synthetic streams built here. Expected values are computed by hand in the
// comments, not by the code under test.
#define BOOST_TEST_MODULE test_analyzers_rtp
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "analyzers/rtp/rtp_checks.hpp"
#include "analyzers/rtp/stream_metrics.hpp"

namespace ma = mohq::analyzers;

namespace {

// N packets, `interval` apart, PCMA 160 B with timestamp step 160, with knobs for each impairment.
struct StreamBuilder {
  int count = 500;
  double interval = 0.020;
  std::uint8_t payload_type = 8;
  std::size_t payload_size = 160;
  std::uint32_t timestamp_step = 160;
  std::uint16_t first_sequence = 1000;
  std::uint32_t first_timestamp = 123456;
  std::uint32_t ssrc = 0x1a2b3c4d;
  double t0 = 1000.0;
  bool first_marker = true;
  std::set<int> drop;                      // packet indices never sent
  std::map<int, double> delay;             // extra arrival delay, seconds
  double jitter_amplitude = 0;             // uniform pseudo-random extra delay in [0, amplitude) seconds
  std::uint32_t seed = 12345;
  std::set<int> duplicate;                 // sent twice (the copy right after)
  std::set<int> swap_with_next;            // arrival order of i and i + 1 exchanged
  std::map<int, std::size_t> size_at;      // payload size of one packet
  std::map<int, std::int64_t> timestamp_offset_from;  // from this index on, timestamps shifted
  std::map<int, int> sequence_offset_from;            // from this index on, sequence numbers shifted
  std::set<int> marker_at;
  std::optional<unsigned> expected_ptime;
  bool sort_by_arrival = false;            // capture order = arrival order (jitter larger than the interval)

  ma::RtpStream build() const {
    ma::RtpStream stream;
    stream.source = {"10.0.0.1", 40000};
    stream.destination = {"10.0.0.2", 6000};
    stream.ssrc = ssrc;
    stream.expected.call_id = "call-1";
    stream.expected.ptime_ms = expected_ptime;
    std::uint32_t rng = seed;
    std::int64_t ts_offset = 0;
    int seq_offset = 0;
    for (int i = 0; i < count; ++i) {
      rng = rng * 1664525u + 1013904223u;  // Numerical Recipes LCG: deterministic
      if (auto it = timestamp_offset_from.find(i); it != timestamp_offset_from.end()) ts_offset += it->second;
      if (auto it = sequence_offset_from.find(i); it != sequence_offset_from.end()) seq_offset += it->second;
      if (drop.count(i)) continue;
      ma::RtpPacketRecord p;
      p.frame = static_cast<std::uint64_t>(i + 1);
      p.time = t0 + i * interval + (delay.count(i) ? delay.at(i) : 0.0) +
               jitter_amplitude * static_cast<double>(rng >> 8) / static_cast<double>(1u << 24);
      p.sequence = static_cast<std::uint16_t>(first_sequence + i + seq_offset);
      p.timestamp = static_cast<std::uint32_t>(first_timestamp + static_cast<std::int64_t>(i) * timestamp_step + ts_offset);
      p.payload_type = payload_type;
      p.marker = (i == 0 && first_marker) || marker_at.count(i) > 0;
      p.payload_size = size_at.count(i) ? size_at.at(i) : payload_size;
      stream.add_packet(p, std::vector<std::uint8_t>(p.payload_size, 0xD5));
      p = stream.packets.back();
      if (duplicate.count(i)) {
        p.frame += 100000;
        p.time += 0.0001;
        stream.packets.push_back(p);
      }
    }
    for (int i : swap_with_next) {
      auto it = std::find_if(stream.packets.begin(), stream.packets.end(), [&](const ma::RtpPacketRecord& p) {
        return p.frame == static_cast<std::uint64_t>(i + 1);
      });
      if (it != stream.packets.end() && it + 1 != stream.packets.end()) {
        std::swap(it->time, (it + 1)->time);
        std::iter_swap(it, it + 1);
      }
    }
    if (sort_by_arrival) {
      std::stable_sort(stream.packets.begin(), stream.packets.end(),
                       [](const auto& a, const auto& b) { return a.time < b.time; });
    }
    return stream;
  }
};

std::set<std::string> ids(const ma::Findings& findings) {
  std::set<std::string> out;
  for (const auto& f : findings) out.insert(f.id);
  return out;
}

const ma::Finding* find(const ma::Findings& findings, const std::string& id) {
  for (const auto& f : findings) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

struct Analysis {
  ma::RtpStream stream;
  ma::StreamMetrics metrics;
  ma::Findings findings;
};

Analysis analyze(const StreamBuilder& builder, const ma::MetricsOptions& options = {}) {
  Analysis a;
  a.stream = builder.build();
  a.metrics = ma::compute_metrics(a.stream, options);
  a.findings = ma::check_rtp_stream(a.stream, a.metrics);
  return a;
}

using Ids = std::set<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(clean_stream_has_exact_metrics_and_no_findings) {
  const Analysis a = analyze(StreamBuilder{});
  const auto& m = a.metrics;
  BOOST_TEST(m.packets == 500u);
  BOOST_TEST(m.expected == 500u);
  BOOST_TEST(m.lost == 0u);
  BOOST_TEST(m.duplicates == 0u);
  BOOST_TEST(m.reordered == 0u);
  BOOST_TEST(m.sequence_jumps == 0u);
  BOOST_TEST(m.loss_burst_count == 0u);
  BOOST_TEST(*m.main_payload_type == 8);
  BOOST_TEST(m.clock_rate == 8000u);
  BOOST_TEST(*m.median_timestamp_step == 160);
  BOOST_TEST(*m.ptime_ms == 20.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(*m.payload_ptime_ms == 20.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(*m.median_payload_size == 160u);
  BOOST_TEST(m.jitter < 1e-3);
  BOOST_TEST(m.inter_arrival_ms.median == 20.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(m.inter_arrival_ms.p99 == 20.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(m.delay_variation[0] == 500u);  // all < 10 ms
  BOOST_TEST(m.markers == 1u);
  BOOST_TEST(m.first_packet_marker);
  BOOST_TEST(m.markers_mid_stream == 0u);
  BOOST_TEST(m.timestamp_step_errors == 0u);
  BOOST_TEST(m.timestamp_jumps == 0u);
  // 10 s: two 5 s windows of 250 slots, one per-second jitter sample per second.
  BOOST_TEST(m.emodel.intervals.size() == 2u);
  BOOST_TEST(m.emodel.intervals[0].expected == 250u);
  BOOST_TEST(m.emodel.intervals[1].expected == 250u);
  BOOST_TEST(m.jitter_over_time.size() == 10u);
  // G.711, no loss: R = 93.2, MOS 4.41.
  BOOST_TEST(m.emodel.r_mean == 93.2, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(m.emodel.mos_mean == 4.41, boost::test_tools::tolerance(0.001));
  BOOST_TEST(m.emodel.mos_min == m.emodel.mos_mean, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(a.findings.empty());
  for (const auto& f : a.findings) BOOST_TEST_MESSAGE(f.id << ": " << f.message);
}

BOOST_AUTO_TEST_CASE(empty_stream) {
  ma::RtpStream stream;
  const auto m = ma::compute_metrics(stream);
  BOOST_TEST(m.packets == 0u);
  BOOST_TEST(ma::check_rtp_stream(stream, m).empty());
  BOOST_TEST(ma::to_json(m)["packets"] == 0);
}

BOOST_AUTO_TEST_CASE(rfc3550_jitter_against_hand_computed_value) {
  // Arrival offsets 0, +5, 0, +10, 0 ms: D (timestamp units at 8 kHz) = +40, -40, +80, -80.
  // J1 = 40/16 = 2.5; J2 = 2.5 + (40 - 2.5)/16 = 4.84375; J3 = 4.84375 + (80 - 4.84375)/16 = 9.541015625;
  // J4 = 9.541015625 + (80 - 9.541015625)/16 = 13.94470214844 units = 1.743087768555 ms.
  StreamBuilder b;
  b.count = 5;
  b.delay = {{1, 0.005}, {3, 0.010}};
  const auto m = ma::compute_metrics(b.build());
  BOOST_TEST(m.jitter == 13.94470214844, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(m.jitter_ms == 1.743087768555, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(m.max_jitter == 13.94470214844, boost::test_tools::tolerance(1e-6));
  // Delay variation against the fastest packet: 0, 5, 0, 10, 0 ms.
  BOOST_TEST(m.max_delay_variation_ms == 10.0, boost::test_tools::tolerance(1e-6));
  // Inter-arrival 25, 15, 30, 10 ms.
  BOOST_TEST(m.inter_arrival_ms.min == 10.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(m.inter_arrival_ms.max == 30.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(m.inter_arrival_ms.mean == 20.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(m.inter_arrival_ms.median == 20.0, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(delay_variation_buckets) {
  // Extra delays 15, 35, 70, 150, 400 ms on five packets (one per bucket above < 10), 95 on time.
  StreamBuilder b;
  b.count = 100;
  b.delay = {{10, 0.015}, {20, 0.035}, {30, 0.070}, {40, 0.150}, {50, 0.400}};
  const auto m = ma::compute_metrics(b.build());
  const std::array<std::uint64_t, 6> expected = {95, 1, 1, 1, 1, 1};
  for (std::size_t k = 0; k < 6; ++k) BOOST_TEST(m.delay_variation[k] == expected[k]);
  BOOST_TEST(m.max_delay_variation_ms == 400.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(m.late_packets == 3u);  // 70, 150 and 400 ms miss a 50 ms buffer
  ma::MetricsOptions wide;
  wide.jitter_buffer_ms = 200;
  BOOST_TEST(ma::compute_metrics(b.build(), wide).late_packets == 1u);
}

BOOST_AUTO_TEST_CASE(emodel_known_points) {
  const auto g711 = ma::codec_impairment(8);
  BOOST_TEST(g711.ie == 0.0);
  BOOST_TEST(g711.bpl == 4.3);
  BOOST_TEST(ma::codec_impairment(8, true).bpl == 25.1);
  BOOST_TEST(ma::codec_impairment(18).ie == 10.0);
  BOOST_TEST(ma::codec_impairment(18).bpl == 19.0);
  BOOST_TEST(ma::codec_impairment(3).ie == 20.0);
  BOOST_TEST(ma::codec_impairment(3).bpl == 10.0);
  // 0 % loss: R 93.2, MOS 1 + 0.035*93.2 + 7e-6*93.2*33.2*6.8 = 4.409285824.
  BOOST_TEST(ma::r_factor(ma::effective_ie(g711, 0, 1)) == 93.2, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(ma::mos_from_r(93.2) == 4.409285824, boost::test_tools::tolerance(1e-9));
  // 2 % random loss, Bpl 4.3: Ie,eff = 0 + 95 * 2 / (2/1 + 4.3) = 190/6.3 = 30.158730; R = 63.041270;
  // MOS = 1 + 0.035 R + 7e-6 R (R-60)(100-R) = 3.256046.
  BOOST_TEST(ma::effective_ie(g711, 2, 1) == 30.158730158730, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(ma::mos_from_r(93.2 - 30.158730158730) == 3.256045964870, boost::test_tools::tolerance(1e-9));
  // With PLC (Bpl 25.1): 190 / 27.1 = 7.011070; G.729 (Ie 10, Bpl 19): 10 + 85*2/21 = 18.095238.
  BOOST_TEST(ma::effective_ie(ma::codec_impairment(8, true), 2, 1) == 7.011070110701, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(ma::effective_ie(ma::codec_impairment(18), 2, 1) == 18.095238095238, boost::test_tools::tolerance(1e-9));
  // Bursty: BurstR 2 at 2 %: 190 / (1 + 4.3) = 35.849057.
  BOOST_TEST(ma::effective_ie(g711, 2, 2) == 35.849056603774, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(ma::mos_from_r(-5) == 1.0);
  BOOST_TEST(ma::mos_from_r(120) == 4.5);
}

BOOST_AUTO_TEST_CASE(two_percent_random_loss_in_a_stream) {
  // Every 50th packet lost: 5 of 250 slots in each 5 s window = 2 %, isolated losses (BurstR 1).
  StreamBuilder b;
  for (int i = 25; i < b.count; i += 50) b.drop.insert(i);
  const Analysis a = analyze(b);
  const auto& m = a.metrics;
  BOOST_TEST(m.lost == 10u);
  BOOST_TEST(m.expected == 500u);
  BOOST_TEST(m.loss_percent == 2.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(m.loss_bursts[0] == 10u);
  BOOST_TEST(m.emodel.intervals.size() == 2u);
  for (const auto& q : m.emodel.intervals) {
    BOOST_TEST(q.expected == 250u);
    BOOST_TEST(q.lost == 5u);
    BOOST_TEST(q.burst_ratio == 1.0);
    BOOST_TEST(q.r == 93.2 - 190.0 / 6.3, boost::test_tools::tolerance(1e-9));
  }
  BOOST_TEST(m.emodel.mos_mean == 3.256045964870, boost::test_tools::tolerance(1e-9));
  const auto* loss = find(a.findings, "rtp.loss");
  BOOST_REQUIRE(loss);
  BOOST_TEST((loss->severity == ma::Severity::Warning));
  BOOST_TEST(loss->evidence["lost"] == 10);
  BOOST_TEST(loss->evidence["bursts"]["1"] == 10);
  BOOST_TEST((ids(a.findings) == Ids{"rtp.loss"}));
}

BOOST_AUTO_TEST_CASE(per_interval_not_cumulative) {
  // 60 s, 12 windows; window 4 (packets 1000-1249) loses every 5th packet (20 %): 50 of 3000 overall (1.67 %).
  StreamBuilder b;
  b.count = 3000;
  for (int i = 1000; i < 1250; i += 5) b.drop.insert(i);
  const Analysis a = analyze(b);
  const auto& e = a.metrics.emodel;
  BOOST_TEST(a.metrics.loss_percent == 100.0 * 50 / 3000, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(e.intervals.size() == 12u);
  BOOST_REQUIRE(e.worst_interval.has_value());
  BOOST_TEST(*e.worst_interval == 4u);
  BOOST_TEST(e.intervals[4].loss_percent == 20.0, boost::test_tools::tolerance(1e-9));
  // Worst window: Ie,eff = 95*20/(20+4.3) = 78.189300, R = 15.010700, MOS 1.123609.
  BOOST_TEST(e.mos_min == 1.123609145647, boost::test_tools::tolerance(1e-6));
  // Mean of windows: (11 x 4.409285824 + 1.123609145647) / 12 = 4.135479434.
  BOOST_TEST(e.mos_mean == (11 * 4.409285824 + 1.123609145647) / 12, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(e.mos_mean - e.mos_min > 2.5);
  // A cumulative figure would hide the window: 1.67 % gives MOS ~3.4, neither the 4.41 heard for 55 s nor 1.1.
  const double cumulative = ma::mos_from_r(ma::r_factor(ma::effective_ie(e.codec, a.metrics.loss_percent, 1)));
  BOOST_TEST(cumulative > e.mos_min + 1);
  BOOST_TEST(cumulative < e.mos_mean - 0.5);
  // Overall loss < 5 %, but one window >= 5 %: an error.
  const auto* loss = find(a.findings, "rtp.loss");
  BOOST_REQUIRE(loss);
  BOOST_TEST((loss->severity == ma::Severity::Error));
}

BOOST_AUTO_TEST_CASE(burst_distribution) {
  StreamBuilder b;
  b.count = 1000;
  // Bursts of 1, 2, 3, 4, 6 and 12: 28 lost.
  for (int i : {10, 20, 21, 30, 31, 32, 40, 41, 42, 43}) b.drop.insert(i);
  for (int i = 60; i < 66; ++i) b.drop.insert(i);
  for (int i = 300; i < 312; ++i) b.drop.insert(i);
  const auto m = ma::compute_metrics(b.build());
  BOOST_TEST(m.lost == 28u);
  BOOST_TEST(m.loss_burst_count == 6u);
  BOOST_TEST(m.max_loss_burst == 12u);
  for (std::size_t k = 0; k < 6; ++k) BOOST_TEST(m.loss_bursts[k] == 1u);
  // Window 0 (slots 0-249): 16 lost in 5 bursts; BurstR = 16/5 x (1 - 16/250) = 2.9952.
  BOOST_TEST(m.emodel.intervals[0].lost == 16u);
  BOOST_TEST(m.emodel.intervals[0].burst_ratio == 16.0 / 5 * (1 - 16.0 / 250), boost::test_tools::tolerance(1e-9));
  const auto j = ma::to_json(m);
  BOOST_TEST(j["loss_bursts"]["10+"] == 1);
  BOOST_TEST(j["loss_bursts"]["5-9"] == 1);
  BOOST_TEST(j["max_loss_burst"] == 12);
}

BOOST_AUTO_TEST_CASE(sequence_wrap) {
  StreamBuilder b;
  b.first_sequence = 65500;  // packet 35 is 65535, 36 is 0
  const Analysis clean = analyze(b);
  BOOST_TEST(clean.metrics.sequence_wraps == 1u);
  BOOST_TEST(clean.metrics.expected == 500u);
  BOOST_TEST(clean.metrics.lost == 0u);
  BOOST_TEST(clean.metrics.first_sequence == 65500u);
  BOOST_TEST(clean.metrics.last_sequence == static_cast<std::uint16_t>(65500 + 499));
  BOOST_TEST(clean.findings.empty());
  b.drop = {35, 36};
  const Analysis lossy = analyze(b);
  BOOST_TEST(lossy.metrics.lost == 2u);
  BOOST_TEST(lossy.metrics.loss_bursts[1] == 1u);
  BOOST_TEST((ids(lossy.findings) == Ids{"rtp.loss"}));
}

BOOST_AUTO_TEST_CASE(jitter_over_time_and_jitter_buffer) {
  StreamBuilder b;
  b.jitter_amplitude = 0.120;  // 0-120 ms uniform: J ~ 40 ms, many packets > 50 ms late
  b.sort_by_arrival = true;
  const Analysis a = analyze(b);
  const auto& m = a.metrics;
  BOOST_TEST(m.max_jitter_ms > ma::kJitterErrorMs);
  BOOST_TEST(m.late_packets > 50u);
  BOOST_TEST(m.jitter_over_time.size() == static_cast<std::size_t>(std::ceil(m.duration_s)));
  BOOST_TEST(m.jitter_over_time.back().jitter_ms > 20.0);
  BOOST_TEST(m.lost == 0u);
  // The 50 ms buffer variant counts late packets as lost: lower MOS than the loss-only one.
  BOOST_TEST(m.emodel.mos_jb_min < m.emodel.mos_min - 0.5);
  BOOST_TEST(m.emodel.mos_min == 4.409285824, boost::test_tools::tolerance(1e-6));
  const auto* jitter = find(a.findings, "rtp.jitter");
  BOOST_REQUIRE(jitter);
  BOOST_TEST((jitter->severity == ma::Severity::Error));
  BOOST_TEST(jitter->evidence["late_packets"] == m.late_packets);
  BOOST_TEST(ids(a.findings).count("rtp.loss") == 0u);

  // 0-10 ms: no reordering, J ~ 3 ms, nothing late, no finding.
  b.jitter_amplitude = 0.010;
  const Analysis mild = analyze(b);
  BOOST_TEST(mild.metrics.max_jitter_ms < 10.0);
  BOOST_TEST(mild.metrics.max_jitter_ms > 0.5);
  BOOST_TEST(mild.metrics.late_packets == 0u);
  BOOST_TEST(mild.findings.empty());
}

BOOST_AUTO_TEST_CASE(json_export) {
  StreamBuilder b;
  b.drop = {10};
  const auto m = ma::compute_metrics(b.build());
  const auto j = ma::to_json(m);
  BOOST_TEST(j["lost"] == 1);
  BOOST_TEST(j["expected"] == 500);
  BOOST_TEST(j["main_payload_type"] == 8);
  BOOST_TEST(j["ptime_ms"].get<double>() == 20.0);
  BOOST_TEST(j["emodel"]["intervals"].size() == 2u);
  BOOST_TEST(j["emodel"]["codec"] == "PCMA");
  BOOST_TEST(j["jitter"]["over_time"].size() == 10u);
  BOOST_TEST(j["delay_variation_ms"]["<10"] == 499);
  BOOST_TEST(j.contains("inter_arrival_ms"));
  BOOST_TEST(j["emodel"]["worst_interval"] == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(findings)

BOOST_AUTO_TEST_CASE(ptime_10_and_30_ms) {
  StreamBuilder b;
  b.interval = 0.010;
  b.payload_size = 80;
  b.timestamp_step = 80;
  b.count = 1000;
  const Analysis ten = analyze(b);
  BOOST_TEST(*ten.metrics.ptime_ms == 10.0);
  BOOST_TEST((ids(ten.findings) == Ids{"rtp.ptime"}));
  const auto* f = find(ten.findings, "rtp.ptime");
  BOOST_REQUIRE(f);
  BOOST_TEST(f->evidence["median_timestamp_step"] == 80);
  BOOST_TEST(f->evidence["expected_ms"] == 20.0);
  BOOST_TEST(f->fix.find("LZ<ptime>") != std::string::npos);

  b.interval = 0.030;
  b.payload_size = 240;
  b.timestamp_step = 240;
  b.count = 400;
  const Analysis thirty = analyze(b);
  BOOST_TEST((ids(thirty.findings) == Ids{"rtp.ptime"}));
  // Negotiated 30 ms: clean.
  b.expected_ptime = 30;
  BOOST_TEST(analyze(b).findings.empty());
}

BOOST_AUTO_TEST_CASE(ptime_rounded_up_to_whole_frames) {
  // GSM with Z10: rtpproxy sends one 20 ms frame (33 B, step 160): not a ptime problem.
  StreamBuilder b;
  b.payload_type = 3;
  b.payload_size = 33;
  b.expected_ptime = 10;
  const Analysis a = analyze(b);
  BOOST_TEST(a.findings.empty());
  for (const auto& f : a.findings) BOOST_TEST_MESSAGE(f.id << ": " << f.message);
}

BOOST_AUTO_TEST_CASE(payload_size) {
  StreamBuilder b;
  b.payload_size = 320;  // 40 ms of PCMA in packets stamped and sent as 20 ms
  const Analysis wrong = analyze(b);
  BOOST_TEST((ids(wrong.findings) == Ids{"rtp.payload_size"}));
  const auto* f = find(wrong.findings, "rtp.payload_size");
  BOOST_REQUIRE(f);
  BOOST_TEST((f->severity == ma::Severity::Error));
  BOOST_TEST(f->evidence["median_bytes"] == 320);
  BOOST_TEST(f->evidence["expected_bytes"] == 160);

  StreamBuilder v;
  v.size_at = {{100, 100}, {200, 172}};
  const Analysis varying = analyze(v);
  BOOST_TEST((ids(varying.findings) == Ids{"rtp.payload_size"}));
  BOOST_TEST(varying.metrics.payload_size_changes == 2u);
  BOOST_TEST((find(varying.findings, "rtp.payload_size")->severity == ma::Severity::Warning));

  StreamBuilder g;  // GSM frames are 33 B: 40 B is not a whole frame
  g.payload_type = 3;
  g.payload_size = 40;
  const Analysis gsm = analyze(g);
  BOOST_TEST(!gsm.metrics.payload_whole_frames);
  BOOST_TEST(ids(gsm.findings).count("rtp.payload_size") == 1u);
}

BOOST_AUTO_TEST_CASE(timestamp_step_and_jumps) {
  StreamBuilder b;
  b.timestamp_step = 80;  // 160 B (20 ms) per packet, but the timestamp advances 10 ms
  const Analysis step = analyze(b);
  BOOST_TEST((ids(step.findings) == Ids{"rtp.timestamp"}));
  BOOST_TEST((find(step.findings, "rtp.timestamp")->severity == ma::Severity::Error));
  BOOST_TEST(find(step.findings, "rtp.timestamp")->evidence["expected_step"] == 160);

  StreamBuilder j;
  j.timestamp_offset_from = {{200, 80000}};  // 10 s jump, no marker, no time gap
  const Analysis jump = analyze(j);
  BOOST_TEST(jump.metrics.timestamp_jumps == 1u);
  BOOST_TEST(jump.metrics.max_jitter_ms < 1.0);  // the jump is spliced out of the jitter
  BOOST_TEST((ids(jump.findings) == Ids{"rtp.timestamp"}));

  StreamBuilder s;
  s.timestamp_offset_from = {{200, 40}};  // one step of 200 instead of 160
  const Analysis small = analyze(s);
  BOOST_TEST(small.metrics.timestamp_step_errors == 1u);
  BOOST_TEST(small.metrics.timestamp_jumps == 0u);
  BOOST_TEST(ids(small.findings).count("rtp.timestamp") == 1u);
}

BOOST_AUTO_TEST_CASE(loss_severity) {
  StreamBuilder one;
  one.drop = {100};
  const Analysis a = analyze(one);
  BOOST_TEST((ids(a.findings) == Ids{"rtp.loss"}));
  BOOST_TEST((find(a.findings, "rtp.loss")->severity == ma::Severity::Warning));

  StreamBuilder many;
  for (int i = 0; i < many.count; i += 10) many.drop.insert(i + 5);  // 10 %
  const Analysis b = analyze(many);
  BOOST_TEST(b.metrics.loss_percent == 10.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST((find(b.findings, "rtp.loss")->severity == ma::Severity::Error));
}

BOOST_AUTO_TEST_CASE(duplicates_reordering_and_sequence_jumps) {
  StreamBuilder d;
  d.duplicate = {10, 20};
  const Analysis dup = analyze(d);
  BOOST_TEST(dup.metrics.duplicates == 2u);
  BOOST_TEST(dup.metrics.lost == 0u);
  BOOST_TEST(dup.metrics.packets == 502u);
  BOOST_TEST((ids(dup.findings) == Ids{"rtp.sequence"}));
  BOOST_TEST(find(dup.findings, "rtp.sequence")->evidence["duplicates"] == 2);

  StreamBuilder r;
  r.swap_with_next = {30, 60};
  const Analysis reo = analyze(r);
  BOOST_TEST(reo.metrics.reordered == 2u);
  BOOST_TEST(reo.metrics.lost == 0u);
  BOOST_TEST(reo.metrics.timestamp_step_errors == 0u);
  BOOST_TEST((ids(reo.findings) == Ids{"rtp.sequence"}));

  StreamBuilder j;
  j.sequence_offset_from = {{200, 10000}};  // a restart that kept its SSRC: not 10000 lost packets
  const Analysis jump = analyze(j);
  BOOST_TEST(jump.metrics.sequence_jumps == 1u);
  BOOST_TEST(jump.metrics.lost == 0u);
  BOOST_TEST(jump.metrics.expected == 500u);
  BOOST_TEST((ids(jump.findings) == Ids{"rtp.sequence"}));
}

BOOST_AUTO_TEST_CASE(markers) {
  StreamBuilder none;
  none.first_marker = false;
  const Analysis a = analyze(none);
  BOOST_TEST((ids(a.findings) == Ids{"rtp.marker"}));
  BOOST_TEST(find(a.findings, "rtp.marker")->evidence["first_packet_marker"] == false);

  StreamBuilder mid;
  mid.marker_at = {100, 300};  // markers on a continuous stream
  const Analysis b = analyze(mid);
  BOOST_TEST(b.metrics.markers_mid_stream == 2u);
  BOOST_TEST((ids(b.findings) == Ids{"rtp.marker"}));

  // A talkspurt: timestamp and arrival gap of 1 s with a marker: legitimate, no finding.
  StreamBuilder spurt;
  spurt.marker_at = {200};
  spurt.timestamp_offset_from = {{200, 8000}};
  for (int i = 200; i < spurt.count; ++i) spurt.delay[i] = 1.0;
  const Analysis c = analyze(spurt);
  BOOST_TEST(c.metrics.talkspurts == 1u);
  BOOST_TEST(c.metrics.markers_mid_stream == 0u);
  BOOST_TEST(c.metrics.timestamp_jumps == 0u);
  BOOST_TEST(c.findings.empty());
  for (const auto& f : c.findings) BOOST_TEST_MESSAGE(f.id << ": " << f.message);
}

BOOST_AUTO_TEST_CASE(ssrc_changes) {
  StreamBuilder first;
  first.count = 100;
  StreamBuilder second = first;
  second.ssrc = 0x55667788;
  second.t0 = first.t0 + 3.0;  // after the first ends (2 s)
  const ma::RtpStream s1 = first.build(), s2 = second.build();
  BOOST_TEST(ma::check_ssrc_changes({&s1}).empty());
  const auto sequential = ma::check_ssrc_changes({&s2, &s1});
  BOOST_REQUIRE(sequential.size() == 1u);
  BOOST_TEST(sequential[0].id == "rtp.ssrc_change");
  BOOST_TEST((sequential[0].severity == ma::Severity::Warning));
  BOOST_TEST(sequential[0].evidence["changes"] == 1);
  BOOST_TEST(sequential[0].evidence["ssrcs"][0]["ssrc"] == "0x1a2b3c4d");
  BOOST_TEST(sequential[0].call_id == "call-1");

  StreamBuilder third = first;
  third.ssrc = 0x99aabbcc;
  third.t0 = first.t0 + 1.0;  // while the first is still sending
  const ma::RtpStream s3 = third.build();
  const auto overlapping = ma::check_ssrc_changes({&s1, &s3, nullptr});
  BOOST_REQUIRE(overlapping.size() == 1u);
  BOOST_TEST((overlapping[0].severity == ma::Severity::Error));

  // Another destination is another flow.
  ma::RtpStream other = s2;
  other.destination.port = 6002;
  BOOST_TEST(ma::check_ssrc_changes({&s1, &other}).empty());
}

BOOST_AUTO_TEST_CASE(every_finding_has_fix_message_and_stream) {
  StreamBuilder b;
  b.first_marker = false;
  b.drop = {50};
  b.duplicate = {70};
  b.interval = 0.030;
  b.payload_size = 240;
  b.timestamp_step = 240;
  b.jitter_amplitude = 0.150;
  b.sort_by_arrival = true;
  const Analysis a = analyze(b);
  BOOST_TEST(a.findings.size() >= 5u);
  for (const auto& f : a.findings) {
    BOOST_TEST(!f.message.empty());
    BOOST_TEST(!f.fix.empty());
    BOOST_TEST(f.stream == ma::stream_label(a.stream));
    BOOST_TEST(f.call_id == "call-1");
    BOOST_TEST(f.evidence.is_object());
    BOOST_TEST_MESSAGE(f.id << " [" << ma::severity_name(f.severity) << "] " << f.message);
  }
}

BOOST_AUTO_TEST_SUITE_END()
