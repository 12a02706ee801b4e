#include "analyzers/audio/audio_checks.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <sstream>

#include "analyzers/audio/audio_decode.hpp"
#include "analyzers/audio/dsp.hpp"
#include "analyzers/audio/gst_decode.hpp"

namespace mohq::analyzers {

// ---- Thresholds (README.md "Calibration": measured on the five Debian MOH tracks and the core sound prompts).
constexpr std::size_t kWindowBytes = 8000;          // 1 s of G.711
constexpr std::size_t kMinLastWindowBytes = 2000;   // a shorter tail is not classified
constexpr std::size_t kMaxClassifiedWindows = 4;    // per stream; see the classification loop
constexpr double kMinWindowConfidence = 0.5;        // a window votes only when the classifier is this sure
constexpr double kMismatchShare = 0.5;              // share of voting windows that must name the other encoding
constexpr double kIdleDbfs = -60.0;                 // a 1 s window below this is idle (0xFF / 0xD5 and near)
constexpr double kLongSilenceSeconds = 10.0;        // a stretch this long inside music is reported
constexpr double kLevelLowDbfs = -45.0;             // average RMS of the non-idle audio
constexpr double kLevelHighDbfs = -3.0;
constexpr std::size_t kClickGuard = 64;             // samples either side of a jump left out of its context (8 ms)
constexpr std::size_t kClickContext = 512;          // context: 8..64 ms before and after the jump
constexpr double kClickRatio = 45.0;                // |jump| / local first-difference RMS
constexpr int kClickMinJump = 4000;                 // and an absolute jump of at least this (about -18 dBFS)
constexpr double kClickReferenceFloor = 50.0;       // local RMS floor (idle stretches)
constexpr std::size_t kClickMergeSamples = 80;      // detections within 10 ms are one click
constexpr std::int16_t kFullScale = 32000;          // G.711 decodes to at most 32124 (mu) / 32256 (A)
constexpr std::size_t kClipRunSamples = 3;
constexpr double kClipRunsPerMinute = 6.0;          // clipped runs per minute of audio before it is reported

namespace {

std::string law_name(PayloadEncoding encoding) {
  switch (encoding) {
    case PayloadEncoding::Pcmu: return "mu-law";
    case PayloadEncoding::Pcma: return "A-law";
    case PayloadEncoding::Linear16Le:
    case PayloadEncoding::Linear16Be: return "16-bit linear PCM";
    case PayloadEncoding::Silence: return "silence";
    case PayloadEncoding::Unknown: return "unknown bytes";
  }
  return "unknown bytes";
}

std::string fixed(double value, int digits = 1) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(digits);
  out << value;
  return out.str();
}

double round_to(double value, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

nlohmann::json measures_json(const EncodingMeasures& m) {
  return {{"prediction_gain_db", round_to(m.prediction_gain_db, 2)}, {"level_dbfs", round_to(m.level_dbfs, 1)},
          {"zero_crossing_rate", round_to(m.zero_crossing_rate, 3)}, {"high_band_energy", round_to(m.high_band_energy, 3)},
          {"spectral_flatness", round_to(m.spectral_flatness, 4)}};
}

std::size_t index_of(PayloadEncoding encoding) { return static_cast<std::size_t>(encoding); }

}  // namespace

AudioMeasures measure_audio(std::span<const std::int16_t> samples) {
  AudioMeasures m;
  const std::size_t n = samples.size();
  m.seconds = static_cast<double>(n) / kG711SampleRate;
  if (n == 0) return m;
  const std::int16_t* const x = samples.data();

  // Every sample of every stream of a capture comes through here (a 60 s stream is 480,000 samples), so the
  // whole stream is read once, in kBlock-sample blocks, by loops without branches that the compiler vectorizes:
  // per block the energy, the peak, the energy of the first difference d[i] = x[i] - x[i-1] and its largest
  // magnitude. Only what those numbers flag is looked at sample by sample afterwards: clipped runs in 1 s windows
  // whose peak is at full scale, click candidates in blocks whose largest jump reaches kClickMinJump. The
  // results are exactly those of the sample-by-sample definitions (integer sums, same comparisons).
  constexpr std::size_t kBlock = 64;  // divides the 8000-sample window: windows are whole blocks
  static_assert(kG711SampleRate % kBlock == 0);
  const std::size_t blocks = (n + kBlock - 1) / kBlock;
  // Kept per thread so a capture's streams reuse the buffers.
  thread_local std::vector<dsp::BlockStats> stats;
  thread_local std::vector<std::uint64_t> diff_prefix;  // first-difference energy before each block
  thread_local std::vector<std::uint32_t> jump_blocks;  // blocks holding a |d| >= kClickMinJump
  stats.resize(blocks);
  diff_prefix.resize(blocks + 1);
  jump_blocks.clear();
  dsp::block_stats(x, n, kBlock, stats.data());
  diff_prefix[0] = 0;
  for (std::size_t b = 0; b < blocks; ++b) {
    diff_prefix[b + 1] = diff_prefix[b] + stats[b].diff_energy;
    if (stats[b].jump >= kClickMinJump) jump_blocks.push_back(static_cast<std::uint32_t>(b));
  }

  double active_energy = 0, all_energy = 0;
  std::size_t active_samples = 0;
  double run = 0;
  int peak = 0;
  std::size_t clip_run = 0;
  auto end_clip_run = [&] {
    if (clip_run >= kClipRunSamples) {
      ++m.clipped_runs;
      m.clipped_samples += clip_run;
    }
    clip_run = 0;
  };
  for (std::size_t start = 0; start < n; start += kG711SampleRate) {
    const std::size_t length = std::min<std::size_t>(kG711SampleRate, n - start);
    std::int64_t window_energy = 0;  // 8000 squares of at most 2^30 fit an int64
    int window_peak = 0;
    for (std::size_t b = start / kBlock; b < (start + length + kBlock - 1) / kBlock; ++b) {
      window_energy += stats[b].energy;
      window_peak = std::max(window_peak, stats[b].peak);
    }
    peak = std::max(peak, window_peak);

    // Level and silence on 1 s windows.
    const double energy = static_cast<double>(window_energy);
    all_energy += energy;
    const double seconds = static_cast<double>(length) / kG711SampleRate;
    if (dsp::dbfs(std::sqrt(energy / static_cast<double>(length))) < kIdleDbfs) {
      m.silent_seconds += seconds;
      run += seconds;
      m.longest_silence_seconds = std::max(m.longest_silence_seconds, run);
    } else {
      run = 0;
      active_energy += energy;
      active_samples += length;
    }

    // Clipping: runs at full scale (a run may continue from the previous window); a window without a full-scale
    // sample ends any run.
    if (window_peak < kFullScale) {
      end_clip_run();
      continue;
    }
    for (std::size_t i = start; i < start + length; ++i) {
      if (x[i] >= kFullScale || x[i] <= -kFullScale) {
        ++clip_run;
        continue;
      }
      end_clip_run();
    }
  }
  end_clip_run();
  m.rms_dbfs = active_samples ? dsp::dbfs(std::sqrt(active_energy / static_cast<double>(active_samples)))
                              : dsp::dbfs(std::sqrt(all_energy / static_cast<double>(n)));
  m.peak_dbfs = dsp::dbfs(peak);
  if (n < 2) return m;

  // Sum of d[j]^2 over j in [from, to) (d[0] counts as 0), exactly: whole blocks from the prefix sums, the ends
  // directly (at most 2 x 63 samples).
  auto direct = [&](std::size_t from, std::size_t to) {
    std::uint64_t sum = 0;
    for (std::size_t j = std::max<std::size_t>(from, 1); j < to; ++j) {
      const int d = x[j] - x[j - 1];
      sum += static_cast<std::uint32_t>(d) * static_cast<std::uint32_t>(d);
    }
    return sum;
  };
  auto range_sum = [&](std::size_t from, std::size_t to) {
    const std::size_t first_block = (from + kBlock - 1) / kBlock, last_block = to / kBlock;
    if (first_block >= last_block) return direct(from, to);
    return direct(from, first_block * kBlock) + (diff_prefix[last_block] - diff_prefix[first_block]) +
           direct(last_block * kBlock, to);
  };
  // The context windows of successive candidates only move forward: a window slides (subtract what it leaves,
  // add what it enters) when it moved a little, and is summed afresh when it jumped. Loud music has a candidate
  // every few samples; each then costs a few additions.
  struct Band {
    std::size_t from = 0, to = 0;
    std::uint64_t sum = 0;  // of d^2 over [from, to); modular arithmetic while sliding, exact in the end
  };
  auto band_rms = [&](Band& band, std::size_t from, std::size_t to) {
    from = std::min(from, n);
    to = std::min(to, n);
    if (to <= from) return 0.0;
    if (from >= band.to || (from - band.from) + (to - band.to) > 2 * kBlock) {
      band.sum = range_sum(from, to);
    } else {
      band.sum -= direct(band.from, from);
      band.sum += direct(band.to, to);
    }
    band.from = from;
    band.to = to;
    return std::sqrt(static_cast<double>(band.sum) / static_cast<double>(to - from));
  };

  // RMS over [from, to) counting only the whole blocks inside (a lower bound of band_rms).
  auto inner_rms = [&](std::size_t from, std::size_t to) {
    if (to <= from) return 0.0;
    const std::size_t first_block = (from + kBlock - 1) / kBlock, last_block = to / kBlock;
    const std::uint64_t sum = first_block < last_block ? diff_prefix[last_block] - diff_prefix[first_block] : 0;
    return std::sqrt(static_cast<double>(sum) / static_cast<double>(to - from));
  };

  // Clicks: a click is an isolated jump, |d[i]| >= kClickMinJump far above the first difference around it
  // (kClickGuard..kClickContext samples before and after, the jump itself excluded) on both sides. A drum attack
  // is loud afterwards, so it is not one.
  Band before_band, after_band;
  std::optional<std::size_t> last_click;
  for (const std::uint32_t block : jump_blocks) {
    const std::size_t from = std::max<std::size_t>(std::size_t{block} * kBlock, 1);
    const std::size_t to = std::min(std::size_t{block} * kBlock + kBlock, n);
    for (std::size_t i = from; i < to; ++i) {
      const int step = x[i] - x[i - 1];
      if (std::abs(step) < kClickMinJump) continue;
      const double jump = std::abs(static_cast<double>(step));
      // A candidate that can neither be a click nor raise max_click_ratio is passed over. The whole blocks inside
      // each context give a lower bound of its RMS (d^2 >= 0) and so an upper bound of the ratio; loud music has
      // thousands of candidates whose bound is below the ratio already seen.
      const std::size_t before_from = std::min(i > kClickContext ? i - kClickContext : 0, n);
      const std::size_t before_to = std::min(i > kClickGuard ? i - kClickGuard : 0, n);
      const double before_floor = i > kClickGuard ? inner_rms(before_from, before_to) : 0.0;
      const double after_floor = inner_rms(std::min(i + kClickGuard, n), std::min(i + kClickContext, n));
      const double bound = jump / std::max({before_floor, after_floor, kClickReferenceFloor});
      if (bound < kClickRatio && bound <= m.max_click_ratio) continue;
      const double before =
          i > kClickGuard ? band_rms(before_band, i > kClickContext ? i - kClickContext : 0, i - kClickGuard) : 0.0;
      const double after = band_rms(after_band, i + kClickGuard, i + kClickContext);
      const double reference = std::max({before, after, kClickReferenceFloor});
      const double ratio = jump / reference;
      m.max_click_ratio = std::max(m.max_click_ratio, ratio);
      if (ratio < kClickRatio) continue;
      if (!last_click || i - *last_click > kClickMergeSamples) m.click_seconds.push_back(static_cast<double>(i) / kG711SampleRate);
      last_click = i;
    }
  }
  // The kurtosis of the first difference is evidence for a click finding only: computed when there is one.
  if (!m.click_seconds.empty()) {
    // The mean first difference telescopes to (last - first) / (n - 1).
    const double mean = (static_cast<double>(x[n - 1]) - x[0]) / static_cast<double>(n - 1);
    double m2 = 0, m4 = 0;
    for (std::size_t i = 1; i < n; ++i) {
      const double c = (static_cast<double>(x[i]) - x[i - 1] - mean) * (static_cast<double>(x[i]) - x[i - 1] - mean);
      m2 += c;
      m4 += c * c;
    }
    m2 /= static_cast<double>(n - 1);
    m4 /= static_cast<double>(n - 1);
    m.difference_kurtosis = m2 > 0 ? m4 / (m2 * m2) : 0;
  }
  return m;
}

AudioCheckReport check_audio(const RtpStream& stream) {
  AudioCheckReport report;
  const std::string label = stream_label(stream);
  auto add = [&](std::string id, Severity severity, std::string message, nlohmann::json evidence, std::string fix) {
    report.findings.push_back(Finding{std::move(id), severity, stream.expected.call_id, label, std::move(message),
                                      std::move(evidence), std::move(fix)});
  };
  if (stream.packets.empty()) {
    report.content_note = "no packets";
    return report;
  }

  // Payload types: which ones, and were they negotiated.
  std::array<std::size_t, 128> type_count{};  // RTP payload types are 7 bits
  for (const auto& packet : stream.packets) ++type_count[packet.payload_type & 0x7f];
  std::map<unsigned, std::size_t> type_counts;
  for (unsigned type = 0; type < type_count.size(); ++type)
    if (type_count[type] != 0) type_counts[type] = type_count[type];
  const auto& negotiated = stream.expected.negotiated_types;
  if (!negotiated.empty()) {
    for (const auto& [type, count] : type_counts) {
      if (std::find(negotiated.begin(), negotiated.end(), type) != negotiated.end()) continue;
      add("codec.pt_not_negotiated", Severity::Error,
          "payload type " + std::to_string(type) + " is sent in " + std::to_string(count) +
              " packets but the call negotiated only " + nlohmann::json(negotiated).dump(),
          {{"payload_type", type}, {"packets", count}, {"negotiated_types", negotiated}},
          "serve the prompt under a negotiated type (a <file>." + std::to_string(negotiated.front()) +
              " prompt) or fix the SDP answer");
    }
  }
  const unsigned claimed_type =
      std::max_element(type_counts.begin(), type_counts.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      })->first;
  const auto claimed = g711_encoding_of(claimed_type);
  const auto gst_codec = gst_codec_for(claimed_type);  // G.722, GSM, G.729: decoded through GStreamer

