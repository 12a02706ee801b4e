#include "net/event_loop.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace mohq::net {

namespace {

constexpr int kMaxEventsPerBatch = 64;

// Level-triggered: a handler that reads only part of what is waiting is called again, nothing is lost.
std::uint32_t to_epoll(std::uint32_t events) {
  std::uint32_t result = 0;
  if ((events & kReadable) != 0) result |= EPOLLIN;
  if ((events & kWritable) != 0) result |= EPOLLOUT;
  return result;
}

std::uint32_t from_epoll(std::uint32_t events) {
  // Errors and hang-ups are reported as both readable and writable: whatever the handler tries next
  // (read, write, SO_ERROR) tells it what happened, and a handler waiting only for writability still wakes.
  if ((events & (EPOLLERR | EPOLLHUP)) != 0) return kReadable | kWritable;
  std::uint32_t result = 0;
  if ((events & (EPOLLIN | EPOLLPRI | EPOLLRDHUP)) != 0) result |= kReadable;
  if ((events & EPOLLOUT) != 0) result |= kWritable;
  return result;
}

[[noreturn]] void fail(const char* what, int fd) {
  throw std::system_error(errno, std::generic_category(), std::string(what) + " fd " + std::to_string(fd));
}

}  // namespace

EventLoop::EventLoop()
    : epoll_(::epoll_create1(EPOLL_CLOEXEC)), wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!epoll_.valid()) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  if (!wake_.valid()) throw std::system_error(errno, std::generic_category(), "eventfd");
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = wake_.get();
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &event) != 0) fail("epoll_ctl add", wake_.get());
}

void EventLoop::add(int fd, std::uint32_t events, Handler handler) {
  epoll_event event{};
  event.events = to_epoll(events);
  event.data.fd = fd;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) fail("epoll_ctl add", fd);
  handlers_[fd] = std::make_shared<Handler>(std::move(handler));
}

void EventLoop::modify(int fd, std::uint32_t events) {
  epoll_event event{};
  event.events = to_epoll(events);
  event.data.fd = fd;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &event) != 0) fail("epoll_ctl modify", fd);
}

void EventLoop::remove(int fd) {
  // Tolerant: removing an fd twice, or one the caller already closed (the kernel dropped it then), is not
  // worth a crash during teardown.
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr) != 0 && errno != ENOENT && errno != EBADF) {
    fail("epoll_ctl remove", fd);
  }
  // Erasing drops the loop's reference; a handler removing itself keeps running on run_once's copy.
  handlers_.erase(fd);
}

void EventLoop::run() {
  while (!stop_requested_.load()) run_once(-1);
  // Cleared so the same loop can be run again (a test runs it until a reply arrives, then again).
  stop_requested_.store(false);
}

int EventLoop::run_once(int timeout_ms) {
  std::array<epoll_event, kMaxEventsPerBatch> events{};
  const int ready = ::epoll_wait(epoll_.get(), events.data(), kMaxEventsPerBatch, timeout_ms);
  if (ready < 0) {
    if (errno == EINTR) return 0;
    fail("epoll_wait on", epoll_.get());
  }

  // Take the handlers registered when the batch was reported. Before each call the map is checked again:
  // an fd removed by an earlier handler of this batch is skipped, and so is an fd number that was removed,
  // closed, reused and added again with a new handler (its event belongs to the old registration).
  std::vector<std::pair<int, std::shared_ptr<Handler>>> batch;
  batch.reserve(static_cast<std::size_t>(ready));
  for (int i = 0; i < ready; ++i) {
    const int fd = events[static_cast<std::size_t>(i)].data.fd;
    if (fd == wake_.get()) {
      std::uint64_t count = 0;
      // Only empties the eventfd; stop_requested_ carries the request.
      [[maybe_unused]] const auto ignored = ::read(wake_.get(), &count, sizeof count);
      batch.emplace_back(-1, nullptr);
      continue;
    }
    const auto found = handlers_.find(fd);
    batch.emplace_back(fd, found == handlers_.end() ? nullptr : found->second);
  }

  int handled = 0;
  for (int i = 0; i < ready; ++i) {
    auto& [fd, handler] = batch[static_cast<std::size_t>(i)];
    if (!handler) continue;
    const auto current = handlers_.find(fd);
    if (current == handlers_.end() || current->second != handler) continue;
    (*handler)(from_epoll(events[static_cast<std::size_t>(i)].events));
    ++handled;
  }
  return handled;
}

void EventLoop::stop() {
  stop_requested_.store(true);
  const std::uint64_t one = 1;
  // Safe from any thread; EAGAIN only means the counter is already non-zero, so a wake-up is pending.
  [[maybe_unused]] const auto ignored = ::write(wake_.get(), &one, sizeof one);
}

}  // namespace mohq::net
