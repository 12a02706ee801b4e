#include "sim/queue/queue_engine.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <random>

#include "sim/queue/sip_text.hpp"
#include "sip/headers.hpp"
#include "sip/sdp.hpp"
#include "sip/uri.hpp"

namespace mohq::sim {

using sip::Header;
using sip::Message;
using sip::TimePoint;

// Everything mohqueue keeps per call (create_call, §5.1), plus what an event loop needs instead of a blocked
// worker: the transaction keys, the deadlines and a serial number that late callbacks check (B6 cannot happen).
struct QueueEngine::Call {
  std::uint64_t serial = 0;
  std::uint64_t arrival = 0;  // FIFO order of retrieve
  CallState state = CallState::Enter;

  // The queue, copied: a reload cannot pull it from under the call (B4).
  std::string queue_name;
  std::int64_t queue_id = 0;
  std::string queue_uri;
  std::string prompt_path;
  std::vector<unsigned> prompt_types;

  std::string call_id;
  std::string from_header;  // the whole From body (DB call_from)
  std::string from_uri;
  std::string from_tag;
  std::string contact;      // the raw first Contact body (DB call_contact)
  std::string remote_target;
  std::vector<std::string> vias;           // one per Via body of the INVITE (Q1)
  std::vector<std::string> record_routes;  // in INVITE order: our route set as UAS
  std::string local_tag;
  std::uint32_t local_cseq = 1;
  std::uint32_t rseq = 0;

  Message invite;
  SipDestination source;
  std::string local_ip;
  std::optional<sip::TransactionKey> invite_key;
  sip::SessionDescription offer;
  AnswerMedia answer;
  std::string answer_sdp;
  bool rtp_session = false;  // an offer reached rtpproxy: D has something to delete
  bool bye_after_ack = false;  // strict: dropped after the 200, before its ACK (RFC 3261 15: BYE waits for it)

  std::chrono::system_clock::time_point call_time;
  std::string refer_to;

  // Deadlines: at most one of each kind.
  std::optional<sip::InviteOkRetransmitter> ok;  // the 2xx until its ACK
  std::optional<TimePoint> ack_deadline;         // kamailio profile: tm's wait timer after the 200
  std::optional<TimePoint> prack_deadline;
  std::optional<TimePoint> reliable_resend;      // strict: the reliable 180's next retransmission
  sip::Millis reliable_interval{0};
  std::string reliable_bytes;
  std::optional<TimePoint> refer_deadline;
  std::optional<TimePoint> scheduled;            // the wakeup currently in wakeups_
};

namespace {

std::string header_or_empty(const Message& message, std::string_view name) {
  return std::string(message.header(name).value_or(""));
}

std::optional<std::string> tag_of(const Message& message, std::string_view name) {
  const auto value = message.header(name);
  if (!value) return std::nullopt;
  const auto address = sip::parse_name_addr(*value);
  if (!address) return std::nullopt;
  return address->tag();
}

std::string uri_of(const Message& message, std::string_view name) {
  const auto value = message.header(name);
  if (!value) return {};
  const auto address = sip::parse_name_addr(*value);
  return address ? address->uri : std::string{};
}

std::string method_of(const Message& message) { return message.request() ? message.request()->method : ""; }

std::optional<sip::CSeq> cseq_of(const Message& message) {
  const auto value = message.header("CSeq");
  if (!value) return std::nullopt;
  auto cseq = sip::parse_cseq(*value);
  if (!cseq) return std::nullopt;
  return *cseq;
}

// search_hdr_ext: tokens split on space, ';' and ','; case-insensitive.
bool has_token(std::string_view value, std::string_view token) {
  std::size_t start = 0;
  while (start <= value.size()) {
    const std::size_t end = std::min(value.find_first_of(" ;,\t", start), value.size());
    if (equals_ignore_case(value.substr(start, end - start), token)) return true;
    start = end + 1;
  }
  return false;
}

std::string random_hex(std::mt19937_64& random, std::size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text(digits, '0');
  for (auto& c : text) c = kHex[random() & 0xf];
  return text;
}

std::mt19937_64& engine_random() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  return random;
}

std::vector<int> offered_formats(const sip::SdpMedia& media) {
  std::vector<int> types;
  for (const auto& format : media.formats) {
    int value = 0;
    const auto* end = format.data() + format.size();
    if (auto [ptr, ec] = std::from_chars(format.data(), end, value); ec == std::errc() && ptr == end)
      types.push_back(value);
  }
  return types;
}

std::vector<unsigned> to_unsigned(const std::vector<int>& types) {
  std::vector<unsigned> out;
  for (int type : types)
    if (type >= 0) out.push_back(static_cast<unsigned>(type));
  return out;
}

std::optional<sip::SessionDescription> parse_offer(const std::string& body) {
  if (body.empty()) return std::nullopt;
  auto sdp = sip::parse_sdp(body);
  if (!sdp) return std::nullopt;
  return std::move(*sdp);
}

bool is_ipv6_literal(std::string_view host) { return host.find(':') != std::string_view::npos; }

}  // namespace

QueueEngine::QueueEngine(QueueEnvironment& environment, EngineOptions options, std::vector<Queue> queues)
    : env_(environment),
      options_(std::move(options)),
      rules_(rules_for(options_.profile)),
      queues_(std::move(queues)),
      transactions_(options_.timers) {}

QueueEngine::~QueueEngine() = default;

// ------------------------------------------------------------------------------------------------ dispatch

void QueueEngine::on_unparsable(const SipDestination&, const std::string& why) {
  ++counters_.silent_drops;
  env_.log(LogLevel::Debug, "dropped an unparsable message: " + why);
}

void QueueEngine::on_message(const IncomingMessage& incoming, TimePoint now) {
  if (incoming.message.is_request())
    on_request(incoming, now);
  else
    on_response(incoming, now);
}

void QueueEngine::on_response(const IncomingMessage& incoming, TimePoint now) {
  const auto routed = transactions_.on_message(incoming.message, now);
  if (const auto* matched = std::get_if<sip::TransactionTable::Matched>(&routed)) {
    run_actions(matched->key, matched->actions, now);
    return;
  }
  ++counters_.stray_responses;
}

