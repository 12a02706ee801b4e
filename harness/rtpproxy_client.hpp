// A blocking rtpproxy control client over udp: with cookies and Kamailio's retry rule (5 tries, 1 s apart;
// rtpproxy-protocol.md §1.5), or over unix: (one connection per command). For harnesses and tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "base/expected.hpp"
#include "net/udp_socket.hpp"
#include "rtpp/codec.hpp"

namespace mohq::harness {

class RtpproxyClient {
 public:
  // "udp:HOST:PORT" or "unix:PATH"
  static Expected<RtpproxyClient, std::string> connect(const std::string& url);

  // Sends one command (without cookie) and returns the reply payload, e.g. "40002 127.0.0.1".
  Expected<std::string, std::string> send(const std::string& command);
  // The same, parsed.
  Expected<rtpp::Reply, std::string> request(const std::string& command);

  int tries = 5;
  std::chrono::milliseconds timeout{1000};

 private:
  RtpproxyClient() = default;
  std::optional<net::UdpSocket> udp_;
  std::optional<net::SocketAddress> server_;
  std::string unix_path_;
  std::string cookie_prefix_;
  std::uint64_t sequence_ = 0;
};

}  // namespace mohq::harness
