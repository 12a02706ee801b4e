// Test data for the common/sip suites: the captured Kamailio 5.6.3 messages in data/messages and the SDP
// bodies in data/sdp (see data/README.md).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mohq::sip::test {

std::filesystem::path data_dir();
std::string read_file(const std::filesystem::path& path);
std::string read_data(const std::string& relative);   // data_dir() / relative
std::vector<std::filesystem::path> message_files();   // data/messages/*.sip, sorted

// Replaces "\n" by "\r\n" so short literal messages stay readable in the tests.
std::string crlf(const std::string& text);

}  // namespace mohq::sip::test