void QueueEngine::on_request(const IncomingMessage& incoming, TimePoint now) {
  const Message& request = incoming.message;
  const std::string method = method_of(request);

  // Retransmissions are absorbed by their transaction (tm's job in Kamailio).
  const auto routed = transactions_.on_message(request, now);
  if (const auto* matched = std::get_if<sip::TransactionTable::Matched>(&routed)) {
    run_actions(matched->key, matched->actions, now);
    return;
  }
  if (std::holds_alternative<sip::TransactionTable::Unroutable>(routed) && method != "ACK") {
    // No usable Via branch: answerable statelessly when there is a Via at all.
    if (request.header("Via") && request.header("CSeq") && request.header("Call-ID")) {
      ++counters_.bad_requests;
      reply(incoming, nullptr, 400, "Bad Request", {}, ReplyMode::Stateless, now);
    } else {
      ++counters_.silent_drops;
    }
    return;
  }

  // The headers every later step relies on (parse_headers failing makes mohq_process return -1; mohqd says why).
  const auto cseq = cseq_of(request);
  if (!request.header("Call-ID") || !request.header("From") || !request.header("To") || !cseq ||
      !tag_of(request, "From") || (cseq && method != "ACK" && cseq->method != method)) {
    if (method == "ACK") {
      ++counters_.silent_drops;
      return;
    }
    ++counters_.bad_requests;
    reply(incoming, nullptr, 400, "Bad Request", {}, ReplyMode::Stateless, now);
    return;
  }

  const Queue* queue = find_queue_by_uri(queues_, request.request()->uri);
  if (queue == nullptr && method == "INVITE" && !tag_of(request, "To"))
    for (const auto& rule : options_.send_rules)
      if (rule.request_uri == queue_match_key(request.request()->uri)) queue = find_queue_by_name(queues_, rule.queue);
  if (queue == nullptr) {
    answer_unmatched(incoming, now);
    return;
  }

  bool invite_retransmission = false;
  Call* call = find_call(request, invite_retransmission);
  const bool has_to_tag = tag_of(request, "To").has_value();
  if (call == nullptr) {
    if (method == "INVITE" && !has_to_tag && !invite_retransmission) {
      on_initial_invite(incoming, *queue, now);
      return;
    }
    if (invite_retransmission) {
      // Same Call-ID, no To-tag: a retransmission (or spiral) of an INVITE being set up; tm absorbed it.
      ++counters_.silent_drops;
      return;
    }
    if (method == "ACK") {
      ++counters_.silent_drops;
      return;
    }
    if (rules_.silent_drops) {
      ++counters_.silent_drops;  // B3
      log(LogLevel::Debug, nullptr, method + " for no known call dropped: " + header_or_empty(request, "Call-ID"));
      return;
    }
    if (has_to_tag || method == "BYE" || method == "CANCEL" || method == "PRACK" || method == "NOTIFY" ||
        method == "INVITE")
      reply(incoming, nullptr, 481, "Call/Transaction Does Not Exist", {}, ReplyMode::Stateful, now);
    else if (method == "OPTIONS")
      reply(incoming, nullptr, 200, "OK",
            {{{"Allow", std::string(kAllowedMethods)}, {"Accept", "application/sdp"}, {"Supported", "100rel"}}, {},
             true},
            ReplyMode::Stateful, now);
    else
      deny_method(incoming, nullptr, now);
    return;
  }

  if (method == "INVITE")
    on_reinvite(*call, incoming, now);
  else if (method == "NOTIFY")
    on_notify(*call, incoming, now);
  else if (method == "PRACK")
    on_prack(*call, incoming, now);
  else if (method == "ACK")
    on_ack(*call, incoming, now);
  else if (method == "BYE")
    on_bye(*call, incoming, now);
  else if (method == "CANCEL")
    on_cancel(*call, incoming, now);
  else
    deny_method(incoming, call, now);
}

QueueEngine::Call* QueueEngine::find_call(const Message& request, bool& invite_retransmission) {
  invite_retransmission = false;
  const auto it = calls_.find(header_or_empty(request, "Call-ID"));
  if (it == calls_.end()) return nullptr;
  Call& call = *it->second;
  if (const auto to_tag = tag_of(request, "To")) return *to_tag == call.local_tag ? &call : nullptr;
  if (method_of(request) != "INVITE") return &call;
  invite_retransmission = true;
  return nullptr;
}

void QueueEngine::answer_unmatched(const IncomingMessage& incoming, TimePoint now) {
  // Not for a queue: Kamailio's script goes on (the harness's configuration answers 404); ACKs end here.
  if (method_of(incoming.message) == "ACK") return;
  reply(incoming, nullptr, 404, "Not Found", {}, ReplyMode::Stateless, now);
}

void QueueEngine::deny_method(const IncomingMessage& incoming, Call* call, TimePoint now) {
  reply(incoming, call, 405, "Method Not Allowed", {{{"Allow", std::string(kAllowedMethods)}}, {}, true},
        ReplyMode::Stateful, now);
}

// ------------------------------------------------------------------------------------ the initial INVITE

void QueueEngine::on_initial_invite(const IncomingMessage& incoming, const Queue& queue, TimePoint now) {
  const Message& invite = incoming.message;
  if (calls_.size() >= options_.max_calls) {
    ++counters_.calls_rejected;
    if (rules_.silent_drops) {
      ++counters_.silent_drops;  // B3: the caller's Timer B decides
      log(LogLevel::Warning, nullptr, "queue full (" + std::to_string(options_.max_calls) + " calls): INVITE dropped");
      return;
    }
    reply(incoming, nullptr, 486, "Busy Here", {}, ReplyMode::Stateful, now);
    return;
  }

  auto owned = std::make_unique<Call>();
  Call& call = *owned;
  call.serial = next_serial_++;
  call.arrival = ++arrival_sequence_;
  call.queue_name = queue.name;
  call.queue_id = queue.id;
  call.queue_uri = queue.uri;
  call.prompt_path = queue.prompt_path();
  call.prompt_types = queue.prompt_types;
  call.call_id = header_or_empty(invite, "Call-ID");
  call.from_header = header_or_empty(invite, "From");
  call.from_uri = uri_of(invite, "From");
  call.from_tag = tag_of(invite, "From").value_or("");
  const auto contacts = invite.header_values("Contact");
  call.contact = contacts.empty() ? "" : std::string(contacts.front());
  if (!contacts.empty())
    if (auto address = sip::parse_name_addr(contacts.front())) call.remote_target = address->uri;
  if (call.remote_target.empty()) call.remote_target = call.from_uri;
  for (auto via : invite.header_values("Via")) call.vias.emplace_back(via);
  for (auto route : invite.header_values("Record-Route")) call.record_routes.emplace_back(route);
  // tm's tag shape: 32 hex digits, '-', 8 hex digits (core/tags.h).
  call.local_tag = random_hex(engine_random(), 32) + "-" + random_hex(engine_random(), 8);
  call.invite = invite;
  call.source = incoming.source;
  call.local_ip = incoming.local_ip;
  call.call_time = env_.wall_clock();
  by_serial_[call.serial] = &call;
  calls_[call.call_id] = std::move(owned);
  ++counters_.calls_created;
  env_.db_insert({call.queue_id, call.call_id, sim_db::CallStatus::entering, call.from_header, call.contact,
                  call.call_time});

  if (!rules_.stateless_replies) {
    if (auto key = transactions_.add_server(invite, incoming.source.tcp ? sip::Delivery::Reliable
                                                                        : sip::Delivery::Unreliable)) {
      call.invite_key = *key;
      peers_[*key] = incoming.source;
    }
  }

  // §5.2 step 1: an offer is required (no delayed offer).
  auto offer = parse_offer(invite.body);
  if (!offer || offer->media.empty()) {
    ++counters_.calls_rejected;
    log(LogLevel::Info, &call, "no SDP offer: 488");
    reply_to_invite(call, 488, "Not Acceptable Here", {}, now);
    delete_call(call);
    return;
  }
  call.offer = std::move(*offer);
  // Step 2: the first Allow header, when present, must list REFER (the transfer is a REFER).
  if (const auto allow = invite.header("Allow"); allow && !has_token(*allow, "REFER")) {
    ++counters_.calls_rejected;
    log(LogLevel::Info, &call, "Allow without REFER: 488");
    reply_to_invite(call, 488, "Not Acceptable Here", {}, now);
    delete_call(call);
    return;
  }
  send_offers(call.serial, 0, now);
}

