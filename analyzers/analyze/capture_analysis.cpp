#include "analyzers/analyze/capture_analysis.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <thread>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <tuple>

#include "analyzers/analyze/stream_content.hpp"
#include "analyzers/calls/call_tracker.hpp"
#include "analyzers/calls/sip_checks.hpp"
#include "analyzers/capture/capture_reader.hpp"
#include "analyzers/rtp/rtp_checks.hpp"
#include "analyzers/rtp/stream_metrics.hpp"
#include "rtp/rtp_header.hpp"
#include "sip/message.hpp"

namespace mohq::analyzers {

namespace {

// SIP starts with a method token or "SIP/2.0"; RTP with version bits 10; rtpproxy control with a cookie.
bool looks_like_sip(std::string_view payload) {
  if (payload.size() < 12) return false;
  if (payload.starts_with("SIP/2.0 ")) return true;
  const auto space = payload.find(' ');
  if (space == std::string_view::npos || space == 0 || space > 16) return false;
  for (std::size_t i = 0; i < space; ++i)
    if (payload[i] < 'A' || payload[i] > 'Z') return false;
  return payload.find(" SIP/2.0", space) != std::string_view::npos;
}

bool looks_like_rtp(std::string_view payload) {
  if (payload.size() < rtp::kFixedHeaderSize) return false;
  const auto first = static_cast<std::uint8_t>(payload[0]);
  const auto type = static_cast<std::uint8_t>(payload[1]) & 0x7f;
  return (first >> 6) == 2 && !(type >= 72 && type <= 76);  // 72-76: RTCP SR/RR/SDES/BYE/APP (RFC 5761 4)
}

// A stream while the capture is read. Its packet records are appended to fixed-size chunks (no reallocation of a
// growing array on the one thread that reads); payloads stay where they are in the mapped capture file, and only
// those that are not there (a reassembled datagram, pcapng read through libpcap) are copied into the stream's
// own store at once. The thread that judges the stream moves the records into stream.packets.
constexpr std::size_t kPacketsPerChunk = 1024;
using PacketChunk = std::array<RtpPacketRecord, kPacketsPerChunk>;

struct PendingStream {
  RtpStream stream;  // source, destination, SSRC, expectation, payload owners
  std::vector<std::unique_ptr<PacketChunk>> chunks;
  std::size_t packets = 0;
  double first_time = 0;
  std::size_t hash = 0;  // stream_hash of its key

  void add(const RtpPacketRecord& packet) {
    if (packets % kPacketsPerChunk == 0) chunks.push_back(std::make_unique_for_overwrite<PacketChunk>());
    if (packets == 0) first_time = packet.time;
    (*chunks.back())[packets % kPacketsPerChunk] = packet;
    ++packets;
  }
};

// stream.packets from the pending stream's chunks.
void build_stream(PendingStream& pending) {
  std::vector<RtpPacketRecord>& packets = pending.stream.packets;
  packets.reserve(pending.packets);
  for (std::size_t done = 0, chunk = 0; done < pending.packets; done += kPacketsPerChunk, ++chunk) {
    const PacketChunk& from = *pending.chunks[chunk];
    packets.insert(packets.end(), from.begin(), from.begin() + std::min(kPacketsPerChunk, pending.packets - done));
  }
  pending.chunks = std::vector<std::unique_ptr<PacketChunk>>();  // the chunks are not needed any more
}

std::size_t stream_hash(const Endpoint& source, const Endpoint& destination, std::uint32_t ssrc) {
  const std::hash<std::string_view> text;
  std::size_t h = text(source.ip) * 31 + text(destination.ip);
  h = h * 1000003 + (std::size_t{source.port} << 16 | destination.port);
  h = (h ^ ssrc) * 0x9E3779B97F4A7C15ULL;  // mixed, so that the low bits StreamTable uses depend on every field
  return h ^ (h >> 29);
}

// The streams found so far, by key: open addressing over stream indices (a lookup per RTP packet, no key built,
// no division, no allocation).
class StreamTable {
 public:
  // The stream with this key, or a new one (appended to `streams`).
  PendingStream& find_or_add(std::vector<PendingStream>& streams, const Endpoint& source, const Endpoint& destination,
                             std::uint32_t ssrc) {
    const std::size_t hash = stream_hash(source, destination, ssrc);
    if ((streams.size() + 1) * 2 > slots_.size()) grow(streams);
    for (std::size_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
      const std::uint32_t entry = slots_[slot];
      if (entry == 0) {
        slots_[slot] = static_cast<std::uint32_t>(streams.size() + 1);
        PendingStream& added = streams.emplace_back();
        added.hash = hash;
        added.stream.source = source;
        added.stream.destination = destination;
        added.stream.ssrc = ssrc;
        return added;
      }
      PendingStream& known = streams[entry - 1];
      if (known.hash == hash && known.stream.ssrc == ssrc && known.stream.source == source &&
          known.stream.destination == destination)
        return known;
    }
  }

