// Golden files in rtpproxy's own style (its tests/command_parser): data/<name>.input holds one command per
// line, data/<name>.output the canonical parse result of each line (canonical.hpp). Files whose name ends
// in "-datagram" are parsed with Datagram framing (first token = cookie), the others with Stream framing.
// Every command that parses must also survive format_request -> parse_request unchanged.
//
// After an intended change, rewrite the .output files and review the diff:
//   MOHQ_REGENERATE=1 build-rtpp/tests/test_rtpp --run_test=golden
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/source_tree.hpp"
#include "canonical.hpp"
#include "rtpp/codec.hpp"

namespace fs = std::filesystem;
using namespace mohq::rtpp;

namespace {

fs::path data_dir() { return mohq::test::source_tree() / "tests" / "rtpp" / "data"; }

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Lines split on '\n' only, so a line may hold TAB or CR as separators; an empty line is a command too.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::vector<fs::path> input_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(data_dir())) {
    if (entry.path().extension() == ".input") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool regenerate() {
  const char* v = std::getenv("MOHQ_REGENERATE");
  return v != nullptr && std::string(v) == "1";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(golden)

BOOST_AUTO_TEST_CASE(input_files_match_their_outputs) {
  const auto files = input_files();
  BOOST_TEST_REQUIRE(!files.empty(), "no .input files in " << data_dir());
  std::size_t commands = 0;
  for (const fs::path& input : files) {
    const Framing framing =
        input.stem().string().ends_with("-datagram") ? Framing::Datagram : Framing::Stream;
    std::string actual;
    for (const std::string& line : lines_of(read_file(input))) {
      const auto result = parse_request(line, framing);
      actual += testing::describe(result) + '\n';
      ++commands;
      if (result) {
        const std::string formatted = format_request(*result);
        const auto again = parse_request(formatted, result->cookie ? Framing::Datagram : Framing::Stream);
        BOOST_TEST(again.has_value(), input.filename() << ": \"" << line << "\" formats to \"" << formatted
                                                       << "\" which does not parse");
        if (again) {
          BOOST_TEST((*again == *result), input.filename() << ": \"" << line << "\" -> \"" << formatted
                                                           << "\" parses to " << testing::describe(again));
        }
      }
    }
    fs::path output = input;
    output.replace_extension(".output");
    if (regenerate()) {
      std::ofstream(output, std::ios::binary) << actual;
      BOOST_TEST_MESSAGE("rewrote " << output);
      continue;
    }
    const auto expected_lines = lines_of(read_file(output));
    const auto actual_lines = lines_of(actual);
    BOOST_TEST(expected_lines.size() == actual_lines.size(), output.filename() << ": line count");
    const auto inputs = lines_of(read_file(input));
    for (std::size_t i = 0; i < std::min(expected_lines.size(), actual_lines.size()); ++i) {
      BOOST_TEST(actual_lines[i] == expected_lines[i],
                 input.filename() << ":" << i + 1 << " \"" << inputs[i] << "\"");
    }
  }
  BOOST_TEST_MESSAGE("golden: " << files.size() << " files, " << commands << " commands");
}

BOOST_AUTO_TEST_CASE(every_error_code_the_parser_produces_is_covered) {
  // Each E-code parse_request can return appears at least once in the golden outputs.
  std::string outputs;
  for (const fs::path& input : input_files()) {
    fs::path output = input;
    output.replace_extension(".output");
    outputs += read_file(output);
  }
  for (int code : {0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 31, 35}) {
    const std::string word = "E" + std::to_string(code) + "\n";
    BOOST_TEST(outputs.find(word) != std::string::npos, "no golden line ends in E" << code);
  }
}

BOOST_AUTO_TEST_SUITE_END()