void QueueEngine::send_offers(std::uint64_t serial, std::size_t index, TimePoint now) {
  Call* call = by_serial(serial);
  if (call == nullptr) return;
  if (index >= call->offer.media.size()) {
    after_offer(*call, now);
    return;
  }
  const auto& media = call->offer.media[index];
  const auto* connection = sip::connection_of(call->offer, media);
  const std::string address = connection ? connection->address : call->source.address.host();
  const bool ipv6 = connection ? connection->address_type == "IP6" : is_ipv6_literal(address);
  const auto command =
      offer_command(call->call_id, address, ipv6, std::to_string(media.port), offered_formats(media), call->from_tag,
                    static_cast<int>(index + 1), env_.rtpproxy_capabilities(call->call_id));
  env_.send_rtpproxy(call->call_id, command, [this, serial, index](Expected<rtpp::Reply, std::string> result) {
    on_offer_reply(serial, index, result);
  });
}

void QueueEngine::on_offer_reply(std::uint64_t serial, std::size_t index, const RtpproxyResult& result) {
  Call* call = by_serial(serial);  // gone if a CANCEL or BYE ended it meanwhile
  if (call == nullptr) return;
  const TimePoint now = env_.now();
  if (!result || !std::holds_alternative<rtpp::PortReply>(*result)) {
    ++counters_.calls_rejected;
    if (call->state == CallState::Cancel) {  // the CANCEL handling answered already
      delete_call(*call);
      return;
    }
    log(LogLevel::Warning, call, "rtpproxy offer failed: 486");
    if (!rules_.skip_delete_on_some_teardowns) rtpproxy_delete(*call, false);
    reply_to_invite(*call, 486, "Busy Here", {}, now);
    delete_call(*call);
    return;
  }
  call->rtp_session = true;
  send_offers(serial, index + 1, now);
}

void QueueEngine::after_offer(Call& call, TimePoint now) {
  if (call.state == CallState::Bye) return;  // dropped (drop_call) while rtpproxy was asked: the BYE ends it
  if (call.state == CallState::Cancel) {
    // A CANCEL arrived while rtpproxy was asked: it has been answered; nothing more goes to the caller.
    if (!rules_.skip_delete_on_some_teardowns) rtpproxy_delete(call, false);
    delete_call(call);
    return;
  }
  if (!call.invite_key) {  // Kamailio: t_newtran after the offer
    if (auto key = transactions_.add_server(call.invite, call.source.tcp ? sip::Delivery::Reliable
                                                                          : sip::Delivery::Unreliable)) {
      call.invite_key = *key;
      peers_[*key] = call.source;
    }
  }
  ReplyParts trying{{}, {}, false};
  reply_to_invite(call, 100, "Trying to enter MOH queue", std::move(trying), now);
  set_state(call, CallState::Trying);

  // §5.2 step 9: only Require: 100rel (the first Require header) asks for a reliable 180.
  if (const auto require = call.invite.header("Require"); require && has_token(*require, "100rel")) {
    call.rseq = static_cast<std::uint32_t>(engine_random()() % 0x7fffffff) + 1;
    call.local_cseq = call.rseq;  // the module overwrites its CSeq counter with RSeq until the ACK
    ReplyParts ringing{{{"Contact", "<" + call.queue_uri + ">"},
                        {"Accept-Language", "en"},
                        {"Require", "100rel"},
                        {"RSeq", std::to_string(call.rseq)}},
                       {},
                       true};
    reply_to_invite(call, 180, "Ringing", std::move(ringing), now);
    set_state(call, CallState::PrackStart);
    call.prack_deadline = now + options_.prack_wait;
    if (!rules_.reliable_provisional_sent_once && !call.source.tcp) {
      call.reliable_interval = options_.timers.t1;
      call.reliable_resend = now + call.reliable_interval;
    }
    schedule(call);
    return;
  }
  send_answer(call.serial, now);
}

void QueueEngine::send_answer(std::uint64_t serial, TimePoint now) {
  Call* call = by_serial(serial);
  if (call == nullptr) return;
  const auto offered = to_unsigned(offered_formats(call->offer.media.front()));
  call->answer.payload_types = answer_payload_types(!rules_.kamailio_sdp_template, offered, call->prompt_types);
  call->answer.ptime = offer_ptime(call->offer);
  if (call->answer.payload_types.empty()) {
    // Strict only: nothing in common with the prompts (Kamailio answers anyway and the caller hears silence).
    ++counters_.calls_rejected;
    rtpproxy_delete(*call, false);
    reply_to_invite(*call, 488, "Not Acceptable Here",
                    {{{"Warning", "304 mohqd \"No prompt for the offered codecs\""}}, {}, true}, now);
    delete_call(*call);
    return;
  }
  const std::string source_ip = call->source.address.host();
  const auto command = answer_command(call->call_id, source_ip, is_ipv6_literal(source_ip), call->answer.ptime,
                                      call->prompt_types, call->from_tag, call->local_tag,
                                      env_.rtpproxy_capabilities(call->call_id));
  env_.send_rtpproxy(call->call_id, command,
                     [this, serial](Expected<rtpp::Reply, std::string> result) { on_answer_reply(serial, result); });
}

