// Playback through the whole engine, rtpengine-style: commands in, exact RTP packets out at the caller's
// socket. Exact counts come from playing a prompt once (P1): rtpproxy-protocol.md §3.4.
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <optional>

#include "daemon_fixture.hpp"
#include "harness/rtp_sink.hpp"
#include "rtp/payload_type.hpp"
#include "rtp/rtp_header.hpp"

using mohq::test::FakeRtpproxyFixture;
using mohq::test::PromptDir;
using namespace std::chrono_literals;

namespace {

struct Played {
  std::vector<mohq::rtp::RtpPacketView> views;
  std::vector<std::vector<std::uint8_t>> raw;
  std::string source;
};

// Sets up a call as mohqueue does, plays `prompt.<pt>` count times to the caller, runs the loop until the
// player must have finished, and returns what the caller's socket received.
Played play(FakeRtpproxyFixture& rtpproxy, const PromptDir& prompts, const std::string& offer_codecs,
            const std::string& answer_modifiers, int count, std::chrono::milliseconds run_time,
            std::string* answered_port = nullptr) {
  auto sink = mohq::harness::RtpSink::open("127.0.0.1", 0);
  BOOST_REQUIRE_MESSAGE(sink, "sink: " << (sink ? "" : sink.error()));
  std::string port = std::to_string(sink->port());
  BOOST_REQUIRE(rtpproxy.command("Uc" + offer_codecs + " call 127.0.0.1 " + port + " caller;1").find(' ') !=
                std::string::npos);
  std::string answer = rtpproxy.command("L" + answer_modifiers + " call 127.0.0.1 1 caller;1 queue;1");
  BOOST_REQUIRE_MESSAGE(answer.find(' ') != std::string::npos, "L answered " << answer);
  if (answered_port) *answered_port = answer.substr(0, answer.find(' '));
  std::string reply = rtpproxy.command("P" + std::to_string(count) + " call " + (prompts.path / "prompt").string() +
                                       " session caller;1 queue;1");
  BOOST_REQUIRE_MESSAGE(reply == "0", "P answered " << reply);
  rtpproxy.run_for(run_time);
  sink->collect(50ms);
  Played played;
  played.source = sink->first_source();
  for (const auto& packet : sink->packets()) played.raw.push_back(packet.bytes);
  for (const auto& bytes : played.raw) {
    auto view = mohq::rtp::parse_packet(bytes);
    BOOST_REQUIRE(view);
    played.views.push_back(*view);
  }
  BOOST_REQUIRE(rtpproxy.command("D call caller queue") == "0");
  return played;
}

void check_stream(const Played& played, const std::vector<std::uint8_t>& file, int pt, std::size_t packet_bytes,
                  std::uint32_t ts_step, std::size_t expected_packets) {
  BOOST_TEST(played.views.size() == expected_packets);
  std::size_t chunks = file.size() / packet_bytes;
  for (std::size_t k = 0; k < played.views.size(); ++k) {
    const auto& packet = played.views[k];
    BOOST_TEST_CONTEXT("packet " << k) {
      BOOST_TEST(packet.header.payload_type == pt);
      BOOST_TEST(packet.payload.size() == packet_bytes);
      BOOST_TEST(packet.header.marker == (k == 0));
      BOOST_TEST(packet.header.ssrc == played.views[0].header.ssrc);
      BOOST_TEST(static_cast<std::uint16_t>(packet.header.sequence - played.views[0].header.sequence) == k);
      BOOST_TEST(packet.header.timestamp - played.views[0].header.timestamp == ts_step * k);
      if (packet.payload.size() == packet_bytes) {
        BOOST_TEST(std::memcmp(packet.payload.data(), file.data() + (k % chunks) * packet_bytes, packet_bytes) == 0);
      }
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(playback)

BOOST_AUTO_TEST_CASE(every_codec_and_ptime_gives_exact_packets) {
  struct Case {
    int pt;
    int ptime;
    std::size_t file_bytes;
  };
  // 0.24 s of each codec (G.711/G.722 8000 B/s, G.729 1000 B/s, GSM 1650 B/s, G.723 800 B/s).
  const Case cases[] = {
      {8, 10, 1920}, {8, 20, 1920}, {8, 30, 1920}, {8, 60, 1920}, {0, 20, 1920}, {0, 60, 1920},
      {9, 20, 1920}, {9, 30, 1920}, {18, 10, 240}, {18, 20, 240}, {18, 30, 240}, {3, 20, 396},
      {3, 60, 396},  {4, 30, 192},  {4, 60, 192},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT("PT " << c.pt << ", ptime " << c.ptime) {
      FakeRtpproxyFixture rtpproxy;
      PromptDir prompts;
      auto file = mohq::test::counting_bytes(c.file_bytes);
      prompts.write("prompt." + std::to_string(c.pt), file);
      const auto* type = mohq::rtp::find_payload_type(c.pt);
      BOOST_REQUIRE(type);
      auto shape = mohq::rtp::packetization(*type, c.ptime);
      std::string codec = std::to_string(c.pt);
      std::string port;
      auto played = play(rtpproxy, prompts, codec + ",101", "Z" + std::to_string(c.ptime) + "c" + codec, 1, 400ms, &port);
      check_stream(played, file, c.pt, shape.payload_bytes, shape.timestamp_step, c.file_bytes / shape.payload_bytes);
      // The caller latches on the port it was told to send to: the prompt must come from there (§3.5).
      BOOST_TEST(played.source == "127.0.0.1:" + port);
    }
  }
}

BOOST_AUTO_TEST_CASE(no_z_means_10ms) {
  FakeRtpproxyFixture rtpproxy;
  PromptDir prompts;
  auto file = mohq::test::counting_bytes(800);
  prompts.write("prompt.8", file);
  auto played = play(rtpproxy, prompts, "8", "c8", 1, 300ms);
  check_stream(played, file, 8, 80, 80, 10);
}

BOOST_AUTO_TEST_CASE(caller_order_picks_the_file) {
  // mohqueue-behaviour.md §13.3: the caller's most preferred codec with a file wins, not the answer's order.
  FakeRtpproxyFixture rtpproxy;
  PromptDir prompts;
  prompts.write("prompt.8", mohq::test::counting_bytes(960));
  prompts.write("prompt.0", mohq::test::counting_bytes(960));
  auto played = play(rtpproxy, prompts, "0,8,101", "Z20c8,0", 1, 250ms);
  BOOST_REQUIRE(!played.views.empty());
  BOOST_TEST(played.views.front().header.payload_type == 0);
}

BOOST_AUTO_TEST_CASE(loops_drop_the_partial_tail_and_continue_seq_and_ts) {
  FakeRtpproxyFixture rtpproxy;
  PromptDir prompts;
  auto file = mohq::test::counting_bytes(160 * 3 + 100);  // three whole 20 ms chunks and a partial one
  prompts.write("prompt.8", file);
  auto played = play(rtpproxy, prompts, "8", "Z20c8", 2, 250ms);
  check_stream(played, file, 8, 160, 160, 6);
}

BOOST_AUTO_TEST_CASE(play_before_answer_is_deferred_until_the_leg_can_send) {
  // rtpproxy-protocol.md §3.5: P before the leg is sendable replies 0 and starts once it is.
  FakeRtpproxyFixture rtpproxy;
  PromptDir prompts;
  auto file = mohq::test::counting_bytes(480);
  prompts.write("prompt.8", file);
  auto sink = mohq::harness::RtpSink::open("127.0.0.1", 0);
  BOOST_REQUIRE(sink);
  // U with a hold address: the caller's leg has no destination yet.
  BOOST_REQUIRE(rtpproxy.command("Uc8 call 0.0.0.0 0 caller;1").find(' ') != std::string::npos);
  BOOST_REQUIRE(rtpproxy.command("LZ20c8 call 127.0.0.1 1 caller;1 queue;1").find(' ') != std::string::npos);
  BOOST_TEST(rtpproxy.command("P1 call " + (prompts.path / "prompt").string() + " session caller;1 queue;1") == "0");
  rtpproxy.run_for(100ms);
  sink->collect(20ms);
  BOOST_TEST(sink->packets().empty());
  BOOST_REQUIRE(rtpproxy.command("Uc8 call 127.0.0.1 " + std::to_string(sink->port()) + " caller;1").find(' ') !=
                std::string::npos);
  rtpproxy.run_for(200ms);
  sink->collect(50ms);
  BOOST_TEST(sink->packets().size() == 3u);
}

BOOST_AUTO_TEST_CASE(delete_stops_the_stream) {
  FakeRtpproxyFixture rtpproxy;
  PromptDir prompts;
  prompts.write("prompt.8", mohq::test::counting_bytes(8000));
  auto sink = mohq::harness::RtpSink::open("127.0.0.1", 0);
  BOOST_REQUIRE(sink);
  rtpproxy.command("Uc8 call 127.0.0.1 " + std::to_string(sink->port()) + " caller;1");
  rtpproxy.command("LZ20c8 call 127.0.0.1 1 caller;1 queue;1");
  BOOST_REQUIRE(rtpproxy.command("P-1 call " + (prompts.path / "prompt").string() + " session caller;1 queue;1") == "0");
  rtpproxy.run_for(100ms);
  BOOST_REQUIRE(rtpproxy.command("D call caller queue") == "0");
  sink->collect(30ms);
  auto before = sink->packets().size();
  BOOST_TEST(before > 0u);
  rtpproxy.run_for(200ms);
  sink->collect(50ms);
  BOOST_TEST(sink->packets().size() == before);
  BOOST_TEST(rtpproxy.engine.active_players() == 0u);
}

BOOST_AUTO_TEST_CASE(idle_sessions_time_out) {
  FakeRtpproxyFixture rtpproxy(/*port_pairs=*/6, /*ttl_s=*/2, /*setup_ttl_s=*/1);
  rtpproxy.command("U half 127.0.0.1 1000 a;1");
  rtpproxy.command("U full 127.0.0.1 1000 b;1");
  BOOST_REQUIRE(rtpproxy.command("L full 127.0.0.1 1002 b;1 c;1").find(' ') != std::string::npos);
  BOOST_TEST(rtpproxy.engine.active_sessions() == 2u);
  rtpproxy.engine.expire_idle_sessions(std::chrono::steady_clock::now() + 1500ms);
  BOOST_TEST(rtpproxy.engine.active_sessions() == 1u);  // the half-open one went after -W
  rtpproxy.engine.expire_idle_sessions(std::chrono::steady_clock::now() + 2500ms);
  BOOST_TEST(rtpproxy.engine.active_sessions() == 0u);
  BOOST_TEST(rtpproxy.engine.stats().nsess_timeout == 2u);
}

BOOST_AUTO_TEST_CASE(media_latches_and_is_muted_while_a_prompt_plays) {
  FakeRtpproxyFixture rtpproxy;
  PromptDir prompts;
  prompts.write("prompt.8", mohq::test::counting_bytes(8000));
  auto caller = mohq::harness::RtpSink::open("127.0.0.1", 0);
  auto callee = mohq::harness::RtpSink::open("127.0.0.1", 0);
  BOOST_REQUIRE(caller && callee);
  std::string u = rtpproxy.command("Uc8 call 127.0.0.1 " + std::to_string(caller->port()) + " caller;1");
  std::string l = rtpproxy.command("LZ20c8 call 127.0.0.1 " + std::to_string(callee->port()) + " caller;1 queue;1");
  auto callee_port = static_cast<std::uint16_t>(std::stoi(u));  // the callee sends here
  auto caller_port = static_cast<std::uint16_t>(std::stoi(l));  // the caller sends here
  auto to_callee_leg = mohq::net::SocketAddress::from_host_port("127.0.0.1", callee_port);
  auto to_caller_leg = mohq::net::SocketAddress::from_host_port("127.0.0.1", caller_port);
  std::vector<std::uint8_t> packet(172, 0);
  mohq::rtp::write_fixed_header({.payload_type = 8, .sequence = 1, .timestamp = 0, .ssrc = 42}, packet);
  // Callee -> caller is relayed while nothing plays.
  callee->socket().send_to(packet, *to_callee_leg);
  rtpproxy.run_for(50ms);
  caller->collect(30ms);
  BOOST_TEST(caller->packets().size() == 1u);
  // Caller -> callee is relayed too, and the callee's leg latched on our socket.
  caller->socket().send_to(packet, *to_caller_leg);
  rtpproxy.run_for(50ms);
  callee->collect(30ms);
  BOOST_TEST(callee->packets().size() == 1u);
  // While the caller hears a prompt, the callee's media towards it is dropped (rtpproxy-protocol.md §3.5).
  BOOST_REQUIRE(rtpproxy.command("P-1 call " + (prompts.path / "prompt").string() + " session caller;1 queue;1") == "0");
  rtpproxy.run_for(30ms);
  auto before = rtpproxy.engine.stats().npkts_discard;
  callee->socket().send_to(packet, *to_callee_leg);
  rtpproxy.run_for(50ms);
  BOOST_TEST(rtpproxy.engine.stats().npkts_discard == before + 1);
}

BOOST_AUTO_TEST_SUITE_END()
