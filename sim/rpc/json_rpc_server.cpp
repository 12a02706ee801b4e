// The HTTP/1.1 listener on the event loop and the blocking client. The JSON-RPC layer is json_rpc.cpp, the
// request framing http_request.cpp.
#include "sim/rpc/json_rpc_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <unordered_map>
#include <utility>
#include <variant>

#include "net/fd.hpp"
#include "net/timer.hpp"
#include "sim/rpc/http_request.hpp"

namespace mohq::sim {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 64 * 1024;
// Pipelined requests stop being read while this much output waits for a client that does not read.
constexpr std::size_t kMaxPendingOutput = 4 * 1024 * 1024;
// After an error answer the write side is shut and input discarded this long, so the answer is not lost to a
// reset caused by unread request bytes.
constexpr std::chrono::milliseconds kLinger{2000};

std::string errno_text(int error) { return std::strerror(error); }

bool is_loopback(const net::SocketAddress& address) {
  if (address.family() == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address.data());
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
  }
  if (address.family() == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address.data());
    if (IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr) && v6->sin6_addr.s6_addr[12] == 127;
  }
  return false;
}

std::string http_response(int status, std::string_view content_type, std::string_view body, bool keep_alive,
                          int minor_version, std::string_view extra_headers = {}) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(http_reason_phrase(status)) + "\r\n";
  out += "Server: mohqd-rpc\r\n";
  if (status != 204) {
    out += "Content-Type: " + std::string(content_type) + "\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  out += extra_headers;
  if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (minor_version == 0) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  if (status != 204) out += body;
  return out;
}

}  // namespace

struct JsonRpcServer::Impl {
  struct Connection {
    net::Fd fd;
    std::string in;
    std::string out;
    std::size_t out_offset = 0;
    bool closing = false;      // no more requests: close once the output is written
    bool draining = false;     // write side shut, input discarded until EOF or the linger ends
    bool peer_closed = false;  // the client shut its write side
    Clock::time_point last_activity;
    Clock::time_point linger_until;
    std::uint32_t events = net::kReadable;
  };

  Impl(net::EventLoop& event_loop, JsonRpcServerOptions opts) : loop(event_loop), options(opts) {}

  ~Impl() {
    for (auto& [fd, connection] : connections) loop.remove(fd);
    connections.clear();
    if (listener.valid()) loop.remove(listener.get());
    loop.remove(sweep_timer.fd());
  }