  // The payload bytes of the dominant type, concatenated in packet order, into a buffer each thread keeps (every
  // stream of a capture comes through here): the container scan and the classifier read across packets.
  thread_local std::vector<std::uint8_t> concatenated;
  concatenated.clear();
  for (const auto& packet : stream.packets)
    if (packet.payload_type == claimed_type) {
      const auto payload = stream.payload(packet);
      concatenated.insert(concatenated.end(), payload.begin(), payload.end());
    }
  const std::span<const std::uint8_t> bytes = concatenated;
  double bytes_per_second = claimed ? kG711SampleRate : 0;
  if (gst_codec)
    bytes_per_second = static_cast<double>(gst_codec->frame_bytes) * kG711SampleRate / static_cast<double>(gst_codec->frame_samples);

  // Container headers anywhere in the payload bytes (every occurrence: one per loop).
  {
    std::vector<std::size_t> offsets;
    std::string format;
    std::size_t from = 0;
    while (from < bytes.size()) {
      const auto header = find_container_header(bytes.subspan(from));
      if (!header) break;
      if (format.empty()) format = header->format;
      offsets.push_back(from + header->offset);
      from += header->offset + 1;
    }
    if (!offsets.empty()) {
      nlohmann::json evidence = {{"format", format}, {"occurrences", offsets.size()},
                                 {"offsets", std::vector<std::size_t>(offsets.begin(), offsets.begin() +
                                                                      static_cast<long>(std::min<std::size_t>(offsets.size(), 20)))}};
      std::string how_often = "once";
      if (bytes_per_second > 0) {
        evidence["first_seconds"] = round_to(static_cast<double>(offsets.front()) / bytes_per_second, 3);
        if (offsets.size() > 1) {
          const double interval = static_cast<double>(offsets[1] - offsets[0]) / bytes_per_second;
          evidence["interval_seconds"] = round_to(interval, 3);
          how_often = std::to_string(offsets.size()) + " times, every " + fixed(interval) + " s (once per loop)";
        }
      } else if (offsets.size() > 1) {
        how_often = std::to_string(offsets.size()) + " times";
      }
      const std::string prompt =
          stream.expected.prompt.empty() ? "the prompt" : "the prompt " + stream.expected.prompt + "." + std::to_string(claimed_type);
      add("codec.container_header", Severity::Warning,
          prompt + " contains a " + format + " file header, played as audio " + how_often + ": a click per loop",
          evidence,
          std::string("convert it to raw ") + (gst_codec ? gst_codec->name : "G.711") + ": mohq prompt convert INPUT --out " +
              (stream.expected.prompt.empty() ? std::string("<dir>/<file>") : stream.expected.prompt) + " --codecs " +
              std::to_string(claimed_type));
    }
  }

