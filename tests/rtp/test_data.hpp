// Where test_rtp finds its data files.
#pragma once

#include <filesystem>
#include <string_view>

namespace mohq::rtp::test {

// tests/rtp/data/<name> under $MOHQ_SOURCE_DIR (set by CTest), or next to this source file when the test
// binary is run by hand without it.
std::filesystem::path data_file(std::string_view name);

}  // namespace mohq::rtp::test
