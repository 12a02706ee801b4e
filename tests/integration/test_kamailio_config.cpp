// mohq_kamailio's generated files: the kamailio.cfg text, the mohqueue SQLite database, and (when Debian's
// kamailio is installed) Kamailio's own syntax check of the result.
#define BOOST_TEST_MODULE kamailio_config
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "kamailio/kamailio_config.hpp"
#include "kamailio/rtpproxy_socket.hpp"
#include "process/child_process.hpp"
#include "process/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mohq::kamailio::KamailioConfig;
using mohq::kamailio::MohQueue;
using mohq::kamailio::RtpproxySocket;

namespace {

KamailioConfig sample_config(const fs::path& mohdir) {
  KamailioConfig config;
  config.listen_host = "127.0.0.1";
  config.sip_port = 5060;
  config.rtpproxy = RtpproxySocket::udp("127.0.0.1", 22222);
  config.mohdir = mohdir;
  config.moh_maxcalls = 7;
  config.queues = {{"abc", mohq::kamailio::queue_uri("1008", "127.0.0.1", 5060), mohdir, "test", false}};
  return config;
}

std::vector<std::string> query(const fs::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> rows;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_exec(
        db, sql.c_str(),
        [](void* out, int columns, char** values, char**) {
          std::string row;
          for (int i = 0; i < columns; ++i) row += (i > 0 ? "|" : "") + std::string(values[i] != nullptr ? values[i] : "NULL");
          static_cast<std::vector<std::string>*>(out)->push_back(row);
          return 0;
        },
        &rows, nullptr);
  }
  sqlite3_close(db);
  return rows;
}

}  // namespace

BOOST_AUTO_TEST_CASE(rtpproxy_socket_forms_round_trip) {
  BOOST_TEST(RtpproxySocket::udp("127.0.0.1", 22222).to_string() == "udp:127.0.0.1:22222");
  BOOST_TEST(RtpproxySocket::unix_stream("/tmp/x.sock").to_string() == "unix:/tmp/x.sock");
  auto udp = RtpproxySocket::parse("udp:127.0.0.1:7722");
  BOOST_TEST_REQUIRE(udp.has_value());
  BOOST_TEST((udp->kind() == RtpproxySocket::Kind::udp && udp->host() == "127.0.0.1" && udp->port() == 7722));
  auto local = RtpproxySocket::parse("unix:/run/rtpproxy.sock");
  BOOST_TEST_REQUIRE(local.has_value());
  BOOST_TEST(local->path() == fs::path("/run/rtpproxy.sock"));
  BOOST_TEST(!RtpproxySocket::parse("tcp:127.0.0.1:1").has_value());
  BOOST_TEST(!RtpproxySocket::parse("udp:127.0.0.1").has_value());
  BOOST_TEST(!RtpproxySocket::parse("udp:127.0.0.1:70000").has_value());
}

BOOST_AUTO_TEST_CASE(cfg_loads_the_modules_in_order_and_points_mohqueue_at_its_files) {
  auto text = mohq::kamailio::render_kamailio_cfg(sample_config("/srv/moh"), "/srv/k/mohqueue.sqlite");
  BOOST_TEST_REQUIRE(text.has_value());
  std::size_t previous = 0;
  for (const char* module : {"db_sqlite", "sl", "tm", "rr", "pv", "xlog", "textops", "siputils", "rtpproxy",
                             "mohqueue"}) {
    std::size_t at = text->find("loadmodule \"" + std::string(module) + ".so\"");
    BOOST_TEST_REQUIRE(at != std::string::npos, module);
    BOOST_TEST(at > previous, module << " out of order");
    previous = at;
  }
  for (const char* line : {"listen=udp:127.0.0.1:5060\n", "log_stderror=yes\n", "fork=yes\n", "children=2\n",
                           "modparam(\"rtpproxy\", \"rtpproxy_sock\", \"udp:127.0.0.1:22222\")\n",
                           "modparam(\"mohqueue\", \"db_url\", \"sqlite:////srv/k/mohqueue.sqlite\")\n",
                           "modparam(\"mohqueue\", \"mohdir\", \"/srv/moh\")\n",
                           "modparam(\"mohqueue\", \"moh_maxcalls\", 7)\n", "\tif (mohq_process()) {\n",
                           "mohq_retrieve(\"$hdr(X-Mohq-Queue)\", \"$hdr(X-Mohq-Refer-To)\")"}) {
    BOOST_TEST(text->find(line) != std::string::npos, "missing: " << line);
  }
}

BOOST_AUTO_TEST_CASE(unix_control_socket_is_written_as_kamailio_expects) {
  auto config = sample_config("/srv/moh");
  config.rtpproxy = RtpproxySocket::unix_stream("/tmp/d/rtpproxy.sock");
  auto text = mohq::kamailio::render_kamailio_cfg(config, "/srv/k/db.sqlite");
  BOOST_TEST_REQUIRE(text.has_value());
  BOOST_TEST(text->find("modparam(\"rtpproxy\", \"rtpproxy_sock\", \"unix:/tmp/d/rtpproxy.sock\")") != std::string::npos);
}

