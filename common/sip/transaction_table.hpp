// Routes incoming messages to their transactions (RFC 3261 17.1.3, 17.2.3) and drives the transactions'
// timers: the one object a UAS keeps for all its transactions. Transactions leave the table when they
// terminate.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <utility>
#include <optional>
#include <variant>
#include <vector>

#include "base/expected.hpp"
#include "sip/message.hpp"
#include "sip/timers.hpp"
#include "sip/transaction.hpp"

namespace mohq::sip {

class TransactionTable {
 public:
  using Entry = std::variant<InviteServerTransaction, NonInviteServerTransaction, NonInviteClientTransaction>;

  // The message belonged to a transaction, which produced `actions`.
  struct Matched {
    TransactionKey key;
    Actions actions;
  };
  // A request with no transaction: create one with add_server() (not for ACK: an unmatched ACK is the
  // ACK for a 2xx, for the TU core, 17.2.3 / 13.3.1.4). A CANCEL finds its INVITE by cancelled_invite_key.
  struct NewRequest {
    TransactionKey key;
  };
  // A response with no client transaction (17.1.3): a UAS drops it.
  struct StrayResponse {
    TransactionKey key;
  };
  // No key: missing or malformed Via, no magic cookie, no CSeq.
  struct Unroutable {
    ParseError error;
  };
  using Routed = std::variant<Matched, NewRequest, StrayResponse, Unroutable>;

  explicit TransactionTable(TransactionTimers timers = {}) : timers_(timers) {}

  Routed on_message(const Message& message, TimePoint now);

  // Creates the server transaction for a new INVITE or non-INVITE request; an error for ACK, for an
  // unkeyable request, or when the key is taken.
  Expected<TransactionKey, ParseError> add_server(const Message& request, Delivery delivery);
  // A response from the TU for a server transaction; no actions when there is no such transaction.
  Actions send_response(const TransactionKey& key, const Message& response, TimePoint now);
  // Creates and starts a non-INVITE client transaction (BYE, REFER, NOTIFY...). INVITE client
  // transactions are not implemented: an error.
  Expected<Matched, ParseError> send_request(Message request, Delivery delivery, TimePoint now);

  struct Fired {
    TransactionKey key;
    Actions actions;
  };
  // Fires every due timer, in deadline order; transactions without actions are not listed. O(due log n): the
  // deadlines are indexed, so a table of thousands of transactions costs nothing between timers.
  std::vector<Fired> on_timer(TimePoint now);
  std::optional<TimePoint> next_deadline() const;

  const Entry* find(const TransactionKey& key) const;
  std::size_t size() const { return entries_.size(); }

 private:
  void settle(const TransactionKey& key);

  TransactionTimers timers_;
  std::map<TransactionKey, Entry> entries_;
  std::set<std::pair<TimePoint, TransactionKey>> deadlines_;
  std::map<TransactionKey, TimePoint> indexed_;
};

}  // namespace mohq::sip