 private:
  void grow(const std::vector<PendingStream>& streams) {
    slots_.assign(std::max<std::size_t>(64, slots_.size() * 2), 0);
    mask_ = slots_.size() - 1;
    for (std::size_t i = 0; i < streams.size(); ++i) {
      std::size_t slot = streams[i].hash & mask_;
      while (slots_[slot] != 0) slot = (slot + 1) & mask_;
      slots_[slot] = static_cast<std::uint32_t>(i + 1);
    }
  }
  std::vector<std::uint32_t> slots_;  // stream index + 1; 0 is empty
  std::size_t mask_ = 0;
};

// Reading and sorting overlapped: the thread that walks the capture hands each datagram over in batches, another
// sorts them into SIP, rtpproxy and RTP streams, in the same order. A payload that lies in the mapped capture is
// handed over as it is; any other (reassembled, from libpcap's buffer) is copied, since it lives only during the
// reader's callback.
class DatagramPipe {
 public:
  explicit DatagramPipe(const MappedCapture& file) : file_(file) {}

  // Reader's side.
  void push(const CapturedDatagram& datagram) {
    if (!filling_) filling_ = take_spare();
    Item& item = filling_->items[filling_->count++];
    item.datagram.frame = datagram.frame;
    item.datagram.time = datagram.time;
    item.datagram.transport = datagram.transport;
    item.datagram.source = datagram.source;  // reuses the strings' storage of an earlier batch
    item.datagram.destination = datagram.destination;
    if (file_.contains(datagram.payload)) {
      item.datagram.payload = datagram.payload;
    } else {
      item.owned.assign(datagram.payload);
      item.datagram.payload = item.owned;
    }
    if (filling_->count == kBatch) hand_over();
  }
  std::exception_ptr error() const { return error_; }
  void close() {
    if (filling_ && filling_->count > 0) hand_over();
    const std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }

  // Sorter's side: every datagram in order, until the reader closed the pipe. An exception from `sort` is kept
  // (error()) and the rest is drained unsorted, so the reader never waits for a batch that will not come back.
  template <class Sort>
  void drain(Sort&& sort) {
    for (;;) {
      std::unique_ptr<Batch> batch;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !full_.empty() || closed_; });
        if (full_.empty()) return;
        batch = std::move(full_.front());
        full_.pop_front();
      }
      if (!error_) {
        try {
          for (std::size_t i = 0; i < batch->count; ++i)
            sort(static_cast<const CapturedDatagram&>(batch->items[i].datagram));
        } catch (...) {
          error_ = std::current_exception();
        }
      }
      batch->count = 0;
      const std::lock_guard lock(mutex_);
      spare_.push_back(std::move(batch));
      changed_.notify_all();
    }
  }

 private:
  static constexpr std::size_t kBatch = 1024;
  static constexpr std::size_t kMaxBatches = 16;  // bounds the memory when the sorter falls behind
  struct Item {
    CapturedDatagram datagram;
    std::string owned;
  };
  struct Batch {
    std::vector<Item> items = std::vector<Item>(kBatch);
    std::size_t count = 0;
  };

  std::unique_ptr<Batch> take_spare() {
    std::unique_lock lock(mutex_);
    if (spare_.empty() && batches_ < kMaxBatches) {
      ++batches_;
      return std::make_unique<Batch>();
    }
    changed_.wait(lock, [&] { return !spare_.empty(); });
    auto batch = std::move(spare_.back());
    spare_.pop_back();
    return batch;
  }
  void hand_over() {
    const std::lock_guard lock(mutex_);
    full_.push_back(std::move(filling_));
    changed_.notify_all();
  }

  const MappedCapture& file_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Batch>> full_;
  std::vector<std::unique_ptr<Batch>> spare_;
  std::unique_ptr<Batch> filling_;
  std::size_t batches_ = 0;
  bool closed_ = false;
  std::exception_ptr error_;  // written by the sorter only; read after it was joined
};