  std::vector<std::int16_t> gst_samples;
  std::span<const std::int16_t> samples;
  if (!claimed) {
    std::string reason;
    if (gst_codec) {
      std::vector<std::span<const std::uint8_t>> payloads;
      for (const auto& packet : stream.packets)
        if (packet.payload_type == claimed_type) payloads.push_back(stream.payload(packet));
      auto decoded = decode_payloads(*gst_codec, payloads);
      if (decoded) {
        gst_samples = std::move(*decoded);
        samples = gst_samples;
      } else {
        reason = decoded.error();
      }
    } else {
      reason = gst_undecodable_reason(claimed_type);
    }
    if (!reason.empty()) {
      report.content_note = "payload type " + std::to_string(claimed_type) + " is not G.711 (0 or 8) and was not decoded (" +
                            reason + "): content checks (clicks, clipping, silence, level) skipped";
      add("audio.unchecked", Severity::Info, "the stream's payload type " + std::to_string(claimed_type) +
          " was not decoded: its audio was not checked (" + reason + ")",
          {{"payload_type", claimed_type}, {"reason", reason}},
          !gst_codec ? std::string("none needed; capture a G.711, GSM, G.722 or G.729 leg to check the audio")
          : reason.find("is missing") != std::string::npos
              ? std::string("install the Debian package ") + gst_codec->debian_package + " (GStreamer element " +
                    gst_codec->element + ") to check this audio"
              : std::string("the payloads did not decode: check the prompt file (mohq prompt lint)"));
      return report;
    }
    // The G.711 byte classifier does not apply to compressed payloads: the decoded audio is judged as it is.
    report.content_note = std::string(gst_codec->name) + " decoded with GStreamer (" + gst_codec->element + ")";
  } else {
    // What the bytes are: 1 s windows vote.
    std::map<PayloadEncoding, std::size_t> votes;
    std::size_t voting = 0;
    // At most kMaxClassifiedWindows windows, spread evenly over the stream (the first always): a prompt loops,
    // so a wrong file shows in every window, and the classifier is most of mohq analyze's time otherwise.
    const std::size_t windows = (bytes.size() + kWindowBytes - 1) / kWindowBytes;
    const std::size_t stride = std::max<std::size_t>(1, (windows + kMaxClassifiedWindows - 1) / kMaxClassifiedWindows);
    // The windows vote on what the classifier decides with; the spectral description is computed below only
    // for the window a finding quotes.
    std::vector<std::size_t> window_starts;
    for (std::size_t start = 0; start < bytes.size(); start += kWindowBytes * stride) {
      const std::size_t size = std::min(kWindowBytes, bytes.size() - start);
      if (size < kMinLastWindowBytes && start > 0) break;
      report.windows.push_back(classify_payload(bytes.subspan(start, size), ClassifierDetail::Decision));
      window_starts.push_back(start);
      const auto& guess = report.windows.back();
      if (guess.encoding == PayloadEncoding::Silence || guess.encoding == PayloadEncoding::Unknown ||
          guess.confidence < kMinWindowConfidence)
        continue;
      ++votes[guess.encoding];
      ++voting;
    }
    std::optional<PayloadEncoding> majority;
    std::size_t majority_votes = 0;
    for (const auto& [encoding, count] : votes)
      if (count > majority_votes) {
        majority = encoding;
        majority_votes = count;
      }
    if (majority && *majority != *claimed &&
        static_cast<double>(majority_votes) >= kMismatchShare * static_cast<double>(voting)) {
      // Evidence from the most confident window naming the majority.
      std::size_t best_index = 0;
      bool found = false;
      for (std::size_t w = 0; w < report.windows.size(); ++w)
        if (report.windows[w].encoding == *majority && (!found || report.windows[w].confidence > report.windows[best_index].confidence)) {
          best_index = w;
          found = true;
        }
      const std::size_t best_start = window_starts[best_index];
      report.windows[best_index] = classify_payload(bytes.subspan(best_start, std::min(kWindowBytes, bytes.size() - best_start)));
      const PayloadGuess* best = &report.windows[best_index];
      const std::string what = law_name(*majority);
      const std::string message =
          stream.expected.prompt.empty()
              ? "payload type " + std::to_string(claimed_type) + " claims " + law_name(*claimed) + " but the bytes are " + what
              : "the prompt " + stream.expected.prompt + "." + std::to_string(claimed_type) + " holds " + what + ", not " +
                    law_name(*claimed);
      nlohmann::json evidence = {
          {"claimed_payload_type", claimed_type},
          {"claimed_encoding", encoding_name(*claimed)},
          {"guessed_encoding", encoding_name(*majority)},
          {"windows", report.windows.size()},
          {"voting_windows", voting},
          {"windows_guessing_it", majority_votes},
          {"confidence", round_to(best->confidence, 3)},
          {"margin_db", round_to(best->margin_db, 2)},
          {"odd_even_byte_skew", round_to(best->odd_even_byte_skew, 3)},
          {"as_claimed", measures_json(best->by_encoding[index_of(*claimed)])},
          {"as_guessed", measures_json(best->by_encoding[index_of(*majority)])}};
      if (!stream.expected.prompt.empty()) evidence["prompt"] = stream.expected.prompt + "." + std::to_string(claimed_type);
      add("codec.payload_mismatch", Severity::Error, message, evidence,
          "convert it: mohq prompt convert INPUT --out " +
              (stream.expected.prompt.empty() ? std::string("<dir>/<file>") : stream.expected.prompt) + " --codecs " +
              std::to_string(claimed_type));
      report.content_note = "the bytes are " + what + ", not " + law_name(*claimed) +
                            ": clicks, clipping, silence and level not judged on mis-decoded audio";
      return report;
    }
    // Decoded into a buffer each thread keeps (every stream of a capture comes through here).
    thread_local std::vector<std::int16_t> decoded;
    if (decoded.size() < bytes.size()) decoded.resize(bytes.size());
    samples = std::span<const std::int16_t>(decoded.data(), dsp::decode_into(bytes, *claimed, decoded));
  }

