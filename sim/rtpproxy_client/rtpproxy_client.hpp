// mohqd's asynchronous rtpproxy control client on a net::EventLoop, behaving like Kamailio's rtpproxy module
// (rtpproxy-protocol.md §1.1, §1.3, §1.5): cookies "<random>_<seq>" on udp:, the same cookie on every retry,
// `tries` sends `timeout` apart, a node disabled after a timeout and re-tested (V, VF) after
// `disable_timeout`; on unix: one stream connection per command, one read. Never blocks.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "net/event_loop.hpp"
#include "net/fd.hpp"
#include "net/socket_address.hpp"
#include "net/timer.hpp"
#include "net/udp_socket.hpp"
#include "rtpp/codec.hpp"

namespace mohq::sim {

struct RtpproxyClientOptions {
  std::chrono::milliseconds timeout{1000};           // Kamailio rtpproxy_tout
  int tries = 5;                                      // Kamailio rtpproxy_retr
  std::chrono::milliseconds disable_timeout{60000};  // Kamailio rtpproxy_disable_tout
};

// What the probe learnt (§1.5): VF 20071116 allows Z (re-packetisation), VF 20081102 allows c<codecs>.
struct RtpproxyCapabilities {
  bool repacketization = false;
  bool codec_lists = false;
};

enum class RtpproxyNodeState { Unprobed, Enabled, Disabled };

struct RtpproxyNodeStatus {
  std::string url;
  RtpproxyNodeState state = RtpproxyNodeState::Unprobed;
  RtpproxyCapabilities capabilities;
  std::string last_error;  // why the node was disabled
};

class RtpproxyClient {
 public:
  using ReplyCallback = std::function<void(Expected<rtpp::Reply, std::string>)>;

  // urls: "udp:HOST:PORT" or "unix:PATH", one per node, in set order. Errors name the bad URL.
  static Expected<std::unique_ptr<RtpproxyClient>, std::string> create(net::EventLoop& loop,
                                                                         const std::vector<std::string>& urls,
                                                                         RtpproxyClientOptions options = {});
  RtpproxyClient(const RtpproxyClient&) = delete;
  RtpproxyClient& operator=(const RtpproxyClient&) = delete;
  // Removes its descriptors from the loop; pending callbacks are dropped, not called.
  ~RtpproxyClient();

  // Tests every node (V, VF 20050322, VF 20071116, VF 20081102); done runs once all have answered or failed.
  // A node that fails stays disabled until disable_timeout has passed.
  void probe(std::function<void()> done);

  // Sends to one node. A node disabled less than disable_timeout ago fails at once (the callback runs before
  // send returns); an unprobed node, or one whose disable_timeout has passed, is probed first.
  void send(std::size_t node, const rtpp::Command& command, ReplyCallback callback);
  // Sends to the node chosen for this Call-ID among the enabled ones (Kamailio's select_rtpp_node), after
  // re-probing any node that is due.
  void send_for_call(std::string_view call_id, const rtpp::Command& command, ReplyCallback callback);

  // Kamailio's choice: the byte sum of the Call-ID, & 0xff, modulo the number of enabled nodes (all weights 1).
  std::optional<std::size_t> select_node(std::string_view call_id) const;

  std::size_t node_count() const { return nodes_.size(); }
  const RtpproxyNodeStatus& node(std::size_t index) const { return nodes_.at(index).status; }

 private:
  struct Node {
    RtpproxyNodeStatus status;
    std::optional<net::SocketAddress> server;  // udp:
    std::optional<net::UdpSocket> socket;      // udp:, one per node, like Kamailio's connected socket
    std::string unix_path;                     // unix:
    net::TimePoint disabled_until{};
    bool probing = false;
    std::vector<std::function<void()>> after_probe;
  };
  struct Transaction {
    std::size_t node = 0;
    std::string cookie;  // udp: only
    std::string wire;    // what goes on the socket
    int tries_left = 0;
    ReplyCallback callback;
    net::Timer timer;
    net::Fd stream;      // unix: only
    bool written = false;
  };

  RtpproxyClient(net::EventLoop& loop, RtpproxyClientOptions options) : loop_(loop), options_(options) {}
  bool due_for_probe(const Node& node) const;
  void probe_node(std::size_t node, std::function<void()> done);
  void transmit(std::size_t node, const rtpp::Command& command, ReplyCallback callback);
  void start_stream(std::uint64_t id);
  void on_stream_event(std::uint64_t id, std::uint32_t events);
  void on_datagram(std::size_t node);
  void on_timer(std::uint64_t id);
  void finish(std::uint64_t id, Expected<rtpp::Reply, std::string> result);
  void fail(std::uint64_t id, const std::string& why);
  void disable(std::size_t node, const std::string& why);

  net::EventLoop& loop_;
  RtpproxyClientOptions options_;
  std::vector<Node> nodes_;
  std::map<std::uint64_t, std::unique_ptr<Transaction>> transactions_;
  std::uint64_t next_id_ = 0;
  std::string cookie_prefix_;
  std::uint64_t sequence_ = 0;
};

}  // namespace mohq::sim
