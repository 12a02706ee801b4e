#include "net/fd.hpp"

#include <unistd.h>

namespace mohq::net {

void Fd::reset(int fd) {
  // reset(get()) must not close the descriptor it is asked to keep.
  if (fd_ >= 0 && fd_ != fd) {
    // Linux releases the descriptor even when close() reports EINTR or EIO; retrying could close a number
    // another thread has just been given, so the result is deliberately not looked at.
    ::close(fd_);
  }
  fd_ = fd;
}

}  // namespace mohq::net
