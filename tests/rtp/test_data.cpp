#include "test_data.hpp"

#include <cstdlib>

namespace mohq::rtp::test {

std::filesystem::path data_file(std::string_view name) {
  if (const char* source_dir = std::getenv("MOHQ_SOURCE_DIR"); source_dir != nullptr && *source_dir != '\0') {
    return std::filesystem::path(source_dir) / "tests" / "rtp" / "data" / name;
  }
  return std::filesystem::path(__FILE__).parent_path() / "data" / name;
}

}  // namespace mohq::rtp::test
