// Raw prompt files (<name>.<pt>, rtpproxy-protocol.md §3.2-§3.3), read once and shared by every player of the
// same file. A cached copy is reused while the file's size and modification time are unchanged, so a prompt
// replaced on disk is picked up by the next P without a restart.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/expected.hpp"

namespace mohq::fake_rtpproxy {

using PromptBytes = std::shared_ptr<const std::vector<std::uint8_t>>;

// Single-threaded, like the rest of the fake: used from the event loop's thread only.
class PromptStore {
 public:
  // The file's bytes. A missing file is an error (the caller tries the next payload type, as rtpproxy does
  // when open() fails), and so is anything that is not a regular file or cannot be read; the message names
  // the path and the reason.
  Expected<PromptBytes, std::string> load(const std::string& path);
  // True when path names a regular file (whether or not it is readable).
  bool exists(const std::string& path) const;

  std::size_t cached_files() const { return cache_.size(); }
  void clear() { cache_.clear(); }

 private:
  struct Entry {
    std::int64_t size;
    std::timespec mtime;
    PromptBytes bytes;
  };
  std::unordered_map<std::string, Entry> cache_;
};

}  // namespace mohq::fake_rtpproxy
