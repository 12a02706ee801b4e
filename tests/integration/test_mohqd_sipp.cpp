// mohqd end to end (issue 3's "done when"): a SIPp caller enters the queue, listens to the prompt played by
// fake-rtpproxy, is counted and retrieved with `mohq rpc`, and is transferred (REFER, 202, NOTIFY 100 and 200,
// the queue's BYE). In both profiles, over UDP; and in the strict profile over TCP. Afterwards no call is left in
// mohqd, no row in mohqcalls and no session in the rtpproxy.
#define BOOST_TEST_MODULE test_mohqd_sipp
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "analyzers/prompt_stream_check.hpp"
#include "harness/prompt_source.hpp"
#include "harness/rtp_sink.hpp"
#include "mohqd/mohqd_instance.hpp"
#include "process/child_process.hpp"
#include "process/temp_dir.hpp"
#include "sim/db/mohqueue_schema.hpp"
#include "sim/db/sqlite_database.hpp"
#include "support/integration.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mohq::process::ChildProcess;
using mohq::process::SpawnOptions;
using mohq::test::error_of;
using mohq::test::free_port;
using mohq::test::free_port_block;
using mohq::test::kLoopback;

namespace {

constexpr std::size_t kChunk = 160;  // 20 ms of G.711

struct RpcRun {
  mohq::process::ExitStatus status;
  std::string output;
};

// `mohq rpc --address A METHOD ARGS...`: the operator's command line, as a child process.
RpcRun mohq_rpc(const fs::path& dir, const std::string& address, std::vector<std::string> arguments) {
  SpawnOptions spawn;
  spawn.argv = {mohq::test::project_binary("mohq").string(), "rpc", "--address", address};
  spawn.argv.insert(spawn.argv.end(), arguments.begin(), arguments.end());
  spawn.stdout_path = dir / "mohq-rpc.out";
  spawn.stderr_path = dir / "mohq-rpc.err";
  auto child = ChildProcess::spawn(spawn);
  BOOST_TEST_REQUIRE(child.has_value(), error_of(child));
  auto status = child->wait_for(10s);
  if (!status) status = child->terminate(1s);
  return {*status, mohq::test::read_file(dir / "mohq-rpc.out") + mohq::test::read_file(dir / "mohq-rpc.err")};
}

void caller_is_retrieved_and_transferred(const std::string& profile, bool tcp) {
  auto temp = mohq::process::make_temp_dir("mohq-mohqd-");
  BOOST_TEST_REQUIRE(temp.has_value(), error_of(temp));
  const fs::path dir = temp->path();
  const fs::path mohdir = dir / "moh";
  fs::create_directories(mohdir);
  auto audio = mohq::harness::hold_music(2.51);
  auto written = mohq::harness::write_g711_prompts(audio, mohdir, "test", {8});
  BOOST_TEST_REQUIRE(written.has_value(), error_of(written));
  const auto prompt = mohq::harness::read_file_bytes(mohdir / "test.8");

  mohq::test::LogsOnFailure logs;
  logs.add("fake-rtpproxy log", dir / "fake-rtpproxy.log");
  logs.add("mohqd log", dir / "mohqd.log");
  logs.add("SIPp output", dir / "sipp.out");
  logs.add("SIPp messages", dir / "sipp-messages.log");
  logs.add("mohq rpc", dir / "mohq-rpc.err");

  const std::uint16_t sip_port = free_port();
  const std::uint16_t rpc_port = free_port();
  const std::uint16_t control_port = free_port();
  const std::uint16_t sipp_port = free_port();
  const std::uint16_t sipp_control_port = free_port();
  const std::uint16_t sipp_media_port = free_port_block(4);
  const std::uint16_t caller_rtp_port = free_port_block(2);
  const std::uint16_t rtp_min = free_port_block(100);

  auto sink = mohq::harness::RtpSink::open(kLoopback, caller_rtp_port);
  BOOST_TEST_REQUIRE(sink.has_value(), error_of(sink));
  std::atomic<bool> listening{true};
  std::thread ear([&] {
    while (listening) sink->collect(50ms);
  });
  struct StopListening {
    std::atomic<bool>& flag;
    std::thread& thread;
    ~StopListening() {
      flag = false;
      if (thread.joinable()) thread.join();
    }
  } stop_listening{listening, ear};

  const fs::path stats_path = dir / "fake-rtpproxy-stats.json";
  SpawnOptions fake;
  fake.argv = {mohq::test::project_binary("fake-rtpproxy").string(), "-l", kLoopback, "-s",
               "udp:127.0.0.1:" + std::to_string(control_port), "-m", std::to_string(rtp_min), "-M",
               std::to_string(rtp_min + 99), "-f", "--stats-json", stats_path.string()};
  fake.stdout_path = fake.stderr_path = dir / "fake-rtpproxy.log";
  auto rtpproxy = ChildProcess::spawn(fake);
  BOOST_TEST_REQUIRE(rtpproxy.has_value(), error_of(rtpproxy));

  mohq::harness::MohqdLaunch launch;
  launch.binary = mohq::test::project_binary("mohqd");
  launch.sip_port = sip_port;
  launch.tcp = tcp;
  launch.rpc_port = rpc_port;
  launch.rtpproxy = {"udp:127.0.0.1:" + std::to_string(control_port)};
  launch.profile = profile;
  launch.mohdir = mohdir;
  auto mohqd = mohq::harness::MohqdInstance::start(launch, dir);
  BOOST_TEST_REQUIRE(mohqd.has_value(), error_of(mohqd));

  SpawnOptions sipp;
  sipp.argv = {"sipp", "-sf", (mohq::test::source_tree() / "scenarios" / "moh_retrieve_notify_200.xml").string(),
               "-s", launch.queue_user, "-key", "rtp_listen_port", std::to_string(caller_rtp_port), "-m", "1", "-l",
               "1", "-i", kLoopback, "-mi", kLoopback, "-p", std::to_string(sipp_port), "-mp",
               std::to_string(sipp_media_port), "-cp", std::to_string(sipp_control_port), "-timeout", "40",
               "-timeout_error", "-nostdin", "-trace_msg", "-message_file", (dir / "sipp-messages.log").string(),
               "-t", tcp ? "t1" : "u1", std::string(kLoopback) + ":" + std::to_string(sip_port)};
  sipp.stdout_path = sipp.stderr_path = dir / "sipp.out";
  sipp.working_dir = dir;
  auto caller = ChildProcess::spawn(sipp);
  BOOST_TEST_REQUIRE(caller.has_value(), error_of(caller) << " (apt-get install sip-tester)");

  // Counted: mohqueue.count sees the call once it has been ACKed.
  std::string count;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto run = mohq_rpc(dir, mohqd->rpc_address(), {"mohqueue.count", "abc"});
    BOOST_TEST_REQUIRE(run.status.success(), "mohq rpc mohqueue.count: " << run.status.describe() << " " << run.output);
    count = run.output;
    if (count.find('1') != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  BOOST_TEST_REQUIRE(count.find('1') != std::string::npos, "the call never showed in mohqueue.count: " << count);
  std::this_thread::sleep_for(1500ms);  // listen to the music for a while

  auto retrieved = mohq_rpc(dir, mohqd->rpc_address(),
                            {"mohqueue.retrieve", "abc", "sip:operator@127.0.0.1:" + std::to_string(free_port())});
  BOOST_TEST(retrieved.status.success(), "mohq rpc mohqueue.retrieve: " << retrieved.output);

  auto sipp_status = caller->wait_for(30s);
  if (!sipp_status) sipp_status = caller->terminate(1s);
  BOOST_TEST(sipp_status->success(), "sipp: " << sipp_status->describe() << " (REFER, 202, NOTIFYs, BYE)");

  auto after = mohq_rpc(dir, mohqd->rpc_address(), {"mohqueue.list"});
  BOOST_TEST(after.status.success());
  BOOST_TEST(after.output.find("\"calls\": []") != std::string::npos, "calls left after the transfer: " << after.output);

  std::this_thread::sleep_for(300ms);  // one DB flush period and then some
  listening = false;
  ear.join();
  auto mohqd_status = mohqd->stop();
  auto rtpproxy_status = rtpproxy->terminate(3s);
  BOOST_TEST(mohqd_status.success(), "mohqd ended with " << mohqd_status.describe());
  BOOST_TEST(rtpproxy_status.success());

  // The caller heard the prompt, byte for byte, 20 ms apart, while queued.
  mohq::analyzers::PromptExpectation expected;
  expected.payload_type = 8;
  expected.ptime_ms = 20;
  expected.payload_bytes = kChunk;
  expected.timestamp_step = kChunk;
  expected.min_packets = 50;
  const auto summary = mohq::analyzers::check_prompt_stream(sink->packets(), prompt, expected);
  BOOST_TEST_MESSAGE(profile << (tcp ? "/tcp" : "/udp") << ": " << summary.packets << " RTP packets, median "
                             << summary.median_interval_ms << " ms");
  for (const auto& failure : summary.failures) BOOST_TEST_ERROR(failure);

  // No row left in mohqcalls; rtpproxy: one session created, deleted by D after the NOTIFY 200.
  auto db = mohq::sim_db::SqliteDatabase::open(mohqd->db_path());
  BOOST_TEST_REQUIRE(db.has_value());
  auto rows = mohq::sim_db::count_calls(*db);
  BOOST_TEST_REQUIRE(rows.has_value());
  BOOST_TEST(*rows == 0);
  const std::string stats = mohq::test::read_file(stats_path);
  BOOST_TEST(mohq::test::stats_counter(stats, "nsess_created").value_or(-1) == 1);
  BOOST_TEST(mohq::test::stats_counter(stats, "nsess_destroyed").value_or(-1) == 1);
  BOOST_TEST(mohq::test::stats_counter(stats, "ncmds_errs").value_or(-1) == 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mohqd_with_sipp_and_fake_rtpproxy)

BOOST_AUTO_TEST_CASE(kamailio_profile_udp_caller_enters_listens_is_counted_retrieved_transferred,
                     *boost::unit_test::timeout(60)) {
  caller_is_retrieved_and_transferred("kamailio", false);
}

BOOST_AUTO_TEST_CASE(strict_profile_udp_caller_enters_listens_is_counted_retrieved_transferred,
                     *boost::unit_test::timeout(60)) {
  caller_is_retrieved_and_transferred("strict", false);
}

BOOST_AUTO_TEST_CASE(strict_profile_tcp_caller_enters_listens_is_counted_retrieved_transferred,
                     *boost::unit_test::timeout(60)) {
  caller_is_retrieved_and_transferred("strict", true);
}

BOOST_AUTO_TEST_SUITE_END()
