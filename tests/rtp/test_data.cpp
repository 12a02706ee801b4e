#include "test_data.hpp"

#include "support/source_tree.hpp"

namespace mohq::rtp::test {

std::filesystem::path data_file(std::string_view name) {
  return mohq::test::source_tree() / "tests" / "rtp" / "data" / name;
}

}  // namespace mohq::rtp::test
