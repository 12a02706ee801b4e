// mohqd's asynchronous rtpproxy client against the real fake-rtpproxy on the loopback: probe and capabilities,
// commands over udp: and unix:, Kamailio's retry with one cookie, disabling and re-enabling a node, and the
// Call-ID hash over a set of two nodes (rtpproxy-protocol.md §1.1, §1.3, §1.5).
#include <boost/test/unit_test.hpp>

#include <array>
#include <chrono>
#include <span>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "process/child_process.hpp"
#include "process/free_port.hpp"
#include "process/temp_dir.hpp"
#include "sim/rtpproxy_client/rtpproxy_client.hpp"
#include "support/source_tree.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mohq::sim::RtpproxyClient;
using mohq::sim::RtpproxyClientOptions;
using mohq::sim::RtpproxyNodeState;
using Result = mohq::Expected<mohq::rtpp::Reply, std::string>;

namespace {

mohq::rtpp::Command cmd(const std::string& text) {
  auto request = mohq::rtpp::parse_request(text, mohq::rtpp::Framing::Stream);
  BOOST_REQUIRE_MESSAGE(request, "test command '" + text + "' does not parse");
  return request->command;
}

std::string udp_url_on_free_port() {
  auto port = mohq::process::find_free_udp_port("127.0.0.1");
  BOOST_REQUIRE(port);
  return "udp:127.0.0.1:" + std::to_string(*port);
}

// Runs the loop until done() or the limit; every wait in these tests is bounded.
template <class Done>
bool run_until(mohq::net::EventLoop& loop, Done done, std::chrono::milliseconds limit = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    loop.run_once(10);
  }
  return true;
}

Result send_and_wait(mohq::net::EventLoop& loop, RtpproxyClient& client, std::size_t node, const std::string& text) {
  std::optional<Result> result;
  client.send(node, cmd(text), [&](Result r) { result.emplace(std::move(r)); });
  BOOST_REQUIRE_MESSAGE(run_until(loop, [&] { return result.has_value(); }), "no callback for '" + text + "'");
  return *result;
}

bool is_number(const Result& result, long long value) {
  return result && std::holds_alternative<mohq::rtpp::NumberReply>(*result) &&
         std::get<mohq::rtpp::NumberReply>(*result).value == value;
}

std::string text_of(const Result& result) {
  if (!result) return "error: " + result.error();
  return mohq::rtpp::format_response(mohq::rtpp::Response{std::nullopt, *result});
}

// A fake-rtpproxy on one control socket, stopped by pid when the test ends.
struct RunningFake {
  explicit RunningFake(std::string control_url) : control(std::move(control_url)) {
    auto made = mohq::process::make_temp_dir("mohq-rpc-");
    BOOST_REQUIRE(made);
    dir.emplace(std::move(*made));
    auto media = mohq::process::find_free_udp_port_block("127.0.0.1", 8);
    BOOST_REQUIRE(media);
    mohq::process::SpawnOptions spawn;
    spawn.argv = {(mohq::test::binary_dir() / "fake-rtpproxy").string(), "-l", "127.0.0.1", "-s", control,
                  "-m", std::to_string(*media), "-M", std::to_string(*media + 7), "-f"};
    spawn.stderr_path = dir->path() / "log";
    auto started = mohq::process::ChildProcess::spawn(spawn);
    BOOST_REQUIRE_MESSAGE(started, (started ? "" : started.error()));
    child.emplace(std::move(*started));
    wait_ready();
  }
  ~RunningFake() {
    if (child) child->terminate(2000ms);
  }
  // A throwaway client with many short tries: the daemon answers V once it listens.
  void wait_ready() {
    mohq::net::EventLoop loop;
    auto client = RtpproxyClient::create(loop, {control}, {.timeout = 100ms, .tries = 1, .disable_timeout = 0ms});
    BOOST_REQUIRE(client);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (is_number(send_and_wait(loop, **client, 0, "V"), 20040107)) return;
      std::this_thread::sleep_for(20ms);
    }
    BOOST_FAIL("fake-rtpproxy on " + control + " did not answer V within 5 s");
  }
  std::string control;
  std::optional<mohq::process::TempDir> dir;
  std::optional<mohq::process::ChildProcess> child;
};

const RtpproxyClientOptions kFast{.timeout = 200ms, .tries = 5, .disable_timeout = 60000ms};

void probe_and_wait(mohq::net::EventLoop& loop, RtpproxyClient& client) {
  bool probed = false;
  client.probe([&] { probed = true; });
  BOOST_REQUIRE(run_until(loop, [&] { return probed; }));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rtpproxy_client)

