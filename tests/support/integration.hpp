// What the integration suites share: free loopback ports, the project's binaries, files, fake-rtpproxy's stats
// and logs printed when a test case fails. Header-only; include after <boost/test/unit_test.hpp>.
#pragma once

#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>
#include <unistd.h>

#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kamailio/kamailio_instance.hpp"
#include "process/free_port.hpp"
#include "support/source_tree.hpp"

namespace mohq::test {

inline constexpr const char* kLoopback = "127.0.0.1";

template <class T>
std::string error_of(const Expected<T, std::string>& result) {
  return result.has_value() ? std::string() : result.error();
}

// build/bin/<name>, required to be there.
inline std::filesystem::path project_binary(const std::string& name) {
  std::filesystem::path binary = binary_dir() / name;
  BOOST_TEST_REQUIRE(::access(binary.c_str(), X_OK) == 0, binary.string() + " is missing: build target " + name);
  return binary;
}

inline std::uint16_t free_port() {
  auto port = process::find_free_udp_port(kLoopback);
  BOOST_TEST_REQUIRE(port.has_value(), error_of(port));
  return *port;
}

inline std::uint16_t free_port_block(unsigned count) {
  auto port = process::find_free_udp_port_block(kLoopback, count);
  BOOST_TEST_REQUIRE(port.has_value(), error_of(port));
  return *port;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline bool current_test_failed() {
  using boost::unit_test::framework::current_test_case;
  return !boost::unit_test::results_collector.results(current_test_case().p_id).passed();
}

// Prints the named logs to stderr when the test case has failed (or is unwinding from an exception).
class LogsOnFailure {
 public:
  void add(std::string title, std::filesystem::path path) { logs_.emplace_back(std::move(title), std::move(path)); }
  ~LogsOnFailure() {
    if (std::uncaught_exceptions() == 0 && !current_test_failed()) return;
    for (const auto& [title, path] : logs_) {
      if (!std::filesystem::exists(path)) continue;  // the step that writes it never ran
      std::cerr << "\n===== " << title << " (" << path.string() << ") =====\n"
                << kamailio::tail_of_file(path, 6000) << "\n";
    }
  }

 private:
  std::vector<std::pair<std::string, std::filesystem::path>> logs_;
};

// fake-rtpproxy's --stats-json (schema mohq.fake-rtpproxy.stats/1): {"counters": {"nsess_created": N, ...}},
// rtpproxy's own counter names.
inline std::optional<long> stats_counter(const std::string& json, const std::string& name) {
  std::size_t at = json.find("\"" + name + "\"");
  if (at == std::string::npos) return std::nullopt;
  at = json.find_first_not_of(" \t\r\n:", at + name.size() + 2);
  if (at == std::string::npos || json[at] < '0' || json[at] > '9') return std::nullopt;
  return std::stol(json.substr(at, json.find_first_not_of("0123456789", at) - at));
}

}  // namespace mohq::test
