#include "harness/rtpproxy_client.hpp"

#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <random>

#include "net/unix_stream.hpp"

namespace mohq::harness {

Expected<RtpproxyClient, std::string> RtpproxyClient::connect(const std::string& url) {
  RtpproxyClient client;
  client.cookie_prefix_ = std::to_string(std::random_device{}() % 100000) + "_";
  if (url.starts_with("unix:")) {
    client.unix_path_ = url.substr(5);
    return client;
  }
  if (!url.starts_with("udp:")) return Unexpected("rtpproxy URL '" + url + "': expected udp:HOST:PORT or unix:PATH");
  auto server = net::SocketAddress::parse(url.substr(4));
  if (!server) return Unexpected("rtpproxy URL '" + url + "': " + server.error());
  auto local = net::SocketAddress::from_host_port(server->is_ipv6() ? "::1" : "127.0.0.1", 0);
  auto socket = net::UdpSocket::bind(*local);
  if (!socket) return Unexpected(socket.error());
  client.udp_.emplace(std::move(*socket));
  client.server_ = *server;
  return client;
}

Expected<std::string, std::string> RtpproxyClient::send(const std::string& command) {
  std::array<std::uint8_t, 65536> buffer;
  if (!unix_path_.empty()) {
    auto connection = net::UnixStreamConnection::connect(unix_path_);
    for (int attempt = 1; !connection && attempt < tries; ++attempt) {
      // The daemon may still be starting: the socket file appears when it listens.
      ::poll(nullptr, 0, static_cast<int>(timeout.count()));
      connection = net::UnixStreamConnection::connect(unix_path_);
    }
    if (!connection) return Unexpected(connection.error());
    if (::write(connection->fd(), command.data(), command.size()) != static_cast<ssize_t>(command.size()))
      return Unexpected("cannot write to " + unix_path_);
    pollfd waiting{connection->fd(), POLLIN, 0};
    if (::poll(&waiting, 1, static_cast<int>(timeout.count())) <= 0) return Unexpected("no reply from " + unix_path_);
    ssize_t got = ::read(connection->fd(), buffer.data(), buffer.size());
    if (got <= 0) return Unexpected("connection closed without a reply by " + unix_path_);
    std::string reply(reinterpret_cast<const char*>(buffer.data()), static_cast<std::size_t>(got));
    while (!reply.empty() && (reply.back() == '\n' || reply.back() == '\r')) reply.pop_back();
    return reply;
  }
  // Like Kamailio: the same cookie on every try, so rtpproxy's cache answers a retry without running it twice.
  std::string cookie = cookie_prefix_ + std::to_string(sequence_++);
  std::string datagram = cookie + " " + command;
  for (int attempt = 0; attempt < tries; ++attempt) {
    udp_->send_to(std::span(reinterpret_cast<const std::uint8_t*>(datagram.data()), datagram.size()), *server_);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd waiting{udp_->fd(), POLLIN, 0};
      if (::poll(&waiting, 1, static_cast<int>(left.count())) <= 0) continue;
      auto reply = udp_->receive_from(buffer);
      if (!reply) continue;
      std::string text(reinterpret_cast<const char*>(buffer.data()), reply->size);
      if (!text.starts_with(cookie + " ")) continue;  // a late reply to an earlier command
      text.erase(0, cookie.size() + 1);
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      return text;
    }
  }
  return Unexpected("no reply from rtpproxy at " + server_->to_string() + " after " + std::to_string(tries) + " tries");
}

Expected<rtpp::Reply, std::string> RtpproxyClient::request(const std::string& command) {
  auto text = send(command);
  if (!text) return Unexpected(text.error());
  auto parsed = rtpp::parse_response(*text, rtpp::Framing::Stream);
  if (!parsed) return Unexpected("unparsable reply '" + *text + "': " + parsed.error().message);
  return parsed->reply;
}

}  // namespace mohq::harness
