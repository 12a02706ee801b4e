// The real Kamailio 5.6 mohqueue, pointed at fake-rtpproxy, plays the prompt to a SIPp caller byte for byte
// at 20 ms per packet: once with the rtpproxy control socket over udp:, once over unix:.
//
//   SIPp caller --INVITE/ACK/BYE--> Kamailio (mohqueue) --U/L/P/D--> fake-rtpproxy --RTP--> receiver (this test)
//
// Needs: kamailio + kamailio-sqlite-modules, sip-tester (sipp), and $MOHQ_BIN_DIR/fake-rtpproxy; optionally
// asterisk-moh-opsound-wav + sox for real music (a synthesized prompt otherwise). CTest sets MOHQ_SOURCE_DIR
// and MOHQ_BIN_DIR. MOHQ_KEEP_TMP=1 keeps each case's directory (configs, logs, prompt) for inspection.
#define BOOST_TEST_MODULE integration_kamailio_fake_rtpproxy
#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "analyzers/prompt_stream_check.hpp"
#include "harness/prompt_source.hpp"
#include "harness/rtp_sink.hpp"
#include "kamailio/kamailio_instance.hpp"
#include "support/integration.hpp"
#include "kamailio/rtpproxy_socket.hpp"
#include "process/child_process.hpp"
#include "process/free_port.hpp"
#include "process/temp_dir.hpp"
#include "rtp/g711.hpp"
#include "rtp/rtp_header.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mohq::kamailio::KamailioConfig;
using mohq::kamailio::KamailioInstance;
using mohq::kamailio::RtpproxySocket;
using mohq::process::ChildProcess;
using mohq::process::SpawnOptions;
using mohq::test::error_of;
using mohq::test::free_port;
using mohq::test::free_port_block;
using mohq::test::LogsOnFailure;
using mohq::test::read_file;
using mohq::test::stats_counter;

