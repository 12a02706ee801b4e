// Absolute-deadline pacing of every playing prompt (rtpproxy-protocol.md §3.4 "Timing").
#include "fake_rtpproxy/pacer.hpp"

#include <algorithm>
#include <span>

namespace mohq::fake_rtpproxy {
namespace {

// At most this many packets of one stream per send: a stream that fell far behind (a stalled loop) catches up
// in several sendmmsg calls of bounded size instead of one buffer as large as the backlog.
constexpr std::size_t kMaxPacketsPerSend = 64;
// How far ahead of its deadline a packet may leave when a timer expiry serves it (see on_timer).
constexpr auto kCoalesceWindow = std::chrono::microseconds(200);

}  // namespace

struct Pacer::Entry {
  Player player;
  PlaybackTarget* target;
  net::TimePoint start;          // packet k is due at start + k * packet duration
  net::TimePoint next_release;   // when packet k = player.packets_generated() leaves: due, plus jitter
};

struct Pacer::Batch {
  std::vector<std::uint8_t> bytes;                   // packets of one send, back to back
  std::vector<std::span<const std::uint8_t>> spans;  // views of the kept (not fault-dropped) ones
};

Pacer::Pacer(net::EventLoop& loop, std::uint64_t seed)
    : loop_(loop), rng_(seed), batch_(std::make_unique<Batch>()) {
  loop_.add(timer_.fd(), net::kReadable, [this](std::uint32_t) { on_timer(); });
}

Pacer::~Pacer() { loop_.remove(timer_.fd()); }

PlayerId Pacer::start(const PlaySpec& spec, PlaybackTarget& target) {
  const PlayerId id = next_id_++;
  start(id, spec, target);
  return id;
}

void Pacer::start(PlayerId id, const PlaySpec& spec, PlaybackTarget& target) {
  // Built before any state changes: a bad spec (no payload type, ptime above 999 ms) throws from here.
  Player player(spec, faults_, RtpStart::random(rng_));
  const net::TimePoint now = net::Clock::now();
  players_.emplace(id, std::make_unique<Entry>(Entry{std::move(player), &target, now, now}));
  heap_.push(Due{now, id});  // the first packet goes out at once
  ++counters_.players_created;
  rearm();
}

void Pacer::stop(PlayerId id) {
  // Its heap slot stays until it comes due and is skipped then (or dropped by rearm when it is on top).
  if (players_.erase(id) > 0) ++counters_.players_destroyed;
}

bool Pacer::playing(PlayerId id) const { return players_.contains(id); }

std::size_t Pacer::active_players() const { return players_.size(); }

void Pacer::on_timer() {
  timer_.acknowledge();
  armed_for_ = {};  // one-shot: it is disarmed now
  // Packets due within the next kCoalesceWindow go out in this wakeup. Streams start at scattered instants,
  // so without this every packet would get a timer expiry (and three system calls) of its own: at 3,000
  // streams that was 150,000 wakeups a second, most of the process's CPU. Sending at most this much early
  // bounds the deviation it adds.
  const net::TimePoint now = net::Clock::now() + kCoalesceWindow;
  // Players started by a callback below are due at their own (later) now, so this loop always ends.
  while (!heap_.empty() && heap_.top().when <= now) {
    const PlayerId id = heap_.top().id;
    heap_.pop();
    const auto found = players_.find(id);
    if (found == players_.end()) continue;  // stopped since it was scheduled
    serve(id, *found->second, now);
  }
  rearm();
}

void Pacer::serve(PlayerId id, Entry& entry, net::TimePoint now) {
  Batch& batch = *batch_;
  Player& player = entry.player;
  const std::size_t packet_size = player.max_packet_size();
  const auto duration = player.packet_duration();

  // Every due packet is generated, so a dropped one still uses its seq and ts: the receiver sees a gap.
  auto dropped_by_fault = [this](std::uint64_t index) {
    if (faults_.burst_length > 0 && faults_.burst_period > 0 &&
        index % static_cast<std::uint64_t>(faults_.burst_period) < static_cast<std::uint64_t>(faults_.burst_length)) {
      return true;
    }
    if (faults_.loss <= 0.0) return false;  // no draw: the random stream is only used when a fault asks
    return faults_.loss >= 1.0 || std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < faults_.loss;
  };

  std::size_t played = 0;
  std::size_t kept = 0;
  bool finished = false;
  while (entry.next_release <= now && played < kMaxPacketsPerSend) {
    // Grows to the largest send seen, then is reused.
    if (batch.bytes.size() < (kept + 1) * packet_size) batch.bytes.resize((kept + 1) * packet_size);
    const std::uint64_t index = player.packets_generated();
    const std::size_t size = player.next_packet(std::span(batch.bytes).subspan(kept * packet_size, packet_size));
    if (size == 0) {
      finished = true;  // at the due time of the packet that would have followed: the prompt has played out
      break;
    }
    ++played;
    if (dropped_by_fault(index)) {
      ++counters_.packets_dropped_by_fault;
    } else {
      ++kept;
    }
    // Absolute deadline start + k * duration, never "now + duration", so late ticks do not accumulate drift.
    // Jitter delays each packet by up to jitter_ms but never before the previous one: order is kept.
    net::TimePoint release = entry.start + static_cast<std::int64_t>(player.packets_generated()) * duration;
    if (faults_.jitter_ms > 0) {
      release += std::chrono::microseconds(
          std::uniform_int_distribution<std::int64_t>(0, std::int64_t{faults_.jitter_ms} * 1000)(rng_));
    }
    entry.next_release = std::max(entry.next_release, release);
  }

  if (kept > 0) {
    const PlaybackTarget& target = *entry.target;
    std::size_t sent = 0;
    if (kept == 1) {
      // The usual case on time: one sendto, the same syscall count as sendmmsg without send_batch's vectors.
      sent = net::send_datagram(target.playback_fd(), std::span(batch.bytes).first(packet_size),
                                target.playback_destination()) ? 1 : 0;
    } else {
      batch.spans.clear();
      for (std::size_t i = 0; i < kept; ++i) {
        batch.spans.emplace_back(batch.bytes.data() + i * packet_size, packet_size);
      }
      sent = net::send_datagrams(target.playback_fd(), batch.spans, target.playback_destination());
    }
    counters_.packets_sent += sent;
  }
  if (!finished) heap_.push(Due{entry.next_release, id});

  // Callbacks last: they may start or stop players, including this one, so entry is not used past here.
  PlaybackTarget* const target = entry.target;
  // Packets dropped by a fault count as played: the player sent them as far as the session knows (TTL).
  if (played > 0) target->on_packets_played(played, now);
  if (finished) {
    const auto found = players_.find(id);
    if (found == players_.end()) return;  // on_packets_played stopped it: stop() means no callback
    players_.erase(found);
    ++counters_.players_destroyed;
    target->on_playback_finished(id);
  }
}

void Pacer::rearm() {
  while (!heap_.empty() && !players_.contains(heap_.top().id)) heap_.pop();  // stopped players on top
  if (heap_.empty()) {
    if (armed_for_ != net::TimePoint{}) {
      timer_.disarm();
      armed_for_ = {};
    }
    return;
  }
  const net::TimePoint when = heap_.top().when;
  if (when != armed_for_) {
    timer_.arm_at(when);  // a deadline already past fires at once
    armed_for_ = when;
  }
}

}  // namespace mohq::fake_rtpproxy
