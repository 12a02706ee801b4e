#include "process/temp_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <system_error>
#include <vector>

namespace mohq::process {
namespace {

bool keep_requested() {
  const char* keep = std::getenv("MOHQ_KEEP_TMP");
  return keep != nullptr && std::strcmp(keep, "1") == 0;
}

}  // namespace

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

TempDir::~TempDir() { remove(); }

void TempDir::remove() {
  if (path_.empty()) return;
  if (keep_requested()) {
    std::cerr << "MOHQ_KEEP_TMP=1: kept " << path_.string() << "\n";
  } else {
    std::error_code ignored;  // a destructor must not throw; a leftover temp dir is harmless
    std::filesystem::remove_all(path_, ignored);
  }
  path_.clear();
}

Expected<TempDir, std::string> make_temp_dir(const std::string& prefix) {
  if (prefix.find('/') != std::string::npos) return Unexpected{"temp dir prefix '" + prefix + "' contains '/'"};
  const char* tmp = std::getenv("TMPDIR");
  std::string base = (tmp != nullptr && *tmp != '\0') ? tmp : "/tmp";
  std::string pattern = base + "/" + prefix + "XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    return Unexpected{"cannot create a directory like " + pattern + ": " + std::strerror(errno)};
  }
  return TempDir(std::filesystem::path(buffer.data()));
}

}  // namespace mohq::process
