// The control sockets: udp/udp6 datagrams with cookies and a reply cache, unix stream one-shot connections,
// and stdio lines (rtpproxy-protocol.md §1.1, §1.3). Applies the control faults (delay, drop, forced error).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/expected.hpp"
#include "net/event_loop.hpp"
#include "net/fd.hpp"
#include "net/timer.hpp"
#include "net/udp_socket.hpp"
#include "net/unix_stream.hpp"
#include "rtpp/codec.hpp"
#include "fake_rtpproxy/engine.hpp"
#include "fake_rtpproxy/options.hpp"

namespace mohq::fake_rtpproxy {

class ControlServer {
 public:
  static Expected<std::unique_ptr<ControlServer>, std::string> open(net::EventLoop& loop, Engine& engine,
                                                                    const std::vector<ControlSocketSpec>& specs);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Runs one command as received on a transport and returns the reply text (what would be sent, before the
  // drop/delay faults). Exposed for tests.
  std::string handle(std::string_view text, rtpp::Framing framing);

 private:
  ControlServer(net::EventLoop& loop, Engine& engine);
  struct Delayed;
  enum class Sink { Udp, Stream, Stdout };

  void on_udp(const net::UdpSocket& socket);
  void on_accept(const net::UnixStreamListener& listener);
  void on_stream_readable(int fd);
  void on_stdin();
  void deliver(std::string reply, Sink sink, const net::UdpSocket* socket, const net::SocketAddress* destination,
               net::Fd stream);
  void send_now(const std::string& reply, Sink sink, const net::UdpSocket* socket,
                const net::SocketAddress* destination, int stream_fd);
  void flush_delayed();
  std::optional<std::string> cached_reply(const std::string& cookie);
  void remember_reply(const std::string& cookie, const std::string& reply);

  net::EventLoop& loop_;
  Engine& engine_;
  std::vector<net::UdpSocket> udp_;
  std::vector<net::UnixStreamListener> unix_;
  std::unordered_map<int, std::pair<net::Fd, net::TimePoint>> connections_;  // accepted, awaiting a command
  bool stdio_ = false;
  bool stdin_in_loop_ = false;  // false for a regular file, which epoll cannot watch
  std::string stdin_buffer_;

  struct CacheEntry {
    std::string reply;
    net::TimePoint expires;
  };
  std::unordered_map<std::string, CacheEntry> cache_;
  std::deque<std::pair<net::TimePoint, std::string>> cache_order_;

  net::Timer delay_timer_;
  std::multimap<net::TimePoint, std::unique_ptr<Delayed>> delayed_;
  net::Timer sweep_timer_;
};

}  // namespace mohq::fake_rtpproxy