void QueueEngine::on_answer_reply(std::uint64_t serial, const RtpproxyResult& result) {
  Call* call = by_serial(serial);
  if (call == nullptr) return;
  if (call->state == CallState::Bye) return;  // dropped while rtpproxy was asked: no P, no 200
  const TimePoint now = env_.now();
  const auto* port = result ? std::get_if<rtpp::PortReply>(&*result) : nullptr;
  if (port == nullptr || call->state == CallState::Cancel) {
    if (call->state != CallState::Cancel) {
      ++counters_.calls_rejected;
      log(LogLevel::Warning, call, "rtpproxy answer failed: 500");
      reply_to_invite(*call, 500, "Server Internal Error", {}, now);
    }
    rtpproxy_delete(*call, false);
    delete_call(*call);
    return;
  }
  call->answer.port = static_cast<unsigned>(port->port);
  call->answer.address = port->address.empty() ? call->local_ip : port->address;
  call->answer.ipv6 = port->address.empty() ? is_ipv6_literal(call->local_ip) : port->ipv6;
  const auto play = play_command(call->call_id, call->prompt_path, call->from_tag, call->local_tag);
  env_.send_rtpproxy(call->call_id, play,
                     [this, serial](Expected<rtpp::Reply, std::string> played) { on_play_reply(serial, played); });
}

void QueueEngine::on_play_reply(std::uint64_t serial, const RtpproxyResult& played) {
  Call* call = by_serial(serial);
  if (call == nullptr || call->state == CallState::Bye) return;  // dropped meanwhile: no 200 after our BYE
  const TimePoint now = env_.now();
  // The module ignores P's reply (§13.3): a failed play means a silent caller, not a failed call.
  if (!played || std::holds_alternative<rtpp::ErrorReply>(*played))
    log(LogLevel::Warning, call, "rtpproxy play failed: the caller hears silence");
  if (call->state == CallState::Cancel) {
    rtpproxy_delete(*call, false);
    delete_call(*call);
    return;
  }
  call->answer_sdp = rules_.kamailio_sdp_template ? kamailio_answer_sdp(call->answer) : strict_answer_sdp(call->answer);
  ReplyParts ok{{{"Contact", "<" + call->queue_uri + ">"},
                 {"Allow", std::string(kAllowedMethods)},
                 {"Supported", "100rel"},
                 {"Accept-Language", "en"},
                 {"Content-Type", "application/sdp"}},
                call->answer_sdp,
                true};
  reply_to_invite(*call, 200, "OK", std::move(ok), now);
  set_state(*call, CallState::Invited);
  if (rules_.ack_timeout_silent) call->ack_deadline = now + rules_.ack_wait;
  schedule(*call);
}

// ----------------------------------------------------------------------------------- in-dialog requests

void QueueEngine::on_ack(Call& call, const IncomingMessage& incoming, TimePoint now) {
  if (call.state == CallState::InQueue) {
    // The ACK of a re-INVITE we answered (§6); strict: it ends that 2xx's retransmissions.
    if (call.ok && call.ok->matches_ack(incoming.message)) call.ok.reset();
    schedule(call);
    return;
  }
  if (call.state != CallState::Invited) {
    log(LogLevel::Debug, &call, "Unexpected ACK in state " + std::string(state_name(call.state)));
    return;
  }
  call.ok.reset();
  call.ack_deadline.reset();
  call.invite_key.reset();
  set_state(call, CallState::InQueue);
  env_.db_update(call.call_id, sim_db::CallStatus::in_queue);
  call.local_cseq = rules_.first_local_cseq - 1;  // the next request is sent with ++local_cseq
  ++counters_.calls_queued;
  if (call.bye_after_ack) {
    close_call(call, false, now);
    return;
  }
  schedule(call);
}

void QueueEngine::on_prack(Call& call, const IncomingMessage& incoming, TimePoint now) {
  if (call.state != CallState::PrackStart) {
    reply(incoming, &call, 481, "Call/Transaction Does Not Exist", {}, ReplyMode::Stateful, now);
    return;
  }
  if (!rules_.ignore_rack) {
    // RFC 3262 7.2: RAck = RSeq, CSeq number and method of the INVITE.
    const auto invite_cseq = cseq_of(call.invite);
    const std::string expected =
        std::to_string(call.rseq) + " " + (invite_cseq ? std::to_string(invite_cseq->number) : "") + " INVITE";
    if (collapse_spaces(header_or_empty(incoming.message, "RAck")) != expected) {
      reply(incoming, &call, 481, "Call/Transaction Does Not Exist", {}, ReplyMode::Stateful, now);
      return;
    }
  }
  reply(incoming, &call, 200, "OK", {}, ReplyMode::Stateful, now);
  call.prack_deadline.reset();
  call.reliable_resend.reset();
  set_state(call, CallState::PrackReply);
  schedule(call);
  send_answer(call.serial, now);
}

void QueueEngine::on_cancel(Call& call, const IncomingMessage& incoming, TimePoint now) {
  if (is_answered(call.state) || (!rules_.cancel_gets_487 && call.state == CallState::Invited)) {
    // Too late to cancel: the final response went out (RFC 3261 9.2).
    reply(incoming, &call, 481, "Call/Transaction Does Not Exist", {}, ReplyMode::Stateless, now);
    return;
  }
  if (call.state == CallState::Cancel) {
    reply(incoming, &call, rules_.cancel_gets_487 ? 487 : 200,
          rules_.cancel_gets_487 ? "Request Terminated" : "OK", {}, ReplyMode::Stateless, now);
    return;
  }
  ++counters_.calls_rejected;
  const CallState before = call.state;
  set_state(call, CallState::Cancel);
  if (rules_.cancel_gets_487) {
    // B5: the CANCEL gets the 487 and the INVITE gets nothing.
    reply(incoming, &call, 487, "Request Terminated", {}, ReplyMode::Stateless, now);
    if (before == CallState::PrackStart) {
      rtpproxy_delete(call, false);
      delete_call(call);
    } else if (before == CallState::Invited) {
      // The caller's ACK is now ignored; tm's wait timer deletes the call later (callstate=69).
    }
    return;
  }
  reply(incoming, &call, 200, "OK", {}, ReplyMode::Stateful, now);
  reply_to_invite(call, 487, "Request Terminated", {}, now);
  if (before != CallState::Enter) {  // Enter: rtpproxy is still being asked; its reply finishes the deletion
    if (call.rtp_session) rtpproxy_delete(call, false);
    delete_call(call);
  }
}