  // The decoded audio.
  report.content_checked = true;
  report.measures = measure_audio(samples);
  const auto& m = report.measures;
  const double minutes = std::max(m.seconds / 60.0, 1.0 / 60.0);
  const bool all_silent = m.silent_seconds >= m.seconds - 0.5;
  if (all_silent) {
    add("audio.silence", Severity::Error,
        "the stream is idle for its whole " + fixed(m.seconds) + " s (" + fixed(m.rms_dbfs) + " dBFS): music on hold plays silence",
        {{"seconds", round_to(m.seconds, 2)}, {"rms_dbfs", round_to(m.rms_dbfs, 1)}, {"idle_dbfs", kIdleDbfs}},
        "check the prompt file's content (mohq prompt lint) and the rtpproxy P argument");
  } else if (m.longest_silence_seconds >= kLongSilenceSeconds) {
    add("audio.silence", Severity::Warning,
        "the stream is idle for " + fixed(m.longest_silence_seconds) + " s in a row (" + fixed(m.silent_seconds) + " s of " +
            fixed(m.seconds) + " s in all)",
        {{"longest_seconds", round_to(m.longest_silence_seconds, 2)}, {"silent_seconds", round_to(m.silent_seconds, 2)},
         {"seconds", round_to(m.seconds, 2)}, {"idle_dbfs", kIdleDbfs}},
        "trim the silence out of the prompt (sox INPUT OUTPUT silence 1 0.1 0.1% reverse silence 1 0.1 0.1% reverse)");
  }
  if (!all_silent && (m.rms_dbfs < kLevelLowDbfs || m.rms_dbfs > kLevelHighDbfs)) {
    const bool low = m.rms_dbfs < kLevelLowDbfs;
    add("audio.level", Severity::Warning,
        std::string("the audio is too ") + (low ? "quiet" : "loud") + ": " + fixed(m.rms_dbfs) + " dBFS RMS, peak " +
            fixed(m.peak_dbfs) + " dBFS (sane: " + fixed(kLevelLowDbfs, 0) + " to " + fixed(kLevelHighDbfs, 0) + " dBFS)",
        {{"rms_dbfs", round_to(m.rms_dbfs, 1)}, {"peak_dbfs", round_to(m.peak_dbfs, 1)},
         {"low_dbfs", kLevelLowDbfs}, {"high_dbfs", kLevelHighDbfs}},
        "normalize the prompt before converting it (sox INPUT OUTPUT gain -n -3, then mohq prompt convert)");
  }
  if (!m.click_seconds.empty()) {
    std::vector<double> positions;
    for (std::size_t i = 0; i < std::min<std::size_t>(m.click_seconds.size(), 20); ++i)
      positions.push_back(round_to(m.click_seconds[i], 3));
    const double per_minute = static_cast<double>(m.click_seconds.size()) / minutes;
    add("audio.click", Severity::Warning,
        std::to_string(m.click_seconds.size()) + " click(s) in " + fixed(m.seconds) + " s (" + fixed(per_minute) +
            " per minute), first at " + fixed(m.click_seconds.front(), 3) + " s",
        {{"clicks", m.click_seconds.size()}, {"per_minute", round_to(per_minute, 2)}, {"positions_seconds", positions},
         {"max_jump_ratio", round_to(m.max_click_ratio, 1)}, {"difference_kurtosis", round_to(m.difference_kurtosis, 1)},
         {"ratio_threshold", kClickRatio}},
        "look for a container header or a splice in the prompt (mohq prompt lint) and re-convert it");
  }
  const double clip_per_minute = static_cast<double>(m.clipped_runs) / minutes;
  if (m.clipped_runs > 0 && clip_per_minute >= kClipRunsPerMinute) {
    add("audio.clipping", Severity::Warning,
        std::to_string(m.clipped_runs) + " runs of full-scale samples (" + fixed(clip_per_minute) + " per minute)",
        {{"runs", m.clipped_runs}, {"samples", m.clipped_samples}, {"per_minute", round_to(clip_per_minute, 2)},
         {"full_scale", kFullScale}, {"min_run_samples", kClipRunSamples}},
        "lower the prompt's gain before converting it (sox INPUT OUTPUT gain -n -3)");
  }
  return report;
}

}  // namespace mohq::analyzers