// Streams of a call: towards the caller's offered address (the prompt), or from the caller to the answer's.
bool belongs_to(const RtpStream& stream, const CallRecord& call) {
  if (call.offer && stream.destination == call.offer->endpoint) return true;
  if (call.answer && stream.destination == call.answer->endpoint && stream.source.ip == call.offer->endpoint.ip)
    return true;
  return false;
}

// Several calls can offer the same address (SIPp's sequential calls all offer m=audio 6000): the call whose
// answer names the stream's source (rtpproxy's port for the prompt) and whose messages span the stream's start
// wins; 0 when the stream is not the call's at all.
int match_score(const RtpStream& stream, double start, const CallRecord& call) {
  if (!belongs_to(stream, call)) return 0;
  int score = 1;
  if (call.answer && (stream.source == call.answer->endpoint || stream.destination == call.answer->endpoint))
    score += 2;
  if (!call.events.empty() && start >= call.events.front().time && start <= call.events.back().time) score += 1;
  return score;
}

void attach(RtpStream& stream, const CallRecord& call) {
  stream.expected.call_id = call.call_id;
  if (call.answer) stream.expected.negotiated_types = call.answer->payload_types;
  // rtpproxy re-packetizes to L's Z value (§13.2); otherwise the SDP's ptime.
  if (call.rtpproxy_ptime)
    stream.expected.ptime_ms = call.rtpproxy_ptime;
  else if (call.answer && call.answer->ptime_ms)
    stream.expected.ptime_ms = call.answer->ptime_ms;
  else if (call.offer && call.offer->ptime_ms)
    stream.expected.ptime_ms = call.offer->ptime_ms;
  if (call.offer && stream.destination == call.offer->endpoint)
    stream.expected.prompt = call.prompt;
  else
    stream.expected.from_caller = true;
}

nlohmann::json endpoint_json(const Endpoint& endpoint) { return endpoint.to_string(); }

}  // namespace

bool AnalysisResult::has_errors() const {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& finding) { return finding.severity == Severity::Error; });
}