void QueueEngine::on_bye(Call& call, const IncomingMessage& incoming, TimePoint now) {
  // BYEOK lasts only inside this function (the call is deleted before it returns), so a second BYE finds no call:
  // silence in the kamailio profile (B3), its transaction's 200 again in the strict one.
  if (!is_answered(call.state)) {
    log(LogLevel::Info, &call, "Ending call before placed in queue");
    if (!rules_.skip_delete_on_some_teardowns) {
      // RFC 3261 15.1.2: the pending INVITE gets 487 before the BYE's 200.
      if (call.state != CallState::Invited && call.state != CallState::Cancel)
        reply_to_invite(call, 487, "Request Terminated", {}, now);
      if (call.rtp_session) rtpproxy_delete(call, true);
    }
    reply(incoming, &call, 200, "OK", {}, ReplyMode::Stateless, now);
    delete_call(call);
    return;
  }
  set_state(call, CallState::ByeOk);
  rtpproxy_delete(call, true);
  reply(incoming, &call, 200, "OK", {}, ReplyMode::Stateless, now);
  delete_call(call);
}

void QueueEngine::on_reinvite(Call& call, const IncomingMessage& incoming, TimePoint now) {
  if (!is_answered(call.state)) {
    reply(incoming, &call, 491, "Request Pending", {}, ReplyMode::Stateless, now);
    return;
  }
  auto offer = parse_offer(incoming.message.body);
  if (!offer) {
    reply(incoming, &call, 488, "Not Acceptable Here", {}, ReplyMode::Stateless, now);
    return;
  }
  const bool hold = offer_puts_on_hold(*offer, rules_.kamailio_sdp_template);
  if (!hold && !offer_matches_prompts(*offer, call.prompt_types)) {
    reply(incoming, &call, 488, "Not Acceptable Here", {}, ReplyMode::Stateless, now);
    return;
  }
  ReplyParts ok;
  if (!rules_.reinvite_ok_without_sdp) {
    ++call.answer.version;
    call.answer_sdp = strict_answer_sdp(call.answer);
    ok = {{{"Contact", "<" + call.queue_uri + ">"}, {"Content-Type", "application/sdp"}}, call.answer_sdp, true};
  }
  if (rules_.reinvite_ok_without_sdp) {
    reply(incoming, &call, 200, "OK", std::move(ok), ReplyMode::Stateless, now);
  } else {
    // A 2xx to INVITE: the UAS core retransmits it until the ACK (RFC 3261 13.3.1.4).
    Message response = build_response(incoming.message, incoming.source, 200, "OK", call.local_tag, ok);
    if (auto key = transactions_.add_server(incoming.message, incoming.source.tcp ? sip::Delivery::Reliable
                                                                                  : sip::Delivery::Unreliable)) {
      peers_[*key] = incoming.source;
      run_actions(*key, transactions_.send_response(*key, response, now), now);
    }
    if (!incoming.source.tcp) {
      call.ok.emplace(response, options_.timers);
      call.ok->start(now);  // the transaction sent it once already
      schedule(call);
    }
  }
  // §9 step 6: putting a queued call on hold hangs it up.
  if (hold) close_call(call, true, now);
}

void QueueEngine::on_notify(Call& call, const IncomingMessage& incoming, TimePoint now) {
  const bool accepted_early = !rules_.silent_drops && call.state == CallState::Refer;  // strict: NOTIFY may pass the 202
  if (call.state != CallState::ReferWait && !accepted_early) {
    reply(incoming, &call, 481, "Call/Transaction Does Not Exist", {}, ReplyMode::Stateless, now);
    return;
  }
  const Message& notify = incoming.message;
  const auto content_type = notify.header("Content-Type");
  std::string first_line = notify.body.substr(0, notify.body.find_first_of("\r\n"));
  const auto status = parse_status_line(first_line);
  if (!content_type || !has_token(*content_type, "message/sipfrag") || !status) {
    reply(incoming, &call, 415, "Unsupported Media Type", {}, ReplyMode::Stateless, now);
    return;
  }
  reply(incoming, &call, 200, "OK", {}, ReplyMode::Stateless, now);
  if (accepted_early) set_state(call, CallState::ReferWait);
  const int code = *status;
  if (code < 200) {
    call.refer_deadline = now + options_.refer_wait;
    schedule(call);
  } else if (code < 300) {
    ++counters_.transfers_completed;
    close_call(call, true, now);
  } else if (code == 487) {
    ++counters_.transfers_failed;
    rtpproxy_delete(call, true);
    delete_call(call);
  } else {
    ++counters_.transfers_failed;
    log(LogLevel::Warning, &call, "Unable to redirect: " + first_line);
    call.refer_deadline.reset();
    set_state(call, CallState::InQueue);
    env_.db_update(call.call_id, sim_db::CallStatus::in_queue);
    schedule(call);
  }
}

// ------------------------------------------------------------------------------ requests we originate

bool QueueEngine::send_in_dialog(Call& call, const std::string& method, std::vector<Header> extra, TimePoint now) {
  // The next hop: the first route (Kamailio strips its parameters, Q2), else the remote target.
  std::string next_hop_text = call.remote_target;
  if (!call.record_routes.empty())
    if (auto route = sip::parse_name_addr(call.record_routes.front())) next_hop_text = route->uri;
  auto next_hop = sip::parse_uri(next_hop_text);
  if (!next_hop) {
    log(LogLevel::Warning, &call, method + " not sent: bad next hop " + next_hop_text);
    return false;
  }
  const auto* transport_param = sip::find_param(next_hop->params, "transport");
  bool tcp = transport_param && transport_param->value && equals_ignore_case(*transport_param->value, "tcp");
  if (rules_.strip_next_hop_params && !call.record_routes.empty()) tcp = false;
  if (!rules_.copy_caller_vias && !transport_param) tcp = call.source.tcp;  // strict: as the caller reached us
  auto destination = env_.resolve(next_hop->host, next_hop->port.value_or(5060), tcp);
  if (!destination) {
    log(LogLevel::Warning, &call, method + " not sent: cannot resolve " + next_hop->host);
    return false;
  }
  if (tcp && call.source.tcp && destination->address == call.source.address)
    destination->connection = call.source.connection;

  Message request;
  request.start = sip::RequestLine{method, call.remote_target};
  const std::string via = std::string("SIP/2.0/") + (tcp ? "TCP " : "UDP ") + env_.sent_by(tcp) +
                          ";branch=" + std::string(sip::kMagicCookie) + random_hex(engine_random(), 20);
  const std::string to = "<" + call.from_uri + ">;tag=" + call.from_tag;
  const std::string from = "<" + call.queue_uri + ">;tag=" + call.local_tag;
  const std::string cseq = std::to_string(++call.local_cseq) + " " + method;
  if (rules_.copy_caller_vias) {
    // tm's header order, then the module's extra headers (§8.2, §10.2, the REFER trace).
    request.headers = {{"Via", via},        {"To", to},
                       {"From", from},      {"CSeq", cseq},
                       {"Call-ID", call.call_id}, {"Content-Length", "0"},
                       {"User-Agent", options_.server_header}};
    for (const auto& line : call.vias) request.headers.push_back({"Via", line});
    for (const auto& route : call.record_routes) request.headers.push_back({"Route", route});
  } else {
    request.headers = {{"Via", via}, {"Max-Forwards", "70"}};
    for (const auto& route : call.record_routes) request.headers.push_back({"Route", route});
    request.headers.insert(request.headers.end(), {{"To", to}, {"From", from}, {"Call-ID", call.call_id},
                                                   {"CSeq", cseq}, {"User-Agent", options_.server_header}});
  }
  for (auto& header : extra)
    if (rules_.copy_caller_vias || header.name != "Max-Forwards") request.headers.push_back(std::move(header));
  if (!rules_.copy_caller_vias) request.headers.push_back({"Content-Length", "0"});

  auto started = transactions_.send_request(std::move(request), tcp ? sip::Delivery::Reliable
                                                                    : sip::Delivery::Unreliable,
                                            now);
  if (!started) {
    log(LogLevel::Warning, &call, method + " not sent: " + started.error().message);
    return false;
  }
  peers_[started->key] = *destination;
  client_owners_[started->key] = call.serial;
  run_actions(started->key, started->actions, now);
  return true;
}

