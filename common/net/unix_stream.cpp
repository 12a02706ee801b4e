#include "net/unix_stream.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace mohq::net {

namespace {

// sun_path holds the path and its terminating NUL; longer paths would be cut silently by the kernel copy.
Expected<sockaddr_un, std::string> unix_address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty()) return Unexpected{std::string("unix socket path is empty")};
  if (path.find('\0') != std::string::npos) {
    return Unexpected{"unix socket path '" + path + "' contains a NUL byte"};
  }
  if (path.size() >= sizeof address.sun_path) {
    return Unexpected{"unix socket path '" + path + "' is " + std::to_string(path.size()) +
                      " bytes; a sockaddr_un holds at most " + std::to_string(sizeof address.sun_path - 1)};
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

std::string errno_text(int error) { return std::strerror(error); }

// True when a process still accepts on path; a socket file nobody listens on is stale.
bool someone_listens(const sockaddr_un& address) {
  Fd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!probe.valid()) return false;
  const int result = ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
  // EAGAIN: a live listener whose backlog is full.
  return result == 0 || errno == EAGAIN;
}

}  // namespace

Expected<UnixStreamConnection, std::string> UnixStreamConnection::connect(const std::string& path) {
  auto address = unix_address(path);
  if (!address) return Unexpected{"cannot connect: " + address.error()};
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Unexpected{"cannot connect to unix socket " + path + ": socket: " + errno_text(errno)};
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof *address) != 0) {
    int error = errno;
    if (error == EINTR) {
      // An interrupted connect goes on in the background; wait for it and read its outcome.
      pollfd wait{fd.get(), POLLOUT, 0};
      while (::poll(&wait, 1, -1) < 0 && errno == EINTR) {
      }
      socklen_t length = sizeof error;
      if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
    }
    if (error != 0) return Unexpected{"cannot connect to unix socket " + path + ": " + errno_text(error)};
  }
  // Connected: from here on the descriptor is used like every other one, non-blocking.
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) != 0) {
    return Unexpected{"cannot connect to unix socket " + path + ": O_NONBLOCK: " + errno_text(errno)};
  }
  return UnixStreamConnection(std::move(fd));
}

Expected<UnixStreamListener, std::string> UnixStreamListener::listen(const std::string& path, int backlog) {
  auto address = unix_address(path);
  if (!address) return Unexpected{"cannot listen: " + address.error()};
  const std::string failed = "cannot listen on unix socket " + path + ": ";

  struct stat status {};
  if (::lstat(path.c_str(), &status) == 0) {
    // Only ever remove a socket: a mistyped path must not delete somebody's file.
    if (!S_ISSOCK(status.st_mode)) return Unexpected{failed + "the path exists and is not a socket"};
    if (someone_listens(*address)) return Unexpected{failed + "another process is listening on it"};
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Unexpected{failed + "cannot remove the stale socket: " + errno_text(errno)};
    }
  }

  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Unexpected{failed + "socket: " + errno_text(errno)};
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof *address) != 0) {
    return Unexpected{failed + "bind: " + errno_text(errno)};
  }
  if (::listen(fd.get(), backlog) != 0) {
    const int error = errno;
    ::unlink(path.c_str());
    return Unexpected{failed + "listen: " + errno_text(error)};
  }
  return UnixStreamListener(std::move(fd), path);
}

UnixStreamListener& UnixStreamListener::operator=(UnixStreamListener&& other) noexcept {
  if (this != &other) {
    // The listener being replaced gives up its socket file like a destroyed one would.
    if (fd_.valid() && !path_.empty()) ::unlink(path_.c_str());
    fd_ = std::move(other.fd_);
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

UnixStreamListener::~UnixStreamListener() {
  // A moved-from listener has no descriptor and must not remove the file its successor now owns.
  if (fd_.valid() && !path_.empty()) ::unlink(path_.c_str());
}

std::optional<UnixStreamConnection> UnixStreamListener::accept() const {
  for (;;) {
    const int fd = ::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) return UnixStreamConnection(Fd(fd));
    switch (errno) {
      case EINTR:
        continue;
      case EAGAIN:
      case ECONNABORTED:  // the client gave up before we got to it
      case EPROTO:
        return std::nullopt;
      default:
        // EMFILE, ENFILE, ENOBUFS, ENOMEM: the process is out of resources, which a caller must see.
        throw std::system_error(errno, std::generic_category(), "accept on unix socket " + path_);
    }
  }
}

}  // namespace mohq::net