Expected<AnalysisResult, std::string> analyze_capture(const std::filesystem::path& capture,
                                                      const AnalyzeOptions& options) {
  AnalysisResult result;
  CallTracker tracker;
  std::vector<PendingStream> streams;
  StreamTable stream_table;
  bool first = true;
  // The capture is mapped when it is a regular file, so that RTP payloads need not be copied: streams keep the
  // mapping alive and their packets point into it.
  std::shared_ptr<const MappedCapture> mapped;
  if (auto opened = MappedCapture::open(capture)) mapped = std::make_shared<const MappedCapture>(std::move(*opened));

  auto on_datagram = [&](const CapturedDatagram& datagram) {
    if (first) {
      result.capture_start = datagram.time;
      first = false;
    }
    result.capture_end = std::max(result.capture_end, datagram.time);
    const std::string_view payload = datagram.payload;
    // An RTP version byte (0x80-0xBF) cannot start a SIP message (a method or "SIP/2.0"): no SIP test for it.
    const bool rtp_version = !payload.empty() && (static_cast<std::uint8_t>(payload[0]) >> 6) == 2;
    if (!rtp_version && looks_like_sip(payload)) {
      if (auto message = sip::parse_message(payload)) {
        ++result.sip_messages;
        tracker.on_sip(datagram, *message);
        return;
      }
    }
    if (datagram.transport == TransportProtocol::Udp && looks_like_rtp(payload)) {
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(payload.data());
      if (auto packet = rtp::parse_packet({bytes, payload.size()})) {
        ++result.rtp_packets;
        PendingStream* const pending =
            &stream_table.find_or_add(streams, datagram.source, datagram.destination, packet->header.ssrc);
        RtpPacketRecord record;
        record.frame = datagram.frame;
        record.time = datagram.time;
        record.sequence = packet->header.sequence;
        record.timestamp = packet->header.timestamp;
        record.payload_type = packet->header.payload_type;
        record.marker = packet->header.marker;
        record.payload_size = packet->payload.size();
        const std::string_view payload_text(reinterpret_cast<const char*>(packet->payload.data()), packet->payload.size());
        record.payload_data = mapped && mapped->contains(payload_text) ? packet->payload.data()
                                                                      : pending->stream.keep(packet->payload);
        pending->add(record);
        return;
      }
    }
    if (datagram.transport == TransportProtocol::Udp) tracker.on_rtpproxy_datagram(datagram);
  };
  const unsigned cores = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  Expected<CaptureSummary, std::string> summary = Unexpected(std::string());
  if (mapped && cores > 1) {
    DatagramPipe pipe(*mapped);
    std::thread sorter([&] { pipe.drain(on_datagram); });
    struct Join {  // the sorter is ended and joined on every way out, an exception from the reader included
      DatagramPipe& pipe;
      std::thread& thread;
      ~Join() {
        pipe.close();
        thread.join();
      }
    };
    {
      const Join join{pipe, sorter};
      summary = read_capture(*mapped, [&](const CapturedDatagram& datagram) { pipe.push(datagram); });
    }
    if (pipe.error()) std::rethrow_exception(pipe.error());
  } else {
    summary = mapped ? read_capture(*mapped, on_datagram) : read_capture(capture, on_datagram);
  }
  if (!summary) return Unexpected(summary.error());
  // Streams in the order of (source, destination, SSRC), as reports have always listed them.
  std::vector<std::uint32_t> order(streams.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const RtpStream& x = streams[a].stream;
    const RtpStream& y = streams[b].stream;
    return std::tie(x.source, x.destination, x.ssrc) < std::tie(y.source, y.destination, y.ssrc);
  });
  result.capture = capture_summary_json(*summary);
  result.rtpproxy_commands = tracker.rtpproxy_commands();
  result.calls = tracker.calls();

  // Calls: signalling findings.
  for (const auto& call : result.calls)
    for (auto& finding : check_sip_call(call, result.capture_end)) result.findings.push_back(std::move(finding));

  // Streams: join to calls, then metrics, RTP checks, content checks.
  std::map<std::pair<Endpoint, Endpoint>, std::vector<const RtpStream*>> flows;
  std::vector<PendingStream*> pending_of;  // per result.streams entry: where its payloads still are
  for (const std::uint32_t index : order) {
    RtpStream& stream = streams[index].stream;
    if (streams[index].packets < options.min_stream_packets) continue;
    const CallRecord* best = nullptr;
    int best_score = 0;
    for (const auto& call : result.calls)
      if (const int score = match_score(stream, streams[index].first_time, call); score > best_score) {
        best = &call;
        best_score = score;
      }
    if (best) attach(stream, *best);
    stream.mapped_capture = mapped;
    result.streams.emplace_back();
    pending_of.push_back(&streams[index]);
  }
  // Streams are independent: they are judged on every core, each into its own findings, merged in stream order.
  std::vector<Findings> per_stream(result.streams.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < result.streams.size(); i = next++) {
      StreamResult& entry = result.streams[i];
      build_stream(*pending_of[i]);
      entry.stream = std::move(pending_of[i]->stream);
      const auto metrics = compute_metrics(entry.stream);
      entry.metrics = to_json(metrics);
      per_stream[i] = check_rtp_stream(entry.stream, metrics);
      analyze_stream_content(entry, options, per_stream[i]);
    }
  };
  const std::size_t threads = std::min<std::size_t>(
      result.streams.size(), options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  for (std::size_t i = 0; i < result.streams.size(); ++i) {
    for (auto& finding : per_stream[i]) result.findings.push_back(std::move(finding));
    flows[{result.streams[i].stream.source, result.streams[i].stream.destination}].push_back(&result.streams[i].stream);
  }
  for (const auto& [flow, members] : flows)
    if (members.size() > 1)
      for (auto& finding : check_ssrc_changes(members)) result.findings.push_back(std::move(finding));

  // Errors first, then warnings, then info; stable within a severity (capture order).
  std::stable_sort(result.findings.begin(), result.findings.end(), [](const Finding& a, const Finding& b) {
    return static_cast<int>(a.severity) < static_cast<int>(b.severity);
  });
  return result;
}

