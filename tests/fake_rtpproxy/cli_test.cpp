// The fake-rtpproxy binary as a user runs it: rtpproxy's stdio mode (command file in, replies out), clean
// exit on SIGTERM with the counters written, and exit code 2 with a message for a bad command line.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "harness/rtpproxy_client.hpp"
#include "process/child_process.hpp"
#include "process/free_port.hpp"
#include "process/temp_dir.hpp"
#include "support/source_tree.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

fs::path binary() { return mohq::test::binary_dir() / "fake-rtpproxy"; }

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(stdio_mode_answers_a_command_file) {
  auto dir = mohq::process::make_temp_dir("mohq-cli-");
  BOOST_REQUIRE(dir);
  auto media = mohq::process::find_free_udp_port_block("127.0.0.1", 6);
  BOOST_REQUIRE(media);
  const std::string first = std::to_string(*media), second = std::to_string(*media + 2);
  std::ofstream(dir->path() / "commands") << "V\nVF 20081102\nU c1 127.0.0.1 6000 a;1\nL c1 127.0.0.1 1 a;1 b;1\n"
                                             "D c1 a b\nD c1 a b\nQ\n";
  mohq::process::SpawnOptions spawn;
  spawn.argv = {"/bin/sh", "-c",
                binary().string() + " -f -s stdio: -l 127.0.0.1 -b -m " + first + " -M " + std::to_string(*media + 4) + " < " +
                    (dir->path() / "commands").string()};
  spawn.stdout_path = dir->path() / "replies";
  spawn.stderr_path = dir->path() / "log";
  auto child = mohq::process::ChildProcess::spawn(spawn);
  BOOST_REQUIRE(child);
  auto status = child->wait_for(10s);
  BOOST_REQUIRE_MESSAGE(status, "fake-rtpproxy did not stop at the end of its commands");
  BOOST_TEST(status->success(), status->describe() << "\n" << slurp(dir->path() / "log"));
  BOOST_TEST(slurp(dir->path() / "replies") ==
             "20040107\n1\n" + first + " 127.0.0.1\n" + second + " 127.0.0.1\n0\nE50\nE1\n");
}

BOOST_AUTO_TEST_CASE(sigterm_stops_it_cleanly_and_writes_the_counters) {
  auto dir = mohq::process::make_temp_dir("mohq-cli-");
  BOOST_REQUIRE(dir);
  auto control = mohq::process::find_free_udp_port("127.0.0.1");
  auto media = mohq::process::find_free_udp_port_block("127.0.0.1", 8);
  BOOST_REQUIRE(control && media);
  mohq::process::SpawnOptions spawn;
  spawn.argv = {binary().string(), "-l", "127.0.0.1", "-s", "udp:127.0.0.1:" + std::to_string(*control), "-m",
                std::to_string(*media), "-M", std::to_string(*media + 7), "-f", "--stats-json",
                (dir->path() / "stats.json").string()};
  spawn.stderr_path = dir->path() / "log";
  auto child = mohq::process::ChildProcess::spawn(spawn);
  BOOST_REQUIRE(child);
  auto client = mohq::harness::RtpproxyClient::connect("udp:127.0.0.1:" + std::to_string(*control));
  BOOST_REQUIRE(client);
  client->timeout = 200ms;
  client->tries = 25;
  auto version = client->send("V");
  BOOST_REQUIRE_MESSAGE(version, (version ? "" : version.error()) << "\n" << slurp(dir->path() / "log"));
  BOOST_TEST(*version == "20040107");
  BOOST_TEST(client->send("U call 127.0.0.1 6000 a;1").value().find("127.0.0.1") != std::string::npos);
  BOOST_TEST(client->send("Yzz").value() == "E0");
  auto status = child->terminate(5s);
  BOOST_TEST(status.success(), status.describe());
  auto stats = nlohmann::json::parse(slurp(dir->path() / "stats.json"), nullptr, false);
  BOOST_REQUIRE(!stats.is_discarded());
  BOOST_TEST(stats["counters"]["nsess_created"].get<int>() == 1);
  BOOST_TEST(stats["counters"]["ncmds_rcvd"].get<int>() == 3);
  BOOST_TEST(stats["counters"]["ncmds_errs"].get<int>() == 1);
  BOOST_TEST(stats["active_sessions"].get<int>() == 1);
}

BOOST_AUTO_TEST_CASE(bad_flags_exit_2_with_a_message) {
  auto dir = mohq::process::make_temp_dir("mohq-cli-");
  BOOST_REQUIRE(dir);
  for (std::vector<std::string> arguments : {std::vector<std::string>{"-Q"}, {"-m", "notaport"}, {"-s", "tcp:1.2.3.4:5"}}) {
    mohq::process::SpawnOptions spawn;
    spawn.argv = {binary().string()};
    spawn.argv.insert(spawn.argv.end(), arguments.begin(), arguments.end());
    spawn.stderr_path = dir->path() / "log";
    auto child = mohq::process::ChildProcess::spawn(spawn);
    BOOST_REQUIRE(child);
    auto status = child->wait_for(5s);
    BOOST_REQUIRE(status);
    BOOST_TEST(status->exited_with(2), arguments.front() << ": " << status->describe());
    BOOST_TEST(slurp(dir->path() / "log").find("fake-rtpproxy: ") == 0u);
  }
}

BOOST_AUTO_TEST_CASE(a_taken_control_port_is_a_clear_error) {
  auto dir = mohq::process::make_temp_dir("mohq-cli-");
  BOOST_REQUIRE(dir);
  auto holder = mohq::net::UdpSocket::bind(*mohq::net::SocketAddress::from_host_port("127.0.0.1", 0));
  BOOST_REQUIRE(holder);
  mohq::process::SpawnOptions spawn;
  spawn.argv = {binary().string(), "-s", "udp:127.0.0.1:" + std::to_string(holder->local_address().port()), "-f"};
  spawn.stderr_path = dir->path() / "log";
  auto child = mohq::process::ChildProcess::spawn(spawn);
  BOOST_REQUIRE(child);
  auto status = child->wait_for(5s);
  BOOST_REQUIRE(status);
  BOOST_TEST(status->exited_with(1), status->describe());
  BOOST_TEST(slurp(dir->path() / "log").find("Address already in use") != std::string::npos, slurp(dir->path() / "log"));
}

BOOST_AUTO_TEST_SUITE_END()