void QueueEngine::close_call(Call& call, bool rtpproxy_delete_allowed, TimePoint now) {
  if (call.state == CallState::Bye) return;
  if (call.state != CallState::Enter && (rtpproxy_delete_allowed || !rules_.skip_delete_on_some_teardowns))
    rtpproxy_delete(call, true);
  call.refer_deadline.reset();
  call.prack_deadline.reset();
  call.reliable_resend.reset();
  call.ack_deadline.reset();
  set_state(call, CallState::Bye);
  const bool sent = send_in_dialog(
      call, "BYE",
      rules_.copy_caller_vias
          ? std::vector<Header>{{"Max-Forwards", "70"}, {"Contact", "<" + call.queue_uri + ">"}}
          : std::vector<Header>{{"Contact", "<" + call.queue_uri + ">"}},
      now);
  if (!sent) {
    delete_call(call);
    return;
  }
  schedule(call);
}

void QueueEngine::on_refer_response(Call& call, const Message& response, TimePoint now) {
  const int code = response.status()->code;
  if (code < 200) return;
  if (call.state != CallState::Refer) {
    log(LogLevel::Debug, &call, "REFER response " + std::to_string(code) + " in state " +
                                    std::string(state_name(call.state)) + " ignored");
    return;
  }
  if (code < 300) {
    set_state(call, CallState::ReferWait);
    call.refer_deadline = now + options_.refer_wait;
    schedule(call);
    return;
  }
  ++counters_.transfers_failed;
  if (code == 481) {
    if (!rules_.skip_delete_on_some_teardowns) rtpproxy_delete(call, true);
    delete_call(call);
    return;
  }
  if (rules_.refer_failure_deletes) {
    log(LogLevel::Warning, &call, "REFER failed (" + std::to_string(code) + "): call forgotten (B2)");
    delete_call(call);
    return;
  }
  log(LogLevel::Warning, &call, "REFER failed (" + std::to_string(code) + "): back in the queue");
  call.refer_deadline.reset();
  set_state(call, CallState::InQueue);
  env_.db_update(call.call_id, sim_db::CallStatus::in_queue);
  schedule(call);
}

void QueueEngine::on_bye_response(Call& call, TimePoint) {
  if (call.state == CallState::Bye) delete_call(call);
}

void QueueEngine::run_actions(const sip::TransactionKey& key, const sip::Actions& actions, TimePoint now) {
  for (const auto& action : actions) {
    if (const auto* send = std::get_if<sip::Send>(&action)) {
      if (const auto peer = peers_.find(key); peer != peers_.end()) env_.send_sip(peer->second, send->bytes);
    } else if (const auto* deliver = std::get_if<sip::DeliverToTU>(&action)) {
      const auto owner = client_owners_.find(key);
      Call* call = owner == client_owners_.end() ? nullptr : by_serial(owner->second);
      if (call == nullptr || !deliver->message.status()) continue;
      if (key.method == "REFER")
        on_refer_response(*call, deliver->message, now);
      else if (key.method == "BYE" && deliver->message.status()->code >= 200)
        on_bye_response(*call, now);
    } else if (const auto* timeout = std::get_if<sip::Timeout>(&action)) {
      const auto owner = client_owners_.find(key);
      Call* call = owner == client_owners_.end() ? nullptr : by_serial(owner->second);
      if (call == nullptr || !timeout->local_response) continue;
      if (key.method == "REFER")
        on_refer_response(*call, *timeout->local_response, now);
      else if (key.method == "BYE")
        on_bye_response(*call, now);
    } else if (std::holds_alternative<sip::Terminated>(action)) {
      peers_.erase(key);
      client_owners_.erase(key);
    }
  }
}

// -------------------------------------------------------------------------------------------- replies

Message QueueEngine::build_response(const Message& request, const SipDestination& source, int code,
                                    const std::string& reason, std::optional<std::string> to_tag,
                                    const ReplyParts& parts) const {
  Message response = sip::make_response(request, code, reason, code > 100 ? std::move(to_tag) : std::nullopt);
  add_received(response, source.address.host(), source.address.port());
  if (code >= 180 && code < 300) {
    // Record-Route is copied into dialog-creating responses, after the Vias (RFC 3261 12.1.1).
    std::size_t position = 0;
    while (position < response.headers.size() && sip::same_header_name(response.headers[position].name, "Via"))
      ++position;
    std::vector<Header> routes;
    for (const auto& header : request.headers)
      if (sip::same_header_name(header.name, "Record-Route")) routes.push_back(header);
    response.headers.insert(response.headers.begin() + static_cast<std::ptrdiff_t>(position), routes.begin(),
                            routes.end());
  }
  for (const auto& header : parts.headers) response.headers.push_back(header);
  response.headers.push_back({"Server", options_.server_header});
  response.body = parts.body;
  return response;
}

