// Where a test finds its data files and the built binaries. CTest sets MOHQ_SOURCE_DIR and MOHQ_BIN_DIR; a test
// binary run by hand finds the source tree from this header's own path and the binaries in <tree>/build/bin.
#pragma once

#include <cstdlib>
#include <filesystem>

namespace mohq::test {

inline std::filesystem::path source_tree() {
  if (const char* root = std::getenv("MOHQ_SOURCE_DIR"); root != nullptr && *root != '\0') return root;
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();  // tests/support/ -> tree
}

inline std::filesystem::path binary_dir() {
  if (const char* dir = std::getenv("MOHQ_BIN_DIR"); dir != nullptr && *dir != '\0') return dir;
  return source_tree() / "build" / "bin";
}

}  // namespace mohq::test
