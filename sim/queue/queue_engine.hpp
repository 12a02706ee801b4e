// mohqd's heart: Kamailio mohqueue's call handling (mohqueue-behaviour.md §2-§13) as an event-driven state machine.
// No sockets, no clock reads: every entry point takes the time, and everything the engine does to the outside world
// (SIP bytes, rtpproxy commands, DB rows) goes through QueueEnvironment. The daemon wires that to sockets and
// SQLite; the tests wire it to recorders and an injected clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/expected.hpp"
#include "sim/db/call_table_writer.hpp"
#include "net/socket_address.hpp"
#include "sim/queue/call_state.hpp"
#include "sim/queue/moh_sdp.hpp"
#include "sim/queue/profile.hpp"
#include "sim/queue/queue_list.hpp"
#include "sim/queue/rtpproxy_commands.hpp"
#include "rtpp/reply.hpp"
#include "sip/message.hpp"
#include "sip/transaction_table.hpp"

namespace mohq::sim {

// Where a SIP message came from or goes to. TCP messages carry the connection they arrived on, so responses
// go back on it (RFC 3261 18.2.2).
struct SipDestination {
  bool tcp = false;
  net::SocketAddress address;
  std::uint64_t connection = 0;
};

struct IncomingMessage {
  sip::Message message;
  SipDestination source;
  std::string local_ip;  // the address it arrived on: the answer's fallback when rtpproxy gives no address
};

enum class LogLevel { Debug, Info, Warning, Error };

class QueueEnvironment {
 public:
  virtual ~QueueEnvironment() = default;
  virtual void send_sip(const SipDestination& to, const std::string& bytes) = 0;
  using RtpproxyDone = std::function<void(Expected<rtpp::Reply, std::string>)>;
  // The command goes to the node chosen for the Call-ID. `done` may run before this returns (node disabled).
  virtual void send_rtpproxy(const std::string& call_id, const rtpp::Command& command, RtpproxyDone done) = 0;
  virtual NodeCapabilities rtpproxy_capabilities(const std::string& call_id) = 0;
  virtual void db_insert(sim_db::CallRow row) = 0;
  virtual void db_update(const std::string& call_id, sim_db::CallStatus status) = 0;
  virtual void db_delete(const std::string& call_id) = 0;
  // The next hop for a URI (numeric host or a name the environment can resolve); nullopt when it cannot.
  virtual std::optional<SipDestination> resolve(const std::string& host, std::uint16_t port, bool tcp) = 0;
  // host:port for our Via and for building URIs, per transport.
  virtual std::string sent_by(bool tcp) = 0;
  virtual std::chrono::system_clock::time_point wall_clock() = 0;
  // The monotonic time, for work resumed by an rtpproxy reply (the daemon's clock, or the test's).
  virtual sip::TimePoint now() = 0;
  virtual void log(LogLevel level, const std::string& text) = 0;
};

// mohq_send(queue) in a Kamailio script (mohqueue-behaviour.md §12): an initial INVITE whose Request-URI (before
// ';' or '?') is `request_uri` goes to that queue. Kamailio relays it to the queue URI and it loops back; mohqd
// takes the queue directly (no extra Via, no proxy 100).
struct SendRule {
  std::string request_uri;
  std::string queue;
};

struct EngineOptions {
  Profile profile = Profile::Kamailio;
  std::vector<SendRule> send_rules;
  std::size_t max_calls = 50;  // moh_maxcalls: every call in any state, across all queues
  std::string server_header = "mohqd";
  sip::TransactionTimers timers;
  std::chrono::milliseconds prack_wait{32000};
  std::chrono::milliseconds refer_wait{32000};
};

// What mohqueue.list and the tests see of a call.
struct CallSnapshot {
  std::string call_id;
  std::string queue;
  CallState state;
  std::string from;
  std::chrono::system_clock::time_point call_time;
  std::string refer_to;
};

struct EngineCounters {
  std::uint64_t calls_created = 0;
  std::uint64_t calls_queued = 0;     // reached INQUEUE
  std::uint64_t calls_rejected = 0;   // a final non-2xx to the initial INVITE, or none at all
  std::uint64_t calls_deleted = 0;
  std::uint64_t transfers_started = 0;
  std::uint64_t transfers_completed = 0;  // NOTIFY 2xx
  std::uint64_t transfers_failed = 0;
  std::uint64_t silent_drops = 0;     // requests that got no reply by design (B3), or that nobody could answer
  std::uint64_t bad_requests = 0;     // answered 400
  std::uint64_t stray_responses = 0;
};

struct RpcFault {
  int code;             // Kamailio's mohqueue RPC fault codes: 400 parameters, 401 unknown queue, ...
  std::string message;
};

class QueueEngine {
 public:
  QueueEngine(QueueEnvironment& environment, EngineOptions options, std::vector<Queue> queues);
  ~QueueEngine();
  QueueEngine(const QueueEngine&) = delete;
  QueueEngine& operator=(const QueueEngine&) = delete;

  void on_message(const IncomingMessage& incoming, sip::TimePoint now);
  // A message the transport could not parse: counted and dropped (nobody can be answered without Via and CSeq).
  void on_unparsable(const SipDestination& source, const std::string& why);
  void on_timer(sip::TimePoint now);
  std::optional<sip::TimePoint> next_deadline() const;

