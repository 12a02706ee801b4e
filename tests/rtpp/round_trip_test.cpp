// format_request for every command kind: the exact text (Kamailio's layout, rtpproxy-protocol.md §2.8) and
// the way back through parse_request to an equal model.
#include <string>

#include <boost/test/unit_test.hpp>

#include "canonical.hpp"
#include "rtpp/codec.hpp"

using namespace mohq::rtpp;

namespace {

// model -> text -> model: the text is what we expect on the wire, the model must come back unchanged.
void check_round_trip(const Request& request, const std::string& expected_text) {
  const std::string text = format_request(request);
  BOOST_TEST(text == expected_text);
  const auto parsed = parse_request(text, request.cookie ? Framing::Datagram : Framing::Stream);
  BOOST_TEST_REQUIRE(parsed.has_value(), "\"" << text << "\" does not parse: " << testing::describe(parsed));
  BOOST_TEST((*parsed == request), "\"" << text << "\" parses to " << testing::describe(parsed));
}

void check_round_trip(const Command& command, const std::string& expected_text) {
  check_round_trip(Request{std::nullopt, command}, expected_text);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(round_trip)

BOOST_AUTO_TEST_CASE(version_and_feature) {
  check_round_trip(VersionCommand{}, "V");
  check_round_trip(VersionFeatureCommand{"20081102"}, "VF 20081102");
  check_round_trip(Request{"6401_1", VersionFeatureCommand{"20050322"}}, "6401_1 VF 20050322");
}

BOOST_AUTO_TEST_CASE(update_as_kamailio_sends_it) {
  UpdateCommand offer;
  offer.modifiers.codecs = {8, 0, 101};
  offer.call_id = "1-6632@127.0.0.1";
  offer.address = "127.0.0.1";
  offer.port = "6000";
  offer.from_tag = "6632SIPpTag001;1";
  check_round_trip(Request{"6401_4", offer}, "6401_4 Uc8,0,101 1-6632@127.0.0.1 127.0.0.1 6000 6632SIPpTag001;1");

  UpdateCommand answer = offer;
  answer.lookup = true;
  answer.modifiers.ptime_ms = 20;
  answer.modifiers.codecs = {0, 8};
  answer.port = "1";
  answer.to_tag = "a6a1c5f6;1";
  check_round_trip(answer, "LZ20c0,8 1-6632@127.0.0.1 127.0.0.1 1 6632SIPpTag001;1 a6a1c5f6;1");
}

BOOST_AUTO_TEST_CASE(update_with_every_modifier) {
  UpdateCommand u;
  u.modifiers.asymmetric = true;
  u.modifiers.interfaces = "ie";
  u.modifiers.weak = true;
  u.modifiers.new_port = true;
  u.modifiers.ipv6 = true;
  u.modifiers.local_address = "[2001:db8::1]";
  u.modifiers.ptime_ms = 999;
  u.modifiers.codecs = {0};
  u.call_id = "c";
  u.address = "2001:db8::2";
  u.port = "4000";
  u.from_tag = "f;1";
  u.to_tag = "t;1";
  u.notify_socket = "unix:/var/run/notify";
  u.notify_tag = "call%20c";
  check_round_trip(u, "UAIEWN6l[2001:db8::1]Z999c0 c 2001:db8::2 4000 f;1 t;1 unix:/var/run/notify call%20c");

  UpdateCommand v;
  v.modifiers.symmetric = true;
  v.modifiers.remote_address = "192.0.2.7";
  v.modifiers.ptime_ms = 1;
  v.call_id = "c";
  v.address = "0.0.0.0";
  v.port = "0";
  v.from_tag = "f";
  v.notify_socket = "tcp:127.0.0.1:9642";
  v.notify_tag = "n";
  check_round_trip(v, "USr192.0.2.7Z1 c 0.0.0.0 0 f tcp:127.0.0.1:9642 n");

  UpdateCommand w;
  w.lookup = true;
  w.modifiers.local_address = "{public}";
  w.modifiers.codecs = {18, 9};
  w.call_id = "c";
  w.address = "not-an-ip";
  w.port = "x";
  w.from_tag = "f";
  check_round_trip(w, "Ll{public}c18,9 c not-an-ip x f");
}

BOOST_AUTO_TEST_CASE(delete_play_stop) {
  check_round_trip(DeleteCommand{false, "1-6632@127.0.0.1", "6632SIPpTag001", "a6a1c5f6"},
                   "D 1-6632@127.0.0.1 6632SIPpTag001 a6a1c5f6");
  check_round_trip(DeleteCommand{true, "c", "f;2", std::nullopt}, "Dw c f;2");

  PlayCommand moh;
  moh.count = -1;
  moh.call_id = "callid";
  moh.prompt = "/path";
  moh.session_codecs = true;
  moh.codecs_text = "session";
  moh.from_tag = "ftag;1";
  moh.to_tag = "ttag;1";
  check_round_trip(moh, "P-1 callid /path session ftag;1 ttag;1");

  PlayCommand once;
  once.call_id = "c";
  once.prompt = "/moh/test";
  once.codecs = {8, 0};
  once.codecs_text = "8,0";
  once.from_tag = "f";
  check_round_trip(once, "P c /moh/test 8,0 f");

  PlayCommand stop = once;
  stop.count = 0;
  check_round_trip(stop, "P0 c /moh/test 8,0 f");

  check_round_trip(StopPlayCommand{"c", "f;1", "t;1"}, "S c f;1 t;1");
  check_round_trip(StopPlayCommand{"c", "f;1", std::nullopt}, "S c f;1");
}

BOOST_AUTO_TEST_CASE(query_info_stats_delete_all) {
  check_round_trip(QueryCommand{false, "c", "f;1", "t", {}}, "Q c f;1 t");
  check_round_trip(QueryCommand{true, "c", "f", "t", {"ttl", "rtpa_jmax"}}, "Qv c f t ttl rtpa_jmax");
  check_round_trip(QueryCommand{false, "c", "f", std::nullopt, {}}, "Q c f");
  check_round_trip(InfoCommand{}, "I");
  check_round_trip(InfoCommand{true, true}, "Ibl");
  check_round_trip(StatsCommand{false, {}}, "G");
  check_round_trip(StatsCommand{true, {"nsess_created", "npkts_played"}}, "Gv nsess_created npkts_played");
  check_round_trip(DeleteAllCommand{}, "X");
}

BOOST_AUTO_TEST_CASE(record_copy_norecord) {
  check_round_trip(RecordCommand{'R', "", {"c", "f", "t"}}, "R c f t");
  check_round_trip(RecordCommand{'R', "s", {"c", "f"}}, "Rs c f");
  check_round_trip(RecordCommand{'C', "sp", {"c", "udp:127.0.0.1:9000", "f", "t"}}, "Csp c udp:127.0.0.1:9000 f t");
  check_round_trip(RecordCommand{'N', "a", {"c", "f"}}, "Na c f");
}

BOOST_AUTO_TEST_CASE(fault) {
  check_round_trip(FaultCommand{}, "F");
  check_round_trip(FaultCommand{{{"drop_replies", "0.25"}, {"error", "U=72"}}}, "F drop_replies=0.25 error=U=72");
  check_round_trip(Request{"k_9", FaultCommand{{{"clear", ""}}}}, "k_9 F clear=");
}

BOOST_AUTO_TEST_CASE(text_to_model_to_same_text) {
  // Commands already in formatter layout come back byte for byte.
  for (const char* text : {"Uc8,0,101 1-7055@127.0.0.1 127.0.0.1 6000 7055SIPpTag001;1",
                           "LZ20c0,8 1-7055@127.0.0.1 127.0.0.1 1 7055SIPpTag001;1 a6a1-a9da;1",
                           "P-1 1-7055@127.0.0.1 RUNDIR/moh/test session 7055SIPpTag001;1 a6a1-a9da;1",
                           "D 1-7055@127.0.0.1 7055SIPpTag001 a6a1-a9da", "VF 20071116", "V", "Ib", "Qv c f t"}) {
    const auto parsed = parse_request(text, Framing::Stream);
    BOOST_TEST_REQUIRE(parsed.has_value(), text);
    BOOST_TEST(format_request(*parsed) == text);
  }
}

BOOST_AUTO_TEST_SUITE_END()