BOOST_AUTO_TEST_CASE(bad_urls_are_refused_with_the_url_named) {
  mohq::net::EventLoop loop;
  auto client = RtpproxyClient::create(loop, {"tcp:127.0.0.1:1"});
  BOOST_REQUIRE(!client);
  BOOST_TEST(client.error().find("tcp:127.0.0.1:1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(probe_enables_a_node_and_records_its_capabilities_over_udp_and_unix) {
  auto temp = mohq::process::make_temp_dir("mohq-rpc-sock-");
  BOOST_REQUIRE(temp);
  for (const std::string& url : {udp_url_on_free_port(), "unix:" + (temp->path() / "ctl.sock").string()}) {
    BOOST_TEST_CONTEXT(url) {
      RunningFake fake(url);
      mohq::net::EventLoop loop;
      auto client = RtpproxyClient::create(loop, {url}, kFast);
      BOOST_REQUIRE(client);
      BOOST_TEST(((*client)->node(0).state == RtpproxyNodeState::Unprobed));
      probe_and_wait(loop, **client);
      BOOST_TEST(((*client)->node(0).state == RtpproxyNodeState::Enabled));
      BOOST_TEST((*client)->node(0).capabilities.repacketization);
      BOOST_TEST((*client)->node(0).capabilities.codec_lists);
    }
  }
}

BOOST_AUTO_TEST_CASE(offer_answer_play_delete_round_trip_over_udp_and_unix) {
  auto temp = mohq::process::make_temp_dir("mohq-rpc-sock-");
  BOOST_REQUIRE(temp);
  {
    std::ofstream prompt(temp->path() / "prompt.8", std::ios::binary);
    prompt << std::string(800, '\xd5');
  }
  const std::string prompt = (temp->path() / "prompt").string();
  for (const std::string& url : {udp_url_on_free_port(), "unix:" + (temp->path() / "ctl.sock").string()}) {
    BOOST_TEST_CONTEXT(url) {
      RunningFake fake(url);
      mohq::net::EventLoop loop;
      auto client = RtpproxyClient::create(loop, {url}, kFast);
      BOOST_REQUIRE(client);
      auto& c = **client;
      auto offer = send_and_wait(loop, c, 0, "Uc8 call1 127.0.0.1 6000 caller;1");
      BOOST_REQUIRE_MESSAGE(offer && std::holds_alternative<mohq::rtpp::PortReply>(*offer), text_of(offer));
      const auto port = std::get<mohq::rtpp::PortReply>(*offer);
      BOOST_TEST(port.port > 0);
      BOOST_TEST(port.address == "127.0.0.1");
      auto answer = send_and_wait(loop, c, 0, "LZ20c8 call1 127.0.0.1 6002 caller;1 queue;1");
      BOOST_REQUIRE_MESSAGE(answer && std::holds_alternative<mohq::rtpp::PortReply>(*answer), text_of(answer));
      BOOST_TEST(std::get<mohq::rtpp::PortReply>(*answer).port > 0);
      BOOST_TEST(std::get<mohq::rtpp::PortReply>(*answer).port != port.port);
      auto play = send_and_wait(loop, c, 0, "P-1 call1 " + prompt + " session caller;1 queue;1");
      BOOST_TEST(is_number(play, 0), text_of(play));
      auto bye = send_and_wait(loop, c, 0, "D call1 caller;1 queue;1");
      BOOST_TEST(is_number(bye, 0), text_of(bye));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_lost_reply_is_recovered_by_the_retry_with_the_same_cookie) {
  RunningFake fake(udp_url_on_free_port());
  mohq::net::EventLoop loop;
  auto client = RtpproxyClient::create(loop, {fake.control}, kFast);
  BOOST_REQUIRE(client);
  probe_and_wait(loop, **client);
  // The fake drops the next reply once the F has run: F's own (it then comes from the cache) or U's.
  const auto started = std::chrono::steady_clock::now();
  BOOST_REQUIRE(is_number(send_and_wait(loop, **client, 0, "F reply.drop=1"), 0));
  auto offer = send_and_wait(loop, **client, 0, "U call1 127.0.0.1 6000 caller;1");
  BOOST_TEST((offer && std::holds_alternative<mohq::rtpp::PortReply>(*offer)), text_of(offer));
  BOOST_TEST((std::chrono::steady_clock::now() - started >= 200ms), "answered before any retry");
  // One session: the retry was answered from rtpproxy's cache, not run again (§1.3).
  auto counters = send_and_wait(loop, **client, 0, "G nsess_created ncmds_rcvd_ndups");
  BOOST_TEST(text_of(counters) == "1 1\n");
}

BOOST_AUTO_TEST_CASE(replies_with_another_cookie_are_ignored) {
  auto server = mohq::net::UdpSocket::bind(*mohq::net::SocketAddress::from_host_port("127.0.0.1", 0));
  BOOST_REQUIRE(server);
  mohq::net::EventLoop loop;
  auto client = RtpproxyClient::create(loop, {"udp:" + server->local_address().to_string()}, kFast);
  BOOST_REQUIRE(client);
  // A hand-made proxy: a stale reply first, then the real one (rtpproxy-protocol.md §1.5).
  loop.add(server->fd(), mohq::net::kReadable, [&](std::uint32_t) {
    std::array<std::uint8_t, 512> buffer;
    while (auto got = server->receive_from(buffer)) {
      std::string text(reinterpret_cast<const char*>(buffer.data()), got->size);
      std::string cookie = text.substr(0, text.find(' '));
      std::string answer = text.ends_with(" V") ? " 20040107\n" : " 1\n";  // V, then the VF probes
      for (std::string reply : {std::string("999_0 E1\n"), cookie + answer}) {
        server->send_to(std::span(reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size()), got->source);
      }
    }
  });
  auto version = send_and_wait(loop, **client, 0, "V");
  BOOST_TEST(is_number(version, 20040107), text_of(version));
  loop.remove(server->fd());
}

BOOST_AUTO_TEST_CASE(a_silent_node_fails_after_all_tries_is_disabled_then_re_enabled) {
  const std::string url = udp_url_on_free_port();  // nothing listens there yet
  mohq::net::EventLoop loop;
  auto client = RtpproxyClient::create(loop, {url}, {.timeout = 100ms, .tries = 3, .disable_timeout = 1500ms});
  BOOST_REQUIRE(client);
  auto& c = **client;
  auto started = std::chrono::steady_clock::now();
  auto version = send_and_wait(loop, c, 0, "V");
  auto took = std::chrono::steady_clock::now() - started;
  BOOST_REQUIRE(!version);
  BOOST_TEST(version.error().find("3 tries") != std::string::npos, version.error());
  BOOST_TEST((took >= 300ms), "gave up before tries * timeout");
  BOOST_TEST((took < 1500ms));
  BOOST_TEST((c.node(0).state == RtpproxyNodeState::Disabled));

  // While disabled: an error at once, nothing sent.
  started = std::chrono::steady_clock::now();
  std::optional<Result> fast;
  c.send(0, cmd("V"), [&](Result r) { fast.emplace(std::move(r)); });
  BOOST_REQUIRE(fast.has_value());
  BOOST_TEST(!*fast);
  BOOST_TEST(fast->error().find("disabled") != std::string::npos, fast->error());
  BOOST_TEST((std::chrono::steady_clock::now() - started < 50ms));

  // The daemon comes up; once disable_timeout has passed the node is probed again and used.
  RunningFake fake(url);
  std::this_thread::sleep_until(started + 1600ms);
  auto offer = send_and_wait(loop, c, 0, "U call1 127.0.0.1 6000 caller;1");
  BOOST_TEST((offer && std::holds_alternative<mohq::rtpp::PortReply>(*offer)), text_of(offer));
  BOOST_TEST((c.node(0).state == RtpproxyNodeState::Enabled));
  BOOST_TEST(c.node(0).capabilities.codec_lists);
}

BOOST_AUTO_TEST_CASE(a_unix_node_without_a_daemon_is_disabled_at_once) {
  auto temp = mohq::process::make_temp_dir("mohq-rpc-sock-");
  BOOST_REQUIRE(temp);
  mohq::net::EventLoop loop;
  auto client = RtpproxyClient::create(loop, {"unix:" + (temp->path() / "none.sock").string()}, kFast);
  BOOST_REQUIRE(client);
  bool probed = false;
  (*client)->probe([&] { probed = true; });
  BOOST_REQUIRE(run_until(loop, [&] { return probed; }, 1000ms));
  BOOST_TEST(((*client)->node(0).state == RtpproxyNodeState::Disabled));
  BOOST_TEST((*client)->node(0).last_error.find("cannot connect") != std::string::npos, (*client)->node(0).last_error);
}

BOOST_AUTO_TEST_CASE(one_call_id_always_goes_to_the_same_node_of_two) {
  RunningFake first(udp_url_on_free_port());
  RunningFake second(udp_url_on_free_port());
  mohq::net::EventLoop loop;
  auto client = RtpproxyClient::create(loop, {first.control, second.control}, kFast);
  BOOST_REQUIRE(client);
  auto& c = **client;
  probe_and_wait(loop, c);
  // Byte sums: "a" 97 -> node 1, "b" 98 -> node 0 (sum & 0xff modulo two enabled nodes).
  const std::vector<std::string> calls = {"a", "b", "call-17@host", "call-18@host", "x"};
  std::vector<int> per_node(2, 0);
  for (const auto& call : calls) {
    auto chosen = c.select_node(call);
    BOOST_REQUIRE(chosen);
    ++per_node[*chosen];
    for (int repeat = 0; repeat < 3; ++repeat) {
      BOOST_TEST((c.select_node(call) == chosen));
      std::optional<Result> offer;
      c.send_for_call(call, cmd("U " + call + " 127.0.0.1 6000 caller;1"), [&](Result r) { offer.emplace(r); });
      BOOST_REQUIRE(run_until(loop, [&] { return offer.has_value(); }));
      BOOST_TEST((*offer && std::holds_alternative<mohq::rtpp::PortReply>(**offer)), text_of(*offer));
    }
  }
  BOOST_TEST((c.select_node("a") == std::optional<std::size_t>(1)));
  BOOST_TEST((c.select_node("b") == std::optional<std::size_t>(0)));
  // Each daemon created exactly the sessions of the calls hashed to it: repeats landed on the same node.
  for (std::size_t node = 0; node < 2; ++node) {
    auto created = send_and_wait(loop, c, node, "G nsess_created");
    BOOST_TEST(is_number(created, per_node[node]), "node " << node << ": " << text_of(created));
  }
}

BOOST_AUTO_TEST_SUITE_END()
