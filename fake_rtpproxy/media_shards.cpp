#include "fake_rtpproxy/media_shards.hpp"

#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "fake_rtpproxy/log.hpp"

namespace mohq::fake_rtpproxy {
namespace {

net::Fd make_eventfd() {
  int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  return net::Fd(fd);
}

void signal_eventfd(int fd) {
  std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(fd, &one, sizeof one);  // a full counter still wakes the reader
}

void clear_eventfd(int fd) {
  std::uint64_t value = 0;
  [[maybe_unused]] auto got = ::read(fd, &value, sizeof value);
}

}  // namespace

// A player's target as its shard sees it: the socket to send from and where to.
struct MediaShards::Remote final : PlaybackTarget {
  MediaShards* owner = nullptr;
  PlayerId id = 0;
  int fd = -1;
  net::SocketAddress destination;

  int playback_fd() const override { return fd; }
  const net::SocketAddress& playback_destination() const override { return destination; }
  void on_packets_played(std::size_t, net::TimePoint) override {}  // counted by the pacer; TTL by the engine
  void on_playback_finished(PlayerId finished) override {
    MediaShards* shards = owner;
    shards->post_to_control([shards, finished] {
      auto found = shards->players_.find(finished);
      if (found == shards->players_.end()) return;  // stopped meanwhile
      PlaybackListener* listener = found->second.listener;
      shards->players_.erase(found);
      ++shards->players_destroyed_;
      listener->on_playback_finished(finished);
    });
  }
};

struct MediaShards::Shard {
  Shard(std::uint64_t seed) : pacer(loop, seed), wake(make_eventfd()) {
    loop.add(wake.get(), net::kReadable, [this](std::uint32_t) {
      clear_eventfd(wake.get());
      std::vector<std::function<void()>> work;
      {
        std::lock_guard lock(mutex);
        work.swap(inbox);
      }
      for (auto& item : work) item();
    });
  }
  ~Shard() { loop.remove(wake.get()); }

  void post(std::function<void()> work) {
    {
      std::lock_guard lock(mutex);
      inbox.push_back(std::move(work));
    }
    signal_eventfd(wake.get());
  }

  void run(int nice) {
    if (nice != 0 && ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice) != 0) {
      FRTPP_LOG(Warning) << "media thread: cannot set nice " << nice << ": " << std::strerror(errno);
    }
    while (!quit) {
      loop.run_once(-1);
      const PacerCounters& now = pacer.counters();
      packets_sent.store(now.packets_sent, std::memory_order_relaxed);
      packets_dropped.store(now.packets_dropped_by_fault, std::memory_order_relaxed);
    }
  }

  // Everything below the thread is used on the shard's thread only, except the inbox and the counters.
  net::EventLoop loop;
  Pacer pacer;
  std::unordered_map<PlayerId, std::unique_ptr<Remote>> remotes;
  bool quit = false;
  net::Fd wake;
  std::mutex mutex;
  std::vector<std::function<void()>> inbox;
  std::atomic<std::uint64_t> packets_sent{0};
  std::atomic<std::uint64_t> packets_dropped{0};
  std::thread thread;
};

MediaShards::MediaShards(net::EventLoop& control_loop, std::uint64_t seed, int shard_count, int nice)
    : control_loop_(control_loop), control_wake_(make_eventfd()) {
  if (shard_count < 1) throw std::invalid_argument("MediaShards needs at least one shard");
  control_loop_.add(control_wake_.get(), net::kReadable, [this](std::uint32_t) { run_control_inbox(); });
  for (int i = 0; i < shard_count; ++i) {
    auto shard = std::make_unique<Shard>(seed + static_cast<std::uint64_t>(i) * 0x9e3779b97f4a7c15ULL);
    Shard* raw = shard.get();
    raw->thread = std::thread([raw, nice] { raw->run(nice); });
    shards_.push_back(std::move(shard));
  }
}

MediaShards::~MediaShards() {
  for (auto& shard : shards_) {
    Shard* raw = shard.get();
    raw->post([raw] { raw->quit = true; });
  }
  for (auto& shard : shards_) shard->thread.join();
  control_loop_.remove(control_wake_.get());
}

PlayerId MediaShards::start(const PlaySpec& spec, int fd, const net::SocketAddress& destination,
                            PlaybackListener& listener) {
  const PlayerId id = next_id_++;
  ++players_created_;
  Shard* shard = shards_[id % shards_.size()].get();
  players_.emplace(id, Placement{shard, &listener});
  auto remote = std::make_shared<Remote>();
  remote->owner = this;
  remote->id = id;
  remote->fd = fd;
  remote->destination = destination;
  shard->post([shard, id, spec, remote] {
    auto owned = std::make_unique<Remote>(*remote);
    Remote& target = *owned;
    shard->remotes[id] = std::move(owned);
    try {
      shard->pacer.start(id, spec, target);
    } catch (const std::exception& failure) {
      FRTPP_LOG(Error) << "cannot start player " << id << ": " << failure.what();
      target.on_playback_finished(id);
    }
  });
  return id;
}

void MediaShards::stop(PlayerId id) {
  auto found = players_.find(id);
  if (found == players_.end()) return;
  Shard* shard = found->second.shard;
  players_.erase(found);
  ++players_destroyed_;
  std::promise<void> done;
  shard->post([shard, id, &done] {
    shard->pacer.stop(id);
    shard->remotes.erase(id);
    done.set_value();
  });
  done.get_future().wait();
}

void MediaShards::set_destination(PlayerId id, const net::SocketAddress& destination) {
  auto found = players_.find(id);
  if (found == players_.end()) return;
  Shard* shard = found->second.shard;
  shard->post([shard, id, destination] {
    if (auto remote = shard->remotes.find(id); remote != shard->remotes.end()) remote->second->destination = destination;
  });
}

void MediaShards::set_faults(const RtpFaults& faults) {
  faults_ = faults;
  for (auto& shard : shards_) {
    Shard* raw = shard.get();
    raw->post([raw, faults] { raw->pacer.set_faults(faults); });
  }
}

PacerCounters MediaShards::counters() const {
  PacerCounters sum;
  for (const auto& shard : shards_) {
    sum.packets_sent += shard->packets_sent.load(std::memory_order_relaxed);
    sum.packets_dropped_by_fault += shard->packets_dropped.load(std::memory_order_relaxed);
  }
  // Counted here, not by the shards, so they are exact at any moment on the control thread.
  sum.players_created = players_created_;
  sum.players_destroyed = players_destroyed_;
  return sum;
}

void MediaShards::post_to_control(std::function<void()> work) {
  {
    std::lock_guard lock(control_mutex_);
    control_inbox_.push_back(std::move(work));
  }
  signal_eventfd(control_wake_.get());
}

void MediaShards::run_control_inbox() {
  clear_eventfd(control_wake_.get());
  std::vector<std::function<void()>> work;
  {
    std::lock_guard lock(control_mutex_);
    work.swap(control_inbox_);
  }
  for (auto& item : work) item();
}

}  // namespace mohq::fake_rtpproxy
