// The kamailio profile: one test per row of the transition table (mohqueue-behaviour.md §4.2), named after the
// row, then the wire details checked against the Kamailio 5.6.3 traces, then the rest of the engine's surface.
#include "engine_fixture.hpp"

#include <algorithm>

namespace mohq::sim::test {

namespace {

// Pops every queued copy of a retransmitted request; how many there were.
int drain_requests(EngineFixture& f, const std::string& method) {
  int n = 0;
  while (!f.env.sip.empty() && f.env.sip.front().message.request() &&
         f.env.sip.front().message.request()->method == method) {
    f.env.sip.pop_front();
    ++n;
  }
  return n;
}

bool logged(const EngineFixture& f, const std::string& text) {
  return std::any_of(f.env.logs.begin(), f.env.logs.end(),
                     [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

const std::string kRequire100rel = "Require: 100rel\n";

}  // namespace

// ===================================================================================== §4.2: call setup (ENTER)
BOOST_AUTO_TEST_SUITE(kamailio_setup)

BOOST_FIXTURE_TEST_CASE(row_initial_invite_free_slot_inserts_db_row_enter, KamailioEngine) {
  Caller c;
  send_invite(c);
  BOOST_REQUIRE_EQUAL(env.db.size(), 1u);
  const auto row = env.db.front().row;
  BOOST_CHECK_EQUAL(row.mohq_id, 1);
  BOOST_CHECK_EQUAL(row.call_id, c.call_id);
  BOOST_CHECK(row.call_status == sim_db::CallStatus::entering);
  BOOST_CHECK_EQUAL(row.call_from, "<sip:caller1@127.0.0.1:5090>;tag=6632SIPpTag001");
  BOOST_CHECK_EQUAL(row.call_contact, "<sip:caller1@127.0.0.1:5090>");
  BOOST_CHECK(row.call_time == env.wall);
  expect_db_insert(c);
  expect_state(c, CallState::Enter);
  // The offer goes to rtpproxy before anything goes to the caller.
  expect_rtpproxy(offer_cmd(c));
  expect_nothing_sent();
  BOOST_CHECK_EQUAL(engine->calls().front().queue, "abc");
}

BOOST_FIXTURE_TEST_CASE(row_enter_no_sdp_488_stateless_deleted, KamailioEngine) {
  Caller c;
  send_invite(c, {.body = std::nullopt});
  expect_db_insert(c);
  const auto reply = expect_response(488, "Not Acceptable Here");
  BOOST_CHECK_EQUAL(header(reply, "CSeq"), "1 INVITE");
  BOOST_CHECK(header(reply, "To").find(";tag=") != std::string::npos);
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();
  // Stateless: the retransmitted INVITE is processed again, as by sl.
  retransmit_invite(c);
  expect_db_insert(c);
  expect_response(488, "Not Acceptable Here");
  expect_db_delete(c);
}

BOOST_FIXTURE_TEST_CASE(row_enter_allow_without_refer_488_deleted, KamailioEngine) {
  Caller c;
  send_invite(c, {.allow = "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, NOTIFY\n"});
  expect_db_insert(c);
  expect_response(488, "Not Acceptable Here");
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();
  // No Allow header at all is accepted; "refer" matches case-insensitively.
  Caller c2 = Caller::number(2);
  send_invite(c2, {.allow = ""});
  expect_db_insert(c2);
  expect_rtpproxy(offer_cmd(c2));
  Caller c3 = Caller::number(3);
  send_invite(c3, {.allow = "Allow: INVITE;refer\n"});
  expect_db_insert(c3);
  expect_rtpproxy(offer_cmd(c3));
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(row_enter_rtpproxy_offer_fails_486_no_delete, KamailioEngine) {
  Caller c;
  send_invite(c);
  expect_db_insert(c);
  expect_rtpproxy(offer_cmd(c));
  reply_error();
  const auto busy = expect_response(486, "Busy Here");
  BOOST_CHECK_EQUAL(header(busy, "CSeq"), "1 INVITE");
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();  // B7: no D
  // A transport failure (no reply from any node) is the same.
  Caller c2 = Caller::number(2);
  send_invite(c2);
  expect_db_insert(c2);
  expect_rtpproxy(offer_cmd(c2));
  reply_failure();
  expect_response(486, "Busy Here");
  expect_db_delete(c2);
  expect_nothing_sent();
}

// Rows "tm transaction creation fails" and "To-tag creation or callback registration fails" have no event in
// the engine (transactions and tags cannot fail there): not covered, see the report.

BOOST_FIXTURE_TEST_CASE(row_enter_ok_100_trying_to_enter_moh_queue, KamailioEngine) {
  Caller c;
  send_invite(c);
  expect_db_insert(c);
  expect_rtpproxy(offer_cmd(c));
  reply_port(40000, "127.0.0.1");
  const auto trying = expect_response(100, "Trying to enter MOH queue");
  BOOST_CHECK_EQUAL(header(trying, "To"), "<sip:1008@127.0.0.1:5060>");  // no To-tag
  BOOST_CHECK(!trying.header("Contact"));
  BOOST_CHECK_EQUAL(header(trying, "Via"), "SIP/2.0/UDP 127.0.0.1:5090;branch=" + c.invite_branch);
  expect_state(c, CallState::Trying);
  learn_tag_from_answer(c);  // then the answer goes to rtpproxy
  expect_nothing_sent();
}

BOOST_AUTO_TEST_SUITE_END()

// ========================================================================================== §4.2: 100rel / PRACK
BOOST_AUTO_TEST_SUITE(kamailio_prack)

namespace {
// INVITE with Require: 100rel up to the reliable 180; returns the 180.
sip::Message invite_to_ringing(EngineFixture& f, Caller& c) {
  f.send_invite(c, {.extra = kRequire100rel});
  f.expect_db_insert(c);
  f.expect_rtpproxy(f.offer_cmd(c));
  f.reply_port(40000, "127.0.0.1");
  f.expect_response(100, "Trying to enter MOH queue");
  auto ringing = f.expect_response(180, "Ringing");
  const auto to = header(ringing, "To");
  c.to_tag = to.substr(to.find(";tag=") + 5);
  return ringing;
}
}  // namespace

BOOST_FIXTURE_TEST_CASE(row_trying_require_100rel_reliable_180_prackstrt, KamailioEngine) {
  Caller c;
  const auto ringing = invite_to_ringing(*this, c);
  BOOST_CHECK_EQUAL(c.to_tag.size(), 41u);
  BOOST_CHECK_EQUAL(header(ringing, "Contact"), "<" + kQueueUri + ">");
  BOOST_CHECK_EQUAL(header(ringing, "Accept-Language"), "en");
  BOOST_CHECK_EQUAL(header(ringing, "Require"), "100rel");
  const auto rseq = header(ringing, "RSeq");
  BOOST_CHECK(!rseq.empty() && std::all_of(rseq.begin(), rseq.end(), [](char ch) { return ch >= '0' && ch <= '9'; }));
  // The module's extra headers in its order: Contact, Accept-Language, Require, RSeq.
  const auto names = header_names(ringing);
  const auto at = std::find(names.begin(), names.end(), "Contact");
  BOOST_REQUIRE(at != names.end() && names.end() - at >= 4);
  BOOST_CHECK_EQUAL(*(at + 1), "Accept-Language");
  BOOST_CHECK_EQUAL(*(at + 2), "Require");
  BOOST_CHECK_EQUAL(*(at + 3), "RSeq");
  BOOST_CHECK(ringing.body.empty());
  expect_state(c, CallState::PrackStart);
  expect_nothing_sent();  // no answer to rtpproxy before the PRACK
  advance(10s);
  expect_nothing_sent();  // B8: the 180 is sent once
  expect_state(c, CallState::PrackStart);
}

BOOST_FIXTURE_TEST_CASE(supported_100rel_alone_sends_no_180, KamailioEngine) {
  Caller c;
  invite_to_trying(c, {.extra = "Supported: 100rel\n"});
  expect_no_sip();
}

BOOST_FIXTURE_TEST_CASE(row_prackstrt_prack_200_prackrply_then_answer, KamailioEngine) {
  Caller c;
  const auto ringing = invite_to_ringing(*this, c);
  send_prack(c, header(ringing, "RSeq") + " 1 INVITE");
  const auto ok = expect_response(200, "OK");
  BOOST_CHECK_EQUAL(header(ok, "CSeq"), "2 PRACK");
  expect_state(c, CallState::PrackReply);
  expect_rtpproxy(answer_cmd(c));
  answer_to_invited(c);
  expect_state(c, CallState::Invited);
  send_ack(c);
  expect_db_update(c, 2);
  expect_state(c, CallState::InQueue);
}

BOOST_FIXTURE_TEST_CASE(row_prackstrt_cancel_487_to_cancel_no_final_to_invite, KamailioEngine) {
  Caller c;
  invite_to_ringing(*this, c);
  send_cancel(c);
  const auto terminated = expect_response(487, "Request Terminated");
  BOOST_CHECK_EQUAL(header(terminated, "CSeq"), "1 CANCEL");  // B5: the CANCEL gets it
  expect_rtpproxy(delete_cmd(c, false));
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();
  advance(40s);
  expect_nothing_sent();  // the INVITE never gets a final response
}

BOOST_FIXTURE_TEST_CASE(row_prackstrt_32s_no_prack_delete_no_final_response, KamailioEngine) {
  Caller c;
  invite_to_ringing(*this, c);
  advance(31999ms);
  expect_nothing_sent();
  expect_state(c, CallState::PrackStart);
  advance(1ms);
  expect_rtpproxy(delete_cmd(c, false));
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();
  BOOST_CHECK(logged(*this, "No PRACK response"));
}

BOOST_FIXTURE_TEST_CASE(prack_rack_is_not_checked, KamailioEngine) {
  Caller c;
  invite_to_ringing(*this, c);
  send_prack(c, "1 99 INVITE");
  expect_response(200, "OK");
  expect_state(c, CallState::PrackReply);
}

BOOST_AUTO_TEST_SUITE_END()

// =================================================================================== §4.2: answer and ACK
BOOST_AUTO_TEST_SUITE(kamailio_answer)

BOOST_FIXTURE_TEST_CASE(row_trying_answer_built_200_with_sdp_invited, KamailioEngine) {
  Caller c;
  invite_to_trying(c);
  const auto ok = answer_to_invited(c);
  BOOST_CHECK_EQUAL(header(ok, "To"), "<sip:1008@127.0.0.1:5060>;tag=" + c.to_tag);
  BOOST_CHECK_EQUAL(header(ok, "Contact"), "<" + kQueueUri + ">");
  BOOST_CHECK_EQUAL(header(ok, "Content-Type"), "application/sdp");
  BOOST_CHECK(ok.body.find("m=audio 40004 RTP/AVP 0 8\r\n") != std::string::npos);
  expect_state(c, CallState::Invited);
  expect_nothing_sent();  // no DB write for INVITED
  // tm retransmits the 2xx until the ACK: T1, 2T1, 4T1.
  const std::string first = last_bytes;
  advance(499ms);
  expect_no_sip();
  advance(1ms);
  expect_response(200, "OK");
  BOOST_CHECK_EQUAL(last_bytes, first);
  advance(1s);
  expect_response(200, "OK");
  advance(2s);
  expect_response(200, "OK");
  expect_no_sip();
}

BOOST_FIXTURE_TEST_CASE(row_answer_construction_fails_500_and_delete, KamailioEngine) {
  Caller c;
  invite_to_trying(c);
  reply_error();  // L fails
  const auto error = expect_response(500, "Server Internal Error");
  BOOST_CHECK_EQUAL(header(error, "CSeq"), "1 INVITE");
  expect_rtpproxy(delete_cmd(c, false));
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(row_invited_ack_inqueue_db2_stops_retransmission, KamailioEngine) {
  Caller c;
  invite_to_trying(c);
  answer_to_invited(c);
  advance(100ms);
  send_ack(c);
  expect_db_update(c, 2);
  expect_state(c, CallState::InQueue);
  advance(60s);
  expect_nothing_sent();  // no 2xx retransmission, no ACK timeout
  expect_state(c, CallState::InQueue);
  BOOST_CHECK_EQUAL(engine->calls().front().call_time == env.wall - 60100ms, true);  // call_time untouched
  BOOST_CHECK_EQUAL(*engine->count("abc"), 1u);
}

BOOST_FIXTURE_TEST_CASE(row_invited_no_ack_deleted_after_wait_timer_no_bye_no_d, KamailioEngine) {
  Caller c;
  invite_to_trying(c);
  answer_to_invited(c);
  advance(4999ms);
  int retransmissions = 0;
  while (!env.sip.empty()) {
    expect_response(200, "OK");
    ++retransmissions;
  }
  BOOST_CHECK_EQUAL(retransmissions, 3);  // 0.5 s, 1.5 s, 3.5 s
  expect_state(c, CallState::Invited);
  advance(1ms);
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();  // no BYE, no D
  BOOST_CHECK(logged(*this, "callstate=68"));  // logged in hex, as invite_cb does
}

BOOST_AUTO_TEST_SUITE_END()

// ========================================================================== §4.2: CANCEL, BYE, re-INVITE before 200
BOOST_AUTO_TEST_SUITE(kamailio_early)

BOOST_FIXTURE_TEST_CASE(row_below_200_cancel_487_to_cancel_state_cancel, KamailioEngine) {
  Caller c;
  invite_to_trying(c);
  answer_to_invited(c);
  send_cancel(c);
  const auto terminated = expect_response(487, "Request Terminated");
  BOOST_CHECK_EQUAL(header(terminated, "CSeq"), "1 CANCEL");
  expect_state(c, CallState::Cancel);
  expect_nothing_sent();  // nothing to the INVITE, no D, no DB
}

BOOST_FIXTURE_TEST_CASE(row_cancel_while_rtpproxy_is_asked, KamailioEngine) {
  // CANCEL in ENTER (the offer not yet answered): 487 to the CANCEL; the late offer reply ends the call quietly.
  Caller c;
  send_invite(c);
  expect_db_insert(c);
  expect_rtpproxy(offer_cmd(c));
  send_cancel(c);
  expect_response(487, "Request Terminated");
  expect_state(c, CallState::Cancel);
  reply_port(40000, "127.0.0.1");
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();  // no 100, no L, no D (B7)
  // In TRYING (the answer being asked): the same, but the session is deleted once L comes back.
  Caller c2 = Caller::number(2);
  invite_to_trying(c2);
  send_cancel(c2);
  expect_response(487, "Request Terminated");
  reply_port(40004, "127.0.0.1");
  expect_rtpproxy(delete_cmd(c2, false));
  expect_db_delete(c2);
  expect_deleted(c2);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(row_cancel_then_ack_ignored_deleted_by_wait_timer, KamailioEngine) {
  Caller c;
  invite_to_trying(c);
  answer_to_invited(c);
  advance(1s);
  while (!env.sip.empty()) expect_response(200, "OK");
  send_cancel(c);
  expect_response(487, "Request Terminated");
  send_ack(c);
  expect_state(c, CallState::Cancel);  // "Unexpected ACK"
  expect_no_db();
  advance(4s);  // 5 s after the 200: invite_cb, callstate=69
  while (!env.sip.empty() && env.sip.front().message.status()) env.sip.pop_front();
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();  // the caller is left in a confirmed dialog: no BYE, no D (B5)
  BOOST_CHECK(logged(*this, "callstate=69"));
}

BOOST_FIXTURE_TEST_CASE(row_below_200_bye_200_stateless_no_d_deleted, KamailioEngine) {
  Caller c;
  invite_to_trying(c);
  answer_to_invited(c);
  send_bye(c);
  const auto ok = expect_response(200, "OK");
  BOOST_CHECK_EQUAL(header(ok, "CSeq"), "2 BYE");
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();  // B7: no D
  BOOST_CHECK(logged(*this, "Ending call before placed in queue"));
  advance(10s);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(row_below_200_reinvite_491_unchanged, KamailioEngine) {
  Caller c;
  invite_to_trying(c);
  answer_to_invited(c);
  send_reinvite(c, reoffer("sendrecv"));
  const auto pending = expect_response(491, "Request Pending");
  BOOST_CHECK_EQUAL(header(pending, "CSeq"), "2 INVITE");
  expect_state(c, CallState::Invited);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(row_at_or_above_200_cancel_481, KamailioEngine) {
  Caller c;
  establish(c);
  send_cancel(c);
  const auto gone = expect_response(481, "Call/Transaction Does Not Exist");
  BOOST_CHECK_EQUAL(header(gone, "CSeq"), "1 CANCEL");
  expect_state(c, CallState::InQueue);
  expect_nothing_sent();
}

BOOST_AUTO_TEST_SUITE_END()

// ======================================================================================= §4.2: retrieve / REFER
BOOST_AUTO_TEST_SUITE(kamailio_refer)

BOOST_FIXTURE_TEST_CASE(row_inqueue_retrieve_refer_db3, KamailioEngine) {
  Caller c;
  establish(c);
  const auto refer = retrieve_refer(c);
  BOOST_CHECK_EQUAL(refer.request()->uri, c.contact_uri());
  BOOST_CHECK_EQUAL(header(refer, "CSeq"), "2 REFER");  // observed: the first request after the ACK is CSeq 2
  BOOST_CHECK_EQUAL(header(refer, "To"), "<" + c.contact_uri() + ">;tag=" + c.from_tag);
  BOOST_CHECK_EQUAL(header(refer, "From"), "<" + kQueueUri + ">;tag=" + c.to_tag);
  BOOST_CHECK_EQUAL(header(refer, "Refer-To"), "<" + kOperator + ">");
  BOOST_CHECK_EQUAL(header(refer, "Referred-By"), "<" + kQueueUri + ">");
  BOOST_CHECK_EQUAL(header(refer, "Contact"), "<" + kQueueUri + ">");
  BOOST_CHECK_EQUAL(header(refer, "Max-Forwards"), "70");
  BOOST_CHECK(!refer.header("Event"));
  BOOST_CHECK(refer.body.empty());
  BOOST_CHECK_EQUAL(last_destination.address.to_string(), "127.0.0.1:5090");
  BOOST_CHECK_EQUAL(engine->calls().front().refer_to, kOperator);
  BOOST_CHECK_EQUAL(*engine->count("abc"), 0u);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(row_refer_cannot_be_sent_back_to_inqueue_db2, KamailioEngine) {
  Caller c;
  establish(c);
  env.resolvable = false;
  const auto referred = engine->retrieve("abc", kOperator, now());
  BOOST_CHECK(!referred.has_value());
  expect_db_update(c, 3);
  expect_db_update(c, 2);
  expect_state(c, CallState::InQueue);
  expect_nothing_sent();
  env.resolvable = true;
  retrieve_refer(c);  // still retrievable
}

BOOST_FIXTURE_TEST_CASE(row_refer_2xx_rfrwait_db_untouched_refer_time_refreshed, KamailioEngine) {
  Caller c;
  establish(c);
  const auto refer = retrieve_refer(c);
  advance(10s);
  BOOST_CHECK_EQUAL(drain_requests(*this, "REFER"), 4);  // Timer E: 0.5, 1.5, 3.5, 7.5 s
  respond(c, refer, 202, "Accepted");
  expect_state(c, CallState::ReferWait);
  expect_nothing_sent();
  advance(31999ms);  // 42 s after the REFER, 32 s after the 202 minus 1 ms
  expect_nothing_sent();
  advance(1ms);
  expect_request("BYE");
}

BOOST_FIXTURE_TEST_CASE(row_refer_481_deleted_no_bye_no_d, KamailioEngine) {
  Caller c;
  establish(c);
  const auto refer = retrieve_refer(c);
  respond(c, refer, 481, "Call/Transaction Does Not Exist");
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(row_refer_other_final_deleted_b2, KamailioEngine) {
  Caller c;
  establish(c);
  const auto refer = retrieve_refer(c);
  respond(c, refer, 603, "Decline");
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();  // B2: not requeued; no BYE, no D
  // The caller's later BYE is silently dropped.
  send_bye(c);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(row_refer_local_408_timeout_deleted_b2, KamailioEngine) {
  Caller c;
  establish(c);
  retrieve_refer(c);
  advance(31999ms);
  BOOST_CHECK_GE(drain_requests(*this, "REFER"), 5);  // Timer E retransmissions
  expect_state(c, CallState::Refer);
  expect_nothing_sent();
  advance(1ms);  // Timer F: tm's local 408
  drain_requests(*this, "REFER");
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();  // no BYE, no D
}

BOOST_FIXTURE_TEST_CASE(row_rfrwait_notify_1xx_200_refreshes_refer_time, KamailioEngine) {
  Caller c;
  establish(c);
  transfer_accepted(c);
  advance(20s);
  send_notify(c, "SIP/2.0 100 Trying\r\n");
  const auto ok = expect_response(200, "OK");
  BOOST_CHECK_EQUAL(header(ok, "CSeq"), "2 NOTIFY");
  expect_state(c, CallState::ReferWait);
  advance(31s);  // 51 s after the 202, 31 s after the NOTIFY
  expect_nothing_sent();
  expect_state(c, CallState::ReferWait);
  advance(1s);  // 32 s after the NOTIFY: the stale-REFER cleanup
  expect_request("BYE");
  expect_state(c, CallState::Bye);
}

BOOST_FIXTURE_TEST_CASE(row_rfrwait_notify_2xx_200_d_bye, KamailioEngine) {
  Caller c;
  establish(c);
  transfer_accepted(c);
  send_notify(c, "SIP/2.0 200 OK\r\n", "message/sipfrag;version=2.0", "terminated;reason=noresource");
  expect_response(200, "OK");
  expect_rtpproxy(delete_cmd(c));
  const auto bye = expect_request("BYE");
  BOOST_CHECK_EQUAL(header(bye, "CSeq"), "3 BYE");
  BOOST_CHECK_EQUAL(bye.request()->uri, c.contact_uri());
  expect_state(c, CallState::Bye);
  expect_nothing_sent();  // DB stays 3 (Q5)
  // Order: 200 to the NOTIFY, then D, then BYE.
  const auto& t = env.timeline;
  BOOST_REQUIRE_GE(t.size(), 3u);
  BOOST_CHECK_EQUAL(t[t.size() - 3], "sip SIP/2.0 200 OK");
  BOOST_CHECK_EQUAL(t[t.size() - 2], "rtpp " + delete_cmd(c));
  BOOST_CHECK_EQUAL(t[t.size() - 1], "sip BYE " + c.contact_uri() + " SIP/2.0");
}

BOOST_FIXTURE_TEST_CASE(row_rfrwait_notify_487_200_d_no_bye_deleted, KamailioEngine) {
  Caller c;
  establish(c);
  transfer_accepted(c);
  send_notify(c, "SIP/2.0 487 Request Terminated\r\n");
  expect_response(200, "OK");
  expect_rtpproxy(delete_cmd(c));
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(row_rfrwait_notify_other_failure_200_db2_inqueue, KamailioEngine) {
  Caller c;
  establish(c);
  transfer_accepted(c);
  send_notify(c, "SIP/2.0 486 Busy Here");  // no CRLF: appended by the module
  expect_response(200, "OK");
  expect_db_update(c, 2);
  expect_state(c, CallState::InQueue);
  expect_nothing_sent();  // MOH never stopped: no rtpproxy command
  BOOST_CHECK_EQUAL(*engine->count("abc"), 1u);
  // The caller's later BYE gets 200 + D (kamailio-on-debian.md).
  send_bye(c);
  expect_rtpproxy(delete_cmd(c));
  expect_response(200, "OK");
  expect_db_delete(c);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(row_refer_rfrwait_stale_after_32s_bye_no_d, KamailioEngine) {
  Caller c;
  establish(c);
  transfer_accepted(c);
  advance(31999ms);
  expect_nothing_sent();
  advance(1ms);
  const auto bye = expect_request("BYE");
  BOOST_CHECK_EQUAL(header(bye, "CSeq"), "3 BYE");
  expect_state(c, CallState::Bye);
  expect_nothing_sent();  // FAKED_REPLY: no D
  BOOST_CHECK(logged(*this, "Dropping call because no response to REFER"));
}

BOOST_FIXTURE_TEST_CASE(notify_outside_rfrwait_481_and_bad_sipfrag_415, KamailioEngine) {
  Caller c;
  establish(c);
  send_notify(c, "SIP/2.0 200 OK\r\n");
  expect_response(481, "Call/Transaction Does Not Exist");
  expect_state(c, CallState::InQueue);
  // Q6: a NOTIFY that overtakes the 202 gets 481 as well.
  const auto refer = retrieve_refer(c);
  send_notify(c, "SIP/2.0 100 Trying\r\n");
  expect_response(481, "Call/Transaction Does Not Exist");
  respond(c, refer, 202, "Accepted");
  expect_state(c, CallState::ReferWait);
  send_notify(c, "SIP/2.0 200 OK\r\n", "text/plain");
  expect_response(415, "Unsupported Media Type");
  send_notify(c, "hello\r\n");
  expect_response(415, "Unsupported Media Type");
  expect_state(c, CallState::ReferWait);
  expect_nothing_sent();
}

BOOST_AUTO_TEST_SUITE_END()

// =================================================================== §4.2: answered calls (BYE, re-INVITE, drop)
BOOST_AUTO_TEST_SUITE(kamailio_answered)

BOOST_FIXTURE_TEST_CASE(row_at_or_above_200_bye_from_caller_200_and_d, KamailioEngine) {
  Caller c;
  establish(c);
  send_bye(c);
  expect_rtpproxy(delete_cmd(c));
  const auto ok = expect_response(200, "OK");
  BOOST_CHECK_EQUAL(header(ok, "CSeq"), "2 BYE");
  BOOST_CHECK_EQUAL(header(ok, "To"), "<sip:1008@127.0.0.1:5060>;tag=" + c.to_tag);
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();
  // In RFRWAIT too.
  Caller c2 = Caller::number(2);
  establish(c2);
  transfer_accepted(c2);
  send_bye(c2);
  expect_rtpproxy(delete_cmd(c2));
  expect_response(200, "OK");
  expect_db_delete(c2);
  expect_deleted(c2);
}

BOOST_FIXTURE_TEST_CASE(row_byeok_another_bye_no_response, KamailioEngine) {
  Caller c;
  establish(c);
  const std::string bye = request_text(c, "BYE");
  deliver(c, bye);
  expect_rtpproxy(delete_cmd(c));
  expect_response(200, "OK");
  expect_db_delete(c);
  deliver(c, bye);  // the retransmission: no call, no response (B3)
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(row_reinvite_with_hold_200_no_body_d_bye, KamailioEngine) {
  Caller c;
  establish(c);
  send_reinvite(c, reoffer("sendonly"));
  const auto ok = expect_response(200, "OK");
  BOOST_CHECK(ok.body.empty());
  BOOST_CHECK(!ok.header("Content-Type"));
  BOOST_CHECK_EQUAL(header(ok, "CSeq"), "2 INVITE");
  expect_rtpproxy(delete_cmd(c));
  const auto bye = expect_request("BYE");
  BOOST_CHECK_EQUAL(header(bye, "CSeq"), "2 BYE");
  expect_state(c, CallState::Bye);
  expect_nothing_sent();
  // c=0.0.0.0 and a=inactive are hold too.
  Caller c2 = Caller::number(2);
  establish(c2);
  send_reinvite(c2, reoffer("inactive"));
  expect_response(200, "OK");
  expect_rtpproxy(delete_cmd(c2));
  expect_request("BYE");
}

BOOST_FIXTURE_TEST_CASE(row_reinvite_no_hold_200_without_sdp_or_488, KamailioEngine) {
  Caller c;
  establish(c);
  send_reinvite(c, reoffer("sendrecv"));
  const auto ok = expect_response(200, "OK");
  BOOST_CHECK(ok.body.empty());      // B9
  BOOST_CHECK(!ok.header("Contact"));
  BOOST_CHECK_EQUAL(header(ok, "To"), "<sip:1008@127.0.0.1:5060>;tag=" + c.to_tag);
  expect_state(c, CallState::InQueue);
  expect_nothing_sent();  // rtpproxy untouched
  send_ack(c, 2);
  expect_nothing_sent();  // the re-INVITE's ACK is ignored
  // No codec with a prompt file: 488.
  send_reinvite(c, reoffer("sendrecv", "18 101"));
  expect_response(488, "Not Acceptable Here");
  // No SDP: 488.
  send_reinvite(c, "");
  expect_response(488, "Not Acceptable Here");
  expect_state(c, CallState::InQueue);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(reinvite_session_level_sendonly_is_not_hold, KamailioEngine) {
  Caller c;
  establish(c);
  send_reinvite(c, "v=0\no=user1 1 2 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\na=sendonly\n"
                   "m=audio 6000 RTP/AVP 8\n");
  expect_response(200, "OK");
  expect_state(c, CallState::InQueue);  // the parser misses session-level a=sendonly
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(row_any_drop_call_bye_no_d, KamailioEngine) {
  Caller c;
  establish(c);
  const auto dropped = engine->drop_call("abc", c.call_id, now());
  BOOST_REQUIRE(dropped.has_value());
  BOOST_CHECK_EQUAL(*dropped, 1u);
  const auto bye = expect_request("BYE");
  BOOST_CHECK_EQUAL(header(bye, "CSeq"), "2 BYE");
  expect_state(c, CallState::Bye);
  expect_nothing_sent();  // FAKED_REPLY: no D
  // Even before the call was answered (INVITED: 200 sent, no ACK yet).
  Caller c2 = Caller::number(2);
  invite_to_trying(c2);
  answer_to_invited(c2);
  BOOST_CHECK_EQUAL(*engine->drop_call("abc", c2.call_id, now()), 1u);
  const auto early_bye = expect_request("BYE");
  BOOST_CHECK_EQUAL(header(early_bye, "Call-ID"), c2.call_id);
  expect_state(c2, CallState::Bye);
  expect_nothing_sent();
  send_ack(c2);
  expect_state(c2, CallState::Bye);  // "Unexpected ACK"
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(row_bye_final_response_or_408_deleted, KamailioEngine) {
  Caller c;
  establish(c);
  BOOST_REQUIRE(engine->drop_call("abc", c.call_id, now()).has_value());
  const auto bye = expect_request("BYE");
  respond(c, bye, 200, "OK");
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();
  // A non-2xx final response too.
  Caller c2 = Caller::number(2);
  establish(c2);
  BOOST_REQUIRE(engine->drop_call("abc", c2.call_id, now()).has_value());
  respond(c2, expect_request("BYE"), 481, "Call/Transaction Does Not Exist");
  expect_db_delete(c2);
  expect_deleted(c2);
  // No response at all: tm's 408 after Timer F.
  Caller c3 = Caller::number(3);
  establish(c3);
  BOOST_REQUIRE(engine->drop_call("abc", c3.call_id, now()).has_value());
  expect_request("BYE");
  advance(31999ms);
  drain_requests(*this, "BYE");
  expect_state(c3, CallState::Bye);
  advance(1ms);
  drain_requests(*this, "BYE");
  expect_db_delete(c3);
  expect_deleted(c3);
  expect_nothing_sent();
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================== wire details against the Kamailio 5.6.3 traces
BOOST_AUTO_TEST_SUITE(kamailio_traces)

BOOST_FIXTURE_TEST_CASE(ok_200_sdp_byte_exact_against_basic_call_trace, KamailioEngine) {
  Caller c;
  invite_to_trying(c);
  const auto ok = answer_to_invited(c, 40004);
  const std::string trace_body =
      "v=0\r\n"
      "o=- 1 1 IN IP4 127.0.0.1\r\n"
      "s=Kamailio MOH Queue v1.8\r\n"
      "c=IN IP4 127.0.0.1\r\n"
      "t=0 0\r\n"
      "a=sendrecv\r\n"
      "m=audio 40004 RTP/AVP 0 8\r\n"
      "a=rtpmap:0 PCMU/8000 \r\n"
      "a=rtpmap:8 PCMA/8000 \r\n"
      "\r\n"
      "a=nortpproxy:yes";
  BOOST_CHECK_EQUAL(ok.body, trace_body);
  BOOST_CHECK_EQUAL(ok.body.size(), 188u);
  BOOST_CHECK_EQUAL(header(ok, "Content-Length"), "188");
  const std::vector<std::string> expected{"Via",   "From",         "To",       "Call-ID",         "CSeq",
                                          "Contact", "Allow",      "Supported", "Accept-Language", "Content-Type",
                                          "Server", "Content-Length"};
  BOOST_CHECK(header_names(ok) == expected);
  BOOST_CHECK_EQUAL(header(ok, "Via"), "SIP/2.0/UDP 127.0.0.1:5090;branch=" + c.invite_branch);
  BOOST_CHECK_EQUAL(header(ok, "From"), "<sip:caller1@127.0.0.1:5090>;tag=6632SIPpTag001");
  BOOST_CHECK_EQUAL(header(ok, "Call-ID"), "1-6632@127.0.0.1");
  BOOST_CHECK_EQUAL(header(ok, "Contact"), "<sip:1008@127.0.0.1:5060>");
  BOOST_CHECK_EQUAL(header(ok, "Allow"), "INVITE, ACK, BYE, CANCEL, NOTIFY, PRACK");
  BOOST_CHECK_EQUAL(header(ok, "Supported"), "100rel");
  BOOST_CHECK_EQUAL(header(ok, "Accept-Language"), "en");
  // rtpproxy gave only a port: the local address the INVITE arrived on goes into o= and c=.
  Caller c2 = Caller::number(2);
  invite_to_trying(c2);
  const auto ok2 = answer_to_invited(c2, 40010);
  BOOST_CHECK(ok2.body.find("c=IN IP4 127.0.0.1\r\n") != std::string::npos);
  BOOST_CHECK(ok2.body.find("m=audio 40010 RTP/AVP 0 8\r\n") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(rtpproxy_commands_as_in_the_trace, KamailioEngine) {
  Caller c;
  c.call_id = "1-6632@127.0.0.1";
  invite_to_trying(c);  // Uc8,0,101 ... 127.0.0.1 6000 6632SIPpTag001;1 then LZ20c0,8 ... 127.0.0.1 1 ...;1 ...;1
  answer_to_invited(c);  // P-1 ... RUNDIR/moh/test session ...
  send_ack(c);
  expect_db_update(c, 2);
  send_bye(c);
  expect_rtpproxy("D 1-6632@127.0.0.1 6632SIPpTag001 " + c.to_tag);
  const std::vector<std::string> rtpp{
      "rtpp Uc8,0,101 1-6632@127.0.0.1 127.0.0.1 6000 6632SIPpTag001;1",
      "rtpp LZ20c0,8 1-6632@127.0.0.1 127.0.0.1 1 6632SIPpTag001;1 " + c.to_tag + ";1",
      "rtpp P-1 1-6632@127.0.0.1 RUNDIR/moh/test session 6632SIPpTag001;1 " + c.to_tag + ";1",
      "rtpp D 1-6632@127.0.0.1 6632SIPpTag001 " + c.to_tag};
  std::vector<std::string> seen;
  for (const auto& line : env.timeline)
    if (line.rfind("rtpp ", 0) == 0) seen.push_back(line);
  BOOST_CHECK(seen == rtpp);
}

BOOST_FIXTURE_TEST_CASE(offer_ptime_and_capabilities_shape_the_commands, KamailioEngine) {
  Caller c;
  std::string offer = kOffer;
  offer.replace(offer.find("a=ptime:20"), 10, "a=ptime:30");
  send_invite(c, {.body = offer});
  expect_db_insert(c);
  expect_rtpproxy(offer_cmd(c));
  reply_port(40000, "127.0.0.1");
  expect_response(100);
  const std::string l = take_rtpproxy();
  BOOST_CHECK_EQUAL(l.substr(0, 9), "LZ30c0,8 ");
}

BOOST_FIXTURE_TEST_CASE(refer_and_bye_header_order_against_retrieve_refer_trace, KamailioEngine) {
  Caller c;
  c.port = 5091;
  c.call_id = "1-7055@127.0.0.1";
  c.from_tag = "7055SIPpTag001";
  establish(c);
  const auto refer = retrieve_refer(c);
  const std::vector<std::string> refer_names{"Via",  "To",      "From",         "CSeq",     "Call-ID",  "Content-Length",
                                             "User-Agent", "Via", "Contact", "Max-Forwards", "Refer-To", "Referred-By"};
  BOOST_CHECK(header_names(refer) == refer_names);
  BOOST_CHECK_EQUAL(refer.request()->uri, "sip:caller1@127.0.0.1:5091");
  BOOST_CHECK_EQUAL(header(refer, "CSeq"), "2 REFER");
  BOOST_CHECK_EQUAL(header(refer, "To"), "<sip:caller1@127.0.0.1:5091>;tag=7055SIPpTag001");
  BOOST_CHECK_EQUAL(header(refer, "From"), "<sip:1008@127.0.0.1:5060>;tag=" + c.to_tag);
  BOOST_CHECK_EQUAL(header(refer, "Content-Length"), "0");
  const auto vias = refer.header_lines("Via");
  BOOST_REQUIRE_EQUAL(vias.size(), 2u);
  BOOST_CHECK(vias[0].rfind("SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK", 0) == 0);
  BOOST_CHECK_EQUAL(vias[1], "SIP/2.0/UDP 127.0.0.1:5091;branch=" + c.invite_branch);  // Q1
  BOOST_CHECK_EQUAL(header(refer, "Refer-To"), "<sip:operator@127.0.0.1:5070>");
  BOOST_CHECK_EQUAL(header(refer, "Referred-By"), "<sip:1008@127.0.0.1:5060>");
  respond(c, refer, 202, "Accepted");
  send_notify(c, "SIP/2.0 200 OK\r\n");
  expect_response(200, "OK");
  expect_rtpproxy(delete_cmd(c));
  const auto bye = expect_request("BYE");
  const std::vector<std::string> bye_names{"Via",        "To",  "From",         "CSeq",   "Call-ID",
                                           "Content-Length", "User-Agent", "Via", "Max-Forwards", "Contact"};
  BOOST_CHECK(header_names(bye) == bye_names);
  BOOST_CHECK_EQUAL(header(bye, "CSeq"), "3 BYE");
  BOOST_CHECK_EQUAL(bye.header_lines("Via")[1], "SIP/2.0/UDP 127.0.0.1:5091;branch=" + c.invite_branch);
  BOOST_CHECK(bye.header_lines("Via")[0] != refer.header_lines("Via")[0]);  // a new branch
  respond(c, bye, 200, "OK");
  expect_db_delete(c);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(record_route_becomes_route_and_next_hop_loses_params, KamailioEngine) {
  Caller c;
  invite_to_trying(c, {.extra = "Record-Route: <sip:10.0.0.7:5070;transport=tcp;lr>\n"
                                "Record-Route: <sip:10.0.0.8;lr>\n"});
  const auto ok = answer_to_invited(c);
  BOOST_CHECK_EQUAL(ok.header_lines("Record-Route").size(), 2u);  // copied into the 2xx
  send_ack(c);
  expect_db_update(c, 2);
  const auto refer = retrieve_refer(c);
  const auto routes = refer.header_lines("Route");
  BOOST_REQUIRE_EQUAL(routes.size(), 2u);
  BOOST_CHECK_EQUAL(routes[0], "<sip:10.0.0.7:5070;transport=tcp;lr>");
  BOOST_CHECK_EQUAL(routes[1], "<sip:10.0.0.8;lr>");
  BOOST_CHECK_EQUAL(refer.request()->uri, c.contact_uri());
  BOOST_CHECK_EQUAL(last_destination.address.to_string(), "10.0.0.7:5070");
  BOOST_CHECK(!last_destination.tcp);  // Q2: ;transport=tcp lost
  BOOST_CHECK(header(refer, "Via").rfind("SIP/2.0/UDP ", 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================ queue-wide behaviour and robustness
BOOST_AUTO_TEST_SUITE(kamailio_queue)

BOOST_FIXTURE_TEST_CASE(retrieve_is_fifo_by_invite_arrival, KamailioEngine) {
  Caller c1 = Caller::number(1), c2 = Caller::number(2), c3 = Caller::number(3), c4 = Caller::number(4);
  invite_to_trying(c1);
  answer_to_invited(c1);
  establish(c2);  // c2 is ACKed before c1: the order is still the INVITEs'
  send_ack(c1);
  expect_db_update(c1, 2);
  establish(c3);
  BOOST_CHECK_EQUAL(*engine->count("abc"), 3u);
  const auto refer1 = retrieve_refer(c1);
  retrieve_refer(c2);
  // A transfer that fails by NOTIFY puts the call back with its original place: ahead of c3 and of a newer c4.
  respond(c1, refer1, 202, "Accepted");
  send_notify(c1, "SIP/2.0 486 Busy Here\r\n");
  expect_response(200, "OK");
  expect_db_update(c1, 2);
  establish(c4);
  retrieve_refer(c1);
  retrieve_refer(c3);
  retrieve_refer(c4);
  const auto none = engine->retrieve("abc", kOperator, now());
  BOOST_REQUIRE(!none.has_value());
  BOOST_CHECK_EQUAL(none.error().code, 404);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(count_counts_only_inqueue, KamailioEngine) {
  Caller c1 = Caller::number(1), c2 = Caller::number(2), c3 = Caller::number(3), c4 = Caller::number(4);
  establish(c1);
  establish(c2);
  establish(c4);
  transfer_accepted(c1);  // RFRWAIT
  BOOST_CHECK_EQUAL(*engine->count("abc"), 2u);
  retrieve_refer(c2);     // REFER
  invite_to_trying(c3);   // TRYING
  Caller c5 = Caller::number(5);
  send_invite(c5, {.ruri = "sip:2000@127.0.0.1:5060"});  // ENTER, queue xyz
  BOOST_CHECK_EQUAL(*engine->count("abc"), 1u);
  BOOST_CHECK_EQUAL(*engine->count("xyz"), 0u);
  BOOST_CHECK_EQUAL(*engine->count("nosuch"), 0u);  // Q4: 0 for an unknown queue
  BOOST_CHECK_EQUAL(engine->call_count(), 5u);
  send_bye(c4);
  BOOST_CHECK_EQUAL(*engine->count("abc"), 0u);
}

BOOST_FIXTURE_TEST_CASE(drop_call_by_id_star_and_unknown_queue, KamailioEngine) {
  Caller c1 = Caller::number(1), c2 = Caller::number(2), c3 = Caller::number(3);
  establish(c1);
  establish(c2);
  Caller other = Caller::number(4);
  send_invite(other, {.ruri = "sip:2000@127.0.0.1:5060"});
  expect_db_insert(other);
  expect_rtpproxy(offer_cmd(other));
  const auto unknown = engine->drop_call("nosuch", "*", now());
  BOOST_REQUIRE(!unknown.has_value());
  BOOST_CHECK_EQUAL(unknown.error().code, 401);
  BOOST_CHECK_EQUAL(*engine->drop_call("abc", "no-such-call", now()), 0u);
  BOOST_CHECK_EQUAL(*engine->drop_call("abc", "*", now()), 2u);
  const auto bye1 = expect_request("BYE");
  const auto bye2 = expect_request("BYE");
  std::vector<std::string> ids{header(bye1, "Call-ID"), header(bye2, "Call-ID")};
  std::sort(ids.begin(), ids.end());
  BOOST_CHECK(ids == (std::vector<std::string>{c1.call_id, c2.call_id}));
  expect_state(c1, CallState::Bye);
  expect_state(c2, CallState::Bye);
  expect_state(other, CallState::Enter);  // the other queue is untouched
  expect_nothing_sent();
  (void)c3;
}

BOOST_FIXTURE_TEST_CASE(maxcalls_counts_every_call_across_queues, KamailioEngine) {
  restart(2);
  Caller c1 = Caller::number(1), c2 = Caller::number(2), c3 = Caller::number(3);
  establish(c1);
  send_invite(c2, {.ruri = "sip:2000@127.0.0.1:5060"});  // queue xyz, still in ENTER
  expect_db_insert(c2);
  expect_rtpproxy(offer_cmd(c2));
  send_invite(c3);
  expect_nothing_sent();  // B3: the full queue drops the INVITE silently
  expect_deleted(c3);
  BOOST_CHECK_EQUAL(engine->call_count(), 2u);
  send_bye(c1);
  expect_rtpproxy(delete_cmd(c1));
  expect_response(200, "OK");
  expect_db_delete(c1);
  c3.cseq = 1;
  send_invite(c3);  // a slot is free again
  expect_db_insert(c3);
  expect_rtpproxy(offer_cmd(c3));
}

BOOST_FIXTURE_TEST_CASE(malformed_requests_get_400, KamailioEngine) {
  Caller c;
  std::string text = request_text(c, "OPTIONS", {.with_to_tag = false});
  const auto without_call_id = [](std::string t) {
    const auto at = t.find("Call-ID:");
    t.erase(at, t.find("\r\n", at) + 2 - at);
    return t;
  };
  deliver(c, without_call_id(text));
  expect_response(400, "Bad Request");
  std::string invite = render(kInviteTemplate, {{"ruri", kQueueUri}, {"port", "5090"}, {"branch", new_branch()},
                                                {"user", "caller1"}, {"from_tag", c.from_tag}, {"to_tag", ""},
                                                {"call_id", c.call_id}, {"cseq", "one"}, {"allow", ""},
                                                {"extra", ""}, {"body", kOffer}});
  deliver(c, invite);
  expect_response(400, "Bad Request");
  // A CSeq whose method is not the request's.
  std::string mismatch = request_text(c, "BYE", {.with_to_tag = false});
  mismatch.replace(mismatch.find(" BYE\r\n", mismatch.find("CSeq:")), 6, " INVITE\r\n");
  deliver(c, mismatch);
  expect_response(400, "Bad Request");
  BOOST_CHECK_EQUAL(engine->counters().bad_requests, 3u);
  BOOST_CHECK_EQUAL(engine->call_count(), 0u);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(retransmitted_invite_absorbed, KamailioEngine) {
  Caller c;
  send_invite(c);
  expect_db_insert(c);
  expect_rtpproxy(offer_cmd(c));
  retransmit_invite(c);  // while rtpproxy is asked
  expect_nothing_sent();
  reply_port(40000, "127.0.0.1");
  expect_response(100, "Trying to enter MOH queue");
  learn_tag_from_answer(c);
  retransmit_invite(c);  // tm resends its last provisional response
  expect_response(100, "Trying to enter MOH queue");
  expect_nothing_sent();
  answer_to_invited(c);
  retransmit_invite(c);  // after the 2xx: the same Call-ID without To-tag is absorbed (§2.3)
  expect_nothing_sent();  // never a second call
  BOOST_CHECK_EQUAL(engine->call_count(), 1u);
  BOOST_CHECK_EQUAL(engine->counters().calls_created, 1u);
}

BOOST_FIXTURE_TEST_CASE(stale_rtpproxy_reply_after_delete_does_nothing, KamailioEngine) {
  Caller c;
  invite_to_trying(c);  // L is pending
  send_bye(c);          // BYE with the To-tag before the 200: ends the call
  expect_response(200, "OK");
  expect_db_delete(c);
  expect_deleted(c);
  reply_port(40004, "127.0.0.1");  // the L reply arrives for a deleted call
  expect_nothing_sent();
  BOOST_CHECK(env.pending.empty());
  // The same for an offer reply.
  Caller c2 = Caller::number(2);
  send_invite(c2);
  expect_db_insert(c2);
  expect_rtpproxy(offer_cmd(c2));
  send_request(c2, "BYE", {.with_to_tag = false});
  expect_response(200, "OK");
  expect_db_delete(c2);
  reply_port(40000, "127.0.0.1");
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(drop_call_while_rtpproxy_is_asked_stays_dropped, KamailioEngine) {
  Caller c;
  invite_to_trying(c);  // L pending
  BOOST_CHECK_EQUAL(*engine->drop_call("abc", c.call_id, now()), 1u);
  expect_request("BYE");
  expect_state(c, CallState::Bye);
  reply_port(40004, "127.0.0.1");  // the late L reply must not answer the dropped call
  BOOST_CHECK(env.pending.empty());
  expect_nothing_sent();
  expect_state(c, CallState::Bye);
  // Dropped in ENTER (the offer being asked): the offer's reply sends neither 100 nor L.
  Caller c2 = Caller::number(2);
  send_invite(c2);
  expect_db_insert(c2);
  expect_rtpproxy(offer_cmd(c2));
  BOOST_CHECK_EQUAL(*engine->drop_call("abc", c2.call_id, now()), 1u);
  expect_request("BYE");
  reply_port(40000, "127.0.0.1");
  BOOST_CHECK(env.pending.empty());
  expect_nothing_sent();
  expect_state(c2, CallState::Bye);
}

BOOST_FIXTURE_TEST_CASE(silent_drops_and_405_in_dialog, KamailioEngine) {
  Caller c;
  Caller probe = Caller::number(7);
  send_request(probe, "OPTIONS", {.with_to_tag = false});  // out of dialog to the queue URI
  expect_nothing_sent();
  Caller stranger = Caller::number(9);
  stranger.to_tag = "nosuchtag";
  send_bye(stranger);  // unknown dialog
  expect_nothing_sent();
  establish(c);
  send_request(c, "OPTIONS");
  const auto denied = expect_response(405, "Method Not Allowed");
  BOOST_CHECK_EQUAL(header(denied, "Allow"), "INVITE, ACK, BYE, CANCEL, NOTIFY, PRACK");
  send_request(c, "INFO");
  expect_response(405, "Method Not Allowed");
  expect_state(c, CallState::InQueue);
  // A request for another URI is not the queue's (the harness's script answers 404).
  Caller elsewhere = Caller::number(8);
  send_invite(elsewhere, {.ruri = "sip:1008@127.0.0.1"});
  expect_response(404, "Not Found");
  expect_nothing_sent();
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::sim::test

// mohq_send(queue) (§12): a rule routes an INVITE for another Request-URI into the named queue; without a rule the
// same INVITE finds no queue (404 here, the script's business in Kamailio); in-dialog requests never use rules.
BOOST_AUTO_TEST_CASE(mohq_send_rule_puts_an_invite_for_another_uri_into_the_queue) {
  using namespace mohq::sim::test;
  KamailioEngine fixture;
  fixture.options.send_rules = {{"sip:7000@127.0.0.1:5060", "xyz"}};
  fixture.restart(50);
  Caller routed;
  fixture.send_invite(routed, {.ruri = "sip:7000@127.0.0.1:5060;user=phone"});
  fixture.expect_db_insert(routed);
  BOOST_REQUIRE_EQUAL(fixture.engine->calls().size(), 1u);
  BOOST_CHECK_EQUAL(fixture.engine->calls().front().queue, "xyz");

  Caller unrouted = Caller::number(2);
  fixture.send_invite(unrouted, {.ruri = "sip:7001@127.0.0.1:5060"});
  fixture.expect_response(404, "Not Found");
  BOOST_CHECK_EQUAL(fixture.engine->calls().size(), 1u);
}