nlohmann::json to_json(const AnalysisResult& result) {
  nlohmann::json calls = nlohmann::json::array();
  for (const auto& call : result.calls) {
    const auto timing = call_timing(call, result.capture_end);
    nlohmann::json ladder = nlohmann::json::array();
    for (const auto& event : call.events)
      ladder.push_back({{"frame", event.frame},
                        {"time", event.time},
                        {"from", endpoint_json(event.source)},
                        {"to", endpoint_json(event.destination)},
                        {"message", event.is_request() ? event.method
                                                       : std::to_string(event.code) + " " + event.reason},
                        {"cseq", std::to_string(event.cseq) + " " + event.cseq_method},
                        {"sdp", event.sdp}});
    nlohmann::json rtpproxy = nlohmann::json::array();
    for (const auto& command : call.rtpproxy)
      rtpproxy.push_back({{"frame", command.frame}, {"command", command.command}, {"reply", command.reply}});
    auto optional_number = [](const auto& value) { return value ? nlohmann::json(*value) : nlohmann::json(nullptr); };
    calls.push_back({{"call_id", call.call_id},
                     {"caller", endpoint_json(call.caller)},
                     {"callee", endpoint_json(call.callee)},
                     {"offer", call.offer ? nlohmann::json{{"endpoint", endpoint_json(call.offer->endpoint)},
                                                           {"payload_types", call.offer->payload_types},
                                                           {"ptime", optional_number(call.offer->ptime_ms)}}
                                          : nlohmann::json(nullptr)},
                     {"answer", call.answer ? nlohmann::json{{"endpoint", endpoint_json(call.answer->endpoint)},
                                                             {"payload_types", call.answer->payload_types},
                                                             {"ptime", optional_number(call.answer->ptime_ms)}}
                                            : nlohmann::json(nullptr)},
                     {"prompt", call.prompt},
                     {"rtpproxy_ptime", optional_number(call.rtpproxy_ptime)},
                     {"setup_seconds", optional_number(timing.setup_seconds)},
                     {"final_code", optional_number(timing.final_code)},
                     {"queue_seconds", optional_number(timing.queue_seconds)},
                     {"refer_code", optional_number(timing.refer_code)},
                     {"transfer_status", optional_number(timing.transfer_status)},
                     {"outcome", timing.outcome},
                     {"ladder", ladder},
                     {"rtpproxy", rtpproxy}});
  }
  nlohmann::json streams = nlohmann::json::array();
  for (const auto& entry : result.streams) {
    const auto& stream = entry.stream;
    nlohmann::json item{{"stream", stream_label(stream)},
                        {"source", endpoint_json(stream.source)},
                        {"destination", endpoint_json(stream.destination)},
                        {"ssrc", stream.ssrc},
                        {"call_id", stream.expected.call_id},
                        {"prompt", stream.expected.prompt},
                        {"metrics", entry.metrics},
                        {"audio", entry.audio}};
    if (!entry.prompt.is_null()) item["prompt_comparison"] = entry.prompt;
    if (!entry.wav.empty()) item["wav"] = entry.wav;
    streams.push_back(std::move(item));
  }
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& finding : result.findings)
    findings.push_back({{"id", finding.id},
                        {"severity", std::string(severity_name(finding.severity))},
                        {"call_id", finding.call_id},
                        {"stream", finding.stream},
                        {"message", finding.message},
                        {"evidence", finding.evidence},
                        {"fix", finding.fix}});
  return {{"schema", "mohq.analyze/1"},
          {"capture", result.capture},
          {"counts", {{"sip_messages", result.sip_messages},
                      {"rtpproxy_commands", result.rtpproxy_commands},
                      {"rtp_packets", result.rtp_packets},
                      {"calls", result.calls.size()},
                      {"streams", result.streams.size()}}},
          {"calls", calls},
          {"streams", streams},
          {"findings", findings}};
}

