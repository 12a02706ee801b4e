// RFC 3261 17 (transactions) and 13.3.1.4 (2xx retransmission by the UAS core).
#include "sip/transaction.hpp"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include "sip/headers.hpp"
#include "sip/text.hpp"

namespace mohq::sip {

namespace {

Unexpected<ParseError> fail(std::string message) {
  return Unexpected(ParseError{ParseErrorKind::BadValue, std::move(message)});
}

Expected<Via, ParseError> top_via(const Message& m) {
  const auto vias = m.header_values("Via");
  if (vias.empty()) return fail("no Via header");
  return parse_via(vias.front());
}

// RFC 3261 17.2.3: the branch must carry the magic cookie for branch matching to apply.
Expected<std::string, ParseError> rfc3261_branch(const Via& via) {
  const auto branch = via.branch();
  if (!branch) return fail("top Via has no branch parameter");
  if (branch->substr(0, kMagicCookie.size()) != kMagicCookie) {
    return fail("top Via branch \"" + branch->substr(0, 60) + "\" lacks the RFC 3261 magic cookie z9hG4bK");
  }
  return *branch;
}

std::optional<TimePoint> earliest(std::initializer_list<std::optional<TimePoint>> deadlines) {
  std::optional<TimePoint> best;
  for (const auto& d : deadlines) {
    if (d && (!best || *d < *best)) best = d;
  }
  return best;
}

bool due(const std::optional<TimePoint>& deadline, TimePoint now) { return deadline && *deadline <= now; }

int status_code(const Message& m) { return m.status() ? m.status()->code : 0; }

bool is_method(const Message& m, std::string_view method) { return m.request() && m.request()->method == method; }

std::optional<std::string> header_tag(const Message& m, std::string_view name) {
  const auto value = m.header(name);
  if (!value) return std::nullopt;
  const auto addr = parse_name_addr(*value);
  return addr ? addr->tag() : std::nullopt;
}

std::optional<std::uint32_t> cseq_number(const Message& m) {
  const auto cseq = parse_cseq(m.header("CSeq").value_or(""));
  return cseq ? std::optional<std::uint32_t>(cseq->number) : std::nullopt;
}

}  // namespace

// ---------------------------------------------------------------------------------------------- keys

Expected<TransactionKey, ParseError> server_key(const Message& request) {
  if (!request.request()) return fail("a response has no server transaction key");
  const auto via = top_via(request);
  if (!via) return Unexpected(via.error());
  auto branch = rfc3261_branch(*via);
  if (!branch) return Unexpected(branch.error());
  std::string sent_by = detail::to_lower(via->host);
  if (via->port) sent_by += ":" + std::to_string(*via->port);
  // 17.2.3: "the method of the request matches the one that created the transaction, except for ACK,
  // where the method of the request that created the transaction is INVITE".
  const std::string& method = request.request()->method;
  return TransactionKey{TransactionKey::Role::Server, std::move(*branch), std::move(sent_by),
                        method == "ACK" ? std::string("INVITE") : method};
}

Expected<TransactionKey, ParseError> client_key(const Message& response) {
  if (!response.status()) return fail("a request has no client transaction key");
  const auto via = top_via(response);
  if (!via) return Unexpected(via.error());
  auto branch = rfc3261_branch(*via);
  if (!branch) return Unexpected(branch.error());
  const auto cseq = parse_cseq(response.header("CSeq").value_or(""));
  if (!cseq) return Unexpected(cseq.error());
  // 17.1.3: branch of the top Via, and the CSeq method (a CANCEL's 200 does not match the INVITE).
  return TransactionKey{TransactionKey::Role::Client, std::move(*branch), "", cseq->method};
}

Expected<TransactionKey, ParseError> client_key_of_request(const Message& request) {
  if (!request.request()) return fail("a response is not sent by a client transaction");
  const auto via = top_via(request);
  if (!via) return Unexpected(via.error());
  auto branch = rfc3261_branch(*via);
  if (!branch) return Unexpected(branch.error());
  return TransactionKey{TransactionKey::Role::Client, std::move(*branch), "", request.request()->method};
}

TransactionKey cancelled_invite_key(const TransactionKey& cancel_key) {
  TransactionKey key = cancel_key;
  key.method = "INVITE";  // 9.2: same branch and sent-by as the INVITE, which CANCEL must copy (9.1)
  return key;
}

Message make_response(const Message& request, int code, std::string reason, std::optional<std::string> to_tag) {
  Message response;
  response.start = StatusLine{code, std::move(reason)};
  response.version = request.version;
  for (const Header& h : request.headers) {
    // 8.2.6.2: Via (all, in order), From, To, Call-ID and CSeq are copied.
    const bool copied = same_header_name(h.name, "Via") || same_header_name(h.name, "From") ||
                        same_header_name(h.name, "To") || same_header_name(h.name, "Call-ID") ||
                        same_header_name(h.name, "CSeq");
    if (!copied) continue;
    Header out = h;
    if (to_tag && same_header_name(h.name, "To")) {
      const auto addr = parse_name_addr(h.value);
      if (addr && !addr->tag()) out.value += ";tag=" + *to_tag;
    }
    response.headers.push_back(std::move(out));
  }
  return response;
}

// ------------------------------------------------------------------------- INVITE server (17.2.1)

InviteServerTransaction::InviteServerTransaction(Delivery delivery, TransactionTimers timers)
    : delivery_(delivery), timers_(timers) {}

Actions InviteServerTransaction::terminate() {
  state_ = State::Terminated;
  timer_g_.reset();
  timer_h_.reset();
  timer_i_.reset();
  return {Terminated{}};
}

Actions InviteServerTransaction::send_response(const Message& response, TimePoint now) {
  const int code = status_code(response);
  if (state_ != State::Proceeding || code == 0) return {};
  last_response_ = serialize(response);
  Actions out{Send{last_response_}};
  if (code < 200) return out;
  if (code < 300) {
    // 17.2.1: a 2xx moves straight to Terminated; its retransmissions belong to the TU (13.3.1.4).
    for (auto& a : terminate()) out.push_back(std::move(a));
    return out;
  }
  state_ = State::Completed;
  if (delivery_ == Delivery::Unreliable) {
    g_interval_ = timers_.t1;  // Timer G: T1, doubling up to T2
    timer_g_ = now + g_interval_;
  }
  timer_h_ = now + timers_.timeout();  // Timer H: 64*T1 for any transport
  return out;
}

Actions InviteServerTransaction::on_request(const Message& request, TimePoint now) {
  if (is_method(request, "ACK")) {
    if (state_ != State::Completed) return {};  // Confirmed absorbs further ACKs
    state_ = State::Confirmed;
    timer_g_.reset();
    timer_h_.reset();
    if (delivery_ == Delivery::Reliable) return terminate();  // Timer I is zero over reliable transports
    timer_i_ = now + timers_.t4;
    return {};
  }
  // 17.2.1: a retransmitted INVITE in Proceeding or Completed gets the most recent response again.
  if (is_method(request, "INVITE") && (state_ == State::Proceeding || state_ == State::Completed) &&
      !last_response_.empty()) {
    return {Send{last_response_}};
  }
  return {};
}

Actions InviteServerTransaction::on_timer(TimePoint now) {
  Actions out;
  while (state_ != State::Terminated) {
    const auto deadline = next_deadline();
    if (!deadline || *deadline > now) break;
    if (due(timer_h_, *deadline)) {
      // 17.2.1: no ACK within 64*T1; the TU is told of the failure.
      out.push_back(Timeout{"H", std::nullopt});
      for (auto& a : terminate()) out.push_back(std::move(a));
    } else if (due(timer_i_, *deadline)) {
      for (auto& a : terminate()) out.push_back(std::move(a));
    } else {
      // Timer G: retransmit and double the interval, capped at T2. The next firing counts from the
      // scheduled time, not from a late `now`, so the schedule does not drift.
      out.push_back(Send{last_response_});
      g_interval_ = std::min(2 * g_interval_, timers_.t2);
      *timer_g_ += g_interval_;
    }
  }
  return out;
}

std::optional<TimePoint> InviteServerTransaction::next_deadline() const {
  return earliest({timer_g_, timer_h_, timer_i_});
}

// --------------------------------------------------------------------- non-INVITE server (17.2.2)

NonInviteServerTransaction::NonInviteServerTransaction(Delivery delivery, TransactionTimers timers)
    : delivery_(delivery), timers_(timers) {}

Actions NonInviteServerTransaction::send_response(const Message& response, TimePoint now) {
  const int code = status_code(response);
  if ((state_ != State::Trying && state_ != State::Proceeding) || code == 0) return {};
  last_response_ = serialize(response);
  Actions out{Send{last_response_}};
  if (code < 200) {
    state_ = State::Proceeding;
    return out;
  }
  if (delivery_ == Delivery::Reliable) {  // Timer J is zero over reliable transports
    state_ = State::Terminated;
    out.push_back(Terminated{});
    return out;
  }
  state_ = State::Completed;
  timer_j_ = now + timers_.timeout();  // Timer J: 64*T1
  return out;
}

Actions NonInviteServerTransaction::on_request(const Message& /*request*/, TimePoint /*now*/) {
  // 17.2.2: retransmissions are discarded in Trying and answered with the last response in Proceeding
  // and Completed.
  if ((state_ == State::Proceeding || state_ == State::Completed) && !last_response_.empty()) {
    return {Send{last_response_}};
  }
  return {};
}

Actions NonInviteServerTransaction::on_timer(TimePoint now) {
  if (state_ != State::Completed || !due(timer_j_, now)) return {};
  state_ = State::Terminated;
  timer_j_.reset();
  return {Terminated{}};
}

std::optional<TimePoint> NonInviteServerTransaction::next_deadline() const { return timer_j_; }

// --------------------------------------------------------------------- non-INVITE client (17.1.2)

NonInviteClientTransaction::NonInviteClientTransaction(Message request, Delivery delivery,
                                                       TransactionTimers timers)
    : request_(std::move(request)), request_bytes_(serialize(request_)), delivery_(delivery), timers_(timers) {}

Actions NonInviteClientTransaction::start(TimePoint now) {
  if (state_ != State::Trying || timer_f_) return {};
  if (delivery_ == Delivery::Unreliable) {
    e_interval_ = timers_.t1;  // Timer E: T1, doubling up to T2
    timer_e_ = now + e_interval_;
  }
  timer_f_ = now + timers_.timeout();  // Timer F: 64*T1
  return {Send{request_bytes_}};
}

Actions NonInviteClientTransaction::on_response(const Message& response, TimePoint now) {
  const int code = status_code(response);
  if ((state_ != State::Trying && state_ != State::Proceeding) || code == 0) return {};  // Completed absorbs
  Actions out{DeliverToTU{response}};
  if (code < 200) {
    state_ = State::Proceeding;  // Timer E keeps running; from its next firing it uses T2
    return out;
  }
  timer_e_.reset();
  timer_f_.reset();
  if (delivery_ == Delivery::Reliable) {  // Timer K is zero over reliable transports
    state_ = State::Terminated;
    out.push_back(Terminated{});
    return out;
  }
  state_ = State::Completed;
  timer_k_ = now + timers_.t4;  // Timer K: T4, to absorb retransmitted responses
  return out;
}

Actions NonInviteClientTransaction::on_timer(TimePoint now) {
  Actions out;
  while (state_ != State::Terminated) {
    const auto deadline = next_deadline();
    if (!deadline || *deadline > now) break;
    if (due(timer_f_, *deadline)) {
      // 17.1.2.2: Timer F reports a timeout; 8.1.3.1: the TU treats it as a 408.
      out.push_back(Timeout{"F", make_response(request_, 408, "Request Timeout")});
      state_ = State::Terminated;
      timer_e_.reset();
      timer_f_.reset();
      out.push_back(Terminated{});
    } else if (due(timer_k_, *deadline)) {
      state_ = State::Terminated;
      timer_k_.reset();
      out.push_back(Terminated{});
    } else {
      // Timer E: in Trying the interval doubles up to T2; in Proceeding it is T2 (17.1.2.2).
      out.push_back(Send{request_bytes_});
      e_interval_ = state_ == State::Proceeding ? timers_.t2 : std::min(2 * e_interval_, timers_.t2);
      *timer_e_ += e_interval_;
    }
  }
  return out;
}

std::optional<TimePoint> NonInviteClientTransaction::next_deadline() const {
  return earliest({timer_e_, timer_f_, timer_k_});
}

// -------------------------------------------------------------------- 2xx retransmission (13.3.1.4)

InviteOkRetransmitter::InviteOkRetransmitter(Message ok, TransactionTimers timers)
    : ok_(std::move(ok)), ok_bytes_(serialize(ok_)), timers_(timers) {}

Actions InviteOkRetransmitter::start(TimePoint now) {
  if (done_ || give_up_) return {};
  interval_ = timers_.t1;
  next_send_ = now + interval_;
  give_up_ = now + timers_.timeout();
  return {Send{ok_bytes_}};
}

bool InviteOkRetransmitter::matches_ack(const Message& ack) const {
  // 13.2.2.4 / 12.2.1.1: the ACK for a 2xx is in the dialog (Call-ID, local and remote tags) and carries
  // the INVITE's CSeq number.
  if (!is_method(ack, "ACK")) return false;
  if (ack.header("Call-ID") != ok_.header("Call-ID")) return false;
  const auto number = cseq_number(ack);
  if (!number || number != cseq_number(ok_)) return false;
  return header_tag(ack, "From") == header_tag(ok_, "From") && header_tag(ack, "To") == header_tag(ok_, "To");
}

Actions InviteOkRetransmitter::on_ack(const Message& ack, TimePoint /*now*/) {
  if (done_ || !matches_ack(ack)) return {};
  done_ = true;
  next_send_.reset();
  give_up_.reset();
  return {Terminated{}};
}

Actions InviteOkRetransmitter::on_timer(TimePoint now) {
  Actions out;
  while (!done_) {
    const auto deadline = next_deadline();
    if (!deadline || *deadline > now) break;
    if (due(give_up_, *deadline)) {
      done_ = true;
      next_send_.reset();
      give_up_.reset();
      out.push_back(Timeout{"2xx", std::nullopt});
      out.push_back(Terminated{});
    } else {
      out.push_back(Send{ok_bytes_});
      interval_ = std::min(2 * interval_, timers_.t2);
      *next_send_ += interval_;
    }
  }
  return out;
}

std::optional<TimePoint> InviteOkRetransmitter::next_deadline() const { return earliest({next_send_, give_up_}); }

}  // namespace mohq::sip
