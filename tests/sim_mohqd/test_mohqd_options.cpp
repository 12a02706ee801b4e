// mohqd's configuration: command line and --config share their keys; every mistake names its key, and the
// binary exits 2 on it.
#define BOOST_TEST_MODULE test_mohqd_options
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "process/child_process.hpp"
#include "process/temp_dir.hpp"
#include "sim/mohqd/mohqd_options.hpp"
#include "support/source_tree.hpp"

namespace fs = std::filesystem;
using mohq::sim::parse_mohqd_options;

namespace {

struct Dirs {
  mohq::process::TempDir temp = *mohq::process::make_temp_dir("mohqd-options-");
  fs::path dir() const { return temp.path(); }
};

template <class T>
std::string why(const mohq::Expected<T, std::string>& result) {
  return result ? std::string() : result.error();
}

std::string error_of(const std::vector<std::string>& arguments) {
  auto parsed = parse_mohqd_options(arguments);
  BOOST_TEST_REQUIRE(!parsed.has_value(), "accepted: expected an error");
  return parsed.error();
}

}  // namespace

BOOST_AUTO_TEST_CASE(defaults_and_every_key_on_the_command_line) {
  Dirs dirs;
  auto parsed = parse_mohqd_options({"--db", "sqlite:" + (dirs.dir() / "q.sqlite").string(), "--mohdir",
                                     dirs.dir().string()});
  BOOST_TEST_REQUIRE(parsed.has_value(), why(parsed));
  BOOST_TEST(parsed->listen == std::vector<std::string>{"udp:127.0.0.1:5060"});
  BOOST_TEST(parsed->rtpproxy == std::vector<std::string>{"udp:127.0.0.1:22222"});
  BOOST_TEST(parsed->maxcalls == 50u);
  BOOST_TEST(parsed->rpc == "127.0.0.1:5062");
  BOOST_TEST((parsed->profile == mohq::sim::Profile::Kamailio));

  parsed = parse_mohqd_options({"--listen", "udp:127.0.0.1:5070", "--listen=tcp:127.0.0.1:5070", "--rtpproxy",
                                "unix:/run/rtpproxy.sock", "--rtpproxy", "udp:127.0.0.1:7722", "--db",
                                "sqlite:////tmp/x.sqlite", "--mohdir", dirs.dir().string(), "--maxcalls", "5000",
                                "--rpc", "off", "--profile", "strict", "--queue", "abc,sip:1008@127.0.0.1:5070,test",
                                "--rtpproxy-timeout-ms", "200", "--rtpproxy-tries", "2", "--log-level", "debug"});
  BOOST_TEST_REQUIRE(parsed.has_value(), why(parsed));
  BOOST_TEST(parsed->listen == (std::vector<std::string>{"udp:127.0.0.1:5070", "tcp:127.0.0.1:5070"}));
  BOOST_TEST(parsed->rtpproxy == (std::vector<std::string>{"unix:/run/rtpproxy.sock", "udp:127.0.0.1:7722"}));
  BOOST_TEST(parsed->db_path == "/tmp/x.sqlite");  // Kamailio's db_url form
  BOOST_TEST(parsed->maxcalls == 5000u);
  BOOST_TEST(parsed->rpc.empty());
  BOOST_TEST((parsed->profile == mohq::sim::Profile::Strict));
  BOOST_TEST_REQUIRE(parsed->queues.size() == 1u);
  BOOST_TEST(parsed->queues[0].uri == "sip:1008@127.0.0.1:5070");
  BOOST_TEST(parsed->queues[0].mohfile == "test");
  BOOST_TEST(parsed->rtpproxy_timeout.count() == 200);
  BOOST_TEST(parsed->rtpproxy_tries == 2);
}

