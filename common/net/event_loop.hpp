// Single-threaded epoll event loop. Handlers run on the loop's thread; none may block.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include "net/fd.hpp"

namespace mohq::net {

enum Events : std::uint32_t {
  kReadable = 1u << 0,
  kWritable = 1u << 1,
};

class EventLoop {
 public:
  // events: kReadable and/or kWritable; an error or hang-up on the fd is reported as both.
  using Handler = std::function<void(std::uint32_t events)>;

  EventLoop();  // throws std::system_error if epoll_create1 fails
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // The loop does not own fd; the caller removes it before closing it. A handler may add or remove any fd,
  // including its own, while it runs.
  void add(int fd, std::uint32_t events, Handler handler);
  void modify(int fd, std::uint32_t events);
  void remove(int fd);

  // Runs until stop() is called from a handler (or another thread); a stop() that came before run() counts.
  // Returns after the current batch and clears the request, so the same loop can be run again.
  void run();
  // Waits at most timeout_ms (-1: forever, 0: poll) and dispatches one batch; returns handlers run.
  int run_once(int timeout_ms);
  void stop();
  bool stopping() const { return stop_requested_.load(); }

 private:
  Fd epoll_;
  Fd wake_;  // eventfd so stop() from another thread interrupts epoll_wait
  std::unordered_map<int, std::shared_ptr<Handler>> handlers_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace mohq::net
