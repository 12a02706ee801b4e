// Sends every playing prompt's packets on time: one timerfd armed at the earliest absolute deadline, a heap of
// players by due time, and all packets of a stream that are due sent together with sendmmsg. Deadlines are
// start + n * packet duration, so pacing never drifts however late a tick runs (rtpproxy-protocol.md §3.4).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <random>
#include <unordered_map>
#include <vector>

#include "net/event_loop.hpp"
#include "net/socket_address.hpp"
#include "net/timer.hpp"
#include "net/udp_socket.hpp"
#include "fake_rtpproxy/player.hpp"

namespace mohq::fake_rtpproxy {

using PlayerId = std::uint64_t;

// Where a player's packets go: implemented by the session leg, whose remote address may change (latching)
// while it plays.
class PlaybackTarget {
 public:
  virtual ~PlaybackTarget() = default;
  virtual int playback_fd() const = 0;  // the leg's RTP socket: packets leave from the port the party sends to
  virtual const net::SocketAddress& playback_destination() const = 0;
  virtual void on_packets_played(std::size_t count, net::TimePoint now) = 0;  // TTL refresh, counters
  virtual void on_playback_finished(PlayerId id) = 0;                        // unmute the leg
};

struct PacerCounters {
  std::uint64_t packets_sent = 0;
  std::uint64_t packets_dropped_by_fault = 0;
  std::uint64_t players_created = 0;
  std::uint64_t players_destroyed = 0;
};

class Pacer {
 public:
  Pacer(net::EventLoop& loop, std::uint64_t seed);
  ~Pacer();
  Pacer(const Pacer&) = delete;
  Pacer& operator=(const Pacer&) = delete;

  // The first packet is due now. faults are copied: later changes affect later plays only, except loss,
  // burst and jitter, which are read per packet from current_faults().
  PlayerId start(const PlaySpec& spec, PlaybackTarget& target);
  // The same with an id the caller chose (unique among this pacer's players), for callers that hand out ids
  // before the pacer sees the request.
  void start(PlayerId id, const PlaySpec& spec, PlaybackTarget& target);
  // Stops without calling on_playback_finished (the caller is tearing the leg down or replacing the player).
  void stop(PlayerId id);
  bool playing(PlayerId id) const;
  std::size_t active_players() const;

  void set_faults(const RtpFaults& faults) { faults_ = faults; }
  const RtpFaults& current_faults() const { return faults_; }
  const PacerCounters& counters() const { return counters_; }

 private:
  struct Entry;
  struct Batch;  // packet buffers reused by every send, so steady-state pacing does not allocate
  void on_timer();
  void serve(PlayerId id, Entry& entry, net::TimePoint now);
  void rearm();

  net::EventLoop& loop_;
  net::Timer timer_;
  std::mt19937_64 rng_;
  RtpFaults faults_;
  PacerCounters counters_;
  PlayerId next_id_ = 1;
  std::unordered_map<PlayerId, std::unique_ptr<Entry>> players_;
  struct Due {
    net::TimePoint when;
    PlayerId id;
    bool operator>(const Due& other) const { return when > other.when; }
  };
  std::priority_queue<Due, std::vector<Due>, std::greater<>> heap_;
  net::TimePoint armed_for_{};  // the deadline the timer is armed for; epoch when disarmed
  std::unique_ptr<Batch> batch_;
};

}  // namespace mohq::fake_rtpproxy