  // mohq_retrieve(queue, uri): REFER the oldest queued call to `uri`. The Call-ID of the call referred.
  Expected<std::string, RpcFault> retrieve(const std::string& queue, const std::string& uri, sip::TimePoint now);
  // mohq_count: calls of the queue in INQUEUE exactly (Q4: an unknown queue counts 0 in the kamailio profile).
  Expected<std::size_t, RpcFault> count(const std::string& queue) const;
  // mohqueue.drop_call: BYE to the call(s), in any state. The number of calls dropped.
  Expected<std::size_t, RpcFault> drop_call(const std::string& queue, const std::string& call_id, sip::TimePoint now);
  // mohqueue.debug: the queue's debug flag (the daemon writes it to the DB).
  Expected<Done, RpcFault> set_debug(const std::string& queue, bool debug);

  // A new queue list (the 60 s reload). Refused, returning false, while any call is set up or transferred (the
  // module's documented rule, which its code does not keep: B4). Calls keep a copy of their queue's data.
  bool replace_queues(std::vector<Queue> queues);
  bool calls_in_transition() const;

  const std::vector<Queue>& queues() const { return queues_; }
  std::vector<CallSnapshot> calls() const;
  std::size_t call_count() const { return calls_.size(); }
  const EngineCounters& counters() const { return counters_; }
  const ProfileRules& rules() const { return rules_; }

 private:
  struct Call;
  enum class ReplyMode { Stateless, Stateful };
  struct ReplyParts {
    std::vector<sip::Header> headers;
    std::string body;
    bool to_tag = true;
  };

  // Dispatch (mohqueue-behaviour.md §3).
  void on_request(const IncomingMessage& incoming, sip::TimePoint now);
  void on_response(const IncomingMessage& incoming, sip::TimePoint now);
  Call* find_call(const sip::Message& request, bool& existing_invite);
  void on_initial_invite(const IncomingMessage& incoming, const Queue& queue, sip::TimePoint now);
  void send_offers(std::uint64_t serial, std::size_t medianum, sip::TimePoint now);
  using RtpproxyResult = Expected<rtpp::Reply, std::string>;
  void on_offer_reply(std::uint64_t serial, std::size_t index, const RtpproxyResult& result);
  void after_offer(Call& call, sip::TimePoint now);
  void send_answer(std::uint64_t serial, sip::TimePoint now);
  void on_answer_reply(std::uint64_t serial, const RtpproxyResult& result);
  void on_play_reply(std::uint64_t serial, const RtpproxyResult& played);
  void on_ack(Call& call, const IncomingMessage& incoming, sip::TimePoint now);
  void on_prack(Call& call, const IncomingMessage& incoming, sip::TimePoint now);
  void on_cancel(Call& call, const IncomingMessage& incoming, sip::TimePoint now);
  void on_bye(Call& call, const IncomingMessage& incoming, sip::TimePoint now);
  void on_reinvite(Call& call, const IncomingMessage& incoming, sip::TimePoint now);
  void on_notify(Call& call, const IncomingMessage& incoming, sip::TimePoint now);
  void on_refer_response(Call& call, const sip::Message& response, sip::TimePoint now);
  void on_bye_response(Call& call, sip::TimePoint now);
  void deny_method(const IncomingMessage& incoming, Call* call, sip::TimePoint now);
  void answer_unmatched(const IncomingMessage& incoming, sip::TimePoint now);

  // Replies and requests.
  void reply(const IncomingMessage& incoming, Call* call, int code, const std::string& reason, ReplyParts parts,
             ReplyMode mode, sip::TimePoint now);
  void reply_to_invite(Call& call, int code, const std::string& reason, ReplyParts parts, sip::TimePoint now);
  sip::Message build_response(const sip::Message& request, const SipDestination& source, int code,
                              const std::string& reason, std::optional<std::string> to_tag,
                              const ReplyParts& parts) const;
  bool send_in_dialog(Call& call, const std::string& method, std::vector<sip::Header> extra, sip::TimePoint now);
  void close_call(Call& call, bool rtpproxy_delete, sip::TimePoint now);  // (D) + BYE
  void run_actions(const sip::TransactionKey& key, const sip::Actions& actions, sip::TimePoint now);

  // Call bookkeeping.
  void rtpproxy_delete(Call& call, bool with_to_tag);
  void set_state(Call& call, CallState state);
  void delete_call(Call& call);
  void schedule(Call& call);
  void on_call_timer(Call& call, sip::TimePoint now);
  Call* by_serial(std::uint64_t serial);
  void log(LogLevel level, const Call* call, const std::string& text);

  QueueEnvironment& env_;
  EngineOptions options_;
  ProfileRules rules_;
  std::vector<Queue> queues_;
  sip::TransactionTable transactions_;
  std::unordered_map<std::string, std::unique_ptr<Call>> calls_;  // by Call-ID
  std::unordered_map<std::uint64_t, Call*> by_serial_;
  std::set<std::pair<sip::TimePoint, std::uint64_t>> wakeups_;
  std::map<sip::TransactionKey, SipDestination> peers_;            // where each transaction's bytes go
  std::map<sip::TransactionKey, std::uint64_t> client_owners_;      // REFER/BYE transaction -> call serial
  std::uint64_t next_serial_ = 1;
  std::uint64_t arrival_sequence_ = 0;
  EngineCounters counters_;
};

}  // namespace mohq::sim
