// RFC 3261 17.1.3 and 17.2.3: matching messages to transactions.
#include "sip/transaction_table.hpp"

#include <iterator>
#include <string>
#include <type_traits>
#include <utility>

namespace mohq::sip {

namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

bool is_terminated(const TransactionTable::Entry& entry) {
  return std::visit([](const auto& t) { return t.state() == std::decay_t<decltype(t)>::State::Terminated; },
                    entry);
}

Unexpected<ParseError> fail(std::string message) {
  return Unexpected(ParseError{ParseErrorKind::BadValue, std::move(message)});
}

}  // namespace

TransactionTable::Routed TransactionTable::on_message(const Message& message, TimePoint now) {
  if (message.request()) {
    auto key = server_key(message);
    if (!key) return Unroutable{key.error()};
    const auto it = entries_.find(*key);
    if (it == entries_.end()) return NewRequest{std::move(*key)};
    Actions actions = std::visit(Overloaded{
                                     [&](InviteServerTransaction& t) { return t.on_request(message, now); },
                                     [&](NonInviteServerTransaction& t) { return t.on_request(message, now); },
                                     [](NonInviteClientTransaction&) { return Actions{}; },
                                 },
                                 it->second);
    settle(*key);
    return Matched{std::move(*key), std::move(actions)};
  }
  auto key = client_key(message);
  if (!key) return Unroutable{key.error()};
  const auto it = entries_.find(*key);
  if (it == entries_.end()) return StrayResponse{std::move(*key)};
  auto* client = std::get_if<NonInviteClientTransaction>(&it->second);
  Actions actions = client ? client->on_response(message, now) : Actions{};
  settle(*key);
  return Matched{std::move(*key), std::move(actions)};
}

Expected<TransactionKey, ParseError> TransactionTable::add_server(const Message& request, Delivery delivery) {
  if (!request.request()) return fail("a response does not create a server transaction");
  const std::string& method = request.request()->method;
  if (method == "ACK") return fail("ACK does not create a server transaction (RFC 3261 17.2.3)");
  auto key = server_key(request);
  if (!key) return key;
  if (entries_.count(*key) != 0) return fail("a server transaction with branch " + key->branch + " exists");
  if (method == "INVITE") {
    entries_.emplace(*key, InviteServerTransaction(delivery, timers_));
  } else {
    entries_.emplace(*key, NonInviteServerTransaction(delivery, timers_));
  }
  return key;
}

Actions TransactionTable::send_response(const TransactionKey& key, const Message& response, TimePoint now) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return {};
  Actions actions = std::visit(Overloaded{
                                   [&](InviteServerTransaction& t) { return t.send_response(response, now); },
                                   [&](NonInviteServerTransaction& t) { return t.send_response(response, now); },
                                   [](NonInviteClientTransaction&) { return Actions{}; },
                               },
                               it->second);
  settle(key);
  return actions;
}

Expected<TransactionTable::Matched, ParseError> TransactionTable::send_request(Message request, Delivery delivery,
                                                                               TimePoint now) {
  if (!request.request()) return fail("a response is not sent by a client transaction");
  if (request.request()->method == "INVITE" || request.request()->method == "ACK") {
    return fail("INVITE client transactions (and ACK) are not implemented: RFC 3261 17.1.1");
  }
  auto key = client_key_of_request(request);
  if (!key) return Unexpected(key.error());
  if (entries_.count(*key) != 0) return fail("a client transaction with branch " + key->branch + " exists");
  auto [it, inserted] = entries_.emplace(*key, NonInviteClientTransaction(std::move(request), delivery, timers_));
  (void)inserted;
  Actions actions = std::get<NonInviteClientTransaction>(it->second).start(now);
  settle(*key);
  return Matched{std::move(*key), std::move(actions)};
}

std::vector<TransactionTable::Fired> TransactionTable::on_timer(TimePoint now) {
  // The due transactions first (their timers may re-arm into the past), then each is woken once.
  std::vector<TransactionKey> due;
  for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= now; ++it) due.push_back(it->second);
  std::vector<Fired> fired;
  for (const auto& key : due) {
    const auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    Actions actions = std::visit([&](auto& t) { return t.on_timer(now); }, it->second);
    if (!actions.empty()) fired.push_back(Fired{key, std::move(actions)});
    settle(key);
  }
  return fired;
}

std::optional<TimePoint> TransactionTable::next_deadline() const {
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.begin()->first;
}

const TransactionTable::Entry* TransactionTable::find(const TransactionKey& key) const {
  const auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void TransactionTable::settle(const TransactionKey& key) {
  // Every change to a transaction goes through here: its deadline is re-indexed, or it leaves the table.
  if (const auto old = indexed_.find(key); old != indexed_.end()) {
    deadlines_.erase({old->second, key});
    indexed_.erase(old);
  }
  const auto it = entries_.find(key);
  if (it == entries_.end()) return;
  if (is_terminated(it->second)) {
    entries_.erase(it);
    return;
  }
  if (const auto deadline = std::visit([](const auto& t) { return t.next_deadline(); }, it->second)) {
    deadlines_.insert({*deadline, key});
    indexed_.emplace(key, *deadline);
  }
}

}  // namespace mohq::sip
