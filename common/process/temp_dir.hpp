// A fresh directory for one test or run, removed with everything in it when the owner goes away, unless
// the environment says MOHQ_KEEP_TMP=1 (then its path is printed to stderr so a failure can be inspected).
#pragma once

#include <filesystem>
#include <string>

#include "base/expected.hpp"

namespace mohq::process {

class TempDir {
 public:
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& name) const { return path_ / name; }

 private:
  friend Expected<TempDir, std::string> make_temp_dir(const std::string& prefix);
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  void remove();

  std::filesystem::path path_;
};

// mkdtemp under $TMPDIR (or /tmp): "<tmp>/<prefix>XXXXXX". Keep prefix short: unix socket paths placed in
// it must stay under 108 bytes and Kamailio's mohqueue limits mohdir to 100 characters.
Expected<TempDir, std::string> make_temp_dir(const std::string& prefix = "mohq-");

}  // namespace mohq::process