void QueueEngine::reply(const IncomingMessage& incoming, Call* call, int code, const std::string& reason,
                        ReplyParts parts, ReplyMode mode, TimePoint now) {
  std::optional<std::string> to_tag;
  if (parts.to_tag) to_tag = call ? call->local_tag : random_hex(engine_random(), 32);
  const Message response = build_response(incoming.message, incoming.source, code, reason, to_tag, parts);
  if (mode == ReplyMode::Stateless && rules_.stateless_replies) {
    env_.send_sip(incoming.source, sip::serialize(response));
    return;
  }
  const auto delivery = incoming.source.tcp ? sip::Delivery::Reliable : sip::Delivery::Unreliable;
  auto key = transactions_.add_server(incoming.message, delivery);
  if (!key) {  // not keyable (RFC 2543 branch): answer without a transaction
    env_.send_sip(incoming.source, sip::serialize(response));
    return;
  }
  peers_[*key] = incoming.source;
  run_actions(*key, transactions_.send_response(*key, response, now), now);
}

void QueueEngine::reply_to_invite(Call& call, int code, const std::string& reason, ReplyParts parts,
                                  TimePoint now) {
  const Message response = build_response(call.invite, call.source, code, reason, call.local_tag, parts);
  if (code >= 200 && code < 300) {
    // The 2xx is the UAS core's to retransmit until the ACK (RFC 3261 13.3.1.4); the transaction ends with it.
    if (call.invite_key) {
      run_actions(*call.invite_key, transactions_.send_response(*call.invite_key, response, now), now);
      call.invite_key.reset();
    } else {
      env_.send_sip(call.source, sip::serialize(response));
    }
    if (!call.source.tcp) {
      call.ok.emplace(response, options_.timers);
      call.ok->start(now);  // already sent above: start() only arms the retransmission timer here
    }
    return;
  }
  const bool stateless_final = code >= 300 && rules_.stateless_replies && code != 500;
  if (stateless_final || !call.invite_key) {
    env_.send_sip(call.source, sip::serialize(response));
    return;
  }
  run_actions(*call.invite_key, transactions_.send_response(*call.invite_key, response, now), now);
  if (code >= 200) call.invite_key.reset();
  if (code == 180 && !call.source.tcp) call.reliable_bytes = sip::serialize(response);
}

// ------------------------------------------------------------------------------------------- control

Expected<std::string, RpcFault> QueueEngine::retrieve(const std::string& queue_name, const std::string& uri,
                                                      TimePoint now) {
  if (find_queue_by_name(queues_, queue_name) == nullptr) return Unexpected(RpcFault{401, "No such queue"});
  if (uri.size() > 100 || !sip::parse_uri(uri)) return Unexpected(RpcFault{400, "Invalid URI"});
  Call* oldest = nullptr;
  for (auto& [id, call] : calls_)
    if (call->queue_name == queue_name && call->state == CallState::InQueue &&
        (oldest == nullptr || call->arrival < oldest->arrival))
      oldest = call.get();
  if (oldest == nullptr) return Unexpected(RpcFault{404, "No calls in queue"});
  Call& call = *oldest;
  call.refer_to = uri;
  set_state(call, CallState::Refer);
  env_.db_update(call.call_id, sim_db::CallStatus::referred);
  call.refer_deadline = now + options_.refer_wait;
  const bool sent = send_in_dialog(call, "REFER",
                                   {{"Contact", "<" + call.queue_uri + ">"},
                                    {"Max-Forwards", "70"},
                                    {"Refer-To", "<" + uri + ">"},
                                    {"Referred-By", "<" + call.queue_uri + ">"}},
                                   now);
  if (!sent) {
    call.refer_deadline.reset();
    set_state(call, CallState::InQueue);
    env_.db_update(call.call_id, sim_db::CallStatus::in_queue);
    return Unexpected(RpcFault{500, "REFER could not be sent"});
  }
  ++counters_.transfers_started;
  schedule(call);
  return call.call_id;
}

Expected<std::size_t, RpcFault> QueueEngine::count(const std::string& queue_name) const {
  if (find_queue_by_name(queues_, queue_name) == nullptr) {
    if (rules_.silent_drops) return std::size_t{0};  // Q4: mohq_count writes 0 for an unknown queue
    return Unexpected(RpcFault{401, "No such queue"});
  }
  std::size_t n = 0;
  for (const auto& [id, call] : calls_)
    if (call->queue_name == queue_name && call->state == CallState::InQueue) ++n;
  return n;
}

Expected<std::size_t, RpcFault> QueueEngine::drop_call(const std::string& queue_name, const std::string& call_id,
                                                       TimePoint now) {
  if (find_queue_by_name(queues_, queue_name) == nullptr) return Unexpected(RpcFault{401, "No such queue"});
  std::vector<std::uint64_t> victims;
  for (const auto& [id, call] : calls_)
    if (call->queue_name == queue_name && (call_id == "*" || call->call_id == call_id))
      victims.push_back(call->serial);
  for (auto serial : victims)
    if (Call* call = by_serial(serial)) {
      // Before the ACK there is no confirmed dialog to BYE: strict ends the INVITE with a final response.
      if (!rules_.silent_drops && !is_answered(call->state)) {
        if (call->state != CallState::Invited) reply_to_invite(*call, 480, "Temporarily Unavailable", {}, now);
        if (call->state != CallState::Invited) {
          if (call->rtp_session) rtpproxy_delete(*call, false);
          delete_call(*call);
          continue;
        }
        call->bye_after_ack = true;  // the BYE goes with the ACK, or when the 2xx times out
        continue;
      }
      close_call(*call, false, now);  // FAKED_REPLY: no D in the kamailio profile (B7)
    }
  return victims.size();
}

Expected<Done, RpcFault> QueueEngine::set_debug(const std::string& queue_name, bool debug) {
  for (auto& queue : queues_)
    if (queue.name == queue_name) {
      queue.debug = debug;
      return Done{};
    }
  return Unexpected(RpcFault{401, "No such queue"});
}

bool QueueEngine::calls_in_transition() const {
  return std::any_of(calls_.begin(), calls_.end(), [](const auto& entry) {
    return entry.second->state != CallState::InQueue;
  });
}

bool QueueEngine::replace_queues(std::vector<Queue> queues) {
  if (calls_in_transition()) return false;
  queues_ = std::move(queues);
  return true;
}

std::vector<CallSnapshot> QueueEngine::calls() const {
  std::vector<std::pair<std::uint64_t, CallSnapshot>> ordered;
  for (const auto& [id, call] : calls_)
    ordered.push_back({call->arrival, {call->call_id, call->queue_name, call->state, call->from_header,
                                       call->call_time, call->refer_to}});
  std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<CallSnapshot> out;
  for (auto& entry : ordered) out.push_back(std::move(entry.second));
  return out;
}

// ------------------------------------------------------------------------------------- bookkeeping

