// Stream metrics: see stream_metrics.hpp. Formulas: RFC 3550 §6.4.1 and A.1/A.8; ITU-T G.107 (06/2015) §3 and
// Annex B; codec factors from ITU-T G.113 Appendix I (see codec_impairment below and README.md).
#include "analyzers/rtp/stream_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "rtp/payload_type.hpp"

namespace mohq::analyzers {
namespace {

// Why the constants in stream_metrics.hpp have their values:
// - kMaxDropout / kMaxMisorder: RFC 3550 A.1's defaults. A forward step of more than 3000 sequence numbers (60 s
//   at 20 ms) or a backward one of more than 100 is not loss or reordering but a sender restart; the gap is
//   spliced out instead of being counted as 3000+ lost packets.
// - kTimestampJumpSteps: a timestamp off by up to 10 packet steps (200 ms at 20 ms) is a step error (a wrong
//   increment, a short slip); more than that, or backwards, is a jump (a restarted player, a new source).
// - kMinWindowSlots: an E-model window with fewer than 10 sequence numbers (the tail of a stream, 200 ms at 20 ms)
//   says nothing about quality; it is reported but not aggregated.
// - The 1e-9 in window indexing keeps t0 + 250 x 0.020 s in window 1, not window 0, despite rounding.
constexpr double kWindowEpsilon = 1e-9;

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  // The middle value(s) without sorting everything (every stream of a capture takes two medians): the same
  // elements, so the same result as sorting.
  const std::size_t n = values.size();
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(values.begin(), middle, values.end());
  if (n % 2 == 1) return *middle;
  return (*std::max_element(values.begin(), middle) + *middle) / 2;
}

PercentileStats percentile_stats(std::vector<double> values) {
  PercentileStats stats;
  stats.count = values.size();
  if (values.empty()) return stats;
  std::sort(values.begin(), values.end());
  stats.min = values.front();
  stats.max = values.back();
  double sum = 0;
  for (double value : values) sum += value;
  stats.mean = sum / static_cast<double>(values.size());
  const std::size_t n = values.size();
  stats.median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  // Nearest rank: the smallest value with at least 99 % of the values at or below it.
  const auto rank = static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(n)));
  stats.p99 = values[std::max<std::size_t>(rank, 1) - 1];
  return stats;
}

// The extended sequence numbers seen so far. They lie in [-kMaxMisorder, max so far + kMaxDropout] and usually
// fill it densely, so a bitmap over that range answers (one bit per number, no allocation per packet: every
// packet of every stream of a capture is inserted); a range far larger than the packets (a stream of big
// sequence jumps) falls back to a hash set.
class SeenNumbers {
 public:
  explicit SeenNumbers(std::size_t packets) : bitmap_limit_(64 * packets + 65536) {}
  // True when v was not seen before.
  bool insert(std::int64_t v) {
    if (!hashed_ && (v + kMaxMisorder < 0 || static_cast<std::uint64_t>(v + kMaxMisorder) >= bitmap_limit_)) {
      for (std::size_t word = 0; word < bits_.size(); ++word)
        for (std::size_t bit = 0; bit < 64; ++bit)
          if (bits_[word] >> bit & 1) fallback_.insert(static_cast<std::int64_t>(word * 64 + bit) - kMaxMisorder);
      bits_ = {};
      hashed_ = true;
    }
    if (hashed_) {
      const bool added = fallback_.insert(v).second;
      size_ = fallback_.size();
      return added;
    }
    const auto index = static_cast<std::uint64_t>(v + kMaxMisorder);
    if (index / 64 >= bits_.size()) bits_.resize(std::max<std::size_t>(index / 64 + 1, bits_.size() * 2), 0);
    const std::uint64_t mask = std::uint64_t{1} << (index % 64);
    if (bits_[index / 64] & mask) return false;
    bits_[index / 64] |= mask;
    ++size_;
    return true;
  }
  std::size_t size() const { return size_; }

 private:
  std::uint64_t bitmap_limit_;
  bool hashed_ = false;
  std::vector<std::uint64_t> bits_;
  std::unordered_set<std::int64_t> fallback_;
  std::size_t size_ = 0;
};

