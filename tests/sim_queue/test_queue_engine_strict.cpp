// The strict profile: the §4.2 flows where the profile differs from Kamailio, and one test per deliberate
// difference of ProfileRules (sim/queue/profile.hpp).
#include "engine_fixture.hpp"

#include <algorithm>

namespace mohq::sim::test {

namespace {

int drain(EngineFixture& f, const std::string& first_line_prefix) {
  int n = 0;
  while (!f.env.sip.empty() && f.env.sip.front().bytes.rfind(first_line_prefix, 0) == 0) {
    f.env.sip.pop_front();
    ++n;
  }
  return n;
}

sip::Message strict_invite_to_ringing(EngineFixture& f, Caller& c) {
  f.send_invite(c, {.extra = "Require: 100rel\n"});
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

// ============================================================================================ setup and answer
BOOST_AUTO_TEST_SUITE(strict_setup)

BOOST_FIXTURE_TEST_CASE(strict_answer_is_intersected_sendonly_with_ptime, StrictEngine) {
  Caller c;
  invite_to_trying(c);
  const auto ok = answer_to_invited(c, 40004);
  BOOST_CHECK_EQUAL(ok.body,
                    "v=0\r\n"
                    "o=mohqd 1 1 IN IP4 127.0.0.1\r\n"
                    "s=mohqd\r\n"
                    "c=IN IP4 127.0.0.1\r\n"
                    "t=0 0\r\n"
                    "m=audio 40004 RTP/AVP 8 0\r\n"  // the offer's order, 101 dropped
                    "a=rtpmap:8 PCMA/8000\r\n"
                    "a=rtpmap:0 PCMU/8000\r\n"
                    "a=ptime:20\r\n"
                    "a=sendonly\r\n");
  BOOST_CHECK_EQUAL(header(ok, "Contact"), "<" + kQueueUri + ">");
  expect_state(c, CallState::Invited);
}

BOOST_FIXTURE_TEST_CASE(strict_offer_without_prompt_codec_488_with_warning_and_d, StrictEngine) {
  Caller c;
  std::string offer = kOffer;
  offer.replace(offer.find("RTP/AVP 8 0 101"), 15, "RTP/AVP 18 101");
  send_invite(c, {.body = offer});
  expect_db_insert(c);
  expect_rtpproxy(offer_cmd(c, "18,101"));
  reply_port(40000, "127.0.0.1");
  expect_response(100, "Trying to enter MOH queue");
  expect_rtpproxy(delete_cmd(c, false));
  const auto rejected = expect_response(488, "Not Acceptable Here");
  BOOST_CHECK(header(rejected, "Warning").rfind("304 ", 0) == 0);
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(strict_full_queue_486, StrictEngine) {
  restart(1);
  Caller c1 = Caller::number(1), c2 = Caller::number(2);
  establish(c1);
  send_invite(c2, {.ruri = "sip:2000@127.0.0.1:5060"});  // another queue: maxcalls is global
  const auto busy = expect_response(486, "Busy Here");
  BOOST_CHECK_EQUAL(header(busy, "Call-ID"), c2.call_id);
  expect_deleted(c2);
  expect_nothing_sent();  // no DB row, no rtpproxy
}

BOOST_FIXTURE_TEST_CASE(strict_retransmitted_invite_absorbed_by_the_transaction, StrictEngine) {
  Caller c;
  send_invite(c);
  expect_db_insert(c);
  expect_rtpproxy(offer_cmd(c));
  retransmit_invite(c);
  expect_nothing_sent();
  reply_port(40000, "127.0.0.1");
  expect_response(100, "Trying to enter MOH queue");
  learn_tag_from_answer(c);
  retransmit_invite(c);
  expect_response(100, "Trying to enter MOH queue");  // the last provisional again (RFC 3261 17.2.1)
  expect_nothing_sent();
  BOOST_CHECK_EQUAL(engine->counters().calls_created, 1u);
}

BOOST_FIXTURE_TEST_CASE(strict_no_ack_2xx_retransmitted_64t1_then_d_and_bye, StrictEngine) {
  Caller c;
  invite_to_trying(c);
  answer_to_invited(c);
  advance(5s);
  BOOST_CHECK_EQUAL(drain(*this, "SIP/2.0 200 OK"), 3);
  expect_state(c, CallState::Invited);  // no 5 s wait timer
  advance(27s);
  BOOST_CHECK_GE(drain(*this, "SIP/2.0 200 OK"), 5);
  expect_rtpproxy(delete_cmd(c));
  const auto bye = expect_request("BYE");
  BOOST_CHECK_EQUAL(header(bye, "CSeq"), "2 BYE");  // no ACK: the counter was never reset (1, post-incremented)
  expect_state(c, CallState::Bye);
}

BOOST_AUTO_TEST_SUITE_END()

// ===================================================================================================== PRACK
BOOST_AUTO_TEST_SUITE(strict_prack)

BOOST_FIXTURE_TEST_CASE(strict_reliable_180_retransmitted_until_prack, StrictEngine) {
  Caller c;
  const auto ringing = strict_invite_to_ringing(*this, c);
  const std::string first = last_bytes;
  advance(499ms);
  expect_no_sip();
  advance(1ms);
  expect_response(180, "Ringing");
  BOOST_CHECK_EQUAL(last_bytes, first);
  advance(1s);
  expect_response(180, "Ringing");
  advance(2s);
  expect_response(180, "Ringing");
  expect_no_sip();
  send_prack(c, header(ringing, "RSeq") + " 1 INVITE");
  expect_response(200, "OK");
  expect_state(c, CallState::PrackReply);
  expect_rtpproxy(answer_cmd(c));
  advance(10s);
  expect_no_sip();  // no more 180s
}

BOOST_FIXTURE_TEST_CASE(strict_rack_checked, StrictEngine) {
  Caller c;
  const auto ringing = strict_invite_to_ringing(*this, c);
  send_prack(c, "1 99 INVITE");
  expect_response(481, "Call/Transaction Does Not Exist");
  expect_state(c, CallState::PrackStart);
  send_prack(c, header(ringing, "RSeq") + "  1   INVITE");  // linear whitespace is not significant
  expect_response(200, "OK");
  expect_state(c, CallState::PrackReply);
}

BOOST_FIXTURE_TEST_CASE(strict_cancel_in_prackstrt_200_and_487_to_invite, StrictEngine) {
  Caller c;
  strict_invite_to_ringing(*this, c);
  send_cancel(c);
  const auto ok = expect_response(200, "OK");
  BOOST_CHECK_EQUAL(header(ok, "CSeq"), "1 CANCEL");
  const auto terminated = expect_response(487, "Request Terminated");
  BOOST_CHECK_EQUAL(header(terminated, "CSeq"), "1 INVITE");
  BOOST_CHECK_EQUAL(header(terminated, "To"), "<sip:1008@127.0.0.1:5060>;tag=" + c.to_tag);
  expect_rtpproxy(delete_cmd(c, false));
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();
  // The 487 is retransmitted until the caller's ACK (same branch), which the transaction absorbs.
  advance(500ms);
  expect_response(487, "Request Terminated");
  send_request(c, "ACK", {.with_to_tag = true, .cseq = 1, .branch = c.invite_branch});
  advance(40s);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(strict_prack_timeout_504_and_d, StrictEngine) {
  Caller c;
  strict_invite_to_ringing(*this, c);
  advance(32s);
  drain(*this, "SIP/2.0 180");
  expect_rtpproxy(delete_cmd(c, false));
  expect_response(504, "Server Time-out");
  expect_db_delete(c);
  expect_deleted(c);
}

BOOST_AUTO_TEST_SUITE_END()

// ========================================================================================== CANCEL and BYE
BOOST_AUTO_TEST_SUITE(strict_teardown)

BOOST_FIXTURE_TEST_CASE(strict_cancel_while_rtpproxy_is_asked, StrictEngine) {
  // ENTER: answered at once; the offer's reply then deletes the session it created.
  Caller c;
  send_invite(c);
  expect_db_insert(c);
  expect_rtpproxy(offer_cmd(c));
  send_cancel(c);
  expect_response(200, "OK");
  expect_response(487, "Request Terminated");
  expect_state(c, CallState::Cancel);
  reply_port(40000, "127.0.0.1");
  expect_rtpproxy(delete_cmd(c, false));
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();
  // TRYING: the L reply arrives for a deleted call and does nothing.
  Caller c2 = Caller::number(2);
  invite_to_trying(c2);
  send_cancel(c2);
  expect_response(200, "OK");
  expect_response(487, "Request Terminated");
  expect_rtpproxy(delete_cmd(c2, false));
  expect_db_delete(c2);
  reply_port(40004, "127.0.0.1");
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(strict_cancel_after_200_481, StrictEngine) {
  Caller c;
  invite_to_trying(c);
  answer_to_invited(c);
  send_cancel(c);
  expect_response(481, "Call/Transaction Does Not Exist");
  expect_state(c, CallState::Invited);
}

BOOST_FIXTURE_TEST_CASE(strict_bye_before_queue_sends_d, StrictEngine) {
  Caller c;
  invite_to_trying(c);
  answer_to_invited(c);
  send_bye(c);
  expect_rtpproxy(delete_cmd(c));
  expect_response(200, "OK");
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(strict_bye_in_trying_487_to_invite_then_200, StrictEngine) {
  Caller c;
  invite_to_trying(c);  // L pending
  send_bye(c);
  const auto terminated = expect_response(487, "Request Terminated");
  BOOST_CHECK_EQUAL(header(terminated, "CSeq"), "1 INVITE");
  expect_rtpproxy(delete_cmd(c));
  const auto ok = expect_response(200, "OK");
  BOOST_CHECK_EQUAL(header(ok, "CSeq"), "2 BYE");
  expect_db_delete(c);
  reply_port(40004, "127.0.0.1");  // stale
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(strict_bye_retransmission_answered_by_transaction, StrictEngine) {
  Caller c;
  establish(c);
  const std::string bye = request_text(c, "BYE");
  deliver(c, bye);
  expect_rtpproxy(delete_cmd(c));
  expect_response(200, "OK");
  const std::string first = last_bytes;
  expect_db_delete(c);
  deliver(c, bye);
  expect_response(200, "OK");
  BOOST_CHECK_EQUAL(last_bytes, first);
  expect_nothing_sent();  // no second D, no DB
}

BOOST_FIXTURE_TEST_CASE(strict_drop_call_sends_d_and_ends_unanswered_invites, StrictEngine) {
  Caller c;
  establish(c);
  BOOST_CHECK_EQUAL(*engine->drop_call("abc", c.call_id, now()), 1u);
  expect_rtpproxy(delete_cmd(c));
  const auto bye = expect_request("BYE");
  BOOST_CHECK_EQUAL(header(bye, "CSeq"), "1 BYE");
  expect_state(c, CallState::Bye);
  // Not answered yet: a final response to the INVITE instead of a BYE.
  Caller c2 = Caller::number(2);
  invite_to_trying(c2);
  BOOST_CHECK_EQUAL(*engine->drop_call("abc", c2.call_id, now()), 1u);
  expect_response(480, "Temporarily Unavailable");
  expect_rtpproxy(delete_cmd(c2, false));
  expect_db_delete(c2);
  expect_deleted(c2);
  reply_port(40004, "127.0.0.1");
  expect_nothing_sent();
  // 200 sent, no ACK yet: the BYE waits for the ACK (RFC 3261 15).
  Caller c3 = Caller::number(3);
  invite_to_trying(c3);
  answer_to_invited(c3);
  BOOST_CHECK_EQUAL(*engine->drop_call("abc", c3.call_id, now()), 1u);
  expect_nothing_sent();
  expect_state(c3, CallState::Invited);
  send_ack(c3);
  expect_db_update(c3, 2);
  expect_rtpproxy(delete_cmd(c3));
  const auto late_bye = expect_request("BYE");
  BOOST_CHECK_EQUAL(header(late_bye, "CSeq"), "1 BYE");
  expect_state(c3, CallState::Bye);
  expect_nothing_sent();
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================================ REFER / NOTIFY
BOOST_AUTO_TEST_SUITE(strict_refer)

BOOST_FIXTURE_TEST_CASE(strict_refer_has_no_copied_via_and_cseq_1, StrictEngine) {
  Caller c;
  establish(c);
  const auto refer = retrieve_refer(c);
  const std::vector<std::string> names{"Via",        "Max-Forwards", "To",       "From",        "Call-ID",       "CSeq",
                                       "User-Agent", "Contact",      "Refer-To", "Referred-By", "Content-Length"};
  BOOST_CHECK(header_names(refer) == names);
  BOOST_CHECK_EQUAL(refer.header_lines("Via").size(), 1u);
  BOOST_CHECK_EQUAL(header(refer, "CSeq"), "1 REFER");
  respond(c, refer, 202, "Accepted");
  send_notify(c, "SIP/2.0 200 OK\r\n");
  expect_response(200, "OK");
  expect_rtpproxy(delete_cmd(c));
  const auto bye = expect_request("BYE");
  BOOST_CHECK_EQUAL(header(bye, "CSeq"), "2 BYE");
  BOOST_CHECK_EQUAL(bye.header_lines("Via").size(), 1u);
}

BOOST_FIXTURE_TEST_CASE(strict_refer_failure_requeues, StrictEngine) {
  Caller c;
  establish(c);
  const auto refer = retrieve_refer(c);
  respond(c, refer, 603, "Decline");
  expect_db_update(c, 2);
  expect_state(c, CallState::InQueue);
  expect_nothing_sent();
  BOOST_CHECK_EQUAL(*engine->count("abc"), 1u);
  // A timeout (local 408) too.
  retrieve_refer(c);
  advance(32s);
  drain(*this, "REFER ");
  expect_db_update(c, 2);
  expect_state(c, CallState::InQueue);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(strict_refer_481_sends_d, StrictEngine) {
  Caller c;
  establish(c);
  const auto refer = retrieve_refer(c);
  respond(c, refer, 481, "Call/Transaction Does Not Exist");
  expect_rtpproxy(delete_cmd(c));
  expect_db_delete(c);
  expect_deleted(c);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(strict_notify_before_202_accepted, StrictEngine) {
  Caller c;
  establish(c);
  const auto refer = retrieve_refer(c);
  send_notify(c, "SIP/2.0 100 Trying\r\n");  // Q6: Kamailio may answer 481 here
  expect_response(200, "OK");
  expect_state(c, CallState::ReferWait);
  respond(c, refer, 202, "Accepted");  // late: ignored
  expect_state(c, CallState::ReferWait);
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(strict_stale_refer_timeout_sends_d_and_bye, StrictEngine) {
  Caller c;
  establish(c);
  transfer_accepted(c);
  advance(32s);
  expect_rtpproxy(delete_cmd(c));
  expect_request("BYE");
  expect_state(c, CallState::Bye);
}

BOOST_FIXTURE_TEST_CASE(strict_next_hop_keeps_transport_param, StrictEngine) {
  Caller c;
  invite_to_trying(c, {.extra = "Record-Route: <sip:10.0.0.7:5070;transport=tcp;lr>\n"});
  answer_to_invited(c);
  send_ack(c);
  expect_db_update(c, 2);
  const auto refer = retrieve_refer(c);
  BOOST_CHECK(last_destination.tcp);
  BOOST_CHECK_EQUAL(last_destination.address.to_string(), "10.0.0.7:5070");
  BOOST_CHECK(header(refer, "Via").rfind("SIP/2.0/TCP ", 0) == 0);
  BOOST_CHECK_EQUAL(header(refer, "Route"), "<sip:10.0.0.7:5070;transport=tcp;lr>");
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================================================ re-INVITE
BOOST_AUTO_TEST_SUITE(strict_reinvite)

BOOST_FIXTURE_TEST_CASE(strict_reinvite_200_with_sdp_and_contact_until_ack, StrictEngine) {
  Caller c;
  establish(c);
  send_reinvite(c, reoffer("sendrecv"));
  const auto ok = expect_response(200, "OK");
  BOOST_CHECK_EQUAL(header(ok, "Contact"), "<" + kQueueUri + ">");
  BOOST_CHECK_EQUAL(header(ok, "Content-Type"), "application/sdp");
  BOOST_CHECK(ok.body.find("o=mohqd 1 2 IN IP4 127.0.0.1\r\n") != std::string::npos);  // version bumped
  BOOST_CHECK(ok.body.find("m=audio 40004 RTP/AVP 8 0\r\n") != std::string::npos);
  expect_nothing_sent();
  advance(500ms);
  expect_response(200, "OK");  // retransmitted until the ACK
  send_ack(c, 2);
  advance(10s);
  expect_nothing_sent();
  expect_state(c, CallState::InQueue);
}

BOOST_FIXTURE_TEST_CASE(strict_session_level_sendonly_is_hold, StrictEngine) {
  Caller c;
  establish(c);
  send_reinvite(c, "v=0\no=user1 1 2 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\na=sendonly\n"
                   "m=audio 6000 RTP/AVP 8\n");
  expect_response(200, "OK");
  expect_rtpproxy(delete_cmd(c));
  expect_request("BYE");
  expect_state(c, CallState::Bye);
}

BOOST_FIXTURE_TEST_CASE(strict_reinvite_before_answer_491, StrictEngine) {
  Caller c;
  invite_to_trying(c);
  answer_to_invited(c);
  send_reinvite(c, reoffer("sendrecv"));
  expect_response(491, "Request Pending");
  expect_state(c, CallState::Invited);
}

BOOST_AUTO_TEST_SUITE_END()

// ======================================================================================= no silent drops
BOOST_AUTO_TEST_SUITE(strict_no_silent_drops)

BOOST_FIXTURE_TEST_CASE(strict_unknown_dialog_481_out_of_dialog_options_200, StrictEngine) {
  Caller stranger = Caller::number(9);
  stranger.to_tag = "nosuchtag";
  send_bye(stranger);
  expect_response(481, "Call/Transaction Does Not Exist");
  Caller probe = Caller::number(7);
  send_request(probe, "OPTIONS", {.with_to_tag = false});
  const auto answer = expect_response(200, "OK");
  BOOST_CHECK_EQUAL(header(answer, "Allow"), "INVITE, ACK, BYE, CANCEL, NOTIFY, PRACK");
  send_request(probe, "MESSAGE", {.with_to_tag = false});
  expect_response(405, "Method Not Allowed");
  expect_nothing_sent();
}

BOOST_FIXTURE_TEST_CASE(strict_count_of_unknown_queue_is_a_fault, StrictEngine) {
  const auto counted = engine->count("nosuch");
  BOOST_REQUIRE(!counted.has_value());
  BOOST_CHECK_EQUAL(counted.error().code, 401);
  BOOST_CHECK_EQUAL(*engine->count("abc"), 0u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::sim::test
