// AF_UNIX SOCK_STREAM listener and connections (rtpproxy's "unix:" control socket, rtpproxy-protocol.md §1.1).
#pragma once

#include <optional>
#include <string>

#include "base/expected.hpp"
#include "net/fd.hpp"

namespace mohq::net {

class UnixStreamConnection {
 public:
  explicit UnixStreamConnection(Fd fd) : fd_(std::move(fd)) {}
  // Client side: the connect itself blocks; the connected socket is non-blocking like every other fd here.
  static Expected<UnixStreamConnection, std::string> connect(const std::string& path);
  int fd() const { return fd_.get(); }
  Fd& descriptor() { return fd_; }

 private:
  Fd fd_;
};

class UnixStreamListener {
 public:
  // Removes a stale socket file first; the file is removed again when the listener is destroyed.
  static Expected<UnixStreamListener, std::string> listen(const std::string& path, int backlog = 32);
  UnixStreamListener(UnixStreamListener&&) noexcept = default;
  // Not defaulted: the listener being replaced removes its own socket file first.
  UnixStreamListener& operator=(UnixStreamListener&& other) noexcept;
  ~UnixStreamListener();

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }
  // Non-blocking accept; nullopt when no connection is waiting. Accepted sockets are non-blocking.
  std::optional<UnixStreamConnection> accept() const;

 private:
  UnixStreamListener(Fd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  Fd fd_;
  std::string path_;
};

}  // namespace mohq::net