std::size_t burst_bucket(std::uint64_t length) {
  if (length <= 4) return static_cast<std::size_t>(length - 1);
  return length < 10 ? 4 : 5;
}

std::size_t delay_bucket(double ms) {
  if (ms < 10) return 0;
  if (ms < 20) return 1;
  if (ms < 50) return 2;
  if (ms < 100) return 3;
  if (ms < 300) return 4;
  return 5;
}

// G.107's BurstR = mean observed burst length / mean burst length under random loss (1 / (1 - p)). Evenly spread
// isolated losses would give slightly below 1 ("better than random"); that is clamped to 1, so a window is never
// credited for the way its loss happens to be spread (many monitors do the same).
double burst_ratio(std::uint64_t lost, std::uint64_t bursts, std::uint64_t expected) {
  if (lost == 0 || bursts == 0 || expected == 0) return 1;
  const double p = static_cast<double>(lost) / static_cast<double>(expected);
  const double ratio = static_cast<double>(lost) / static_cast<double>(bursts) * (1 - p);
  return std::max(1.0, ratio);
}

struct Slot {
  double time = 0;
  bool received = false;
  bool late = false;
};

}  // namespace

// Codec table (Ie, Bpl), narrowband E-model:
//   PCMU/PCMA (0, 8): Ie 0 (G.113 App. I table I.1); Bpl 4.3 without PLC, 25.1 with PLC (G.113 App. I table I.3,
//     random loss). Without PLC is the default: the receiver is unknown, so the conservative figure.
//   G.729(A) (18):    Ie 10 (G.113 I.1 gives 10 for G.729, 11 for G.729A), Bpl 19.0 (I.3, G.729A + VAD).
//   GSM 06.10 FR (3): Ie 20 (I.1); Bpl 10 (no FR value is published; 10 is the GSM-EFR figure, used as an estimate).
//   G.723.1 6.3k (4): Ie 15 (I.1), Bpl 16.1 (I.3, G.723.1 + VAD).
//   G.722 (9):        wideband, needs G.107.1; G.711's figures are used and marked assumed.
//   anything else:    G.711 assumed.
CodecImpairment codec_impairment(std::optional<std::uint8_t> payload_type, bool g711_plc) {
  const double g711_bpl = g711_plc ? 25.1 : 4.3;
  if (!payload_type) return {"unknown (G.711 assumed)", 0, g711_bpl, true};
  switch (*payload_type) {
    case 0: return {"PCMU", 0, g711_bpl, false};
    case 8: return {"PCMA", 0, g711_bpl, false};
    case 18: return {"G729", 10, 19.0, false};
    case 3: return {"GSM", 20, 10.0, false};
    case 4: return {"G723", 15, 16.1, false};
    case 9: return {"G722 (G.711 assumed)", 0, g711_bpl, true};
    default: return {"PT " + std::to_string(*payload_type) + " (G.711 assumed)", 0, g711_bpl, true};
  }
}

double effective_ie(const CodecImpairment& codec, double loss_percent, double burst_ratio_value) {
  if (loss_percent <= 0) return codec.ie;
  const double burst = burst_ratio_value > 0 ? burst_ratio_value : 1;
  return codec.ie + (95 - codec.ie) * loss_percent / (loss_percent / burst + codec.bpl);
}

// G.107 R = Ro - Is - Id - Ie,eff + A with the default Ro - Is = 93.2 and A = 0. Id = 0: a capture on one side
// does not know the one-way delay, and G.107's Idd is 0 below 100 ms anyway.
double r_factor(double ie_eff) { return 93.2 - ie_eff; }

double mos_from_r(double r) {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
}

