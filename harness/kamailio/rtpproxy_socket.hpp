// The rtpproxy control socket Kamailio's rtpproxy module is pointed at: "udp:HOST:PORT" or "unix:PATH"
// (rtpproxy-protocol.md §1.1: Kamailio speaks only udp:, udp6: and unix:, the last as a stream socket).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/expected.hpp"

namespace mohq::kamailio {

class RtpproxySocket {
 public:
  enum class Kind { udp, unix_stream };

  static RtpproxySocket udp(std::string host, std::uint16_t port) { return {Kind::udp, std::move(host), port, {}}; }
  static RtpproxySocket unix_stream(std::filesystem::path path) { return {Kind::unix_stream, {}, 0, std::move(path)}; }
  // "udp:127.0.0.1:22222", "udp:[::1]:22222", "unix:/run/x.sock"
  static Expected<RtpproxySocket, std::string> parse(std::string_view text);

  Kind kind() const { return kind_; }
  const std::string& host() const { return host_; }
  std::uint16_t port() const { return port_; }
  const std::filesystem::path& path() const { return path_; }
  // The form both rtpproxy_sock and rtpproxy's -s take.
  std::string to_string() const;

 private:
  RtpproxySocket(Kind kind, std::string host, std::uint16_t port, std::filesystem::path path)
      : kind_(kind), host_(std::move(host)), port_(port), path_(std::move(path)) {}
  Kind kind_;
  std::string host_;
  std::uint16_t port_;
  std::filesystem::path path_;
};

// Sends "V" until the answer is 20040107 or timeout passes. Start Kamailio only after this succeeds: each
// Kamailio worker probes rtpproxy once at start-up and a node that does not answer stays disabled for
// rtpproxy_disable_tout (60 s by default; rtpproxy-protocol.md §1.5).
Expected<Done, std::string> wait_for_rtpproxy(const RtpproxySocket& socket, std::chrono::milliseconds timeout);

}  // namespace mohq::kamailio