std::string terminal_summary(const AnalysisResult& result) {
  std::ostringstream out;
  char line[512];
  out << "capture: " << result.capture.value("format", "?") << ", " << result.capture.value("link_type", "?") << ", "
      << result.capture.value("frames", 0) << " frames, " << result.sip_messages << " SIP messages, "
      << result.rtpproxy_commands << " rtpproxy commands, " << result.rtp_packets << " RTP packets\n";
  for (const auto& warning : result.capture.value("warnings", nlohmann::json::array()))
    out << "  warning: " << warning.get<std::string>() << "\n";
  out << "\ncalls (" << result.calls.size() << "):\n";
  for (const auto& call : result.calls) {
    const auto timing = call_timing(call, result.capture_end);
    std::snprintf(line, sizeof line, "  %-40s %-5s setup %6s  queued %7s  %s%s\n", call.call_id.c_str(),
                  timing.final_code ? std::to_string(*timing.final_code).c_str() : "-",
                  timing.setup_seconds ? (std::to_string(static_cast<int>(*timing.setup_seconds * 1000)) + "ms").c_str()
                                       : "-",
                  timing.queue_seconds ? (std::to_string(*timing.queue_seconds).substr(0, 5) + "s").c_str() : "-",
                  timing.outcome.c_str(), call.prompt.empty() ? "" : ("  prompt " + call.prompt).c_str());
    out << line;
  }
  out << "\nstreams (" << result.streams.size() << "):\n";
  for (const auto& entry : result.streams) {
    const auto& m = entry.metrics;
    const double jitter = m.contains("jitter") ? m["jitter"].value("max_ms", 0.0) : 0.0;
    const double mos = m.contains("emodel") ? m["emodel"].value("mos_mean", 0.0) : 0.0;
    const double worst = m.contains("emodel") ? m["emodel"].value("mos_min", 0.0) : 0.0;
    const std::string ptime = m.contains("ptime_ms") && m["ptime_ms"].is_number()
                                  ? std::to_string(m["ptime_ms"].get<double>()).substr(0, 4)
                                  : std::string("-");
    std::snprintf(line, sizeof line,
                  "  %-62s pt %-3s %6zu pkts  loss %5.2f%%  jitter max %6.2f ms  ptime %4s ms  MOS %4.2f (worst 5 s %4.2f)\n",
                  stream_label(entry.stream).c_str(),
                  entry.stream.packets.empty() ? "-" : std::to_string(entry.stream.packets.front().payload_type).c_str(),
                  entry.stream.packets.size(), m.value("loss_percent", 0.0), jitter, ptime.c_str(), mos, worst);
    out << line;
  }
  std::size_t errors = 0, warnings = 0;
  out << "\nfindings:\n";
  for (const auto& finding : result.findings) {
    errors += finding.severity == Severity::Error;
    warnings += finding.severity == Severity::Warning;
    out << "  " << severity_name(finding.severity) << "  " << finding.id << "  " << finding.message << "\n";
    if (!finding.call_id.empty()) out << "      call " << finding.call_id << "\n";
    if (!finding.stream.empty()) out << "      stream " << finding.stream << "\n";
    out << "      evidence " << finding.evidence.dump() << "\n      fix: " << finding.fix << "\n";
  }
  if (result.findings.empty()) out << "  none\n";
  out << "\n" << errors << " error(s), " << warnings << " warning(s)\n";
  return out.str();
}

}  // namespace mohq::analyzers
