// RFC 3261 17 transactions under a test clock: every timer and transition, with the exact times the
// messages go out. A schedule is written as "ms what" lines: "500 send", "32000 timeout H", "32000 end".
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "sip/headers.hpp"
#include "sip/message.hpp"
#include "sip/transaction.hpp"
#include "sip/transaction_table.hpp"

using namespace mohq::sip;
using mohq::sip::test::crlf;
using mohq::sip::test::read_data;

namespace {

const TimePoint t0 = TimePoint{} + std::chrono::hours(1);
TimePoint at(long ms) { return t0 + Millis(ms); }

Message must_parse(const std::string& text) {
  const auto m = parse_message(text);
  BOOST_TEST_REQUIRE(m.has_value(), (m ? "" : m.error().message));
  return *m;
}

// The captured SIPp INVITE: Via SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-6632-1-0, CSeq 1 INVITE.
Message trace_invite() { return must_parse(read_data("messages/basic_call-01-invite-invite.sip")); }

// The request with its start line replaced (and CSeq method following it), everything else unchanged.
Message with_method(Message m, const std::string& method) {
  std::get<RequestLine>(m.start).method = method;
  for (auto& h : m.headers) {
    if (same_header_name(h.name, "CSeq")) h.value = "1 " + method;
  }
  m.body.clear();
  return m;
}

void set_header(Message& m, const std::string& name, const std::string& value) {
  for (auto& h : m.headers) {
    if (same_header_name(h.name, name)) h.value = value;
  }
}

// RFC 3261 17.1.1.3: the ACK for a non-2xx copies the INVITE's top Via and takes the response's To.
Message ack_for_non_2xx(const Message& invite) {
  Message ack = with_method(invite, "ACK");
  set_header(ack, "To", "<sip:1008@127.0.0.1:5060>;tag=uas-1");
  return ack;
}

const std::string kBye = crlf(
    "BYE sip:caller1@127.0.0.1:5090 SIP/2.0\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-uas-bye-1\n"
    "From: <sip:1008@127.0.0.1:5060>;tag=uas-1\n"
    "To: <sip:caller1@127.0.0.1:5090>;tag=6632SIPpTag001\n"
    "Call-ID: 1-6632@127.0.0.1\n"
    "CSeq: 2 BYE\n"
    "Max-Forwards: 70\n"
    "Content-Length: 0\n"
    "\n");

std::string describe(const Action& a, const TimePoint when) {
  const std::string ms = std::to_string(std::chrono::duration_cast<Millis>(when - t0).count()) + " ";
  if (std::holds_alternative<Send>(a)) return ms + "send";
  if (const auto* d = std::get_if<DeliverToTU>(&a)) return ms + "deliver " + std::to_string(d->message.status()->code);
  if (const auto* t = std::get_if<Timeout>(&a)) {
    return ms + "timeout " + t->timer + (t->local_response ? " " + std::to_string(t->local_response->status()->code) : "");
  }
  return ms + "end";
}

std::vector<std::string> describe_all(const Actions& actions, TimePoint when) {
  std::vector<std::string> out;
  for (const auto& a : actions) out.push_back(describe(a, when));
  return out;
}

// Runs the transaction's timers, waking it at each next_deadline(), up to `until_ms`.
template <class T>
std::vector<std::string> run_timers(T& tx, long until_ms) {
  std::vector<std::string> out;
  while (const auto deadline = tx.next_deadline()) {
    if (*deadline > at(until_ms)) break;
    for (auto& line : describe_all(tx.on_timer(*deadline), *deadline)) out.push_back(line);
  }
  return out;
}

std::vector<std::string> lines(std::initializer_list<const char*> l) { return {l.begin(), l.end()}; }

const std::vector<std::string> kDoublingTo4sUntil32s = lines({
    "500 send", "1500 send", "3500 send", "7500 send", "11500 send", "15500 send", "19500 send",
    "23500 send", "27500 send", "31500 send"});

Message ok_for_trace() { return make_response(trace_invite(), 200, "OK", "uas-1"); }

std::vector<std::string> plus(std::vector<std::string> a, std::initializer_list<const char*> b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transaction_key)

BOOST_AUTO_TEST_CASE(trace_invite_key_is_branch_sent_by_and_method) {
  const auto key = server_key(trace_invite());
  BOOST_TEST_REQUIRE(key.has_value());
  BOOST_TEST((*key == TransactionKey{TransactionKey::Role::Server, "z9hG4bK-6632-1-0", "127.0.0.1:5090", "INVITE"}));
}

BOOST_AUTO_TEST_CASE(ack_for_non_2xx_matches_its_invite) {  // RFC 3261 17.2.3
  BOOST_TEST((server_key(ack_for_non_2xx(trace_invite())).value() == server_key(trace_invite()).value()));
}

BOOST_AUTO_TEST_CASE(cancel_has_its_own_key_and_names_its_invite) {  // RFC 3261 9.2
  const auto invite = server_key(trace_invite()).value();
  const auto cancel = server_key(with_method(trace_invite(), "CANCEL")).value();
  BOOST_TEST((cancel != invite));
  BOOST_TEST(cancel.method == "CANCEL");
  BOOST_TEST((cancelled_invite_key(cancel) == invite));
}

BOOST_AUTO_TEST_CASE(sent_by_is_part_of_the_key_and_its_host_ignores_case) {
  Message other = trace_invite();
  set_header(other, "Via", "SIP/2.0/UDP 127.0.0.2:5090;branch=z9hG4bK-6632-1-0");
  BOOST_TEST((server_key(other).value() != server_key(trace_invite()).value()));
  Message upper = trace_invite();
  set_header(upper, "Via", "SIP/2.0/UDP HOST.example:5090;branch=z9hG4bK-1");
  BOOST_TEST(server_key(upper).value().sent_by == "host.example:5090");
}

BOOST_AUTO_TEST_CASE(rfc2543_branch_and_missing_via_are_errors) {
  Message old = trace_invite();
  set_header(old, "Via", "SIP/2.0/UDP 127.0.0.1:5090;branch=1234");
  const auto e = server_key(old);
  BOOST_TEST_REQUIRE(!e.has_value());
  BOOST_TEST(e.error().message.find("magic cookie") != std::string::npos);
  Message none = trace_invite();
  std::erase_if(none.headers, [](const Header& h) { return same_header_name(h.name, "Via"); });
  BOOST_TEST(!server_key(none).has_value());
}

BOOST_AUTO_TEST_CASE(response_matches_the_client_request_by_branch_and_cseq_method) {  // RFC 3261 17.1.3
  const Message bye = must_parse(kBye);
  const Message ok = make_response(bye, 200, "OK");
  BOOST_TEST((client_key(ok).value() == client_key_of_request(bye).value()));
  Message other_method = ok;
  set_header(other_method, "CSeq", "2 CANCEL");
  BOOST_TEST((client_key(other_method).value() != client_key_of_request(bye).value()));
}

BOOST_AUTO_TEST_CASE(make_response_copies_the_rfc_headers_and_adds_the_to_tag) {  // RFC 3261 8.2.6.2
  const Message r = make_response(trace_invite(), 486, "Busy Here", "uas-1");
  BOOST_TEST(r.status()->code == 486);
  BOOST_TEST(r.header("Via").value() == "SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-6632-1-0");
  BOOST_TEST(r.header("To").value() == "<sip:1008@127.0.0.1:5060>;tag=uas-1");
  BOOST_TEST(r.header("CSeq").value() == "1 INVITE");
  BOOST_TEST(r.header("Call-ID").value() == "1-6632@127.0.0.1");
  BOOST_TEST(!r.header("Contact").has_value());
  BOOST_TEST(r.body.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(invite_server_transaction)  // RFC 3261 17.2.1

BOOST_AUTO_TEST_CASE(final_486_is_resent_by_timer_g_until_timer_h_at_32s) {
  InviteServerTransaction tx(Delivery::Unreliable);
  const Message busy = make_response(trace_invite(), 486, "Busy Here", "uas-1");
  const Actions sent = tx.send_response(busy, at(0));
  BOOST_TEST(describe_all(sent, at(0)) == lines({"0 send"}));
  BOOST_TEST((std::get<Send>(sent[0]).bytes == serialize(busy)));
  BOOST_TEST((tx.state() == InviteServerTransaction::State::Completed));
  BOOST_TEST(run_timers(tx, 40000) == plus(kDoublingTo4sUntil32s, {"32000 timeout H", "32000 end"}));
  BOOST_TEST((tx.state() == InviteServerTransaction::State::Terminated));
  BOOST_TEST(!tx.next_deadline().has_value());
}

BOOST_AUTO_TEST_CASE(ack_confirms_and_timer_i_ends_it_t4_later) {
  InviteServerTransaction tx(Delivery::Unreliable);
  (void)tx.send_response(make_response(trace_invite(), 486, "Busy Here", "uas-1"), at(0));
  BOOST_TEST(run_timers(tx, 1600) == lines({"500 send", "1500 send"}));
  BOOST_TEST(tx.on_request(ack_for_non_2xx(trace_invite()), at(1600)).empty());
  BOOST_TEST((tx.state() == InviteServerTransaction::State::Confirmed));
  BOOST_TEST(tx.on_request(ack_for_non_2xx(trace_invite()), at(2000)).empty());  // absorbed
  BOOST_TEST(tx.on_request(trace_invite(), at(2100)).empty());                   // absorbed in Confirmed
  BOOST_TEST(run_timers(tx, 40000) == lines({"6600 end"}));                        // I = T4, no more G
}

BOOST_AUTO_TEST_CASE(retransmitted_invite_gets_the_last_response_again) {
  InviteServerTransaction tx(Delivery::Unreliable);
  BOOST_TEST(tx.on_request(trace_invite(), at(0)).empty());  // nothing sent yet: nothing to resend
  const Message trying = make_response(trace_invite(), 100, "Trying");
  (void)tx.send_response(trying, at(10));
  const Actions again = tx.on_request(trace_invite(), at(500));
  BOOST_TEST_REQUIRE(again.size() == 1u);
  BOOST_TEST((std::get<Send>(again[0]).bytes == serialize(trying)));
  const Message busy = make_response(trace_invite(), 486, "Busy Here", "uas-1");
  (void)tx.send_response(busy, at(600));
  const Actions after = tx.on_request(trace_invite(), at(700));
  BOOST_TEST_REQUIRE(after.size() == 1u);
  BOOST_TEST((std::get<Send>(after[0]).bytes == serialize(busy)));
}

BOOST_AUTO_TEST_CASE(a_2xx_terminates_at_once) {
  InviteServerTransaction tx(Delivery::Unreliable);
  const Actions a = tx.send_response(make_response(trace_invite(), 200, "OK", "uas-1"), at(0));
  BOOST_TEST(describe_all(a, at(0)) == lines({"0 send", "0 end"}));
  BOOST_TEST(!tx.next_deadline().has_value());
  BOOST_TEST(tx.send_response(make_response(trace_invite(), 486, "Busy Here"), at(1)).empty());
}

BOOST_AUTO_TEST_CASE(reliable_transport_has_no_timer_g_and_ack_ends_at_once) {
  InviteServerTransaction tx(Delivery::Reliable);
  (void)tx.send_response(make_response(trace_invite(), 486, "Busy Here", "uas-1"), at(0));
  BOOST_TEST((tx.next_deadline() == at(32000)));  // only H
  const Actions a = tx.on_request(ack_for_non_2xx(trace_invite()), at(100));
  BOOST_TEST(describe_all(a, at(100)) == lines({"100 end"}));  // I is zero
}

BOOST_AUTO_TEST_CASE(timers_are_configurable) {
  InviteServerTransaction tx(Delivery::Unreliable, TransactionTimers{Millis(100), Millis(400), Millis(1000)});
  (void)tx.send_response(make_response(trace_invite(), 603, "Decline"), at(0));
  BOOST_TEST(run_timers(tx, 10000) ==
             lines({"100 send", "300 send", "700 send", "1100 send", "1500 send", "1900 send", "2300 send",
                    "2700 send", "3100 send", "3500 send", "3900 send", "4300 send", "4700 send", "5100 send",
                    "5500 send", "5900 send", "6300 send", "6400 timeout H", "6400 end"}));
}

BOOST_AUTO_TEST_CASE(a_late_wake_up_catches_up_on_the_schedule) {
  InviteServerTransaction tx(Delivery::Unreliable);
  (void)tx.send_response(make_response(trace_invite(), 486, "Busy Here"), at(0));
  BOOST_TEST(tx.on_timer(at(499)).empty());
  BOOST_TEST(tx.on_timer(at(4000)).size() == 3u);  // G at 500, 1500, 3500
  BOOST_TEST((tx.next_deadline() == at(7500)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(invite_ok_retransmitter)  // RFC 3261 13.3.1.4


BOOST_AUTO_TEST_CASE(ok_is_resent_doubling_to_t2_and_given_up_at_32s) {
  InviteOkRetransmitter ok(ok_for_trace());
  BOOST_TEST(describe_all(ok.start(at(0)), at(0)) == lines({"0 send"}));
  BOOST_TEST(run_timers(ok, 40000) == plus(kDoublingTo4sUntil32s, {"32000 timeout 2xx", "32000 end"}));
  BOOST_TEST(ok.done());
}

BOOST_AUTO_TEST_CASE(the_ack_of_the_dialog_stops_it) {
  InviteOkRetransmitter ok(ok_for_trace());
  (void)ok.start(at(0));
  BOOST_TEST(run_timers(ok, 2000) == lines({"500 send", "1500 send"}));
  // 17.1.1.3 / 13.2.2.4: the ACK for a 2xx is a new transaction with its own branch.
  Message ack = ack_for_non_2xx(trace_invite());
  set_header(ack, "Via", "SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-6632-1-5");
  Message wrong_tag = ack;
  set_header(wrong_tag, "To", "<sip:1008@127.0.0.1:5060>;tag=other");
  BOOST_TEST(!ok.matches_ack(wrong_tag));
  BOOST_TEST(ok.on_ack(wrong_tag, at(2100)).empty());
  BOOST_TEST(ok.matches_ack(ack));
  BOOST_TEST(describe_all(ok.on_ack(ack, at(2200)), at(2200)) == lines({"2200 end"}));
  BOOST_TEST(!ok.next_deadline().has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(non_invite_server_transaction)  // RFC 3261 17.2.2

BOOST_AUTO_TEST_CASE(trying_absorbs_then_the_last_response_answers_until_timer_j) {
  const Message bye = must_parse(kBye);
  NonInviteServerTransaction tx(Delivery::Unreliable);
  BOOST_TEST(tx.on_request(bye, at(0)).empty());  // Trying: absorbed
  const Message ok = make_response(bye, 200, "OK");
  BOOST_TEST(describe_all(tx.send_response(ok, at(100)), at(100)) == lines({"100 send"}));
  BOOST_TEST((tx.state() == NonInviteServerTransaction::State::Completed));
  const Actions again = tx.on_request(bye, at(20000));
  BOOST_TEST_REQUIRE(again.size() == 1u);
  BOOST_TEST((std::get<Send>(again[0]).bytes == serialize(ok)));
  BOOST_TEST(tx.send_response(make_response(bye, 500, "Oops"), at(20001)).empty());  // one final only
  BOOST_TEST(run_timers(tx, 40000) == lines({"32100 end"}));                        // J = 64*T1
}

BOOST_AUTO_TEST_CASE(provisional_moves_to_proceeding_and_is_resent) {
  const Message bye = must_parse(kBye);
  NonInviteServerTransaction tx(Delivery::Unreliable);
  (void)tx.send_response(make_response(bye, 100, "Trying"), at(0));
  BOOST_TEST((tx.state() == NonInviteServerTransaction::State::Proceeding));
  BOOST_TEST(tx.on_request(bye, at(10)).size() == 1u);
  BOOST_TEST(!tx.next_deadline().has_value());
}

BOOST_AUTO_TEST_CASE(reliable_transport_ends_at_the_final_response) {
  const Message bye = must_parse(kBye);
  NonInviteServerTransaction tx(Delivery::Reliable);
  BOOST_TEST(describe_all(tx.send_response(make_response(bye, 200, "OK"), at(0)), at(0)) ==
             lines({"0 send", "0 end"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(non_invite_client_transaction)  // RFC 3261 17.1.2

BOOST_AUTO_TEST_CASE(timer_e_doubles_to_t2_and_timer_f_reports_a_local_408) {
  NonInviteClientTransaction tx(must_parse(kBye), Delivery::Unreliable);
  BOOST_TEST(describe_all(tx.start(at(0)), at(0)) == lines({"0 send"}));
  BOOST_TEST(run_timers(tx, 40000) == plus(kDoublingTo4sUntil32s, {"32000 timeout F 408", "32000 end"}));
}

BOOST_AUTO_TEST_CASE(the_local_408_answers_the_request) {  // RFC 3261 8.1.3.1
  NonInviteClientTransaction tx(must_parse(kBye), Delivery::Unreliable);
  (void)tx.start(at(0));
  const Actions a = tx.on_timer(at(32000));
  const auto* timeout = std::get_if<Timeout>(&a.at(a.size() - 2));
  BOOST_TEST_REQUIRE(timeout != nullptr);
  BOOST_TEST_REQUIRE(timeout->local_response.has_value());
  const Message& r = *timeout->local_response;
  BOOST_TEST(r.status()->reason == "Request Timeout");
  BOOST_TEST(r.header("CSeq").value() == "2 BYE");
  BOOST_TEST((client_key(r).value() == client_key_of_request(tx.request()).value()));
}

BOOST_AUTO_TEST_CASE(provisional_moves_timer_e_to_t2) {
  NonInviteClientTransaction tx(must_parse(kBye), Delivery::Unreliable);
  (void)tx.start(at(0));
  BOOST_TEST(run_timers(tx, 700) == lines({"500 send"}));
  const Message trying = make_response(tx.request(), 100, "Trying");
  BOOST_TEST(describe_all(tx.on_response(trying, at(700)), at(700)) == lines({"700 deliver 100"}));
  BOOST_TEST((tx.state() == NonInviteClientTransaction::State::Proceeding));
  BOOST_TEST(run_timers(tx, 40000) ==
             lines({"1500 send", "5500 send", "9500 send", "13500 send", "17500 send", "21500 send", "25500 send",
                    "29500 send", "32000 timeout F 408", "32000 end"}));
}

BOOST_AUTO_TEST_CASE(final_response_completes_and_timer_k_absorbs_retransmissions) {
  NonInviteClientTransaction tx(must_parse(kBye), Delivery::Unreliable);
  (void)tx.start(at(0));
  const Message ok = make_response(tx.request(), 200, "OK");
  BOOST_TEST(describe_all(tx.on_response(ok, at(300)), at(300)) == lines({"300 deliver 200"}));
  BOOST_TEST((tx.state() == NonInviteClientTransaction::State::Completed));
  BOOST_TEST(tx.on_response(ok, at(800)).empty());  // retransmitted 200: absorbed, no E any more
  BOOST_TEST(run_timers(tx, 40000) == lines({"5300 end"}));  // K = T4
}

BOOST_AUTO_TEST_CASE(reliable_transport_has_no_timer_e_and_no_timer_k) {
  NonInviteClientTransaction tx(must_parse(kBye), Delivery::Reliable);
  (void)tx.start(at(0));
  BOOST_TEST((tx.next_deadline() == at(32000)));
  BOOST_TEST(describe_all(tx.on_response(make_response(tx.request(), 200, "OK"), at(10)), at(10)) ==
             lines({"10 deliver 200", "10 end"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(transaction_table)

BOOST_AUTO_TEST_CASE(invite_486_ack_flow_through_the_table) {
  TransactionTable table;
  const Message invite = trace_invite();
  const auto routed = table.on_message(invite, at(0));
  const auto* fresh = std::get_if<TransactionTable::NewRequest>(&routed);
  BOOST_TEST_REQUIRE(fresh != nullptr);
  const TransactionKey key = table.add_server(invite, Delivery::Unreliable).value();
  BOOST_TEST((key == fresh->key));
  BOOST_TEST(!table.add_server(invite, Delivery::Unreliable).has_value());  // key taken

  (void)table.send_response(key, make_response(invite, 100, "Trying"), at(5));
  const auto again = table.on_message(invite, at(500));  // retransmission: absorbed with the 100
  BOOST_TEST_REQUIRE(std::holds_alternative<TransactionTable::Matched>(again));
  BOOST_TEST(std::get<TransactionTable::Matched>(again).actions.size() == 1u);

  (void)table.send_response(key, make_response(invite, 486, "Busy Here", "uas-1"), at(1000));
  BOOST_TEST((table.next_deadline() == at(1500)));
  BOOST_TEST(table.on_timer(at(1500)).size() == 1u);
  const auto ack = table.on_message(ack_for_non_2xx(invite), at(1600));
  BOOST_TEST_REQUIRE(std::holds_alternative<TransactionTable::Matched>(ack));
  BOOST_TEST(table.size() == 1u);
  const auto ended = table.on_timer(at(6600));  // Timer I
  BOOST_TEST_REQUIRE(ended.size() == 1u);
  BOOST_TEST(describe_all(ended[0].actions, at(6600)) == lines({"6600 end"}));
  BOOST_TEST(table.size() == 0u);
}

BOOST_AUTO_TEST_CASE(cancel_is_a_new_request_that_finds_its_invite) {
  TransactionTable table;
  const TransactionKey invite_key = table.add_server(trace_invite(), Delivery::Unreliable).value();
  const auto routed = table.on_message(with_method(trace_invite(), "CANCEL"), at(100));
  const auto* fresh = std::get_if<TransactionTable::NewRequest>(&routed);
  BOOST_TEST_REQUIRE(fresh != nullptr);
  BOOST_TEST((fresh->key != invite_key));
  BOOST_TEST(table.find(cancelled_invite_key(fresh->key)) != nullptr);
}

BOOST_AUTO_TEST_CASE(ack_for_a_2xx_is_a_new_request_for_the_tu) {
  TransactionTable table;
  const TransactionKey key = table.add_server(trace_invite(), Delivery::Unreliable).value();
  (void)table.send_response(key, make_response(trace_invite(), 200, "OK", "uas-1"), at(0));
  BOOST_TEST(table.size() == 0u);  // terminated by the 2xx
  Message ack = ack_for_non_2xx(trace_invite());
  set_header(ack, "Via", "SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-6632-1-5");
  BOOST_TEST(std::holds_alternative<TransactionTable::NewRequest>(table.on_message(ack, at(10))));
  BOOST_TEST(!table.add_server(ack, Delivery::Unreliable).has_value());
}

BOOST_AUTO_TEST_CASE(client_transactions_get_their_responses_and_strays_are_named) {
  TransactionTable table;
  const auto started = table.send_request(must_parse(kBye), Delivery::Unreliable, at(0));
  BOOST_TEST_REQUIRE(started.has_value());
  BOOST_TEST(started->actions.size() == 1u);
  const Message ok = make_response(must_parse(kBye), 200, "OK");
  const auto routed = table.on_message(ok, at(50));
  BOOST_TEST_REQUIRE(std::holds_alternative<TransactionTable::Matched>(routed));
  BOOST_TEST(describe_all(std::get<TransactionTable::Matched>(routed).actions, at(50)) == lines({"50 deliver 200"}));
  Message stray = ok;
  set_header(stray, "Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-unknown");
  BOOST_TEST(std::holds_alternative<TransactionTable::StrayResponse>(table.on_message(stray, at(60))));
  Message no_via = ok;
  std::erase_if(no_via.headers, [](const Header& h) { return same_header_name(h.name, "Via"); });
  BOOST_TEST(std::holds_alternative<TransactionTable::Unroutable>(table.on_message(no_via, at(70))));
  BOOST_TEST(!table.send_request(trace_invite(), Delivery::Unreliable, at(80)).has_value());  // INVITE: not here
}

BOOST_AUTO_TEST_CASE(timer_f_through_the_table_yields_the_408_and_removes_it) {
  TransactionTable table;
  (void)table.send_request(must_parse(kBye), Delivery::Reliable, at(0));
  const auto fired = table.on_timer(at(32000));
  BOOST_TEST_REQUIRE(fired.size() == 1u);
  BOOST_TEST(describe_all(fired[0].actions, at(32000)) == lines({"32000 timeout F 408", "32000 end"}));
  BOOST_TEST(table.size() == 0u);
  BOOST_TEST(!table.next_deadline().has_value());
}

BOOST_AUTO_TEST_SUITE_END()