BOOST_AUTO_TEST_CASE(config_file_has_the_same_keys_and_errors_name_file_line_and_key) {
  Dirs dirs;
  const fs::path config = dirs.dir() / "mohqd.conf";
  std::ofstream(config) << "# mohqd\nlisten = udp:127.0.0.1:5090\ndb = sqlite:" << (dirs.dir() / "q.sqlite").string()
                        << "\nmohdir = " << dirs.dir().string() << "  # prompts\nmaxcalls = 7\nprofile = strict\n";
  auto parsed = parse_mohqd_options({"--config", config.string()});
  BOOST_TEST_REQUIRE(parsed.has_value(), why(parsed));
  BOOST_TEST(parsed->listen == std::vector<std::string>{"udp:127.0.0.1:5090"});
  BOOST_TEST(parsed->maxcalls == 7u);
  BOOST_TEST((parsed->profile == mohq::sim::Profile::Strict));

  std::ofstream(config) << "maxcalls = 7\nmax_calls = 8\n";
  const std::string error = error_of({"--config", config.string()});
  BOOST_TEST(error.find("mohqd.conf:2") != std::string::npos, error);
  BOOST_TEST(error.find("max_calls: unknown key") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(bad_values_name_their_key) {
  Dirs dirs;
  const std::string db = "sqlite:" + (dirs.dir() / "q.sqlite").string();
  const std::string mohdir = dirs.dir().string();
  BOOST_TEST(error_of({"--db", db, "--mohdir", mohdir, "--maxcalls", "0"}).starts_with("maxcalls:"));
  BOOST_TEST(error_of({"--db", db, "--mohdir", mohdir, "--maxcalls", "5001"}).starts_with("maxcalls:"));
  BOOST_TEST(error_of({"--db", db, "--mohdir", mohdir, "--maxcalls", "ten"}).starts_with("maxcalls:"));
  BOOST_TEST(error_of({"--db", db, "--mohdir", mohdir, "--profile", "lenient"}).starts_with("profile:"));
  BOOST_TEST(error_of({"--db", db, "--mohdir", mohdir, "--listen", "sctp:1.2.3.4:5"}).starts_with("listen:"));
  BOOST_TEST(error_of({"--db", db, "--mohdir", mohdir, "--rtpproxy", "tcp:1.2.3.4:5"}).starts_with("rtpproxy:"));
  BOOST_TEST(error_of({"--db", "mysql://kamailio@localhost/kamailio", "--mohdir", mohdir}).starts_with("db:"));
  BOOST_TEST(error_of({"--db", db, "--mohdir", (dirs.dir() / "missing").string()}).starts_with("mohdir:"));
  BOOST_TEST(error_of({"--db", db}).starts_with("mohdir:"));  // mandatory, as in mohqueue
  BOOST_TEST(error_of({"--mohdir", mohdir}).starts_with("db:"));
  BOOST_TEST(error_of({"--db", db, "--mohdir", mohdir, "--queue", "abc"}).starts_with("queue:"));
  BOOST_TEST(error_of({"--db", db, "--mohdir", mohdir, "--maxcalls"}).starts_with("maxcalls:"));
  BOOST_TEST(error_of({"--db", db, "--mohdir", mohdir, "--colour", "red"}).starts_with("colour: unknown key"));
}

BOOST_AUTO_TEST_CASE(the_binary_exits_2_with_the_key_on_stderr) {
  Dirs dirs;
  mohq::process::SpawnOptions spawn;
  spawn.argv = {(mohq::test::binary_dir() / "mohqd").string(), "--db", "sqlite:" + (dirs.dir() / "q.sqlite").string(),
                "--mohdir", dirs.dir().string(), "--maxcalls", "0"};
  spawn.stderr_path = dirs.dir() / "stderr";
  auto child = mohq::process::ChildProcess::spawn(spawn);
  BOOST_TEST_REQUIRE(child.has_value(), why(child));
  auto status = child->wait_for(std::chrono::seconds(10));
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST(status->exited_with(2), status->describe());
  std::ifstream in(dirs.dir() / "stderr");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(text.find("mohqd: maxcalls:") != std::string::npos, text);

  // A configuration that parses but cannot start (the RPC address is not loopback): also exit 2, naming it.
  spawn.argv = {(mohq::test::binary_dir() / "mohqd").string(), "--db", "sqlite:" + (dirs.dir() / "q.sqlite").string(),
                "--mohdir", dirs.dir().string(), "--listen", "udp:127.0.0.1:0", "--rpc", "8.8.8.8:5062"};
  child = mohq::process::ChildProcess::spawn(spawn);
  BOOST_TEST_REQUIRE(child.has_value(), why(child));
  status = child->wait_for(std::chrono::seconds(10));
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST(status->exited_with(2), status->describe());
  std::ifstream again(dirs.dir() / "stderr");
  text.assign((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>());
  BOOST_TEST(text.find("mohqd: rpc:") != std::string::npos, text);
}