  Expected<Done, std::string> start(const net::SocketAddress& address) {
    listener = net::Fd(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!listener.valid()) return Unexpected{"socket for " + address.to_string() + ": " + errno_text(errno)};
    const int one = 1;
    ::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(listener.get(), address.data(), address.size()) != 0) {
      return Unexpected{"cannot listen on " + address.to_string() + ": " + errno_text(errno)};
    }
    if (::listen(listener.get(), 64) != 0) {
      return Unexpected{"listen on " + address.to_string() + ": " + errno_text(errno)};
    }
    net::SocketAddress bound;
    socklen_t length = bound.capacity();
    if (::getsockname(listener.get(), bound.data(), &length) != 0) {
      return Unexpected{"getsockname on " + address.to_string() + ": " + errno_text(errno)};
    }
    bound.set_size(length);
    local = bound;
    loop.add(listener.get(), net::kReadable, [this](std::uint32_t) { on_accept(); });
    loop.add(sweep_timer.fd(), net::kReadable, [this](std::uint32_t) { on_sweep(); });
    return Done{};
  }

  void on_accept() {
    while (true) {
      net::Fd fd(::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!fd.valid()) return;  // EAGAIN, or an error that a later accept may not have (EMFILE, ECONNABORTED)
      if (connections.size() >= options.max_connections) continue;  // closed at once by ~Fd
      const int number = fd.get();
      auto connection = std::make_unique<Connection>();
      connection->fd = std::move(fd);
      connection->last_activity = Clock::now();
      connections.emplace(number, std::move(connection));
      loop.add(number, net::kReadable, [this, number](std::uint32_t events) { on_connection(number, events); });
      if (!sweeping) {
        const auto period = std::clamp<std::chrono::milliseconds>(options.idle_timeout / 4,
                                                                   std::chrono::milliseconds(10),
                                                                   std::chrono::milliseconds(1000));
        sweep_timer.arm_every(period);
        sweeping = true;
      }
    }
  }

  void close_connection(int fd) {
    loop.remove(fd);
    connections.erase(fd);  // ~Fd closes it
    if (connections.empty() && sweeping) {
      sweep_timer.disarm();
      sweeping = false;
    }
  }

  void on_sweep() {
    sweep_timer.acknowledge();
    const auto now = Clock::now();
    std::vector<int> expired;
    for (const auto& [fd, connection] : connections) {
      if (connection->draining ? now >= connection->linger_until
                               : now - connection->last_activity >= options.idle_timeout) {
        expired.push_back(fd);
      }
    }
    for (int fd : expired) close_connection(fd);
  }

  // false: the connection failed and must be closed.
  bool read_input(Connection& c) {
    std::array<char, kReadChunk> buffer{};
    while (true) {
      if (!c.draining && c.in.size() > options.max_request_bytes + kReadChunk) return true;  // 413 comes next
      const auto n = ::recv(c.fd.get(), buffer.data(), buffer.size(), 0);
      if (n > 0) {
        c.last_activity = Clock::now();
        if (!c.draining && !c.closing) c.in.append(buffer.data(), static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) {
        c.peer_closed = true;
        return true;
      }
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
  }

  void respond(Connection& c, const HttpRequest& request) {
    if (request.path() != "/RPC") {
      c.out += http_response(404, "text/plain", "not found: the JSON-RPC interface is POST /RPC\n",
                             request.keep_alive, request.minor_version);
    } else if (request.method != "POST") {
      c.out += http_response(405, "text/plain", "method not allowed: the JSON-RPC interface is POST /RPC\n",
                             request.keep_alive, request.minor_version, "Allow: POST\r\n");
    } else if (auto body = handle_json_rpc_body(methods, request.body)) {
      c.out += http_response(200, "application/json", *body, request.keep_alive, request.minor_version);
    } else {
      c.out += http_response(204, "", "", request.keep_alive, request.minor_version);
    }
  }

  void process_input(Connection& c) {
    std::size_t offset = 0;
    while (!c.closing && c.out.size() - c.out_offset < kMaxPendingOutput) {
      auto parsed = parse_http_request(std::string_view(c.in).substr(offset), options.max_request_bytes);
      if (std::holds_alternative<HttpNeedMore>(parsed)) break;
      if (auto* failure = std::get_if<HttpParseError>(&parsed)) {
        c.out += http_response(failure->status, "text/plain", failure->reason + "\n", false, 1);
        c.closing = true;
        break;
      }
      const auto& request = std::get<HttpRequest>(parsed);
      offset += request.consumed;
      respond(c, request);
      if (!request.keep_alive) c.closing = true;
    }
    if (c.closing) {
      c.in.clear();
    } else {
      c.in.erase(0, offset);
      // Nothing more will come: a partial request left over is dropped with the connection.
      if (c.peer_closed) c.closing = true;
    }
  }

  bool write_output(Connection& c) {
    while (c.out_offset < c.out.size()) {
      const auto n = ::send(c.fd.get(), c.out.data() + c.out_offset, c.out.size() - c.out_offset, MSG_NOSIGNAL);
      if (n >= 0) {
        c.out_offset += static_cast<std::size_t>(n);
        c.last_activity = Clock::now();
        continue;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      return false;
    }
    c.out.clear();
    c.out_offset = 0;
    return true;
  }

  void on_connection(int fd, std::uint32_t events) {
    const auto found = connections.find(fd);
    if (found == connections.end()) return;
    Connection& c = *found->second;
    if ((events & net::kReadable) != 0 && !c.peer_closed) {
      if (!read_input(c)) return close_connection(fd);
    }
    if (!c.draining) process_input(c);
    if (!write_output(c)) return close_connection(fd);
    const bool output_pending = c.out_offset < c.out.size();
    if (!output_pending && c.closing && !c.draining) {
      if (c.peer_closed) return close_connection(fd);
      ::shutdown(c.fd.get(), SHUT_WR);
      c.draining = true;
      c.linger_until = Clock::now() + std::min<std::chrono::milliseconds>(kLinger, options.idle_timeout);
    }
    if (c.draining && c.peer_closed) return close_connection(fd);
    std::uint32_t wanted = 0;
    if (!c.peer_closed && (c.draining || (!c.closing && c.out.size() - c.out_offset < kMaxPendingOutput))) {
      wanted |= net::kReadable;
    }
    if (output_pending) wanted |= net::kWritable;
    if (wanted == 0) return close_connection(fd);  // peer gone, nothing to write
    if (wanted != c.events) {
      loop.modify(fd, wanted);
      c.events = wanted;
    }
  }

  net::EventLoop& loop;
  JsonRpcServerOptions options;
  net::Fd listener;
  net::SocketAddress local;
  RpcMethodTable methods;
  std::unordered_map<int, std::unique_ptr<Connection>> connections;
  net::Timer sweep_timer;
  bool sweeping = false;
};

JsonRpcServer::JsonRpcServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonRpcServer::~JsonRpcServer() = default;

Expected<std::unique_ptr<JsonRpcServer>, std::string> JsonRpcServer::create(net::EventLoop& loop,
                                                                            const std::string& listen,
                                                                            bool allow_remote) {
  JsonRpcServerOptions options;
  options.allow_remote = allow_remote;
  return create(loop, listen, options);
}

Expected<std::unique_ptr<JsonRpcServer>, std::string> JsonRpcServer::create(net::EventLoop& loop,
                                                                            const std::string& listen,
                                                                            const JsonRpcServerOptions& options) {
  auto address = net::SocketAddress::parse(listen);
  if (!address) return Unexpected{"RPC listen address: " + address.error()};
  if (!options.allow_remote && !is_loopback(*address)) {
    return Unexpected{"RPC listen address " + address->to_string() +
                      " is not a loopback address: the JSON-RPC interface has no authentication; listen on "
                      "127.0.0.1 or [::1], or allow remote access explicitly"};
  }
  if (options.max_request_bytes == 0 || options.idle_timeout <= std::chrono::milliseconds(0)) {
    return Unexpected{std::string("RPC server options: max_request_bytes and idle_timeout must be positive")};
  }
  auto impl = std::make_unique<Impl>(loop, options);
  auto started = impl->start(*address);
  if (!started) return Unexpected{started.error()};
  return std::unique_ptr<JsonRpcServer>(new JsonRpcServer(std::move(impl)));
}

void JsonRpcServer::add_method(std::string name, RpcMethod method) {
  impl_->methods.insert_or_assign(std::move(name), std::move(method));
}

net::SocketAddress JsonRpcServer::local_address() const { return impl_->local; }

std::size_t JsonRpcServer::connection_count() const { return impl_->connections.size(); }

// ---------------------------------------------------------------------------------------------------------------
// Client

namespace {

RpcCallError transport(std::string message) { return RpcCallError{std::nullopt, std::move(message)}; }

// Waits for events on fd until the deadline; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd entry{fd, events, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(std::min<long long>(left, 60'000)));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

struct HttpResponse {
  int status = 0;
  std::string body;
};

// Response head and body from what was read; nullopt while incomplete (complete at EOF when no length).
std::optional<Expected<HttpResponse, std::string>> parse_response(const std::string& data, bool eof) {
  const auto head_end = data.find("\r\n\r\n");
  if (head_end == std::string::npos) {
    if (eof) return Expected<HttpResponse, std::string>(Unexpected{std::string("connection closed before a complete HTTP response")});
    return std::nullopt;
  }
  const std::string_view head(data.data(), head_end);
  const auto line_end = head.find("\r\n");
  const auto status_line = head.substr(0, line_end);
  HttpResponse response;
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/" || status_line[8] != ' ') {
    return Expected<HttpResponse, std::string>(Unexpected{"not an HTTP response: '" + std::string(status_line.substr(0, 80)) + "'"});
  }
  for (std::size_t i = 9; i < 12; ++i) {
    if (status_line[i] < '0' || status_line[i] > '9') {
      return Expected<HttpResponse, std::string>(Unexpected{"bad HTTP status line: '" + std::string(status_line.substr(0, 80)) + "'"});
    }
    response.status = response.status * 10 + (status_line[i] - '0');
  }
  std::optional<std::size_t> length;
  std::size_t position = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (position < head.size()) {
    auto end = head.find("\r\n", position);
    if (end == std::string_view::npos) end = head.size();
    const auto line = head.substr(position, end - position);
    position = end + 2;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (name != "content-length") continue;
    auto value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    std::size_t parsed = 0;
    for (char ch : value) {
      if (ch < '0' || ch > '9' || parsed > (std::size_t{1} << 40)) {
        return Expected<HttpResponse, std::string>(Unexpected{std::string("bad Content-Length in the HTTP response")});
      }
      parsed = parsed * 10 + static_cast<std::size_t>(ch - '0');
    }
    length = parsed;
  }
  const std::size_t body_start = head_end + 4;
  if (response.status == 204 || response.status == 304) length = 0;
  if (length) {
    if (data.size() - body_start < *length) {
      if (eof) return Expected<HttpResponse, std::string>(Unexpected{std::string("connection closed in the middle of the HTTP response body")});
      return std::nullopt;
    }
    response.body = data.substr(body_start, *length);
    return Expected<HttpResponse, std::string>(std::move(response));
  }
  if (!eof) return std::nullopt;
  response.body = data.substr(body_start);
  return Expected<HttpResponse, std::string>(std::move(response));
}

std::atomic<std::uint64_t> next_request_id{1};

}  // namespace

Expected<json, RpcCallError> call_json_rpc_detailed(const std::string& address, const std::string& method,
                                                     const json& params, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto target = net::SocketAddress::parse(address);
  if (!target) return Unexpected{transport("bad RPC address: " + target.error())};
  const auto where = target->to_string();

  net::Fd fd(::socket(target->family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Unexpected{transport("socket: " + errno_text(errno))};
  if (::connect(fd.get(), target->data(), target->size()) != 0) {
    if (errno != EINPROGRESS) return Unexpected{transport("cannot connect to " + where + ": " + errno_text(errno))};
    if (!wait_for(fd.get(), POLLOUT, deadline)) {
      return Unexpected{transport("cannot connect to " + where + ": timed out after " +
                                  std::to_string(timeout.count()) + " ms")};
    }
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return Unexpected{transport("cannot connect to " + where + ": " + errno_text(error))};
  }

  const auto id = next_request_id.fetch_add(1);
  json request{{"jsonrpc", "2.0"}, {"method", method}, {"id", id}};
  if (!params.is_null()) request["params"] = params;
  const std::string body = request.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out = "POST /RPC HTTP/1.1\r\nHost: " + where +
                    "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  std::size_t sent = 0;
  while (sent < out.size()) {
    const auto n = ::send(fd.get(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n >= 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return Unexpected{transport("sending to " + where + ": " + errno_text(errno))};
    }
    if (!wait_for(fd.get(), POLLOUT, deadline)) return Unexpected{transport("sending to " + where + ": timed out")};
  }

  std::string data;
  std::array<char, 16 * 1024> buffer{};
  std::optional<Expected<HttpResponse, std::string>> parsed;
  while (!parsed) {
    bool eof = false;
    const auto n = ::recv(fd.get(), buffer.data(), buffer.size(), 0);
    if (n > 0) {
      data.append(buffer.data(), static_cast<std::size_t>(n));
    } else if (n == 0) {
      eof = true;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_for(fd.get(), POLLIN, deadline)) {
        return Unexpected{transport("no answer from " + where + " within " + std::to_string(timeout.count()) + " ms")};
      }
      continue;
    } else {
      return Unexpected{transport("reading from " + where + ": " + errno_text(errno))};
    }
    parsed = parse_response(data, eof);
    if (!parsed && eof) return Unexpected{transport("connection to " + where + " closed early")};
  }
  if (!*parsed) return Unexpected{transport(where + ": " + parsed->error())};
  const auto& response = **parsed;
  if (response.status != 200) {
    return Unexpected{transport("HTTP " + std::to_string(response.status) + " from " + where + ": " +
                                response.body.substr(0, response.body.find('\n')))};
  }
  const json answer = json::parse(response.body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) {
    return Unexpected{transport("the answer from " + where + " is not a JSON-RPC response object")};
  }
  if (const auto error = answer.find("error"); error != answer.end()) {
    RpcError rpc;
    if (error->is_object()) {
      if (const auto code = error->find("code"); code != error->end() && code->is_number_integer()) {
        rpc.code = code->get<int>();
      }
      if (const auto message = error->find("message"); message != error->end() && message->is_string()) {
        rpc.message = message->get<std::string>();
      }
    }
    std::string text = "error " + std::to_string(rpc.code) + ": " + rpc.message;
    return Unexpected{RpcCallError{std::move(rpc), std::move(text)}};
  }
  const auto result = answer.find("result");
  if (result == answer.end()) return Unexpected{transport("the answer from " + where + " has neither result nor error")};
  if (const auto answer_id = answer.find("id"); answer_id == answer.end() || *answer_id != json(id)) {
    return Unexpected{transport("the answer from " + where + " carries another id")};
  }
  return *result;
}

Expected<json, std::string> call_json_rpc(const std::string& address, const std::string& method, const json& params,
                                          std::chrono::milliseconds timeout) {
  auto result = call_json_rpc_detailed(address, method, params, timeout);
  if (!result) return Unexpected{result.error().message};
  return std::move(*result);
}

}  // namespace mohq::sim
