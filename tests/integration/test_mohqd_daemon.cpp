// mohqd as a process, driven by a hand-written SIP client on the loopback (no SIPp): the control interface, the
// queue reload, bad input, and an unreachable rtpproxy. Each case starts its own fake-rtpproxy and mohqd.
#define BOOST_TEST_MODULE test_mohqd_daemon
#include <boost/test/unit_test.hpp>

#include <poll.h>

#include <chrono>
#include <string>
#include <thread>

#include "mohqd/mohqd_instance.hpp"
#include "net/udp_socket.hpp"
#include "process/child_process.hpp"
#include "process/temp_dir.hpp"
#include "sim/db/mohqueue_schema.hpp"
#include "sim/db/sqlite_database.hpp"
#include "sim/rpc/json_rpc_server.hpp"
#include "sip/message.hpp"
#include "support/integration.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mohq::process::ChildProcess;
using mohq::test::error_of;
using mohq::test::free_port;
using mohq::test::kLoopback;

namespace {

// A SIP UA that is nothing but a UDP socket: sends text, waits for the next message.
class SipClient {
 public:
  SipClient() {
    auto local = mohq::net::SocketAddress::from_host_port(kLoopback, 0);
    auto socket = mohq::net::UdpSocket::bind(*local);
    BOOST_TEST_REQUIRE(socket.has_value(), error_of(socket));
    socket_.emplace(std::move(*socket));
  }
  std::uint16_t port() const { return socket_->local_address().port(); }
  void send(const std::string& text, std::uint16_t to_port) {
    auto to = mohq::net::SocketAddress::from_host_port(kLoopback, to_port);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
    BOOST_TEST_REQUIRE(socket_->send_to({bytes, text.size()}, *to));
  }
  // The next message within timeout, parsed; nullopt when none came.
  std::optional<mohq::sip::Message> receive(std::chrono::milliseconds timeout = 3000ms) {
    pollfd poller{socket_->fd(), POLLIN, 0};
    if (::poll(&poller, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    std::vector<std::uint8_t> buffer(65536);
    auto datagram = socket_->receive_from(buffer);
    if (!datagram) return std::nullopt;
    auto message = mohq::sip::parse_message({reinterpret_cast<const char*>(buffer.data()), datagram->size});
    BOOST_TEST_REQUIRE(message.has_value(), "unparsable reply");
    return *message;
  }
  // Skips provisional responses.
  std::optional<int> final_status(std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto message = receive(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (!message) return std::nullopt;
      if (message->status() && message->status()->code >= 200) return message->status()->code;
    }
    return std::nullopt;
  }

 private:
  std::optional<mohq::net::UdpSocket> socket_;
};

std::string invite(const std::string& ruri, std::uint16_t client_port, const std::string& call_id) {
  const std::string sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                          "m=audio 6000 RTP/AVP 8 0\r\na=ptime:20\r\n";
  const std::string from_port = std::to_string(client_port);
  return "INVITE " + ruri + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + from_port + ";branch=z9hG4bK-" + call_id +
         "\r\nFrom: <sip:caller@127.0.0.1:" + from_port + ">;tag=t-" + call_id + "\r\nTo: <" + ruri +
         ">\r\nCall-ID: " + call_id + "\r\nCSeq: 1 INVITE\r\nContact: <sip:caller@127.0.0.1:" + from_port +
         ">\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: " + std::to_string(sdp.size()) +
         "\r\n\r\n" + sdp;
}

struct Daemon {
  mohq::process::TempDir temp = *mohq::process::make_temp_dir("mohqd-daemon-");
  std::optional<ChildProcess> rtpproxy;
  std::optional<mohq::harness::MohqdInstance> mohqd;
  mohq::harness::MohqdLaunch launch;
  mohq::test::LogsOnFailure logs;

  // rtpproxy_alive=false: the control port has no rtpproxy behind it.
  explicit Daemon(bool rtpproxy_alive = true, std::vector<std::string> extra = {}) {
    const fs::path dir = temp.path();
    fs::create_directories(dir / "moh");
    std::ofstream(dir / "moh" / "test.8") << std::string(1600, '\xd5');
    logs.add("mohqd log", dir / "mohqd.log");
    logs.add("fake-rtpproxy log", dir / "fake-rtpproxy.log");
    const std::uint16_t control = free_port();
    if (rtpproxy_alive) {
      mohq::process::SpawnOptions fake;
      const std::uint16_t media = mohq::test::free_port_block(40);
      fake.argv = {mohq::test::project_binary("fake-rtpproxy").string(), "-l", kLoopback, "-s",
                   "udp:127.0.0.1:" + std::to_string(control), "-m", std::to_string(media), "-M",
                   std::to_string(media + 39), "-f"};
      fake.stdout_path = fake.stderr_path = dir / "fake-rtpproxy.log";
      auto child = ChildProcess::spawn(fake);
      BOOST_TEST_REQUIRE(child.has_value(), error_of(child));
      rtpproxy.emplace(std::move(*child));
    }
    launch.binary = mohq::test::project_binary("mohqd");
    launch.sip_port = free_port();
    launch.rpc_port = free_port();
    launch.rtpproxy = {"udp:127.0.0.1:" + std::to_string(control)};
    launch.mohdir = dir / "moh";
    launch.extra_arguments = std::move(extra);
    auto started = mohq::harness::MohqdInstance::start(launch, dir);
    BOOST_TEST_REQUIRE(started.has_value(), error_of(started));
    mohqd.emplace(std::move(*started));
  }
  nlohmann::json rpc(const std::string& method, nlohmann::json params = nlohmann::json::array()) {
    auto result = mohq::sim::call_json_rpc(mohqd->rpc_address(), method, params);
    BOOST_TEST_REQUIRE(result.has_value(), method << ": " << error_of(result));
    return *result;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(rpc_methods_list_debug_drop_and_stats, *boost::unit_test::timeout(60)) {
  Daemon daemon;
  SipClient caller;
  caller.send(invite(daemon.mohqd->queue_uri(), caller.port(), "rpc-1"), daemon.launch.sip_port);
  BOOST_TEST(caller.final_status().value_or(0) == 200);
  // Not ACKed yet: listed (INVITED), not counted.
  auto list = daemon.rpc("mohqueue.list");
  BOOST_TEST_REQUIRE(list["calls"].size() == 1u, list.dump());
  BOOST_TEST(list["calls"][0]["call_id"] == "rpc-1");
  BOOST_TEST(list["calls"][0]["state"] == "INVITED");
  BOOST_TEST(list["queues"][0]["payload_types"] == nlohmann::json::array({8}));
  BOOST_TEST(daemon.rpc("mohqueue.count", {"abc"}) == 0);

  // debug: the flag is written to mohqueues.debug (B1 is not reproduced: the queue keeps working afterwards).
  daemon.rpc("mohqueue.debug", {"abc", 1});
  {
    auto db = mohq::sim_db::SqliteDatabase::open(daemon.mohqd->db_path());
    auto queues = mohq::sim_db::load_queues(*db);
    BOOST_TEST_REQUIRE(queues.has_value());
    BOOST_TEST(queues->at(0).debug);
  }
  // Faults: Kamailio's codes and messages.
  auto missing = mohq::sim::call_json_rpc_detailed(daemon.mohqd->rpc_address(), "mohqueue.drop_call", {"abc"});
  BOOST_TEST_REQUIRE(!missing.has_value());
  BOOST_TEST(missing.error().rpc->code == 400);
  BOOST_TEST(missing.error().rpc->message == "Too few parameters!");
  auto unknown = mohq::sim::call_json_rpc_detailed(daemon.mohqd->rpc_address(), "mohqueue.drop_call", {"nope", "*"});
  BOOST_TEST_REQUIRE(!unknown.has_value());
  BOOST_TEST(unknown.error().rpc->code == 401);

  // drop_call "*": a BYE to the caller (kamailio profile: even before the ACK).
  BOOST_TEST(daemon.rpc("mohqueue.drop_call", {"abc", "*"})["dropped"] == 1);
  auto bye = caller.receive();
  BOOST_TEST_REQUIRE(bye.has_value());
  BOOST_TEST_REQUIRE(bye->request() != nullptr);
  BOOST_TEST(bye->request()->method == "BYE");

  auto stats = daemon.rpc("core.stats");
  BOOST_TEST(stats["calls"]["created"] == 1);
  BOOST_TEST(stats["rtpproxy"][0]["state"] == "enabled");
  BOOST_TEST(stats["profile"] == "kamailio");
}

BOOST_AUTO_TEST_CASE(a_queue_added_to_the_db_is_served_after_the_reload, *boost::unit_test::timeout(60)) {
  Daemon daemon(true, {"--reload-interval", "1"});
  SipClient caller;
  const std::string new_uri = "sip:2000@127.0.0.1:" + std::to_string(daemon.launch.sip_port);
  caller.send(invite(new_uri, caller.port(), "reload-1"), daemon.launch.sip_port);
  BOOST_TEST(caller.final_status().value_or(0) == 404);  // no such queue yet
  {
    auto db = mohq::sim_db::SqliteDatabase::open(daemon.mohqd->db_path());
    mohq::sim_db::QueueRow row;
    row.name = "second";
    row.uri = new_uri;
    row.mohfile = "test";
    BOOST_TEST_REQUIRE(mohq::sim_db::insert_queue(*db, row).has_value());
  }
  std::this_thread::sleep_for(1500ms);
  caller.send(invite(new_uri, caller.port(), "reload-2"), daemon.launch.sip_port);
  BOOST_TEST(caller.final_status().value_or(0) == 200);
  BOOST_TEST(daemon.rpc("mohqueue.list")["queues"].size() == 2u);
}

BOOST_AUTO_TEST_CASE(bad_input_gets_400_or_is_counted_and_mohqd_keeps_serving, *boost::unit_test::timeout(60)) {
  Daemon daemon;
  SipClient client;
  // Parses, but no Call-ID: 400 (answerable: Via, CSeq are there).
  client.send("OPTIONS " + daemon.mohqd->queue_uri() + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" +
                  std::to_string(client.port()) + ";branch=z9hG4bK-bad1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n"
                  "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
              daemon.launch.sip_port);
  auto reply = client.receive();
  BOOST_TEST_REQUIRE(reply.has_value());
  BOOST_TEST(reply->status()->code == 400);
  // Garbage and an oversized datagram: no reply possible; counted.
  client.send("\x01\x02 not SIP at all\r\n\r\n", daemon.launch.sip_port);
  client.send(std::string(65000, 'A'), daemon.launch.sip_port);
  BOOST_TEST(!client.receive(300ms).has_value());
  // Still serving.
  client.send(invite(daemon.mohqd->queue_uri(), client.port(), "after-garbage"), daemon.launch.sip_port);
  BOOST_TEST(client.final_status().value_or(0) == 200);
  auto stats = daemon.rpc("core.stats");
  BOOST_TEST(stats["sip"]["bad_requests"] == 1);
  BOOST_TEST(stats["sip"]["malformed"].get<int>() >= 1);
  BOOST_TEST(daemon.mohqd->running());
}

BOOST_AUTO_TEST_CASE(unreachable_rtpproxy_gets_486_quickly_not_a_hang, *boost::unit_test::timeout(60)) {
  // Kamailio's rule: tries x timeout (5 x 1 s) per command, then the node is disabled: the next call fails at once.
  Daemon daemon(false, {"--rtpproxy-timeout-ms", "100", "--rtpproxy-tries", "2"});
  SipClient caller;
  const auto started = std::chrono::steady_clock::now();
  caller.send(invite(daemon.mohqd->queue_uri(), caller.port(), "no-rtpp-1"), daemon.launch.sip_port);
  BOOST_TEST(caller.final_status(5000ms).value_or(0) == 486);
  const auto first = std::chrono::steady_clock::now() - started;
  BOOST_TEST(first < 3s);
  caller.send(invite(daemon.mohqd->queue_uri(), caller.port(), "no-rtpp-2"), daemon.launch.sip_port);
  BOOST_TEST(caller.final_status(2000ms).value_or(0) == 486);
  BOOST_TEST(daemon.rpc("mohqueue.list")["calls"].empty());
}