StreamMetrics compute_metrics(const RtpStream& stream, const MetricsOptions& options) {
  StreamMetrics m;
  const auto& packets = stream.packets;
  m.packets = packets.size();
  m.emodel.window_s = options.window_s;
  m.emodel.jitter_buffer_ms = options.jitter_buffer_ms;
  if (packets.empty()) {
    m.emodel.codec = codec_impairment(std::nullopt, options.g711_plc);
    return m;
  }
  const std::size_t n = packets.size();

  // Payload types: every one seen, by first appearance; the main one is the most frequent.
  for (const auto& packet : packets) {
    auto it = std::find_if(m.payload_types.begin(), m.payload_types.end(),
                           [&](const PayloadTypeCount& c) { return c.payload_type == packet.payload_type; });
    if (it == m.payload_types.end()) {
      m.payload_types.push_back({packet.payload_type, 1});
    } else {
      ++it->packets;
    }
  }
  const auto main_it = std::max_element(m.payload_types.begin(), m.payload_types.end(),
                                        [](const auto& a, const auto& b) { return a.packets < b.packets; });
  const std::uint8_t main_pt = main_it->payload_type;
  m.main_payload_type = main_pt;
  const rtp::PayloadType* codec = rtp::find_payload_type(main_pt);
  m.clock_rate_known = codec != nullptr;
  m.clock_rate = codec ? codec->clock_rate : 8000;
  const double clock = m.clock_rate;
  m.emodel.codec = codec_impairment(main_pt, options.g711_plc);

  double t0 = packets.front().time, t_end = packets.front().time;
  for (const auto& packet : packets) {
    t0 = std::min(t0, packet.time);
    t_end = std::max(t_end, packet.time);
  }
  m.duration_s = t_end - t0;

  // --- Extended sequence numbers (RFC 3550 A.1), with jumps spliced out: "virtual" numbers stay contiguous.
  std::vector<std::int64_t> vext(n);
  std::vector<bool> duplicate(n, false), reordered(n, false), seq_jump(n, false);
  SeenNumbers seen(n);
  std::int64_t max_v = 0, min_v = 0;
  std::uint16_t max_seq = packets[0].sequence, min_seq = packets[0].sequence;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint16_t seq = packets[i].sequence;
    if (i == 0) {
      vext[0] = 0;
      seen.insert(0);
      continue;
    }
    const auto delta = static_cast<std::int64_t>(static_cast<std::int16_t>(static_cast<std::uint16_t>(seq - max_seq)));
    std::int64_t v;
    if (delta > kMaxDropout || delta < -kMaxMisorder) {
      ++m.sequence_jumps;
      seq_jump[i] = true;
      v = max_v + 1;
    } else {
      v = max_v + delta;
    }
    vext[i] = v;
    if (!seen.insert(v)) {
      duplicate[i] = true;
      ++m.duplicates;
      continue;
    }
    if (v < max_v) {
      reordered[i] = true;
      ++m.reordered;
    }
    if (v > max_v) {
      if (!seq_jump[i] && seq < max_seq) ++m.sequence_wraps;
      max_v = v;
      max_seq = seq;
    }
    if (v < min_v) {
      min_v = v;
      min_seq = seq;
    }
  }
  m.first_sequence = min_seq;
  m.last_sequence = max_seq;
  m.expected = static_cast<std::uint64_t>(max_v - min_v + 1);
  m.lost = m.expected - seen.size();
  m.loss_percent = 100.0 * static_cast<double>(m.lost) / static_cast<double>(m.expected);

  // --- Timestamps of the main PT: median step over seq + 1 pairs, then classification, then "virtual" timestamps
  // with jumps spliced out (for jitter and delay variation).
  std::vector<std::size_t> audio;  // main PT, not duplicates, capture order
  for (std::size_t i = 0; i < n; ++i) {
    if (!duplicate[i] && packets[i].payload_type == main_pt) audio.push_back(i);
  }
  if (audio.empty()) {  // every main-PT packet repeats another PT's sequence number: keep the first anyway
    for (std::size_t i = 0; i < n && audio.empty(); ++i) {
      if (packets[i].payload_type == main_pt) audio.push_back(i);
    }
  }
  {
    std::vector<double> steps;
    std::size_t prev = audio.front();
    for (std::size_t k = 1; k < audio.size(); ++k) {
      const std::size_t cur = audio[k];
      if (vext[cur] < vext[prev]) continue;  // reordered: the in-order predecessor stays prev
      if (vext[cur] - vext[prev] == 1 && !seq_jump[cur]) {
        steps.push_back(static_cast<std::int32_t>(packets[cur].timestamp - packets[prev].timestamp));
      }
      prev = cur;
    }
    if (!steps.empty()) m.median_timestamp_step = static_cast<std::int64_t>(std::llround(median_of(steps)));
  }
  const std::int64_t step = m.median_timestamp_step.value_or(0);
  if (m.median_timestamp_step && m.clock_rate_known) m.ptime_ms = 1000.0 * static_cast<double>(step) / clock;

  m.first_packet_marker = packets.front().marker;
  for (const auto& packet : packets) m.markers += packet.marker ? 1 : 0;

  std::vector<double> vts(n, 0);  // seconds on the sender's clock, relative to the first audio packet
  {
    std::size_t prev = audio.front();
    vts[prev] = 0;
    for (std::size_t k = 1; k < audio.size(); ++k) {
      const std::size_t cur = audio[k];
      const auto ts_delta = static_cast<std::int64_t>(static_cast<std::int32_t>(packets[cur].timestamp -
                                                                                  packets[prev].timestamp));
      const std::int64_t d = vext[cur] - vext[prev];
      if (d < 1) {  // reordered: placed relative to the newest packet, no classification
        vts[cur] = vts[prev] + static_cast<double>(ts_delta) / clock;
        continue;
      }
      std::int64_t used_delta = ts_delta;
      if (step > 0) {
        const std::int64_t diff = ts_delta - d * step;
        if (diff == 0) {
          if (packets[cur].marker) ++m.markers_mid_stream;
        } else if (packets[cur].marker && diff > 0) {
          ++m.talkspurts;  // silence suppression: the timestamp gap is real time
        } else if (diff > 0 && diff <= kTimestampJumpSteps * step) {
          ++m.timestamp_step_errors;
        } else if (diff < 0 && -diff <= kTimestampJumpSteps * step && ts_delta > 0) {
          ++m.timestamp_step_errors;
        } else {
          ++m.timestamp_jumps;
          used_delta = d * step;  // splice: assume continuity across a restart
        }
      }
      vts[cur] = vts[prev] + static_cast<double>(used_delta) / clock;
      prev = cur;
    }
  }

  // --- RFC 3550 jitter: D(i-1,i) = (Rj - Ri) - (Sj - Si) in timestamp units, J += (|D| - J) / 16.
  {
    double j = 0;
    std::vector<std::pair<double, double>> trace;  // (time since t0, J ms) per packet
    trace.emplace_back(packets[audio.front()].time - t0, 0.0);
    for (std::size_t k = 1; k < audio.size(); ++k) {
      const std::size_t a = audio[k - 1], b = audio[k];
      const double d = (packets[b].time - packets[a].time) * clock - (vts[b] - vts[a]) * clock;
      j += (std::fabs(d) - j) / 16;
      m.max_jitter = std::max(m.max_jitter, j);
      trace.emplace_back(packets[b].time - t0, j * 1000 / clock);
    }
    m.jitter = j;
    m.jitter_ms = j * 1000 / clock;
    m.max_jitter_ms = m.max_jitter * 1000 / clock;
    const auto seconds = static_cast<std::size_t>(std::ceil(m.duration_s - kWindowEpsilon));
    std::size_t idx = 0;
    double current = 0;
    for (std::size_t s = 1; s <= std::max<std::size_t>(seconds, 1); ++s) {
      while (idx < trace.size() && trace[idx].first <= static_cast<double>(s) + kWindowEpsilon) {
        current = trace[idx].second;
        ++idx;
      }
      m.jitter_over_time.push_back({static_cast<double>(s), current});
    }
  }

  // --- Inter-arrival (all packets, capture order).
  {
    std::vector<double> gaps;
    for (std::size_t i = 1; i < n; ++i) gaps.push_back((packets[i].time - packets[i - 1].time) * 1000);
    m.inter_arrival_ms = percentile_stats(std::move(gaps));
  }

  // --- Delay variation: transit = arrival - sender time; against the fastest packet.
  std::vector<bool> late(n, false);
  {
    double min_transit = std::numeric_limits<double>::infinity();
    for (std::size_t i : audio) min_transit = std::min(min_transit, packets[i].time - vts[i]);
    for (std::size_t i : audio) {
      const double dv_ms = (packets[i].time - vts[i] - min_transit) * 1000;
      ++m.delay_variation[delay_bucket(dv_ms)];
      m.max_delay_variation_ms = std::max(m.max_delay_variation_ms, dv_ms);
      if (dv_ms > options.jitter_buffer_ms) {
        late[i] = true;
        ++m.late_packets;
      }
    }
  }

  // --- Payload sizes of the main PT.
  {
    std::vector<double> sizes;
    for (std::size_t i : audio) sizes.push_back(static_cast<double>(packets[i].payload_size));
    const auto median_size = static_cast<std::size_t>(std::llround(median_of(sizes)));
    m.median_payload_size = median_size;
    m.min_payload_size = static_cast<std::size_t>(*std::min_element(sizes.begin(), sizes.end()));
    m.max_payload_size = static_cast<std::size_t>(*std::max_element(sizes.begin(), sizes.end()));
    for (std::size_t i : audio) m.payload_size_changes += packets[i].payload_size != median_size ? 1 : 0;
    if (codec && codec->frame_bytes > 0) {
      m.payload_whole_frames = median_size % codec->frame_bytes == 0 && median_size > 0;
      m.payload_ptime_ms = static_cast<double>(median_size) / codec->frame_bytes * codec->frame_ms;
    }
  }

  // --- Loss slots: one per virtual sequence number, at the arrival time of its first copy; missing ones
  // interpolated between their received neighbours (so a loss belongs to the interval it happened in).
  std::vector<Slot> slots(m.expected);
  for (std::size_t i = 0; i < n; ++i) {
    if (duplicate[i]) continue;
    Slot& slot = slots[static_cast<std::size_t>(vext[i] - min_v)];
    slot.received = true;
    slot.time = packets[i].time - t0;
    slot.late = late[i];
  }
  {
    std::size_t prev = 0;  // slot 0 and the last are always received
    for (std::size_t s = 1; s < slots.size(); ++s) {
      if (!slots[s].received) continue;
      for (std::size_t g = prev + 1; g < s; ++g) {
        const double fraction = static_cast<double>(g - prev) / static_cast<double>(s - prev);
        slots[g].time = slots[prev].time + (slots[s].time - slots[prev].time) * fraction;
      }
      if (s - prev > 1) {
        const std::uint64_t length = s - prev - 1;
        ++m.loss_bursts[burst_bucket(length)];
        ++m.loss_burst_count;
        m.max_loss_burst = std::max(m.max_loss_burst, length);
      }
      prev = s;
    }
  }

  // --- E-model per window.
  {
    struct Acc {
      std::uint64_t expected = 0, lost = 0, late = 0, bursts = 0, bursts_jb = 0;
    };
    const double window = options.window_s > 0 ? options.window_s : 5.0;
    std::vector<Acc> acc;
    std::size_t last_window = std::numeric_limits<std::size_t>::max();
    bool prev_lost = false, prev_lost_jb = false;
    for (const Slot& slot : slots) {
      const auto w = static_cast<std::size_t>(std::max(0.0, std::floor(slot.time / window + kWindowEpsilon)));
      if (w >= acc.size()) acc.resize(w + 1);
      if (w != last_window) prev_lost = prev_lost_jb = false;  // a burst is counted in each window it touches
      last_window = w;
      Acc& a = acc[w];
      ++a.expected;
      const bool lost = !slot.received;
      const bool lost_jb = lost || slot.late;
      if (lost) ++a.lost;
      if (slot.received && slot.late) ++a.late;
      if (lost && !prev_lost) ++a.bursts;
      if (lost_jb && !prev_lost_jb) ++a.bursts_jb;
      prev_lost = lost;
      prev_lost_jb = lost_jb;
    }
    const CodecImpairment& ci = m.emodel.codec;
    bool any_full = false;
    for (std::size_t w = 0; w < acc.size(); ++w) {
      const Acc& a = acc[w];
      IntervalQuality q;
      q.start_s = static_cast<double>(w) * window;
      q.end_s = std::min(static_cast<double>(w + 1) * window, std::max(m.duration_s, q.start_s));
      q.expected = a.expected;
      q.lost = a.lost;
      q.late = a.late;
      const double slots_w = a.expected ? static_cast<double>(a.expected) : 1.0;
      q.loss_percent = 100.0 * static_cast<double>(a.lost) / slots_w;
      q.burst_ratio = burst_ratio(a.lost, a.bursts, a.expected);
      q.r = r_factor(effective_ie(ci, q.loss_percent, q.burst_ratio));
      q.mos = mos_from_r(q.r);
      q.loss_percent_jb = 100.0 * static_cast<double>(a.lost + a.late) / slots_w;
      q.burst_ratio_jb = burst_ratio(a.lost + a.late, a.bursts_jb, a.expected);
      q.r_jb = r_factor(effective_ie(ci, q.loss_percent_jb, q.burst_ratio_jb));
      q.mos_jb = mos_from_r(q.r_jb);
      m.emodel.intervals.push_back(q);
      if (a.expected >= kMinWindowSlots) any_full = true;
    }
    double r_sum = 0, mos_sum = 0, r_jb_sum = 0, mos_jb_sum = 0;
    std::size_t counted = 0;
    for (std::size_t w = 0; w < m.emodel.intervals.size(); ++w) {
      const IntervalQuality& q = m.emodel.intervals[w];
      if (any_full && q.expected < kMinWindowSlots) continue;
      if (q.expected == 0) continue;
      r_sum += q.r;
      mos_sum += q.mos;
      r_jb_sum += q.r_jb;
      mos_jb_sum += q.mos_jb;
      if (!m.emodel.worst_interval || q.mos < m.emodel.intervals[*m.emodel.worst_interval].mos) {
        m.emodel.worst_interval = w;
      }
      if (!m.emodel.worst_interval_jb || q.mos_jb < m.emodel.intervals[*m.emodel.worst_interval_jb].mos_jb) {
        m.emodel.worst_interval_jb = w;
      }
      ++counted;
    }
    if (counted > 0) {
      const auto c = static_cast<double>(counted);
      m.emodel.r_mean = r_sum / c;
      m.emodel.mos_mean = mos_sum / c;
      m.emodel.r_jb_mean = r_jb_sum / c;
      m.emodel.mos_jb_mean = mos_jb_sum / c;
      m.emodel.r_min = m.emodel.intervals[*m.emodel.worst_interval].r;
      m.emodel.mos_min = m.emodel.intervals[*m.emodel.worst_interval].mos;
      m.emodel.r_jb_min = m.emodel.intervals[*m.emodel.worst_interval_jb].r_jb;
      m.emodel.mos_jb_min = m.emodel.intervals[*m.emodel.worst_interval_jb].mos_jb;
    }
  }
  return m;
}

