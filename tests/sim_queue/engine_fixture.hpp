// The queue engine under a microscope: a recording QueueEnvironment (every SIP message sent, parsed; every rtpproxy
// command as the text Kamailio would put on the wire; every DB operation) with a hand-driven clock, and a small
// DSL in the spirit of rtpengine's daemon tests: send_invite(...), expect_response(200), expect_request("REFER"),
// expect_rtpproxy("Uc8,0,101 ..."), expect_nothing_sent(). Requests are built from SIPp-like text templates so
// they read like the traces in /work/shared/traces/kamailio-5.6.3.
//
// rtpproxy replies are NOT automatic: every command the engine sends (except D, whose reply the engine ignores)
// waits in `pending` until the test answers it with reply_port(...), reply_error() or reply_number(...). That is
// how orderings such as "CANCEL while rtpproxy is being asked" are written.
#pragma once

// The DSL takes designated initializers ({.extra = ...}) and leaves the other options at their defaults, which
// g++ 12 reports under -Wextra.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rtpp/codec.hpp"
#include "sim/queue/queue_engine.hpp"
#include "sip/message.hpp"
#include "sip/transaction.hpp"

namespace mohq::sim::test {

using namespace std::chrono_literals;

inline const std::string kQueueUri = "sip:1008@127.0.0.1:5060";
inline const std::string kOperator = "sip:operator@127.0.0.1:5070";

struct SentSip {
  SipDestination to;
  std::string bytes;
  sip::Message message;
};

struct DbOp {
  enum Kind { Insert, Update, Delete } kind;
  std::string call_id;
  int status = 0;  // Insert and Update
  sim_db::CallRow row;  // Insert
};

class FakeEnvironment : public QueueEnvironment {
 public:
  struct Pending {
    std::string text;
    RtpproxyDone done;
  };

  std::deque<SentSip> sip;           // sent and not yet expected
  std::deque<std::string> rtpproxy;  // sent and not yet expected (every command, D included)
  std::deque<Pending> pending;       // waiting for the test's reply (D excluded)
  std::deque<DbOp> db;               // not yet expected
  std::vector<std::string> timeline; // everything, in order: "sip <first line>", "rtpp <command>", "db ..."
  std::vector<std::string> logs;
  sip::TimePoint steady = sip::TimePoint{} + 1000s;
  std::chrono::system_clock::time_point wall = std::chrono::sys_days{std::chrono::year{2026} / 11 / 26} + 7h + 12min;
  bool resolvable = true;
  NodeCapabilities capabilities;

  void send_sip(const SipDestination& to, const std::string& bytes) override {
    auto parsed = sip::parse_message(bytes);
    BOOST_REQUIRE_MESSAGE(parsed.has_value(), "the engine sent unparsable SIP:\n" + bytes);
    timeline.push_back("sip " + bytes.substr(0, bytes.find("\r\n")));
    sip.push_back({to, bytes, std::move(*parsed)});
  }
  void send_rtpproxy(const std::string&, const rtpp::Command& command, RtpproxyDone done) override {
    std::string text = rtpp::format_request(rtpp::Request{std::nullopt, command});
    timeline.push_back("rtpp " + text);
    rtpproxy.push_back(text);
    if (!std::holds_alternative<rtpp::DeleteCommand>(command)) pending.push_back({text, std::move(done)});
  }
  NodeCapabilities rtpproxy_capabilities(const std::string&) override { return capabilities; }
  void db_insert(sim_db::CallRow row) override {
    timeline.push_back("db insert " + row.call_id);
    db.push_back({DbOp::Insert, row.call_id, static_cast<int>(row.call_status), row});
  }
  void db_update(const std::string& call_id, sim_db::CallStatus status) override {
    timeline.push_back("db update " + call_id + " " + std::to_string(static_cast<int>(status)));
    db.push_back({DbOp::Update, call_id, static_cast<int>(status), {}});
  }
  void db_delete(const std::string& call_id) override {
    timeline.push_back("db delete " + call_id);
    db.push_back({DbOp::Delete, call_id, 0, {}});
  }
  std::optional<SipDestination> resolve(const std::string& host, std::uint16_t port, bool tcp) override {
    if (!resolvable) return std::nullopt;
    auto address = net::SocketAddress::from_host_port(host, port);
    if (!address) return std::nullopt;
    return SipDestination{tcp, *address, 0};
  }
  std::string sent_by(bool) override { return "127.0.0.1:5060"; }
  std::chrono::system_clock::time_point wall_clock() override { return wall; }
  sip::TimePoint now() override { return steady; }
  void log(LogLevel, const std::string& text) override { logs.push_back(text); }
};

// One SIPp-like caller: its dialog identifiers and counters.
struct Caller {
  std::string call_id = "1-6632@127.0.0.1";
  std::string from_tag = "6632SIPpTag001";
  std::string user = "caller1";
  std::uint16_t port = 5090;
  std::string to_tag;        // the queue's tag, learned from the L command / 180 / 200
  unsigned cseq = 1;         // of the next request
  std::string invite_branch; // of the initial INVITE (CANCEL and retransmissions reuse it)
  std::string invite_text;   // the initial INVITE, for retransmissions

