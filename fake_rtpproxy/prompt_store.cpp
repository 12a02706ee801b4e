// Prompt file cache: one read per file version, validated by (size, mtime) on every load.
#include "fake_rtpproxy/prompt_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "net/fd.hpp"

namespace mohq::fake_rtpproxy {
namespace {

std::string failure(const std::string& path, const char* what, int error) {
  return "cannot read prompt file " + path + ": " + what + ": " + std::strerror(error);
}

bool same_mtime(const std::timespec& a, const std::timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

}  // namespace

bool PromptStore::exists(const std::string& path) const {
  struct stat status {};
  return ::stat(path.c_str(), &status) == 0 && S_ISREG(status.st_mode);
}

Expected<PromptBytes, std::string> PromptStore::load(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    const int error = errno;
    cache_.erase(path);
    if (error == ENOENT || error == ENOTDIR) return Unexpected{"prompt file " + path + " does not exist"};
    return Unexpected{failure(path, "stat", error)};
  }
  // rtpproxy would open a directory or a FIFO and then fail or block reading it; refuse it up front instead.
  if (!S_ISREG(status.st_mode)) {
    cache_.erase(path);
    return Unexpected{"prompt file " + path + " is not a regular file"};
  }
  if (auto cached = cache_.find(path); cached != cache_.end()) {
    const Entry& entry = cached->second;
    if (entry.size == static_cast<std::int64_t>(status.st_size) && same_mtime(entry.mtime, status.st_mtim)) {
      return entry.bytes;
    }
    cache_.erase(cached);
  }

  net::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    const int error = errno;
    if (error == ENOENT) return Unexpected{"prompt file " + path + " does not exist"};  // removed since stat
    return Unexpected{failure(path, "open", error)};
  }
  // Read from the opened file's own metadata, so a file replaced between stat and open is cached correctly.
  if (::fstat(fd.get(), &status) != 0) return Unexpected{failure(path, "fstat", errno)};

  auto bytes = std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(status.st_size));
  std::size_t filled = 0;
  std::uint8_t spill[4096];  // past the size fstat gave: the file grew while being read
  for (;;) {
    const bool in_place = filled < bytes->size();
    std::uint8_t* target = in_place ? bytes->data() + filled : spill;
    const std::size_t room = in_place ? bytes->size() - filled : sizeof spill;
    const auto got = ::read(fd.get(), target, room);
    if (got < 0) {
      if (errno == EINTR) continue;
      return Unexpected{failure(path, "read", errno)};
    }
    if (got == 0) break;
    if (!in_place) bytes->insert(bytes->end(), spill, spill + got);
    filled += static_cast<std::size_t>(got);
  }
  bytes->resize(filled);  // shorter when the file shrank while being read

  PromptBytes shared = std::move(bytes);
  // Cache only what matches the metadata it is validated against; a file changing under us is read again
  // next time.
  if (filled == static_cast<std::size_t>(status.st_size)) {
    cache_[path] = Entry{static_cast<std::int64_t>(status.st_size), status.st_mtim, shared};
  }
  return shared;
}

}  // namespace mohq::fake_rtpproxy
