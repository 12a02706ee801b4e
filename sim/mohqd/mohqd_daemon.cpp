#include "sim/mohqd/mohqd_daemon.hpp"

#include <netdb.h>
#include <sys/epoll.h>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "net/timer.hpp"
#include "sim/db/call_table_writer.hpp"
#include "sim/db/mohqueue_schema.hpp"
#include "sim/db/sqlite_database.hpp"
#include "sim/queue/queue_engine.hpp"
#include "sim/rpc/json_rpc_server.hpp"
#include "sim/rtpproxy_client/rtpproxy_client.hpp"
#include "sim/transport/sip_transport.hpp"

namespace mohq::sim {

namespace {

int level_rank(LogLevel level) { return static_cast<int>(level); }

LogLevel parse_level(const std::string& name) {
  if (name == "debug") return LogLevel::Debug;
  if (name == "warning") return LogLevel::Warning;
  if (name == "error") return LogLevel::Error;
  return LogLevel::Info;
}

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "DEBUG";
    case LogLevel::Info: return "INFO";
    case LogLevel::Warning: return "WARNING";
    case LogLevel::Error: return "ERROR";
  }
  return "?";
}

std::string host_port(const net::SocketAddress& address) { return address.to_string(); }

// RPC parameters arrive as kamcmd sends them: strings, or numbers where they look like numbers.
std::optional<std::string> string_param(const nlohmann::json& params, std::size_t index) {
  if (!params.is_array() || params.size() <= index) return std::nullopt;
  const auto& value = params[index];
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  return std::nullopt;
}

RpcError to_rpc_error(const RpcFault& fault) { return {fault.code, fault.message}; }

}  // namespace

struct MohqdDaemon::Impl final : QueueEnvironment {
  net::EventLoop& loop;
  MohqdOptions options;
  LogLevel threshold = LogLevel::Info;
  std::optional<sim_db::SqliteDatabase> db;
  std::optional<sim_db::CallTableWriter> writer;
  std::unique_ptr<SipTransport> transport;
  std::unique_ptr<RtpproxyClient> rtpproxy;
  std::unique_ptr<JsonRpcServer> rpc;
  std::unique_ptr<QueueEngine> engine;
  net::Timer engine_timer;
  net::Timer flush_timer;
  net::Timer reload_timer;
  std::optional<sip::TimePoint> armed_for;
  std::uint64_t db_failures = 0;

  Impl(net::EventLoop& event_loop, MohqdOptions opts) : loop(event_loop), options(std::move(opts)) {
    threshold = parse_level(options.log_level);
  }

  ~Impl() override {
    for (const auto* timer : {&engine_timer, &flush_timer, &reload_timer}) loop.remove(timer->fd());
  }

  // ---------------------------------------------------------------------------------- QueueEnvironment
  void send_sip(const SipDestination& to, const std::string& bytes) override {
    SipPeer peer;
    peer.kind = to.tcp ? TransportKind::Tcp : TransportKind::Udp;
    peer.address = to.address;
    peer.connection = to.connection;
    if (!transport->send(peer, bytes)) log(LogLevel::Warning, "could not send to " + to.address.to_string());
  }

  void send_rtpproxy(const std::string& call_id, const rtpp::Command& command, RtpproxyDone done) override {
    rtpproxy->send_for_call(call_id, command, std::move(done));
    rearm();
  }

  NodeCapabilities rtpproxy_capabilities(const std::string& call_id) override {
    const auto node = rtpproxy->select_node(call_id);
    if (!node) return {};
    const auto& status = rtpproxy->node(*node);
    if (status.state != RtpproxyNodeState::Enabled) return {};
    return {status.capabilities.repacketization, status.capabilities.codec_lists};
  }

  void db_insert(sim_db::CallRow row) override { writer->insert(std::move(row)); }
  void db_update(const std::string& call_id, sim_db::CallStatus status) override {
    writer->update_status(call_id, status);
  }
  void db_delete(const std::string& call_id) override { writer->remove(call_id); }