void QueueEngine::rtpproxy_delete(Call& call, bool with_to_tag) {
  if (!call.rtp_session) return;
  call.rtp_session = false;
  env_.send_rtpproxy(call.call_id,
                     delete_command(call.call_id, call.from_tag,
                                    with_to_tag ? std::optional<std::string>(call.local_tag) : std::nullopt),
                     [](Expected<rtpp::Reply, std::string>) {});
}

void QueueEngine::set_state(Call& call, CallState state) {
  log(LogLevel::Debug, &call, std::string(state_name(call.state)) + " -> " + std::string(state_name(state)));
  call.state = state;
}

void QueueEngine::delete_call(Call& call) {
  ++counters_.calls_deleted;
  env_.db_delete(call.call_id);
  if (call.scheduled) wakeups_.erase({*call.scheduled, call.serial});
  by_serial_.erase(call.serial);
  calls_.erase(call.call_id);  // `call` is gone from here on
}

QueueEngine::Call* QueueEngine::by_serial(std::uint64_t serial) {
  const auto it = by_serial_.find(serial);
  return it == by_serial_.end() ? nullptr : it->second;
}

void QueueEngine::schedule(Call& call) {
  std::optional<TimePoint> next;
  const auto consider = [&next](const std::optional<TimePoint>& deadline) {
    if (deadline && (!next || *deadline < *next)) next = deadline;
  };
  consider(call.ack_deadline);
  consider(call.prack_deadline);
  consider(call.reliable_resend);
  consider(call.refer_deadline);
  if (call.ok) consider(call.ok->next_deadline());
  if (call.scheduled == next) return;
  if (call.scheduled) wakeups_.erase({*call.scheduled, call.serial});
  call.scheduled = next;
  if (next) wakeups_.insert({*next, call.serial});
}

std::optional<TimePoint> QueueEngine::next_deadline() const {
  std::optional<TimePoint> next = transactions_.next_deadline();
  if (!wakeups_.empty() && (!next || wakeups_.begin()->first < *next)) next = wakeups_.begin()->first;
  return next;
}

void QueueEngine::on_timer(TimePoint now) {
  for (auto& fired : transactions_.on_timer(now)) run_actions(fired.key, fired.actions, now);
  while (!wakeups_.empty() && wakeups_.begin()->first <= now) {
    const auto serial = wakeups_.begin()->second;
    wakeups_.erase(wakeups_.begin());
    Call* call = by_serial(serial);
    if (call == nullptr) continue;
    call->scheduled.reset();
    on_call_timer(*call, now);
  }
}

void QueueEngine::on_call_timer(Call& call, TimePoint now) {
  const auto due = [now](const std::optional<TimePoint>& deadline) { return deadline && *deadline <= now; };
  if (call.ok && call.ok->next_deadline() && *call.ok->next_deadline() <= now) {
    bool gave_up = false;
    for (const auto& action : call.ok->on_timer(now)) {
      if (const auto* send = std::get_if<sip::Send>(&action)) env_.send_sip(call.source, send->bytes);
      if (std::holds_alternative<sip::Timeout>(action)) gave_up = true;
    }
    if (gave_up) {
      call.ok.reset();
      if (call.state == CallState::Invited || call.state == CallState::Cancel) {
        // Strict: no ACK within 64*T1 ends the session with a BYE (RFC 3261 13.3.1.4).
        log(LogLevel::Warning, &call, "no ACK for the 200: BYE");
        close_call(call, true, now);
        return;
      }
    }
  }
  if (due(call.ack_deadline)) {
    // tm destroyed the INVITE transaction before an ACK was processed: invite_cb deletes the call (callstate=68
    // or 69), no BYE, no D (§4.1).
    call.ack_deadline.reset();
    call.ok.reset();
    if (call.state == CallState::Invited || call.state == CallState::Cancel) {
      char hex[16];  // invite_cb prints the state in hex: callstate=68 (INVITED), 69 (CANCEL) (§4.1)
      std::snprintf(hex, sizeof hex, "%x", static_cast<unsigned>(state_value(call.state)));
      log(LogLevel::Warning, &call, std::string("INVITE failed, callstate=") + hex);
      ++counters_.calls_rejected;
      delete_call(call);
      return;
    }
  }
  if (due(call.reliable_resend) && call.state == CallState::PrackStart) {
    env_.send_sip(call.source, call.reliable_bytes);
    call.reliable_interval *= 2;  // RFC 3262 3: T1, doubling, until the PRACK or 64*T1
    call.reliable_resend = now + call.reliable_interval;
  }
  if (due(call.prack_deadline)) {
    call.prack_deadline.reset();
    call.reliable_resend.reset();
    if (call.state == CallState::PrackStart) {
      log(LogLevel::Warning, &call, "No PRACK response");
      ++counters_.calls_rejected;
      rtpproxy_delete(call, false);
      if (!rules_.reliable_provisional_sent_once)  // RFC 3262 3: reject with a 5xx
        reply_to_invite(call, 504, "Server Time-out", {}, now);
      delete_call(call);
      return;
    }
  }
  if (due(call.refer_deadline)) {
    call.refer_deadline.reset();
    if (call.state == CallState::Refer || call.state == CallState::ReferWait) {
      log(LogLevel::Warning, &call, "Dropping call because no response to REFER");
      ++counters_.transfers_failed;
      close_call(call, false, now);  // FAKED_REPLY: no D in the kamailio profile
      return;
    }
  }
  schedule(call);
}

void QueueEngine::log(LogLevel level, const Call* call, const std::string& text) {
  // A queue's debug flag (mohqueue.debug) lifts its calls' debug lines to info, as mohq_debug does.
  if (level == LogLevel::Debug && call != nullptr)
    if (const Queue* queue = find_queue_by_name(queues_, call->queue_name); queue != nullptr && queue->debug)
      level = LogLevel::Info;
  env_.log(level, call ? "[" + call->call_id + "] " + text : text);
}

std::string_view state_name(CallState state) {
  switch (state) {
    case CallState::Enter: return "ENTER";
    case CallState::Trying: return "TRYING";
    case CallState::PrackStart: return "PRACKSTRT";
    case CallState::PrackReply: return "PRACKRPLY";
    case CallState::Invited: return "INVITED";
    case CallState::Cancel: return "CANCEL";
    case CallState::InQueue: return "INQUEUE";
    case CallState::Refer: return "REFER";
    case CallState::ReferWait: return "RFRWAIT";
    case CallState::ByeOk: return "BYEOK";
    case CallState::Bye: return "BYE";
  }
  return "?";
}

}  // namespace mohq::sim
