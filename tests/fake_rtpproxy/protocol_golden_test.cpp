// rtpproxy's own test style: a command file in, the expected replies out, compared line by line.
// data/protocol/NAME.input holds one command per line ('#' comments and blank lines skipped; "%PROMPTS%" is
// replaced by a directory holding test.0 and test.8); NAME.output holds one reply per command. Files whose
// name contains "datagram" are sent with cookies (udp framing), the others as over a unix socket.
// A multi-line reply (I) is written on one line with its newlines shown as \n, and the media ports as
// %PORT1% and %PORT2% (the first and second pair of a block found free at run time).
// After an intended change: MOHQ_REGENERATE=1 build/tests/test_fake_rtpproxy --run_test=protocol_golden
// rewrites the .output files; review the diff before committing it.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon_fixture.hpp"
#include "support/source_tree.hpp"

namespace fs = std::filesystem;

namespace {

fs::path data_dir() { return mohq::test::source_tree() / "tests" / "fake_rtpproxy" / "data" / "protocol"; }

std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(protocol_golden)

BOOST_AUTO_TEST_CASE(command_files_give_the_expected_replies) {
  const bool regenerate = std::getenv("MOHQ_REGENERATE") != nullptr;
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(data_dir())) {
    if (entry.path().extension() != ".input") continue;
    ++files;
    const std::string name = entry.path().stem().string();
    const bool datagram = name.find("datagram") != std::string::npos;
    mohq::test::PromptDir prompts;
    prompts.write("test.8", mohq::test::counting_bytes(1600));
    prompts.write("test.0", mohq::test::counting_bytes(1600));
    mohq::test::FakeRtpproxyFixture rtpproxy;

    std::vector<std::string> replies;
    for (std::string line : read_lines(entry.path())) {
      if (line.empty() || line[0] == '#') continue;
      replace_all(line, "%PROMPTS%", prompts.path.string());
      std::string reply = datagram ? rtpproxy.datagram(line) : rtpproxy.command(line);
      replace_all(reply, "\n", "\\n");  // one line per reply: I's lines are joined with a visible \n
      // Ports come from whatever block was free: the files name them by position.
      replace_all(reply, std::to_string(rtpproxy.port_base) + " ", "%PORT1% ");
      replace_all(reply, std::to_string(rtpproxy.port_base + 2) + " ", "%PORT2% ");
      replies.push_back(reply);
    }
    fs::path expected_path = entry.path();
    expected_path.replace_extension(".output");
    if (regenerate) {
      std::ofstream out(expected_path, std::ios::trunc);
      for (const auto& reply : replies) out << reply << "\n";
      continue;
    }
    auto expected = read_lines(expected_path);
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(replies.size() == expected.size());
      for (std::size_t i = 0; i < std::min(replies.size(), expected.size()); ++i) {
        BOOST_TEST(replies[i] == expected[i], name << ".input command " << i + 1 << ": got '" << replies[i]
                                                  << "', expected '" << expected[i] << "'");
      }
    }
  }
  BOOST_TEST(files >= 3u);
}

BOOST_AUTO_TEST_SUITE_END()
