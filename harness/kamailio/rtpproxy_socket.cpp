#include "kamailio/rtpproxy_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

#include "kamailio/connected_udp.hpp"

namespace mohq::kamailio {
namespace {

constexpr std::string_view kProtocolVersion = "20040107";  // rtpproxy-protocol.md §1.6

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

// One V over a fresh unix stream connection, as Kamailio does it (no cookie; rtpproxy closes after replying).
Expected<std::string, std::string> ask_version_unix(const std::filesystem::path& path,
                                                    std::chrono::milliseconds timeout) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string text = path.string();
  if (text.size() >= sizeof address.sun_path) return Unexpected{"unix socket path too long: " + text};
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Unexpected{std::string("socket: ") + std::strerror(errno)};
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return Unexpected{"connect " + text + ": " + std::strerror(errno)};
  }
  if (::send(fd, "V", 1, MSG_NOSIGNAL) != 1) return Unexpected{std::string("send: ") + std::strerror(errno)};
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return Unexpected{std::string("no reply")};
  char buffer[256];
  ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
  if (got <= 0) return Unexpected{std::string("connection closed without a reply")};
  return trimmed(std::string(buffer, static_cast<std::size_t>(got)));
}

Expected<std::string, std::string> ask_version_udp(const std::string& host, std::uint16_t port, int attempt,
                                                   std::chrono::milliseconds timeout) {
  auto socket = detail::ConnectedUdpSocket::connect(host, port);
  if (!socket) return Unexpected{socket.error()};
  const std::string cookie = "mohqprobe_" + std::to_string(attempt);
  if (!socket->send(cookie + " V")) return Unexpected{std::string("send failed")};
  auto reply = socket->receive(timeout);
  if (!reply) return Unexpected{std::string("no reply")};
  std::string text = trimmed(*reply);
  if (text.rfind(cookie + " ", 0) != 0) return Unexpected{"reply without our cookie: '" + text + "'"};
  return text.substr(cookie.size() + 1);
}

}  // namespace

Expected<RtpproxySocket, std::string> RtpproxySocket::parse(std::string_view text) {
  if (text.starts_with("unix:")) {
    std::string_view path = text.substr(5);
    if (path.empty()) return Unexpected{std::string("unix: needs a path")};
    return unix_stream(std::filesystem::path(std::string(path)));
  }
  if (!text.starts_with("udp:")) {
    return Unexpected{"rtpproxy socket '" + std::string(text) + "': expected udp:HOST:PORT or unix:PATH"};
  }
  std::string_view rest = text.substr(4);
  std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return Unexpected{"'" + std::string(text) + "': missing port"};
  unsigned port = 0;
  std::string_view digits = rest.substr(colon + 1);
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (error != std::errc() || end != digits.data() + digits.size() || port == 0 || port > 65535) {
    return Unexpected{"'" + std::string(text) + "': bad port"};
  }
  std::string host(rest.substr(0, colon));
  if (host.find(':') != std::string::npos) return Unexpected{"'" + std::string(text) + "': only IPv4 udp: is supported"};
  return udp(std::move(host), static_cast<std::uint16_t>(port));
}

std::string RtpproxySocket::to_string() const {
  if (kind_ == Kind::unix_stream) return "unix:" + path_.string();
  return "udp:" + host_ + ":" + std::to_string(port_);
}

Expected<Done, std::string> wait_for_rtpproxy(const RtpproxySocket& socket, std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  std::string last = "not tried";
  for (int attempt = 0;; ++attempt) {
    auto answer = socket.kind() == RtpproxySocket::Kind::udp
                      ? ask_version_udp(socket.host(), socket.port(), attempt, std::chrono::milliseconds(200))
                      : ask_version_unix(socket.path(), std::chrono::milliseconds(200));
    if (answer && *answer == kProtocolVersion) return Done{};
    last = answer ? "answered '" + *answer + "'" : answer.error();
    if (Clock::now() + std::chrono::milliseconds(50) >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Unexpected{"rtpproxy at " + socket.to_string() + " did not answer V with " + std::string(kProtocolVersion) +
                    " within " + std::to_string(timeout.count()) + " ms (last attempt: " + last + ")"};
}

}  // namespace mohq::kamailio