  static Caller number(int n) {
    Caller caller;
    caller.call_id = std::to_string(n) + "-6632@127.0.0.1";
    caller.from_tag = "6632SIPpTag00" + std::to_string(n);
    caller.user = "caller" + std::to_string(n);
    caller.port = static_cast<std::uint16_t>(5089 + n);
    return caller;
  }
  std::string contact_uri() const { return "sip:" + user + "@127.0.0.1:" + std::to_string(port); }
};

// The caller's offer in basic_call.sipp-trace.txt (233 bytes).
inline const std::string kOffer =
    "v=0\n"
    "o=user1 53655765 2353687637 IN IP4 127.0.0.1\n"
    "s=-\n"
    "c=IN IP4 127.0.0.1\n"
    "t=0 0\n"
    "m=audio 6000 RTP/AVP 8 0 101\n"
    "a=rtpmap:8 PCMA/8000\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=fmtp:101 0-16\n"
    "a=ptime:20\n"
    "a=sendrecv\n";

// A re-offer: the same media, a direction line of our choice (stream level).
inline std::string reoffer(const std::string& direction, const std::string& formats = "8 0 101") {
  return "v=0\n"
         "o=user1 53655765 2353687638 IN IP4 127.0.0.1\n"
         "s=-\n"
         "c=IN IP4 127.0.0.1\n"
         "t=0 0\n"
         "m=audio 6000 RTP/AVP " + formats + "\n"
         "a=rtpmap:8 PCMA/8000\n"
         "a=" + direction + "\n";
}

// The INVITE of basic_call.sipp-trace.txt, as a SIPp template.
inline const std::string kInviteTemplate =
    "INVITE [ruri] SIP/2.0\n"
    "Via: SIP/2.0/UDP 127.0.0.1:[port];branch=[branch]\n"
    "From: <sip:[user]@127.0.0.1:[port]>;tag=[from_tag]\n"
    "To: <sip:1008@127.0.0.1:5060>[to_tag]\n"
    "Call-ID: [call_id]\n"
    "CSeq: [cseq] INVITE\n"
    "Contact: <sip:[user]@127.0.0.1:[port]>\n"
    "Max-Forwards: 70\n"
    "[allow]"
    "Supported: replaces\n"
    "[extra]"
    "Content-Type: application/sdp\n"
    "Content-Length: [len]\n"
    "\n"
    "[body]";

// Any other request of the caller (ACK, BYE, CANCEL, PRACK, NOTIFY, OPTIONS, ...).
inline const std::string kRequestTemplate =
    "[method] [ruri] SIP/2.0\n"
    "Via: SIP/2.0/UDP 127.0.0.1:[port];branch=[branch]\n"
    "From: <sip:[user]@127.0.0.1:[port]>;tag=[from_tag]\n"
    "To: <sip:1008@127.0.0.1:5060>[to_tag]\n"
    "Call-ID: [call_id]\n"
    "CSeq: [cseq] [method]\n"
    "Contact: <sip:[user]@127.0.0.1:[port]>\n"
    "Max-Forwards: 70\n"
    "[extra]"
    "Content-Length: [len]\n"
    "\n"
    "[body]";

using Vars = std::map<std::string, std::string>;

// Substitutes [name] keywords, turns LF into CRLF and fills [len] with the body's size.
inline std::string render(std::string text, const Vars& vars) {
  for (const auto& [name, value] : vars) {
    if (name == "len") continue;
    const std::string keyword = "[" + name + "]";
    for (std::size_t at = text.find(keyword); at != std::string::npos; at = text.find(keyword, at + value.size()))
      text.replace(at, keyword.size(), value);
  }
  std::string crlf;
  for (char c : text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  const auto end_of_headers = crlf.find("\r\n\r\n");
  const std::size_t body = end_of_headers == std::string::npos ? crlf.size() : crlf.size() - end_of_headers - 4;
  if (const auto at = crlf.find("[len]"); at != std::string::npos) crlf.replace(at, 5, std::to_string(body));
  return crlf;
}

struct InviteOptions {
  std::string extra;                  // header lines, each ending in "\n"
  std::optional<std::string> body = kOffer;
  std::string allow = "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, REFER, NOTIFY\n";
  std::string ruri = kQueueUri;
};

struct RequestOptions {
  std::string extra;
  std::string body;
  bool with_to_tag = true;
  std::optional<unsigned> cseq;       // default: the caller's next CSeq
  std::optional<std::string> branch;  // default: a new one
  std::string ruri = kQueueUri;
};

inline std::vector<Queue> default_queues() {
  return {Queue{1, "abc", kQueueUri, "RUNDIR/moh", "test", false, {0, 8}},
          Queue{2, "xyz", "sip:2000@127.0.0.1:5060", "RUNDIR/moh", "other", false, {0, 8}}};
}

struct EngineFixture {
  FakeEnvironment env;
  EngineOptions options;
  std::unique_ptr<QueueEngine> engine;
  int branches = 0;

  explicit EngineFixture(Profile profile, std::size_t max_calls = 50) {
    options.profile = profile;
    options.max_calls = max_calls;
    engine = std::make_unique<QueueEngine>(env, options, default_queues());
  }
  void restart(std::size_t max_calls) {
    options.max_calls = max_calls;
    engine = std::make_unique<QueueEngine>(env, options, default_queues());
  }

  sip::TimePoint now() const { return env.steady; }

  // ------------------------------------------------------------------------------------- the clock
  // Moves both clocks, firing every deadline on the way at its own time.
  void advance(std::chrono::milliseconds by) {
    const auto target = env.steady + by;
    for (int guard = 0; guard < 100000; ++guard) {
      const auto next = engine->next_deadline();
      if (!next || *next > target) break;
      if (*next > env.steady) {
        env.wall += std::chrono::duration_cast<std::chrono::system_clock::duration>(*next - env.steady);
        env.steady = *next;
      }
      engine->on_timer(env.steady);
    }
    env.wall += std::chrono::duration_cast<std::chrono::system_clock::duration>(target - env.steady);
    env.steady = target;
  }

  // --------------------------------------------------------------------------------- caller → engine
  SipDestination source_of(const Caller& caller) const {
    return SipDestination{false, *net::SocketAddress::from_host_port("127.0.0.1", caller.port), 0};
  }
  void deliver(const Caller& caller, const std::string& text) {
    auto parsed = sip::parse_message(text);
    BOOST_REQUIRE_MESSAGE(parsed.has_value(), "test built unparsable SIP:\n" + text);
    engine->on_message(IncomingMessage{std::move(*parsed), source_of(caller), "127.0.0.1"}, now());
  }
  std::string new_branch() { return "z9hG4bK-test-" + std::to_string(++branches); }

  Vars vars_of(const Caller& caller) const {
    return {{"port", std::to_string(caller.port)},
            {"user", caller.user},
            {"from_tag", caller.from_tag},
            {"call_id", caller.call_id}};
  }

  void send_invite(Caller& caller, const InviteOptions& invite = {}) {
    caller.invite_branch = new_branch();
    Vars vars = vars_of(caller);
    vars["ruri"] = invite.ruri;
    vars["branch"] = caller.invite_branch;
    vars["to_tag"] = "";
    vars["cseq"] = std::to_string(caller.cseq);
    vars["allow"] = invite.allow;
    vars["extra"] = invite.extra;
    vars["body"] = invite.body.value_or("");
    std::string text = kInviteTemplate;
    if (!invite.body) text.replace(text.find("Content-Type: application/sdp\n"), 30, "");
    caller.invite_text = render(text, vars);
    ++caller.cseq;
    deliver(caller, caller.invite_text);
  }
  void retransmit_invite(const Caller& caller) { deliver(caller, caller.invite_text); }

  std::string request_text(Caller& caller, const std::string& method, const RequestOptions& request = {}) {
    Vars vars = vars_of(caller);
    vars["method"] = method;
    vars["ruri"] = request.ruri;
    vars["branch"] = request.branch.value_or(new_branch());
    vars["to_tag"] = request.with_to_tag && !caller.to_tag.empty() ? ";tag=" + caller.to_tag : "";
    unsigned cseq = request.cseq.value_or(caller.cseq);
    if (!request.cseq) ++caller.cseq;
    vars["cseq"] = std::to_string(cseq);
    vars["extra"] = request.extra;
    vars["body"] = request.body;
    return render(kRequestTemplate, vars);
  }
  void send_request(Caller& caller, const std::string& method, const RequestOptions& request = {}) {
    deliver(caller, request_text(caller, method, request));
  }
  // The ACK for the 2xx of the initial INVITE: a new transaction, the INVITE's CSeq number.
  void send_ack(Caller& caller, unsigned invite_cseq = 1) {
    send_request(caller, "ACK", {.cseq = invite_cseq});
  }
  // CANCEL: the INVITE's branch and CSeq number, no To-tag (RFC 3261 9.1).
  void send_cancel(Caller& caller) {
    send_request(caller, "CANCEL", {.with_to_tag = false, .cseq = 1, .branch = caller.invite_branch});
  }
  void send_bye(Caller& caller) { send_request(caller, "BYE"); }
  void send_prack(Caller& caller, const std::string& rack) {
    send_request(caller, "PRACK", {.extra = "RAck: " + rack + "\n"});
  }
  void send_reinvite(Caller& caller, const std::string& body) {
    send_request(caller, "INVITE", {.extra = "Content-Type: application/sdp\n", .body = body});
  }
  void send_notify(Caller& caller, const std::string& sipfrag, const std::string& content_type = "message/sipfrag;version=2.0",
                   const std::string& state = "active;expires=60") {
    send_request(caller, "NOTIFY",
                 {.extra = "Event: refer\nSubscription-State: " + state + "\nContent-Type: " + content_type + "\n",
                  .body = sipfrag});
  }
  // The caller's answer to a request the engine sent (REFER, BYE).
  void respond(const Caller& caller, const sip::Message& request, int code, const std::string& reason) {
    auto response = sip::make_response(request, code, reason);
    engine->on_message(IncomingMessage{response, source_of(caller), "127.0.0.1"}, now());
  }

  // ------------------------------------------------------------------------------ rtpproxy replies
  FakeEnvironment::Pending take_pending() {
    BOOST_REQUIRE_MESSAGE(!env.pending.empty(), "no rtpproxy command waits for a reply");
    auto pending = std::move(env.pending.front());
    env.pending.pop_front();
    return pending;
  }
  void reply_port(int port, const std::string& address = "") {
    take_pending().done(rtpp::Reply{rtpp::PortReply{port, address, false}});
  }
  void reply_number(long long value = 0) { take_pending().done(rtpp::Reply{rtpp::NumberReply{value}}); }
  void reply_error(rtpp::ErrorCode code = rtpp::ErrorCode::Syntax) {
    take_pending().done(rtpp::Reply{rtpp::ErrorReply{code}});
  }
  void reply_failure(const std::string& why = "timeout") {
    take_pending().done(Unexpected(why));
  }

  // ------------------------------------------------------------------------------------- expectations
  sip::Message expect_response(int code, const std::string& reason = "") {
    BOOST_REQUIRE_MESSAGE(!env.sip.empty(), "expected a " + std::to_string(code) + " response, nothing was sent");
    const auto sent = std::move(env.sip.front());
    env.sip.pop_front();
    BOOST_REQUIRE_MESSAGE(sent.message.status(), "expected a " + std::to_string(code) + " response, got:\n" + sent.bytes);
    BOOST_CHECK_EQUAL(sent.message.status()->code, code);
    if (!reason.empty()) BOOST_CHECK_EQUAL(sent.message.status()->reason, reason);
    last_bytes = sent.bytes;
    last_destination = sent.to;
    return sent.message;
  }
  sip::Message expect_request(const std::string& method) {
    BOOST_REQUIRE_MESSAGE(!env.sip.empty(), "expected a " + method + ", nothing was sent");
    const auto sent = std::move(env.sip.front());
    env.sip.pop_front();
    BOOST_REQUIRE_MESSAGE(sent.message.request(), "expected a " + method + " request, got:\n" + sent.bytes);
    BOOST_CHECK_EQUAL(sent.message.request()->method, method);
    last_bytes = sent.bytes;
    last_destination = sent.to;
    return sent.message;
  }
  void expect_rtpproxy(const std::string& command) {
    BOOST_REQUIRE_MESSAGE(!env.rtpproxy.empty(), "expected rtpproxy command '" + command + "', none was sent");
    BOOST_CHECK_EQUAL(env.rtpproxy.front(), command);
    env.rtpproxy.pop_front();
  }
  std::string take_rtpproxy() {
    BOOST_REQUIRE_MESSAGE(!env.rtpproxy.empty(), "expected an rtpproxy command, none was sent");
    auto text = env.rtpproxy.front();
    env.rtpproxy.pop_front();
    return text;
  }
  void expect_db_insert(const Caller& caller) {
    BOOST_REQUIRE_MESSAGE(!env.db.empty(), "expected a DB insert");
    const auto op = env.db.front();
    env.db.pop_front();
    BOOST_CHECK_EQUAL(op.kind, DbOp::Insert);
    BOOST_CHECK_EQUAL(op.call_id, caller.call_id);
    BOOST_CHECK_EQUAL(op.status, 1);
  }
  void expect_db_update(const Caller& caller, int status) {
    BOOST_REQUIRE_MESSAGE(!env.db.empty(), "expected a DB update to " + std::to_string(status));
    const auto op = env.db.front();
    env.db.pop_front();
    BOOST_CHECK_EQUAL(op.kind, DbOp::Update);
    BOOST_CHECK_EQUAL(op.call_id, caller.call_id);
    BOOST_CHECK_EQUAL(op.status, status);
  }
  void expect_db_delete(const Caller& caller) {
    BOOST_REQUIRE_MESSAGE(!env.db.empty(), "expected a DB delete");
    const auto op = env.db.front();
    env.db.pop_front();
    BOOST_CHECK_EQUAL(op.kind, DbOp::Delete);
    BOOST_CHECK_EQUAL(op.call_id, caller.call_id);
  }
  void expect_no_sip() {
    BOOST_CHECK_MESSAGE(env.sip.empty(), "unexpected SIP: " + (env.sip.empty() ? "" : env.sip.front().bytes));
  }
  void expect_no_rtpproxy() {
    BOOST_CHECK_MESSAGE(env.rtpproxy.empty(),
                        "unexpected rtpproxy command: " + (env.rtpproxy.empty() ? "" : env.rtpproxy.front()));
  }
  void expect_no_db() {
    BOOST_CHECK_MESSAGE(env.db.empty(), "unexpected DB operation on " + (env.db.empty() ? "" : env.db.front().call_id));
  }
  void expect_nothing_sent() {
    expect_no_sip();
    expect_no_rtpproxy();
    expect_no_db();
  }

  // The state of a call, or nullopt when the engine no longer knows it.
  std::optional<CallState> state_of(const Caller& caller) const {
    for (const auto& call : engine->calls())
      if (call.call_id == caller.call_id) return call.state;
    return std::nullopt;
  }
  void expect_state(const Caller& caller, CallState state) {
    const auto actual = state_of(caller);
    BOOST_REQUIRE_MESSAGE(actual, "call " + caller.call_id + " is gone, expected " + std::string(state_name(state)));
    BOOST_CHECK_EQUAL(std::string(state_name(*actual)), std::string(state_name(state)));
  }
  void expect_deleted(const Caller& caller) {
    const auto actual = state_of(caller);
    BOOST_CHECK_MESSAGE(!actual, "call " + caller.call_id + " still exists in state " +
                                     std::string(actual ? state_name(*actual) : ""));
  }

  // ------------------------------------------------------------------------------- rtpproxy strings
  std::string offer_cmd(const Caller& c, const std::string& pts = "8,0,101") const {
    return "Uc" + pts + " " + c.call_id + " 127.0.0.1 6000 " + c.from_tag + ";1";
  }
  std::string answer_cmd(const Caller& c, const std::string& pts = "0,8") const {
    return "LZ20c" + pts + " " + c.call_id + " 127.0.0.1 1 " + c.from_tag + ";1 " + c.to_tag + ";1";
  }
  std::string play_cmd(const Caller& c, const std::string& prompt = "RUNDIR/moh/test") const {
    return "P-1 " + c.call_id + " " + prompt + " session " + c.from_tag + ";1 " + c.to_tag + ";1";
  }
  std::string delete_cmd(const Caller& c, bool with_to_tag = true) const {
    return "D " + c.call_id + " " + c.from_tag + (with_to_tag ? " " + c.to_tag : "");
  }

  // --------------------------------------------------------------------------------------- flows
  // INVITE → U (answered) → 100 → L: the call in TRYING, the L command waiting for its reply.
  void invite_to_trying(Caller& caller, const InviteOptions& invite = {}) {
    send_invite(caller, invite);
    expect_db_insert(caller);
    expect_rtpproxy(offer_cmd(caller));
    reply_port(40000, "127.0.0.1");
    const auto& trying = expect_response(100, "Trying to enter MOH queue");
    BOOST_CHECK(!trying.header("Contact"));
    learn_tag_from_answer(caller);
  }
  // Takes the L command and learns the queue's To-tag from it (the 180/200 carry the same).
  void learn_tag_from_answer(Caller& caller) {
    const std::string l = take_rtpproxy();
    const auto last_space = l.rfind(' ');
    BOOST_REQUIRE(last_space != std::string::npos && l.size() > last_space + 3);
    caller.to_tag = l.substr(last_space + 1, l.size() - last_space - 3);
    BOOST_CHECK_EQUAL(caller.to_tag.size(), 41u);  // tm's shape: 32 hex, '-', 8 hex
    BOOST_CHECK_EQUAL(l, answer_cmd(caller));
  }
  // L answered → P answered → 200 OK: the call in INVITED.
  sip::Message answer_to_invited(Caller& caller, int port = 40004) {
    reply_port(port, "127.0.0.1");
    expect_rtpproxy(play_cmd(caller));
    reply_number(0);
    const auto& ok = expect_response(200, "OK");
    BOOST_CHECK_EQUAL(std::string(ok.header("CSeq").value_or("")), "1 INVITE");
    return ok;
  }
  // A whole call up to INQUEUE (DB 2).
  void establish(Caller& caller) {
    invite_to_trying(caller);
    answer_to_invited(caller);
    send_ack(caller);
    expect_db_update(caller, 2);
    expect_state(caller, CallState::InQueue);
    expect_nothing_sent();
  }
  // retrieve → REFER (DB 3): returns the REFER.
  sip::Message retrieve_refer(Caller& caller, const std::string& queue = "abc") {
    const auto referred = engine->retrieve(queue, kOperator, now());
    BOOST_REQUIRE(referred.has_value());
    BOOST_CHECK_EQUAL(*referred, caller.call_id);
    expect_db_update(caller, 3);
    sip::Message refer = expect_request("REFER");
    expect_state(caller, CallState::Refer);
    return refer;
  }
  // ... → 202 → RFRWAIT.
  void transfer_accepted(Caller& caller) {
    const auto refer = retrieve_refer(caller);
    respond(caller, refer, 202, "Accepted");
    expect_state(caller, CallState::ReferWait);
    expect_nothing_sent();
  }

  std::string last_bytes;
  SipDestination last_destination;
};

inline std::string header(const sip::Message& message, std::string_view name) {
  return std::string(message.header(name).value_or("<absent>"));
}

// Header names in order, "Via" once per line.
inline std::vector<std::string> header_names(const sip::Message& message) {
  std::vector<std::string> names;
  for (const auto& h : message.headers) names.push_back(h.name);
  return names;
}

struct KamailioEngine : EngineFixture {
  KamailioEngine() : EngineFixture(Profile::Kamailio) {}
};
struct StrictEngine : EngineFixture {
  StrictEngine() : EngineFixture(Profile::Strict) {}
};

}  // namespace mohq::sim::test
