// Prompt playback spread over media threads. The control thread (commands, sessions, relay) hands each new
// player to one shard: a thread with its own event loop and Pacer. Sending is the expensive part (the
// kernel's loopback path runs inside sendto), so a second core doubles how many streams keep their pace.
// Every call here is made on the control thread; the shards never touch session state.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "net/event_loop.hpp"
#include "net/fd.hpp"
#include "net/socket_address.hpp"
#include "fake_rtpproxy/pacer.hpp"

namespace mohq::fake_rtpproxy {

// Told, on the control thread, when a prompt has played out (not when it was stopped).
class PlaybackListener {
 public:
  virtual ~PlaybackListener() = default;
  virtual void on_playback_finished(PlayerId id) = 0;
};

class MediaShards {
 public:
  // nice: scheduling niceness of the media threads (0 = as the process). A negative value lets them keep time
  // when the machine is busy (a load test runs the system under test and the callers on the same cores).
  MediaShards(net::EventLoop& control_loop, std::uint64_t seed, int shard_count, int nice = 0);
  ~MediaShards();
  MediaShards(const MediaShards&) = delete;
  MediaShards& operator=(const MediaShards&) = delete;

  // fd must stay open until stop(id) returns or the listener heard that the prompt finished.
  PlayerId start(const PlaySpec& spec, int fd, const net::SocketAddress& destination, PlaybackListener& listener);
  // Returns once the shard has dropped the player: the caller may close the socket right after.
  void stop(PlayerId id);
  // The leg latched on a new address while playing.
  void set_destination(PlayerId id, const net::SocketAddress& destination);

  bool playing(PlayerId id) const { return players_.contains(id); }
  std::size_t active_players() const { return players_.size(); }
  int shard_count() const { return static_cast<int>(shards_.size()); }

  void set_faults(const RtpFaults& faults);
  const RtpFaults& current_faults() const { return faults_; }
  // Players are counted on the control thread (exact); packets by the shards, as of their last turn.
  PacerCounters counters() const;

 private:
  struct Shard;
  struct Remote;
  struct Placement {
    Shard* shard;
    PlaybackListener* listener;
  };

  void post_to_control(std::function<void()> work);
  void run_control_inbox();

  net::EventLoop& control_loop_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::unordered_map<PlayerId, Placement> players_;
  PlayerId next_id_ = 1;
  std::uint64_t players_created_ = 0;
  std::uint64_t players_destroyed_ = 0;
  RtpFaults faults_;

  net::Fd control_wake_;
  std::mutex control_mutex_;
  std::vector<std::function<void()>> control_inbox_;
};

}  // namespace mohq::fake_rtpproxy