namespace {

template <typename T>
nlohmann::json optional_json(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

template <typename Array>
nlohmann::json buckets_json(const Array& counts, const std::array<const char*, 6>& labels) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < labels.size(); ++i) out[labels[i]] = counts[i];
  return out;
}

nlohmann::json stats_json(const PercentileStats& s) {
  return {{"count", s.count}, {"min", s.min}, {"mean", s.mean}, {"max", s.max}, {"median", s.median}, {"p99", s.p99}};
}

}  // namespace

nlohmann::json to_json(const StreamMetrics& m) {
  nlohmann::json j;
  j["packets"] = m.packets;
  j["expected"] = m.expected;
  j["lost"] = m.lost;
  j["loss_percent"] = m.loss_percent;
  j["duplicates"] = m.duplicates;
  j["reordered"] = m.reordered;
  j["sequence_jumps"] = m.sequence_jumps;
  j["sequence_wraps"] = m.sequence_wraps;
  j["first_sequence"] = m.first_sequence;
  j["last_sequence"] = m.last_sequence;
  j["loss_bursts"] = buckets_json(m.loss_bursts, kBurstBucketLabels);
  j["loss_burst_count"] = m.loss_burst_count;
  j["max_loss_burst"] = m.max_loss_burst;
  j["clock_rate"] = m.clock_rate;
  j["clock_rate_known"] = m.clock_rate_known;
  j["jitter"] = {{"final", m.jitter}, {"final_ms", m.jitter_ms}, {"max", m.max_jitter}, {"max_ms", m.max_jitter_ms}};
  nlohmann::json over_time = nlohmann::json::array();
  for (const auto& sample : m.jitter_over_time) over_time.push_back({{"t", sample.time_s}, {"ms", sample.jitter_ms}});
  j["jitter"]["over_time"] = over_time;
  j["inter_arrival_ms"] = stats_json(m.inter_arrival_ms);
  j["delay_variation_ms"] = buckets_json(m.delay_variation, kDelayBucketLabels);
  j["max_delay_variation_ms"] = m.max_delay_variation_ms;
  j["late_packets"] = m.late_packets;
  j["main_payload_type"] = optional_json(m.main_payload_type);
  nlohmann::json types = nlohmann::json::array();
  for (const auto& t : m.payload_types) types.push_back({{"pt", t.payload_type}, {"packets", t.packets}});
  j["payload_types"] = types;
  j["median_timestamp_step"] = optional_json(m.median_timestamp_step);
  j["ptime_ms"] = optional_json(m.ptime_ms);
  j["payload_size"] = {{"median", optional_json(m.median_payload_size)},
                       {"min", m.min_payload_size},
                       {"max", m.max_payload_size},
                       {"changes", m.payload_size_changes},
                       {"ptime_ms", optional_json(m.payload_ptime_ms)},
                       {"whole_frames", m.payload_whole_frames}};
  j["markers"] = {{"count", m.markers},
                  {"first_packet", m.first_packet_marker},
                  {"mid_stream", m.markers_mid_stream},
                  {"talkspurts", m.talkspurts}};
  j["timestamp"] = {{"step_errors", m.timestamp_step_errors}, {"jumps", m.timestamp_jumps}};
  j["duration_s"] = m.duration_s;
  const EModelSummary& e = m.emodel;
  nlohmann::json intervals = nlohmann::json::array();
  for (const auto& q : e.intervals) {
    intervals.push_back({{"start_s", q.start_s}, {"end_s", q.end_s}, {"expected", q.expected}, {"lost", q.lost},
                         {"late", q.late}, {"loss_percent", q.loss_percent}, {"burst_ratio", q.burst_ratio},
                         {"r", q.r}, {"mos", q.mos}, {"loss_percent_jb", q.loss_percent_jb},
                         {"burst_ratio_jb", q.burst_ratio_jb}, {"r_jb", q.r_jb}, {"mos_jb", q.mos_jb}});
  }
  j["emodel"] = {{"codec", e.codec.codec},
                 {"ie", e.codec.ie},
                 {"bpl", e.codec.bpl},
                 {"codec_assumed", e.codec.assumed},
                 {"window_s", e.window_s},
                 {"jitter_buffer_ms", e.jitter_buffer_ms},
                 {"r_mean", e.r_mean},
                 {"r_min", e.r_min},
                 {"mos_mean", e.mos_mean},
                 {"mos_min", e.mos_min},
                 {"r_jb_mean", e.r_jb_mean},
                 {"r_jb_min", e.r_jb_min},
                 {"mos_jb_mean", e.mos_jb_mean},
                 {"mos_jb_min", e.mos_jb_min},
                 {"worst_interval", optional_json(e.worst_interval)},
                 {"worst_interval_jb", optional_json(e.worst_interval_jb)},
                 {"intervals", intervals}};
  return j;
}

}  // namespace mohq::analyzers