namespace {

constexpr const char* kHost = "127.0.0.1";
constexpr const char* kQueueUser = "1008";
constexpr int kCallMs = 3000;          // SIPp -d: how long the caller listens
constexpr std::size_t kChunk = 160;    // 20 ms of G.711 at 8 kHz (rtpproxy-protocol.md §3.4)
constexpr std::uint8_t kPcma = 8;

// ---------------------------------------------------------------------------------------------------------
// Where things are

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

fs::path source_dir() { return mohq::test::source_tree(); }

fs::path kamailio_binary() {
  std::string override_path = env_or_empty("MOHQ_KAMAILIO");
  fs::path binary = override_path.empty() ? fs::path("/usr/sbin/kamailio") : fs::path(override_path);
  BOOST_TEST_REQUIRE(::access(binary.c_str(), X_OK) == 0,
                     binary.string() + " is missing: apt-get install kamailio kamailio-sqlite-modules");
  return binary;
}

// ---------------------------------------------------------------------------------------------------------
// The prompt: <mohdir>/test.8, raw A-law (rtpproxy-protocol.md §3.3), 2.51 s: 125 whole 20 ms chunks and a
// partial one, so the call (3 s) hears the loop and the dropped tail. Real hold music when Debian's
// asterisk-moh-opsound-wav and sox are there, harness/prompt_source's synthesized music otherwise.

struct Prompt {
  std::vector<std::uint8_t> bytes;
  std::string origin;
};

Prompt write_prompt(const fs::path& mohdir) {
  auto audio = mohq::harness::hold_music(2.51);
  auto written = mohq::harness::write_g711_prompts(audio, mohdir, "test", {8});
  BOOST_TEST_REQUIRE(written.has_value(), error_of(written));
  return {mohq::harness::read_file_bytes(mohdir / "test.8"), audio.origin};
}

// ---------------------------------------------------------------------------------------------------------
// One call: SIPp -> Kamailio mohqueue -> fake-rtpproxy -> our receiver.

enum class Control { udp, unix_stream };

void caller_hears_prompt_byte_for_byte(Control control) {
  auto temp = mohq::process::make_temp_dir("mohq-it-");
  BOOST_TEST_REQUIRE(temp.has_value(), error_of(temp));
  const fs::path dir = temp->path();
  BOOST_TEST_MESSAGE("work dir " << dir.string());
  const fs::path mohdir = dir / "moh";
  fs::create_directories(mohdir);

  LogsOnFailure logs;
  logs.add("fake-rtpproxy log", dir / "fake-rtpproxy.log");
  logs.add("Kamailio log", dir / "kamailio.log");
  logs.add("SIPp output", dir / "sipp.out");
  logs.add("SIPp messages", dir / "sipp-messages.log");
  logs.add("SIPp errors", dir / "sipp-errors.log");

  const Prompt prompt = write_prompt(mohdir);
  BOOST_TEST_MESSAGE("prompt " << prompt.origin << ", " << prompt.bytes.size() << " bytes");
  BOOST_TEST_REQUIRE(prompt.bytes.size() >= 100 * kChunk);

  // Ports: SIPp binds -mp and -mp + 2 itself, so the SDP offers a separate port that the receiver owns.
  const std::uint16_t sip_port = free_port();
  const std::uint16_t sipp_port = free_port();
  const std::uint16_t sipp_control_port = free_port();
  const std::uint16_t sipp_media_port = free_port_block(4);
  const std::uint16_t caller_rtp_port = free_port_block(2);
  const std::uint16_t rtp_min = free_port_block(100);
  const std::uint16_t rtp_max = static_cast<std::uint16_t>(rtp_min + 99);
  const RtpproxySocket control_socket = control == Control::udp
                                            ? RtpproxySocket::udp(kHost, free_port())
                                            : RtpproxySocket::unix_stream(dir / "rtpproxy.sock");

  // The caller's ear: every datagram arriving at the port the caller's SDP offered, kernel-stamped.
  auto sink = mohq::harness::RtpSink::open(kHost, caller_rtp_port);
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

  // 1. fake-rtpproxy, ready before Kamailio: each Kamailio worker probes it once at start-up.
  const fs::path stats_path = dir / "fake-rtpproxy-stats.json";
  SpawnOptions fake;
  fake.argv = {mohq::test::project_binary("fake-rtpproxy").string(), "-l", kHost, "-s", control_socket.to_string(),
               "-m", std::to_string(rtp_min), "-M", std::to_string(rtp_max), "-f", "--stats-json", stats_path.string()};
  fake.stdout_path = fake.stderr_path = dir / "fake-rtpproxy.log";
  auto rtpproxy = ChildProcess::spawn(fake);
  BOOST_TEST_REQUIRE(rtpproxy.has_value(), error_of(rtpproxy));
  auto answered = mohq::kamailio::wait_for_rtpproxy(control_socket, 5s);
  BOOST_TEST_REQUIRE(answered.has_value(), error_of(answered));

  // 2. Kamailio with one queue whose URI is exactly the Request-URI SIPp will send.
  KamailioConfig config;
  config.listen_host = kHost;
  config.sip_port = sip_port;
  config.rtpproxy = control_socket;
  config.mohdir = mohdir;
  config.moh_maxcalls = 10;
  config.queues = {{"moh", mohq::kamailio::queue_uri(kQueueUser, kHost, sip_port), mohdir, "test", false}};
  mohq::kamailio::KamailioLaunch launch;
  launch.binary = kamailio_binary();
  launch.ready_timeout = 10s;
  auto kamailio = KamailioInstance::start(config, dir, launch);
  BOOST_TEST_REQUIRE(kamailio.has_value(), error_of(kamailio));
  BOOST_TEST_MESSAGE("Kamailio pid " << kamailio->pid() << " on " << kHost << ":" << sip_port << ", rtpproxy "
                                     << control_socket.to_string());

  // 3. The caller: INVITE -> 100 -> 200 -> ACK -> listen kCallMs -> BYE -> 200.
  SpawnOptions sipp;
  sipp.argv = {"sipp", "-sf", (source_dir() / "scenarios" / "moh_caller_listen.xml").string(),
               "-s", kQueueUser, "-key", "rtp_listen_port", std::to_string(caller_rtp_port),
               "-m", "1", "-l", "1", "-i", kHost, "-mi", kHost, "-p", std::to_string(sipp_port),
               "-mp", std::to_string(sipp_media_port), "-cp", std::to_string(sipp_control_port),
               "-d", std::to_string(kCallMs), "-timeout", "15", "-timeout_error", "-nostdin",
               "-trace_msg", "-message_file", (dir / "sipp-messages.log").string(),
               "-trace_err", "-error_file", (dir / "sipp-errors.log").string(),
               std::string(kHost) + ":" + std::to_string(sip_port)};
  sipp.stdout_path = sipp.stderr_path = dir / "sipp.out";
  sipp.working_dir = dir;
  auto caller = ChildProcess::spawn(sipp);
  BOOST_TEST_REQUIRE(caller.has_value(), error_of(caller) << " (apt-get install sip-tester)");
  auto sipp_status = caller->wait_for(20s);
  if (!sipp_status) sipp_status = caller->terminate(1s);

  // Late packets of the call (the BYE races the last few): a short drain, then everything stops.
  std::this_thread::sleep_for(200ms);
  listening = false;
  ear.join();
  auto kamailio_status = kamailio->stop();
  auto rtpproxy_status = rtpproxy->terminate(3s);  // SIGTERM: the fake writes --stats-json on exit

  // --- SIP: the call completed.
  BOOST_TEST(sipp_status->success(), "sipp: " << sipp_status->describe() << " (0 = the one call succeeded)");
  // Both stop cleanly on SIGTERM; anything else (a crash during the call) is a finding.
  BOOST_TEST(kamailio_status.success(), "Kamailio ended with " << kamailio_status.describe());
  BOOST_TEST(rtpproxy_status.success(), "fake-rtpproxy ended with " << rtpproxy_status.describe());

  // --- RTP: what the caller heard, judged by the same check `mohq run` uses: PCMA (the caller's first offered
  // PT with a file, mohqueue-behaviour.md §13.3), 160-byte payloads every 20 ms, marker on the first packet
  // only, seq +1, ts +160, one SSRC, and payloads equal to the prompt file looping over its whole chunks.
  const auto& packets = sink->packets();
  BOOST_TEST_REQUIRE(packets.size() >= 100u, "expected about " << kCallMs / 20 << " packets for a " << kCallMs
                                                               << " ms call, got " << packets.size());
  mohq::analyzers::PromptExpectation expected;
  expected.payload_type = kPcma;
  expected.ptime_ms = 20;
  expected.payload_bytes = kChunk;
  expected.timestamp_step = kChunk;
  expected.min_packets = 100;
  const auto summary = mohq::analyzers::check_prompt_stream(packets, prompt.bytes, expected);
  BOOST_TEST_MESSAGE(summary.packets << " RTP packets, median interval " << summary.median_interval_ms << " ms");
  for (const auto& failure : summary.failures) BOOST_TEST_ERROR(failure);
  // The prompt leaves from the caller's leg, a port of the fake's range (the one the 200 OK's SDP named).
  std::size_t foreign_source = 0;
  for (const auto& packet : packets) {
    foreign_source += packet.source_port < rtp_min || packet.source_port > rtp_max ||
                      packet.source_port != packets.front().source_port;
  }
  BOOST_TEST(foreign_source == 0u, foreign_source << " packets not sent from one port of the range " << rtp_min
                                                  << "-" << rtp_max);

  // --- rtpproxy side effects (mohqueue-behaviour.md §13, one call): U created one session, P one player,
  // the caller's BYE made Kamailio send D, and no command was refused.
  const std::string stats = read_file(stats_path);
  BOOST_TEST_MESSAGE("fake-rtpproxy stats: " << stats);
  BOOST_TEST_REQUIRE(!stats.empty(), "fake-rtpproxy wrote no --stats-json file " << stats_path.string());
  auto counter = [&](const std::string& name) {
    auto value = stats_counter(stats, name);
    BOOST_TEST(value.has_value(), "no counter " << name << " in the stats");
    return value.value_or(-1);
  };
  BOOST_TEST(counter("nsess_created") == 1);
  BOOST_TEST(counter("nplrs_created") == 1);
  BOOST_TEST(counter("nsess_destroyed") == 1);
  BOOST_TEST(counter("ncmds_errs") == 0);
  BOOST_TEST(counter("npkts_played") >= static_cast<long>(packets.size()));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(kamailio_mohqueue_with_fake_rtpproxy)

BOOST_AUTO_TEST_CASE(udp_control_socket_prompt_played_byte_for_byte, *boost::unit_test::timeout(50)) {
  caller_hears_prompt_byte_for_byte(Control::udp);
}

BOOST_AUTO_TEST_CASE(unix_control_socket_prompt_played_byte_for_byte, *boost::unit_test::timeout(50)) {
  caller_hears_prompt_byte_for_byte(Control::unix_stream);
}

BOOST_AUTO_TEST_SUITE_END()
