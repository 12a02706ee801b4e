#include "sim/rtpproxy_client/rtpproxy_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <random>
#include <span>
#include <utility>

namespace mohq::sim {

namespace {

using Result = Expected<rtpp::Reply, std::string>;

std::span<const std::uint8_t> bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

bool is_number(const Result& result, long long expected) {
  if (!result) return false;
  const auto* number = std::get_if<rtpp::NumberReply>(&*result);
  return number != nullptr && number->value == expected;
}

// Kamailio reads at most 255 bytes (§1.5); a little more costs nothing and tolerates a longer I reply.
constexpr std::size_t kReplyBuffer = 1024;

}  // namespace

Expected<std::unique_ptr<RtpproxyClient>, std::string> RtpproxyClient::create(net::EventLoop& loop,
                                                                               const std::vector<std::string>& urls,
                                                                               RtpproxyClientOptions options) {
  if (urls.empty()) return Unexpected(std::string("no rtpproxy node given"));
  if (options.tries < 1) return Unexpected(std::string("rtpproxy tries must be at least 1"));
  std::unique_ptr<RtpproxyClient> client(new RtpproxyClient(loop, options));
  // kam:gencookie is "<pid-ish random>_<seq>"; one random prefix per client.
  client->cookie_prefix_ = std::to_string(std::random_device{}() % 1000000) + "_";
  client->nodes_.reserve(urls.size());
  for (const auto& url : urls) {
    Node node;
    node.status.url = url;
    if (url.starts_with("unix:")) {
      node.unix_path = url.substr(5);
      if (node.unix_path.empty()) return Unexpected("rtpproxy URL '" + url + "': the unix path is empty");
    } else if (url.starts_with("udp:")) {
      auto server = net::SocketAddress::parse(url.substr(4));
      if (!server) return Unexpected("rtpproxy URL '" + url + "': " + server.error());
      auto local = net::SocketAddress::from_host_port(server->is_ipv6() ? "::" : "0.0.0.0", 0);
      auto socket = net::UdpSocket::bind(*local);
      if (!socket) return Unexpected("rtpproxy URL '" + url + "': " + socket.error());
      node.server = *server;
      node.socket.emplace(std::move(*socket));
    } else {
      return Unexpected("rtpproxy URL '" + url + "': expected udp:HOST:PORT or unix:PATH");
    }
    client->nodes_.push_back(std::move(node));
  }
  for (std::size_t index = 0; index < client->nodes_.size(); ++index) {
    auto& node = client->nodes_[index];
    if (node.socket) {
      RtpproxyClient* self = client.get();
      loop.add(node.socket->fd(), net::kReadable, [self, index](std::uint32_t) { self->on_datagram(index); });
    }
  }
  return client;
}

RtpproxyClient::~RtpproxyClient() {
  for (auto& [id, transaction] : transactions_) {
    loop_.remove(transaction->timer.fd());
    if (transaction->stream.valid()) loop_.remove(transaction->stream.get());
  }
  for (auto& node : nodes_)
    if (node.socket) loop_.remove(node.socket->fd());
}

bool RtpproxyClient::due_for_probe(const Node& node) const {
  if (node.status.state == RtpproxyNodeState::Unprobed) return true;
  return node.status.state == RtpproxyNodeState::Disabled && net::Clock::now() >= node.disabled_until;
}

void RtpproxyClient::probe(std::function<void()> done) {
  auto pending = std::make_shared<std::size_t>(nodes_.size());
  auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
  for (std::size_t index = 0; index < nodes_.size(); ++index) {
    probe_node(index, [pending, shared_done] {
      if (--*pending == 0 && *shared_done) (*shared_done)();
    });
  }
}

// kam:rtpp_test and rtpp_checkcap: V must be 20040107 and VF 20050322 must be 1, else the node stays disabled.
void RtpproxyClient::probe_node(std::size_t index, std::function<void()> done) {
  Node& node = nodes_[index];
  node.after_probe.push_back(std::move(done));
  if (node.probing) return;
  node.probing = true;
  auto complete = [this, index](bool enabled, const std::string& why) {
    Node& n = nodes_[index];
    if (enabled) {
      n.status.state = RtpproxyNodeState::Enabled;
      n.status.last_error.clear();
    } else {
      disable(index, why);
    }
    n.probing = false;
    auto waiting = std::exchange(n.after_probe, {});
    for (auto& callback : waiting) callback();
  };
  auto describe = [](const Result& result) { return result ? std::string("an unexpected reply") : result.error(); };
  transmit(index, rtpp::VersionCommand{}, [this, index, complete, describe](Result version) {
    if (!is_number(version, 20040107)) return complete(false, "V: " + describe(version) + ", not 20040107");
    transmit(index, rtpp::VersionFeatureCommand{"20050322"}, [this, index, complete, describe](Result basic) {
      if (!is_number(basic, 1)) return complete(false, "VF 20050322: " + describe(basic) + ", not 1");
      transmit(index, rtpp::VersionFeatureCommand{"20071116"}, [this, index, complete](Result repacketization) {
        nodes_[index].status.capabilities.repacketization = is_number(repacketization, 1);
        transmit(index, rtpp::VersionFeatureCommand{"20081102"}, [this, index, complete](Result codecs) {
          nodes_[index].status.capabilities.codec_lists = is_number(codecs, 1);
          complete(true, "");
        });
      });
    });
  });
}

void RtpproxyClient::send(std::size_t index, const rtpp::Command& command, ReplyCallback callback) {
  if (index >= nodes_.size()) return callback(Unexpected("no rtpproxy node " + std::to_string(index)));
  Node& node = nodes_[index];
  if (node.status.state == RtpproxyNodeState::Enabled) return transmit(index, command, std::move(callback));
  if (!due_for_probe(node) && !node.probing) {
    return callback(Unexpected("rtpproxy " + node.status.url + " is disabled (" + node.status.last_error + ")"));
  }
  probe_node(index, [this, index, command, callback = std::move(callback)]() mutable {
    const Node& probed = nodes_[index];
    if (probed.status.state != RtpproxyNodeState::Enabled) {
      return callback(Unexpected("rtpproxy " + probed.status.url + " is disabled (" + probed.status.last_error + ")"));
    }
    transmit(index, command, std::move(callback));
  });
}

std::optional<std::size_t> RtpproxyClient::select_node(std::string_view call_id) const {
  std::vector<std::size_t> enabled;
  for (std::size_t index = 0; index < nodes_.size(); ++index)
    if (nodes_[index].status.state == RtpproxyNodeState::Enabled) enabled.push_back(index);
  if (enabled.empty()) return std::nullopt;
  unsigned sum = 0;
  for (char c : call_id) sum += static_cast<unsigned char>(c);  // kam:select_rtpp_node
  sum &= 0xff;
  return enabled[sum % enabled.size()];
}

void RtpproxyClient::send_for_call(std::string_view call_id, const rtpp::Command& command, ReplyCallback callback) {
  auto choose_and_send = [this, id = std::string(call_id), command, callback = std::move(callback)]() mutable {
    auto chosen = select_node(id);
    if (!chosen) return callback(Unexpected(std::string("no rtpproxy node is enabled")));
    transmit(*chosen, command, std::move(callback));
  };
  std::vector<std::size_t> due;
  for (std::size_t index = 0; index < nodes_.size(); ++index)
    if (due_for_probe(nodes_[index]) || nodes_[index].probing) due.push_back(index);
  if (due.empty()) return choose_and_send();
  auto pending = std::make_shared<std::size_t>(due.size());
  auto shared = std::make_shared<decltype(choose_and_send)>(std::move(choose_and_send));
  for (auto index : due) {
    probe_node(index, [pending, shared] {
      if (--*pending == 0) (*shared)();
    });
  }
}

void RtpproxyClient::transmit(std::size_t index, const rtpp::Command& command, ReplyCallback callback) {
  Node& node = nodes_[index];
  const std::uint64_t id = next_id_++;
  auto transaction = std::make_unique<Transaction>();
  transaction->node = index;
  transaction->callback = std::move(callback);
  Transaction& t = *transaction;
  transactions_.emplace(id, std::move(transaction));
  loop_.add(t.timer.fd(), net::kReadable, [this, id](std::uint32_t) { on_timer(id); });
  if (node.socket) {
    // §1.5: the same cookie on every try, so rtpproxy's cache answers a retry without running the command twice.
    t.cookie = cookie_prefix_ + std::to_string(sequence_++);
    t.wire = rtpp::format_request(rtpp::Request{t.cookie, command});
    t.tries_left = options_.tries - 1;
    node.socket->send_to(bytes(t.wire), *node.server);
    t.timer.arm_after(options_.timeout);
    return;
  }
  // unix: no cookie and no retry (a second connection would run the command twice); one deadline of the same
  // total length as the udp tries.
  t.wire = rtpp::format_request(rtpp::Request{std::nullopt, command});
  t.timer.arm_after(options_.timeout * options_.tries);
  start_stream(id);
}

void RtpproxyClient::start_stream(std::uint64_t id) {
  Transaction& t = *transactions_.at(id);
  const std::string& path = nodes_[t.node].unix_path;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return fail(id, ("unix socket path '" + path + "' is too long"));
  std::memcpy(address.sun_path, path.data(), path.size());
  t.stream = net::Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!t.stream.valid()) return fail(id, ("cannot create a unix socket: " + std::string(std::strerror(errno))));
  if (::connect(t.stream.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 &&
      errno != EINPROGRESS && errno != EAGAIN) {
    return fail(id, ("cannot connect to " + path + ": " + std::strerror(errno)));
  }
  loop_.add(t.stream.get(), net::kWritable, [this, id](std::uint32_t events) { on_stream_event(id, events); });
}

void RtpproxyClient::on_stream_event(std::uint64_t id, std::uint32_t events) {
  auto found = transactions_.find(id);
  if (found == transactions_.end()) return;
  Transaction& t = *found->second;
  const std::string& path = nodes_[t.node].unix_path;
  if (!t.written) {
    if ((events & net::kWritable) == 0) return;
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(t.stream.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return fail(id, ("cannot connect to " + path + ": " + std::strerror(error)));
    // One write of a short command into an empty socket buffer: Kamailio's single writev.
    const ssize_t sent = ::send(t.stream.get(), t.wire.data(), t.wire.size(), MSG_NOSIGNAL);
    if (sent != static_cast<ssize_t>(t.wire.size())) return fail(id, ("cannot write to " + path));
    t.written = true;
    loop_.modify(t.stream.get(), net::kReadable);
    return;
  }
  if ((events & net::kReadable) == 0) return;
  std::array<char, kReplyBuffer> buffer;
  const ssize_t got = ::read(t.stream.get(), buffer.data(), buffer.size());  // §1.1: one read is the reply
  if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (got <= 0) return fail(id, ("connection closed without a reply by " + path));
  std::string_view text(buffer.data(), static_cast<std::size_t>(got));
  auto parsed = rtpp::parse_response(text, rtpp::Framing::Stream);
  if (!parsed) return finish(id, Unexpected("unparsable reply from " + path + ": " + parsed.error().message));
  finish(id, parsed->reply);
}

void RtpproxyClient::on_datagram(std::size_t index) {
  Node& node = nodes_[index];
  std::array<std::uint8_t, kReplyBuffer> buffer;
  while (auto datagram = node.socket->receive_from(buffer)) {
    if (!(datagram->source == *node.server)) continue;  // Kamailio connect()s: only the proxy's address counts
    std::string_view text(reinterpret_cast<const char*>(buffer.data()), datagram->size);
    auto parsed = rtpp::parse_response(text, rtpp::Framing::Datagram);
    const std::optional<std::string>& cookie = parsed ? parsed->cookie : parsed.error().cookie;
    if (!cookie) continue;
    // §1.5: only a reply carrying a pending cookie counts; a late reply to a finished command is ignored.
    std::optional<std::uint64_t> match;
    for (const auto& [id, transaction] : transactions_)
      if (transaction->node == index && transaction->cookie == *cookie) match = id;
    if (!match) continue;
    if (!parsed) {
      finish(*match, Unexpected("unparsable reply from " + node.status.url + ": " + parsed.error().message));
    } else {
      finish(*match, parsed->reply);
    }
  }
}

void RtpproxyClient::on_timer(std::uint64_t id) {
  auto found = transactions_.find(id);
  if (found == transactions_.end()) return;
  Transaction& t = *found->second;
  t.timer.acknowledge();
  Node& node = nodes_[t.node];
  if (node.socket && t.tries_left > 0) {
    --t.tries_left;
    node.socket->send_to(bytes(t.wire), *node.server);
    t.timer.arm_after(options_.timeout);
    return;
  }
  const std::string why = node.socket ? "no reply from " + node.status.url + " after " +
                                            std::to_string(options_.tries) + " tries"
                                      : "no reply from " + node.status.url + " in time";
  fail(id, why);
}

// §1.5: a timeout or a transport failure disables the node until disable_timeout passes.
void RtpproxyClient::fail(std::uint64_t id, const std::string& why) {
  auto found = transactions_.find(id);
  if (found == transactions_.end()) return;
  disable(found->second->node, why);
  finish(id, Unexpected(why));
}

void RtpproxyClient::disable(std::size_t index, const std::string& why) {
  Node& node = nodes_[index];
  node.status.state = RtpproxyNodeState::Disabled;
  node.status.last_error = why;
  node.disabled_until = net::Clock::now() + options_.disable_timeout;
}

void RtpproxyClient::finish(std::uint64_t id, Expected<rtpp::Reply, std::string> result) {
  auto found = transactions_.find(id);
  if (found == transactions_.end()) return;
  std::unique_ptr<Transaction> transaction = std::move(found->second);
  transactions_.erase(found);
  loop_.remove(transaction->timer.fd());
  if (transaction->stream.valid()) loop_.remove(transaction->stream.get());
  // The callback runs last: it may send again, which changes transactions_.
  if (transaction->callback) transaction->callback(std::move(result));
}

}  // namespace mohq::sim
