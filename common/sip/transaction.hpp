// SIP transactions (RFC 3261 17) as pure state machines: no sockets, no clock reads, no callbacks. Each
// call takes the current time and returns the actions to carry out (bytes to send, a message for the
// transaction user, a timeout, the end of the transaction); the caller wakes the transaction at
// next_deadline() with on_timer(). Responses and requests are sent to the transaction's peer: the caller
// keeps the address.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/expected.hpp"
#include "sip/message.hpp"
#include "sip/timers.hpp"

namespace mohq::sip {

// RFC 3261 8.1.1.7: branches of RFC 3261 elements start with this; others are RFC 2543 branches.
inline constexpr std::string_view kMagicCookie = "z9hG4bK";

// RFC 3261 17.2.3 (server) and 17.1.3 (client) matching, as a value to look transactions up by.
// Server: top Via branch + sent-by + method, with ACK folded into INVITE (an ACK for a non-2xx shares its
// INVITE's branch, 17.1.1.3). CANCEL keeps its own method, so it never matches its INVITE (9.2).
// Client: top Via branch + CSeq method; sent-by is empty (we put the Via there ourselves).
struct TransactionKey {
  enum class Role { Server, Client };
  Role role = Role::Server;
  std::string branch;   // compared as received
  std::string sent_by;  // host in lower case, ":port" when the Via has one
  std::string method;
  auto operator<=>(const TransactionKey&) const = default;
  bool operator==(const TransactionKey&) const = default;
};

// The key of the server transaction an incoming request belongs to (or would create). An error when the
// top Via is missing or malformed, or its branch lacks the magic cookie: RFC 2543 matching (17.2.3, the
// second half) is not supported.
Expected<TransactionKey, ParseError> server_key(const Message& request);
// The key of the client transaction a response belongs to (top Via branch + CSeq method, 17.1.3).
Expected<TransactionKey, ParseError> client_key(const Message& response);
// The key of the client transaction that sends `request` (the top Via must already carry our branch).
Expected<TransactionKey, ParseError> client_key_of_request(const Message& request);
// RFC 3261 9.2: the INVITE server transaction a CANCEL (by its key) asks to cancel.
TransactionKey cancelled_invite_key(const TransactionKey& cancel_key);

// RFC 3261 8.2.6.2: a response to `request` with its Via lines, From, To, Call-ID and CSeq copied, and a
// To tag added when `to_tag` is given and To has none. No body; serialize() adds Content-Length.
Message make_response(const Message& request, int code, std::string reason,
                      std::optional<std::string> to_tag = std::nullopt);

// Actions, in the order to carry them out.
struct Send {
  std::string bytes;  // a serialized message for the transport, to the transaction's peer
  bool operator==(const Send&) const = default;
};
struct DeliverToTU {
  Message message;  // a response (client transactions) for the transaction user
  bool operator==(const DeliverToTU&) const = default;
};
struct Timeout {
  std::string timer;                      // "F", "H" or "2xx" (13.3.1.4: no ACK within 64*T1)
  std::optional<Message> local_response;  // client transactions: the 408 the TU sees (8.1.3.1)
  bool operator==(const Timeout&) const = default;
};
struct Terminated {
  bool operator==(const Terminated&) const = default;
};
using Action = std::variant<Send, DeliverToTU, Timeout, Terminated>;
using Actions = std::vector<Action>;

// RFC 3261 17.2.1, figure 7. Created by the TU for a new INVITE; it sends nothing itself (the TU sends
// 100 Trying through send_response, 17.2.1 first paragraph). After a 2xx it terminates (RFC 3261, not the
// RFC 6026 Accepted state): the TU retransmits the 2xx with InviteOkRetransmitter.
class InviteServerTransaction {
 public:
  enum class State { Proceeding, Completed, Confirmed, Terminated };

  InviteServerTransaction(Delivery delivery, TransactionTimers timers = {});

  // A response from the TU. Ignored (no actions) unless in Proceeding.
  Actions send_response(const Message& response, TimePoint now);
  // A request matched to this transaction: the INVITE again, or the ACK for a non-2xx final.
  Actions on_request(const Message& request, TimePoint now);
  Actions on_timer(TimePoint now);
  std::optional<TimePoint> next_deadline() const;
  State state() const { return state_; }

 private:
  Actions terminate();

  Delivery delivery_;
  TransactionTimers timers_;
  State state_ = State::Proceeding;
  std::string last_response_;            // serialized, for retransmissions
  std::optional<TimePoint> timer_g_;
  Millis g_interval_{0};
  std::optional<TimePoint> timer_h_;
  std::optional<TimePoint> timer_i_;
};

// RFC 3261 17.2.2, figure 8: every request but INVITE and ACK.
class NonInviteServerTransaction {
 public:
  enum class State { Trying, Proceeding, Completed, Terminated };

  NonInviteServerTransaction(Delivery delivery, TransactionTimers timers = {});

  Actions send_response(const Message& response, TimePoint now);
  // A retransmission of the request: absorbed in Trying, answered with the last response after that.
  Actions on_request(const Message& request, TimePoint now);
  Actions on_timer(TimePoint now);
  std::optional<TimePoint> next_deadline() const;
  State state() const { return state_; }

 private:
  Delivery delivery_;
  TransactionTimers timers_;
  State state_ = State::Trying;
  std::string last_response_;
  std::optional<TimePoint> timer_j_;
};

// RFC 3261 17.1.2, figure 6: a BYE, REFER or NOTIFY the UAS sends.
class NonInviteClientTransaction {
 public:
  enum class State { Trying, Proceeding, Completed, Terminated };

  NonInviteClientTransaction(Message request, Delivery delivery, TransactionTimers timers = {});

  // Sends the request and starts timers E and F.
  Actions start(TimePoint now);
  Actions on_response(const Message& response, TimePoint now);
  Actions on_timer(TimePoint now);
  std::optional<TimePoint> next_deadline() const;
  State state() const { return state_; }
  const Message& request() const { return request_; }

 private:
  Message request_;
  std::string request_bytes_;
  Delivery delivery_;
  TransactionTimers timers_;
  State state_ = State::Trying;
  std::optional<TimePoint> timer_e_;
  Millis e_interval_{0};
  std::optional<TimePoint> timer_f_;
  std::optional<TimePoint> timer_k_;
};

// RFC 3261 13.3.1.4: the UAS core, not the transaction, retransmits a 2xx to INVITE, starting at T1 and
// doubling up to T2, until the ACK arrives; with no ACK after 64*T1 it reports Timeout{"2xx"} (the
// session should then be ended with a BYE). Runs over any transport.
class InviteOkRetransmitter {
 public:
  InviteOkRetransmitter(Message ok, TransactionTimers timers = {});

  // Sends the 2xx the first time.
  Actions start(TimePoint now);
  // An ACK for this 2xx (same Call-ID, CSeq number, From tag and To tag, 13.2.2.4) stops the
  // retransmissions: Terminated. Any other message: no actions, and matches_ack() says why not.
  Actions on_ack(const Message& ack, TimePoint now);
  bool matches_ack(const Message& ack) const;
  Actions on_timer(TimePoint now);
  std::optional<TimePoint> next_deadline() const;
  bool done() const { return done_; }

 private:
  Message ok_;
  std::string ok_bytes_;
  TransactionTimers timers_;
  bool done_ = false;
  std::optional<TimePoint> next_send_;
  Millis interval_{0};
  std::optional<TimePoint> give_up_;
};

}  // namespace mohq::sip
