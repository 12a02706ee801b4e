#include "fixtures.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace mohq::sip::test {

fs::path data_dir() {
  if (const char* root = std::getenv("MOHQ_SOURCE_DIR"); root != nullptr && *root != '\0') {
    return fs::path(root) / "tests" / "sip" / "data";
  }
  return fs::path(__FILE__).parent_path() / "data";
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read test data " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string read_data(const std::string& relative) { return read_file(data_dir() / relative); }

std::vector<fs::path> message_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(data_dir() / "messages")) {
    if (entry.path().extension() == ".sip") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace mohq::sip::test