  std::optional<SipDestination> resolve(const std::string& host, std::uint16_t port, bool tcp) override {
    std::string literal = host;
    if (literal.size() > 2 && literal.front() == '[') literal = literal.substr(1, literal.size() - 2);
    if (auto address = net::SocketAddress::from_host_port(literal, port)) return SipDestination{tcp, *address, 0};
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(literal.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) return std::nullopt;
    auto address = net::SocketAddress::from_sockaddr(found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    address.set_port(port);
    return SipDestination{tcp, address, 0};
  }

  std::string sent_by(bool tcp) override {
    auto local = transport->local_address(tcp ? TransportKind::Tcp : TransportKind::Udp);
    if (!local) local = transport->local_address(tcp ? TransportKind::Udp : TransportKind::Tcp);
    return local ? host_port(*local) : "127.0.0.1";
  }

  std::chrono::system_clock::time_point wall_clock() override { return std::chrono::system_clock::now(); }
  sip::TimePoint now() override { return sip::Clock::now(); }

  void log(LogLevel level, const std::string& text) override {
    if (level_rank(level) < level_rank(threshold)) return;
    std::fprintf(stderr, "mohqd %s: %s\n", level_name(level), text.c_str());
  }

  // ---------------------------------------------------------------------------------------- wiring
  void on_sip(const ReceivedMessage& received) {
    SipDestination source{received.peer.kind == TransportKind::Tcp, received.peer.address, received.peer.connection};
    if (!received.message) {
      engine->on_unparsable(source, received.message.error().message);
      return;
    }
    const auto local = transport->local_address(received.peer.kind);
    IncomingMessage incoming{*received.message, source, local ? local->host() : "127.0.0.1"};
    engine->on_message(incoming, now());
    rearm();
  }

  // One timerfd follows the engine's earliest deadline.
  void rearm() {
    const auto next = engine->next_deadline();
    if (next == armed_for) return;
    armed_for = next;
    if (next)
      engine_timer.arm_at(std::max(*next, now() + std::chrono::microseconds(1)));
    else
      engine_timer.disarm();
  }

  void flush() {
    if (writer->pending() == 0) return;
    if (auto written = writer->flush(); !written) {
      ++db_failures;
      log(LogLevel::Warning, "mohqcalls write failed (retried): " + written.error());
    }
  }

  void reload_queues() {
    auto rows = sim_db::load_queues(*db);
    if (!rows) {
      log(LogLevel::Warning, "queue reload failed: " + rows.error());
      return;
    }
    auto list = build_queue_list(*rows, options.mohdir);
    if (!engine->replace_queues(std::move(list.queues)))
      log(LogLevel::Debug, "queue reload postponed: calls in transition");
  }

  Expected<Done, std::string> open_db() {
    auto opened = sim_db::SqliteDatabase::open(options.db_path);
    if (!opened) return Unexpected("db: " + options.db_path + ": " + opened.error());
    db.emplace(std::move(*opened));
    if (auto ok = sim_db::ensure_schema(*db); !ok) return Unexpected("db: " + ok.error());
    if (auto ok = sim_db::clear_calls(*db); !ok) return Unexpected("db: " + ok.error());
    auto existing = sim_db::load_queues(*db);
    if (!existing) return Unexpected("db: " + existing.error());
    for (const auto& seed : options.queues) {
      bool present = false;
      for (const auto& row : *existing) present = present || row.name == seed.name;
      if (present) continue;
      sim_db::QueueRow row;
      row.name = seed.name;
      row.uri = seed.uri;
      row.mohfile = seed.mohfile;
      if (auto valid = sim_db::validate_queue(row); !valid) return Unexpected("queue: " + valid.error());
      if (auto ok = sim_db::insert_queue(*db, row); !ok) return Unexpected("queue: " + ok.error());
    }
    writer.emplace(*db);
    return Done{};
  }

  void add_rpc_methods() {
    rpc->add_method("mohqueue.retrieve", [this](const nlohmann::json& params) -> RpcResult {
      const auto queue = string_param(params, 0);
      const auto uri = string_param(params, 1);
      if (!queue || !uri) return Unexpected(RpcError{400, "Too few parameters!"});
      auto result = engine->retrieve(*queue, *uri, now());
      rearm();
      if (!result) return Unexpected(to_rpc_error(result.error()));
      return nlohmann::json{{"call_id", *result}};
    });
    rpc->add_method("mohqueue.count", [this](const nlohmann::json& params) -> RpcResult {
      const auto queue = string_param(params, 0);
      if (!queue) return Unexpected(RpcError{400, "Too few parameters!"});
      auto result = engine->count(*queue);
      if (!result) return Unexpected(to_rpc_error(result.error()));
      return nlohmann::json(*result);
    });
    rpc->add_method("mohqueue.drop_call", [this](const nlohmann::json& params) -> RpcResult {
      const auto queue = string_param(params, 0);
      const auto call_id = string_param(params, 1);
      if (!queue || !call_id) return Unexpected(RpcError{400, "Too few parameters!"});
      auto result = engine->drop_call(*queue, *call_id, now());
      rearm();
      if (!result) return Unexpected(to_rpc_error(result.error()));
      return nlohmann::json{{"dropped", *result}};
    });
    rpc->add_method("mohqueue.debug", [this](const nlohmann::json& params) -> RpcResult {
      const auto queue = string_param(params, 0);
      const auto flag = string_param(params, 1);
      if (!queue || !flag) return Unexpected(RpcError{400, "Too few parameters!"});
      const bool debug = *flag != "0";
      auto result = engine->set_debug(*queue, debug);
      if (!result) return Unexpected(to_rpc_error(result.error()));
      if (auto ok = sim_db::set_queue_debug(*db, *queue, debug); !ok)
        return Unexpected(RpcError{500, "debug not written: " + ok.error()});
      return nlohmann::json::object();
    });
    rpc->add_method("mohqueue.list", [this](const nlohmann::json&) -> RpcResult {
      nlohmann::json queues = nlohmann::json::array();
      for (const auto& queue : engine->queues()) {
        nlohmann::json types = nlohmann::json::array();
        for (unsigned type : queue.prompt_types) types.push_back(type);
        queues.push_back({{"name", queue.name},
                          {"uri", queue.uri},
                          {"prompt", queue.prompt_path()},
                          {"payload_types", types},
                          {"debug", queue.debug},
                          {"in_queue", engine->count(queue.name).value_or(0)}});
      }
      nlohmann::json calls = nlohmann::json::array();
      for (const auto& call : engine->calls()) {
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(call.call_time.time_since_epoch());
        calls.push_back({{"call_id", call.call_id},
                         {"queue", call.queue},
                         {"state", std::string(state_name(call.state))},
                         {"state_value", state_value(call.state)},
                         {"from", call.from},
                         {"call_time", seconds.count()},
                         {"refer_to", call.refer_to}});
      }
      return nlohmann::json{{"queues", queues}, {"calls", calls}};
    });
    rpc->add_method("core.stats", [this](const nlohmann::json&) -> RpcResult {
      const auto& c = engine->counters();
      const auto& t = transport->counters();
      nlohmann::json nodes = nlohmann::json::array();
      for (std::size_t i = 0; i < rtpproxy->node_count(); ++i) {
        const auto& node = rtpproxy->node(i);
        nodes.push_back({{"url", node.url},
                         {"state", node.state == RtpproxyNodeState::Enabled    ? "enabled"
                                   : node.state == RtpproxyNodeState::Disabled ? "disabled"
                                                                               : "unprobed"},
                         {"last_error", node.last_error}});
      }
      return nlohmann::json{
          {"profile", std::string(profile_name(options.profile))},
          {"calls", {{"active", engine->call_count()},
                     {"created", c.calls_created},
                     {"queued", c.calls_queued},
                     {"rejected", c.calls_rejected},
                     {"deleted", c.calls_deleted}}},
          {"transfers", {{"started", c.transfers_started},
                         {"completed", c.transfers_completed},
                         {"failed", c.transfers_failed}}},
          {"sip", {{"received", t.received},
                   {"sent", t.sent},
                   {"malformed", t.malformed},
                   {"oversized", t.oversized},
                   {"send_failures", t.send_failures},
                   {"silent_drops", c.silent_drops},
                   {"bad_requests", c.bad_requests},
                   {"stray_responses", c.stray_responses}}},
          {"db", {{"pending", writer->pending()}, {"failed_flushes", db_failures}}},
          {"rtpproxy", nodes}};
    });
  }
};

MohqdDaemon::MohqdDaemon(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MohqdDaemon::~MohqdDaemon() = default;

Expected<std::unique_ptr<MohqdDaemon>, std::string> MohqdDaemon::create(net::EventLoop& loop,
                                                                        MohqdOptions options) {
  auto impl = std::make_unique<Impl>(loop, std::move(options));
  Impl& d = *impl;
  if (auto opened = d.open_db(); !opened) return Unexpected(opened.error());
  auto rows = sim_db::load_queues(*d.db);
  if (!rows) return Unexpected("db: " + rows.error());
  auto list = build_queue_list(*rows, d.options.mohdir);
  for (const auto& skipped : list.skipped) d.log(LogLevel::Warning, skipped);
  if (list.queues.empty()) d.log(LogLevel::Warning, "no queue is active: every INVITE will get 404");

  EngineOptions engine_options;
  engine_options.profile = d.options.profile;
  engine_options.max_calls = d.options.maxcalls;
  engine_options.server_header = d.options.server_header;
  for (const auto& [uri, queue] : d.options.send_rules) engine_options.send_rules.push_back({uri, queue});
  d.engine = std::make_unique<QueueEngine>(d, engine_options, std::move(list.queues));

  RtpproxyClientOptions client_options;
  client_options.timeout = d.options.rtpproxy_timeout;
  client_options.tries = d.options.rtpproxy_tries;
  auto client = RtpproxyClient::create(loop, d.options.rtpproxy, client_options);
  if (!client) return Unexpected("rtpproxy: " + client.error());
  d.rtpproxy = std::move(*client);

  auto transport = SipTransport::create(loop, d.options.listen, TransportLimits{},
                                        [&d](const ReceivedMessage& received) { d.on_sip(received); });
  if (!transport) return Unexpected("listen: " + transport.error());
  d.transport = std::move(*transport);

  if (!d.options.rpc.empty()) {
    auto server = JsonRpcServer::create(loop, d.options.rpc);
    if (!server) return Unexpected("rpc: " + server.error());
    d.rpc = std::move(*server);
    d.add_rpc_methods();
  }

  loop.add(d.engine_timer.fd(), EPOLLIN, [&d](std::uint32_t) {
    d.engine_timer.acknowledge();
    d.armed_for.reset();
    d.engine->on_timer(d.now());
    d.rearm();
  });
  loop.add(d.flush_timer.fd(), EPOLLIN, [&d](std::uint32_t) {
    d.flush_timer.acknowledge();
    d.flush();
  });
  d.flush_timer.arm_every(d.options.db_flush_interval);
  loop.add(d.reload_timer.fd(), EPOLLIN, [&d](std::uint32_t) {
    d.reload_timer.acknowledge();
    d.reload_queues();
  });
  d.reload_timer.arm_every(d.options.reload_interval);

  // Kamailio probes every node at start-up (V, VF ...); calls arriving meanwhile wait behind the probe.
  d.rtpproxy->probe([&d] {
    for (std::size_t i = 0; i < d.rtpproxy->node_count(); ++i) {
      const auto& node = d.rtpproxy->node(i);
      if (node.state != RtpproxyNodeState::Enabled)
        d.log(LogLevel::Warning, "rtpproxy " + node.url + " unavailable: " + node.last_error);
    }
  });
  std::string where;
  for (const auto& entry : d.options.listen) where += (where.empty() ? "" : ", ") + entry;
  d.log(LogLevel::Info, "listening on " + where + " (profile " + std::string(profile_name(d.options.profile)) +
                            (d.rpc ? ", rpc " + d.rpc->local_address().to_string() : std::string()) + ")");
  return std::unique_ptr<MohqdDaemon>(new MohqdDaemon(std::move(impl)));
}

void MohqdDaemon::shutdown() { impl_->flush(); }

}  // namespace mohq::sim
