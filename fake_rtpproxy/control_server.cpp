#include "fake_rtpproxy/control_server.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>

#include "fake_rtpproxy/log.hpp"

namespace mohq::fake_rtpproxy {
namespace {

// rtpproxy keeps UDP replies for 32 + 3 s so a retransmitted command gets the same answer (§1.3).
constexpr auto kReplyCacheLifetime = std::chrono::seconds(35);
// An accepted unix connection that never sends its command is closed after this long.
constexpr auto kStreamCommandTimeout = std::chrono::seconds(5);

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;  // the peer went away: nothing else to do with a reply nobody reads
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

}  // namespace

struct ControlServer::Delayed {
  std::string reply;
  Sink sink;
  const net::UdpSocket* socket = nullptr;
  net::SocketAddress destination;
  net::Fd stream;
};

ControlServer::ControlServer(net::EventLoop& loop, Engine& engine) : loop_(loop), engine_(engine) {}

Expected<std::unique_ptr<ControlServer>, std::string> ControlServer::open(
    net::EventLoop& loop, Engine& engine, const std::vector<ControlSocketSpec>& specs) {
  std::unique_ptr<ControlServer> server(new ControlServer(loop, engine));
  server->udp_.reserve(specs.size());  // handlers keep pointers into it
  for (const auto& spec : specs) {
    switch (spec.kind) {
      case ControlSocketSpec::Kind::Udp:
      case ControlSocketSpec::Kind::Udp6: {
        auto address = net::SocketAddress::from_host_port(spec.host, spec.port);
        if (!address) return Unexpected("-s " + spec.text + ": " + address.error());
        auto socket = net::UdpSocket::bind(*address);
        if (!socket) return Unexpected("-s " + spec.text + ": " + socket.error());
        server->udp_.push_back(std::move(*socket));
        break;
      }
      case ControlSocketSpec::Kind::Unix: {
        auto listener = net::UnixStreamListener::listen(spec.path);
        if (!listener) return Unexpected("-s " + spec.text + ": " + listener.error());
        server->unix_.push_back(std::move(*listener));
        break;
      }
      case ControlSocketSpec::Kind::Stdio:
        server->stdio_ = true;
        break;
    }
  }
  ControlServer* self = server.get();
  for (const auto& socket : server->udp_) {
    loop.add(socket.fd(), net::kReadable, [self, &socket](std::uint32_t) { self->on_udp(socket); });
  }
  for (const auto& listener : server->unix_) {
    loop.add(listener.fd(), net::kReadable, [self, &listener](std::uint32_t) { self->on_accept(listener); });
  }
  if (server->stdio_) {
    struct stat info {};
    ::fstat(STDIN_FILENO, &info);
    if (S_ISREG(info.st_mode)) {
      // epoll cannot watch a regular file: a command file is read whole at the first turn of the loop.
      server->delay_timer_.arm_after(std::chrono::nanoseconds(1));
    } else {
      ::fcntl(STDIN_FILENO, F_SETFL, ::fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
      loop.add(STDIN_FILENO, net::kReadable, [self](std::uint32_t) { self->on_stdin(); });
      server->stdin_in_loop_ = true;
    }
  }
  loop.add(server->delay_timer_.fd(), net::kReadable, [self](std::uint32_t) {
    self->delay_timer_.acknowledge();
    if (self->stdio_) {
      struct stat info {};
      if (::fstat(STDIN_FILENO, &info) == 0 && S_ISREG(info.st_mode)) self->on_stdin();
    }
    self->flush_delayed();
  });
  server->sweep_timer_.arm_every(std::chrono::seconds(1));
  loop.add(server->sweep_timer_.fd(), net::kReadable, [self](std::uint32_t) {
    self->sweep_timer_.acknowledge();
    auto now = net::Clock::now();
    for (auto it = self->connections_.begin(); it != self->connections_.end();) {
      if (now - it->second.second > kStreamCommandTimeout) {
        self->loop_.remove(it->first);
        it = self->connections_.erase(it);
      } else {
        ++it;
      }
    }
    while (!self->cache_order_.empty() && self->cache_order_.front().first <= now) {
      auto found = self->cache_.find(self->cache_order_.front().second);
      if (found != self->cache_.end() && found->second.expires <= now) self->cache_.erase(found);
      self->cache_order_.pop_front();
    }
  });
  return server;
}

ControlServer::~ControlServer() {
  for (const auto& socket : udp_) loop_.remove(socket.fd());
  for (const auto& listener : unix_) loop_.remove(listener.fd());
  for (const auto& [fd, connection] : connections_) loop_.remove(fd);
  if (stdin_in_loop_) loop_.remove(STDIN_FILENO);
  loop_.remove(delay_timer_.fd());
  loop_.remove(sweep_timer_.fd());
}

std::optional<std::string> ControlServer::cached_reply(const std::string& cookie) {
  auto found = cache_.find(cookie);
  if (found == cache_.end() || found->second.expires <= net::Clock::now()) return std::nullopt;
  return found->second.reply;
}

void ControlServer::remember_reply(const std::string& cookie, const std::string& reply) {
  auto expires = net::Clock::now() + kReplyCacheLifetime;
  cache_[cookie] = CacheEntry{reply, expires};
  cache_order_.emplace_back(expires, cookie);
}

std::string ControlServer::handle(std::string_view text, rtpp::Framing framing) {
  Stats& counters = engine_.control_counters();
  ++counters.ncmds_rcvd;
  auto request = rtpp::parse_request(text, framing);
  rtpp::Response response;
  if (!request) {
    FRTPP_LOG(Warning) << "bad command '" << std::string(text.substr(0, 120)) << "': " << request.error().message;
    ++counters.ncmds_errs;
    response.cookie = request.error().cookie;
    response.reply = rtpp::ErrorReply{request.error().code};
    if (framing == rtpp::Framing::Datagram && !response.cookie) return {};  // nobody to answer
    return rtpp::format_response(response);
  }
  response.cookie = request->cookie;
  if (request->cookie) {
    if (auto cached = cached_reply(*request->cookie)) {
      ++counters.ncmds_rcvd_ndups;  // a retransmission: answered again, not run again (§1.3)
      return *cached;
    }
  }
  char letter = rtpp::command_letter(request->command);
  const auto& forced = engine_.control_faults().forced_errors;
  if (auto it = forced.find(letter); it != forced.end()) {
    response.reply = rtpp::ErrorReply{static_cast<rtpp::ErrorCode>(it->second)};
  } else {
    response.reply = engine_.execute(request->command);
  }
  bool failed = std::holds_alternative<rtpp::ErrorReply>(response.reply);
  ++(failed ? counters.ncmds_errs : counters.ncmds_succd);
  std::string reply = rtpp::format_response(response);
  FRTPP_LOG(Debug) << "command '" << std::string(text.substr(0, text.find_last_not_of("\r\n") + 1))
                   << "' -> '" << reply.substr(0, reply.size() - 1) << "'";
  if (request->cookie) remember_reply(*request->cookie, reply);
  return reply;
}

void ControlServer::deliver(std::string reply, Sink sink, const net::UdpSocket* socket,
                            const net::SocketAddress* destination, net::Fd stream) {
  if (reply.empty()) return;
  ControlFaults& faults = engine_.control_faults();
  if (faults.drop_next_replies > 0) {
    --faults.drop_next_replies;
    FRTPP_LOG(Info) << "fault: reply dropped";
    return;
  }
  if (faults.drop_rate > 0 && std::uniform_real_distribution<double>(0, 1)(engine_.rng()) < faults.drop_rate) {
    FRTPP_LOG(Info) << "fault: reply dropped";
    return;
  }
  if (faults.reply_delay_ms > 0) {
    auto item = std::make_unique<Delayed>();
    item->reply = std::move(reply);
    item->sink = sink;
    item->socket = socket;
    if (destination) item->destination = *destination;
    item->stream = std::move(stream);
    auto due = net::Clock::now() + std::chrono::milliseconds(faults.reply_delay_ms);
    delayed_.emplace(due, std::move(item));
    delay_timer_.arm_at(delayed_.begin()->first);
    return;
  }
  send_now(reply, sink, socket, destination, stream.get());
}  // a stream connection closes here: the end of the reply (one command per connection)

void ControlServer::send_now(const std::string& reply, Sink sink, const net::UdpSocket* socket,
                             const net::SocketAddress* destination, int stream_fd) {
  ++engine_.control_counters().ncmds_repld;
  switch (sink) {
    case Sink::Udp:
      socket->send_to(std::span(reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size()), *destination);
      break;
    case Sink::Stream:
      write_all(stream_fd, reply);
      break;
    case Sink::Stdout:
      write_all(STDOUT_FILENO, reply);
      break;
  }
}

void ControlServer::flush_delayed() {
  auto now = net::Clock::now();
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    auto item = std::move(delayed_.begin()->second);
    delayed_.erase(delayed_.begin());
    send_now(item->reply, item->sink, item->socket, &item->destination, item->stream.get());
  }
  if (!delayed_.empty()) delay_timer_.arm_at(delayed_.begin()->first);
}

void ControlServer::on_udp(const net::UdpSocket& socket) {
  std::array<std::uint8_t, rtpp::kMaxCommandBytes + 1> buffer;
  for (int budget = 64; budget > 0; --budget) {
    auto datagram = socket.receive_from(buffer);
    if (!datagram) return;
    std::string_view text(reinterpret_cast<const char*>(buffer.data()), datagram->size);
    std::string reply = handle(text, rtpp::Framing::Datagram);
    // The reply leaves from the socket the command came to: Kamailio connect()s to that address (§1.1).
    deliver(std::move(reply), Sink::Udp, &socket, &datagram->source, net::Fd{});
  }
}

void ControlServer::on_accept(const net::UnixStreamListener& listener) {
  while (auto connection = listener.accept()) {
    int fd = connection->fd();
    connections_.emplace(fd, std::pair{std::move(connection->descriptor()), net::Clock::now()});
    loop_.add(fd, net::kReadable, [this, fd](std::uint32_t) { on_stream_readable(fd); });
  }
}

void ControlServer::on_stream_readable(int fd) {
  // Kamailio writes the whole command in one writev and reads one reply: one read is one command (§1.1).
  auto found = connections_.find(fd);
  if (found == connections_.end()) return;
  std::array<char, rtpp::kMaxCommandBytes + 1> buffer;
  ssize_t got = ::read(fd, buffer.data(), buffer.size());
  if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
  net::Fd connection = std::move(found->second.first);
  loop_.remove(fd);
  connections_.erase(found);
  if (got <= 0) return;
  std::string reply = handle(std::string_view(buffer.data(), static_cast<std::size_t>(got)), rtpp::Framing::Stream);
  deliver(std::move(reply), Sink::Stream, nullptr, nullptr, std::move(connection));
}

void ControlServer::on_stdin() {
  std::array<char, 4096> buffer;
  for (;;) {
    ssize_t got = ::read(STDIN_FILENO, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) return;
    if (got <= 0) break;  // end of the command stream
    stdin_buffer_.append(buffer.data(), static_cast<std::size_t>(got));
    std::size_t newline;
    while ((newline = stdin_buffer_.find('\n')) != std::string::npos) {
      std::string line = stdin_buffer_.substr(0, newline);
      stdin_buffer_.erase(0, newline + 1);
      deliver(handle(line, rtpp::Framing::Stream), Sink::Stdout, nullptr, nullptr, net::Fd{});
    }
  }
  if (!stdin_buffer_.empty()) deliver(handle(stdin_buffer_, rtpp::Framing::Stream), Sink::Stdout, nullptr, nullptr, net::Fd{});
  stdin_buffer_.clear();
  // Like rtpproxy -s stdio:, the end of the commands is the end of the run.
  if (stdin_in_loop_) loop_.remove(STDIN_FILENO);
  stdin_in_loop_ = false;
  stdio_ = false;
  loop_.stop();
}

}  // namespace mohq::fake_rtpproxy