// Several rtpproxy nodes are one set: rtpproxy_sock takes them space-separated.
BOOST_AUTO_TEST_CASE(several_rtpproxies_are_one_set) {
  auto config = sample_config("/srv/moh");
  config.more_rtpproxies = {RtpproxySocket::udp("127.0.0.1", 22224)};
  auto text = mohq::kamailio::render_kamailio_cfg(config, "/srv/k/db.sqlite");
  BOOST_TEST_REQUIRE(text.has_value());
  BOOST_TEST(text->find("modparam(\"rtpproxy\", \"rtpproxy_sock\", \"udp:127.0.0.1:22222 udp:127.0.0.1:22224\")") !=
             std::string::npos, *text);
}

BOOST_AUTO_TEST_CASE(values_mohqueue_would_reject_are_errors_up_front) {
  auto config = sample_config("/" + std::string(120, 'm'));
  auto long_dir = mohq::kamailio::render_kamailio_cfg(config, "/db");
  BOOST_TEST_REQUIRE(!long_dir.has_value());
  BOOST_TEST(long_dir.error().find("100 characters") != std::string::npos);

  config = sample_config("/srv/moh");
  config.moh_maxcalls = 0;
  BOOST_TEST(!mohq::kamailio::render_kamailio_cfg(config, "/db").has_value());

  config = sample_config("/srv/\"moh");
  BOOST_TEST(!mohq::kamailio::render_kamailio_cfg(config, "/db").has_value());

  BOOST_TEST(!mohq::kamailio::render_kamailio_cfg(sample_config("/srv/moh"), "relative.sqlite").has_value());
}

BOOST_AUTO_TEST_CASE(database_has_version_rows_and_the_queue) {
  auto dir = mohq::process::make_temp_dir("mohq-ut-");
  BOOST_TEST_REQUIRE(dir.has_value());
  const fs::path db = dir->path() / "mohqueue.sqlite";
  MohQueue with_dir{"abc", "sip:1008@127.0.0.1:5060", "/srv/moh", "test", false};
  MohQueue without_dir{"def", "sip:1009@127.0.0.1:5060", "", "hold", true};
  BOOST_TEST_REQUIRE(mohq::kamailio::create_mohqueue_db(db, {with_dir, without_dir}).has_value());

  BOOST_TEST(query(db, "SELECT table_name, table_version FROM version ORDER BY table_name") ==
                 (std::vector<std::string>{"mohqcalls|1", "mohqueues|1", "version|1"}),
             boost::test_tools::per_element());
  BOOST_TEST(query(db, "SELECT name, uri, mohdir, mohfile, debug FROM mohqueues ORDER BY id") ==
                 (std::vector<std::string>{"abc|sip:1008@127.0.0.1:5060|/srv/moh|test|0",
                                           "def|sip:1009@127.0.0.1:5060|NULL|hold|1"}),
             boost::test_tools::per_element());
  BOOST_TEST(query(db, "SELECT count(*) FROM mohqcalls") == (std::vector<std::string>{"0"}),
             boost::test_tools::per_element());

  // A second database over the first would hide stale rows: refused.
  BOOST_TEST(!mohq::kamailio::create_mohqueue_db(db, {with_dir}).has_value());
  // Column limits of mohqueues: name is VARCHAR(25).
  MohQueue long_name{std::string(26, 'q'), "sip:1@127.0.0.1:5060", "", "test", false};
  auto refused = mohq::kamailio::create_mohqueue_db(dir->path() / "other.sqlite", {long_name});
  BOOST_TEST_REQUIRE(!refused.has_value());
  BOOST_TEST(refused.error().find("25 characters") != std::string::npos);
}

// Kamailio's own parser (-c) accepts the generated file with every module loaded.
BOOST_AUTO_TEST_CASE(kamailio_accepts_the_generated_config) {
  if (::access("/usr/sbin/kamailio", X_OK) != 0) {
    BOOST_TEST_MESSAGE("skipped: /usr/sbin/kamailio not installed (apt-get install kamailio kamailio-sqlite-modules)");
    return;
  }
  auto dir = mohq::process::make_temp_dir("mohq-ut-");
  BOOST_TEST_REQUIRE(dir.has_value());
  fs::create_directories(dir->path() / "moh");
  std::ofstream(dir->path() / "moh" / "test.8") << std::string(1600, '\xd5');
  auto config = sample_config(dir->path() / "moh");
  config.sip_port = 5099;
  auto files = mohq::kamailio::write_kamailio_config(config, dir->path());
  BOOST_TEST_REQUIRE(files.has_value(), (files.has_value() ? std::string() : files.error()));

  mohq::process::SpawnOptions check;
  check.argv = {"/usr/sbin/kamailio", "-c", "-f", files->cfg.string(), "-Y", dir->path().string(), "-E"};
  check.stdout_path = check.stderr_path = dir->path() / "check.log";
  auto child = mohq::process::ChildProcess::spawn(check);
  BOOST_TEST_REQUIRE(child.has_value());
  auto status = child->wait_for(20s);
  BOOST_TEST_REQUIRE(status.has_value(), "kamailio -c did not finish in 20 s");
  std::ifstream log(dir->path() / "check.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  BOOST_TEST(status->success(), "kamailio -c: " << status->describe() << "\n" << text);
}
