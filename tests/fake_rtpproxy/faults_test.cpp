// Fault injection as a user drives it: control faults over a real udp control socket (the cache, the drop and
// the delay only exist on a transport), and media faults through the engine, checked on the caller's socket.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "daemon_fixture.hpp"
#include "harness/rtp_sink.hpp"
#include "harness/rtpproxy_client.hpp"
#include "process/child_process.hpp"
#include "process/free_port.hpp"
#include "process/temp_dir.hpp"
#include "rtp/g711.hpp"
#include "rtp/rtp_header.hpp"
#include "support/source_tree.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// A fake-rtpproxy process on a free udp control port, stopped by pid at the end of the test.
struct RunningFake {
  RunningFake() {
    auto made = mohq::process::make_temp_dir("mohq-faults-");
    BOOST_REQUIRE(made);
    dir.emplace(std::move(*made));
    auto port = mohq::process::find_free_udp_port("127.0.0.1");
    auto media = mohq::process::find_free_udp_port_block("127.0.0.1", 8);
    BOOST_REQUIRE(port && media);
    control = "udp:127.0.0.1:" + std::to_string(*port);
    mohq::process::SpawnOptions spawn;
    spawn.argv = {(mohq::test::binary_dir() / "fake-rtpproxy").string(), "-l", "127.0.0.1", "-s", control,
                  "-m", std::to_string(*media), "-M", std::to_string(*media + 7), "-f"};
    spawn.stderr_path = dir->path() / "log";
    auto started = mohq::process::ChildProcess::spawn(spawn);
    BOOST_REQUIRE(started);
    child.emplace(std::move(*started));
    auto connected = mohq::harness::RtpproxyClient::connect(control);
    BOOST_REQUIRE(connected);
    client.emplace(std::move(*connected));
    client->tries = 25;
    client->timeout = 200ms;
    BOOST_REQUIRE(client->send("V").value_or("") == "20040107");
  }
  std::optional<mohq::process::TempDir> dir;
  std::string control;
  std::optional<mohq::process::ChildProcess> child;
  std::optional<mohq::harness::RtpproxyClient> client;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(a_forced_error_replaces_the_command) {
  RunningFake fake;
  BOOST_TEST(fake.client->send("F error.U=72").value_or("") == "0");
  BOOST_TEST(fake.client->send("U call 127.0.0.1 6000 a;1").value_or("") == "E72");
  BOOST_TEST(fake.client->send("F").value_or("") == "error.U=72");
  BOOST_TEST(fake.client->send("F error.U=none").value_or("") == "0");
  BOOST_TEST(fake.client->send("U call 127.0.0.1 6000 a;1").value_or("").find("127.0.0.1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_dropped_reply_is_answered_on_retry_from_the_cache) {
  RunningFake fake;
  BOOST_REQUIRE(fake.client->send("F reply.drop=1").value_or("") == "0");
  // The first try's reply is lost; Kamailio's retry (same cookie) gets the cached reply: one session only.
  fake.client->tries = 2;
  fake.client->timeout = 300ms;
  auto port = fake.client->send("U call 127.0.0.1 6000 a;1");
  BOOST_REQUIRE_MESSAGE(port, (port ? "" : port.error()));
  BOOST_TEST(fake.client->send("G nsess_created ncmds_rcvd_ndups").value_or("") == "1 1");
}

BOOST_AUTO_TEST_CASE(a_delayed_reply_arrives_late_and_a_short_timeout_misses_it) {
  RunningFake fake;
  BOOST_REQUIRE(fake.client->send("F reply.delay=400").value_or("") == "0");
  fake.client->tries = 1;
  fake.client->timeout = 150ms;
  BOOST_TEST(!fake.client->send("V"));  // like a Kamailio with rtpproxy_tout below the delay
  fake.client->timeout = 1000ms;
  auto started = std::chrono::steady_clock::now();
  BOOST_TEST(fake.client->send("V").value_or("") == "20040107");
  BOOST_TEST((std::chrono::steady_clock::now() - started >= 400ms), "the reply came before its delay");
}

BOOST_AUTO_TEST_CASE(bad_fault_settings_are_refused_whole) {
  RunningFake fake;
  BOOST_TEST(fake.client->send("F rtp.loss=0.5 rtp.bogus=1").value_or("") == "E5");
  BOOST_TEST(fake.client->send("F").value_or("") == "none");
}

BOOST_AUTO_TEST_CASE(linear16_plays_the_reported_crackle) {
  // The incident: a 16-bit linear PCM file named .8. With rtp.linear16 the fake sends exactly that: the
  // G.711 prompt decoded to s16le, 160 bytes (80 samples) per 20 ms packet, still marked PCMA.
  mohq::test::FakeRtpproxyFixture rtpproxy;
  mohq::test::PromptDir prompts;
  auto file = mohq::test::counting_bytes(800);
  prompts.write("prompt.8", file);
  BOOST_REQUIRE(rtpproxy.command("F rtp.linear16=1") == "0");
  auto sink = mohq::harness::RtpSink::open("127.0.0.1", 0);
  BOOST_REQUIRE(sink);
  rtpproxy.command("Uc8 call 127.0.0.1 " + std::to_string(sink->port()) + " caller;1");
  rtpproxy.command("LZ20c8 call 127.0.0.1 1 caller;1 queue;1");
  BOOST_REQUIRE(rtpproxy.command("P1 call " + (prompts.path / "prompt").string() + " session caller;1 queue;1") == "0");
  rtpproxy.run_for(300ms);
  sink->collect(50ms);
  std::vector<std::uint8_t> linear;
  for (auto code : file) {
    auto sample = static_cast<std::uint16_t>(mohq::rtp::alaw_to_linear(code));
    linear.push_back(static_cast<std::uint8_t>(sample & 0xff));
    linear.push_back(static_cast<std::uint8_t>(sample >> 8));
  }
  BOOST_REQUIRE(sink->packets().size() == linear.size() / 160);
  for (std::size_t k = 0; k < sink->packets().size(); ++k) {
    auto packet = mohq::rtp::parse_packet(sink->packets()[k].bytes);
    BOOST_REQUIRE(packet);
    BOOST_TEST(packet->header.payload_type == 8);
    BOOST_TEST(std::equal(packet->payload.begin(), packet->payload.end(), linear.begin() + static_cast<long>(k * 160)));
  }
}

BOOST_AUTO_TEST_CASE(loss_shows_as_sequence_gaps_at_the_caller) {
  mohq::test::FakeRtpproxyFixture rtpproxy;
  mohq::test::PromptDir prompts;
  prompts.write("prompt.8", mohq::test::counting_bytes(160 * 20));
  BOOST_REQUIRE(rtpproxy.command("F rtp.burst=2/5") == "0");
  auto sink = mohq::harness::RtpSink::open("127.0.0.1", 0);
  BOOST_REQUIRE(sink);
  rtpproxy.command("Uc8 call 127.0.0.1 " + std::to_string(sink->port()) + " caller;1");
  rtpproxy.command("LZ20c8 call 127.0.0.1 1 caller;1 queue;1");
  BOOST_REQUIRE(rtpproxy.command("P1 call " + (prompts.path / "prompt").string() + " session caller;1 queue;1") == "0");
  rtpproxy.run_for(550ms);
  sink->collect(50ms);
  BOOST_TEST(sink->packets().size() == 12u);  // 20 packets, 2 of every 5 lost
  BOOST_TEST(rtpproxy.engine.stats().npkts_played == 20u);
}

BOOST_AUTO_TEST_SUITE_END()
