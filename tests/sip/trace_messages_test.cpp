// The Kamailio 5.6.3 captures (data/messages): every message parses and survives a round trip; a few are
// checked field by field.
#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "sip/headers.hpp"
#include "sip/message.hpp"
#include "sip/sdp.hpp"
#include "sip/uri.hpp"

using namespace mohq::sip;
using mohq::sip::test::message_files;
using mohq::sip::test::read_data;
using mohq::sip::test::read_file;

namespace {

Message parsed(const std::string& relative) {
  const auto message = parse_message(read_data(relative));
  BOOST_TEST_REQUIRE(message.has_value(), relative << ": " << (message ? "" : message.error().message));
  return *message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(trace_messages)

BOOST_AUTO_TEST_CASE(there_are_sixteen_messages) { BOOST_TEST(message_files().size() == 16u); }

BOOST_AUTO_TEST_CASE(every_message_parses_and_round_trips) {
  for (const auto& path : message_files()) {
    BOOST_TEST_CONTEXT(path.filename().string()) {
      const std::string text = read_file(path);
      const auto first = parse_message(text);
      BOOST_TEST_REQUIRE(first.has_value(), (first ? "" : first.error().message));
      // The captures are already in canonical form (one Content-Length, equal to the body size) except
      // for SIPp's padded "Content-Length:   233", which the parser trims.
      BOOST_TEST((with_content_length(*first) == *first));
      const std::string written = serialize(*first);
      const auto second = parse_message(written);
      BOOST_TEST_REQUIRE(second.has_value());
      BOOST_TEST((*second == *first));
      BOOST_TEST(serialize(*second) == written);
      // Every captured message carries the five headers a transaction needs, and they parse.
      BOOST_TEST(parse_cseq(first->header("CSeq").value_or("")).has_value());
      BOOST_TEST(parse_via(first->header_values("Via").at(0)).has_value());
      BOOST_TEST(parse_name_addr(first->header("From").value_or("")).has_value());
      BOOST_TEST(parse_name_addr(first->header("To").value_or("")).has_value());
      BOOST_TEST(first->header("Call-ID").has_value());
    }
  }
}

BOOST_AUTO_TEST_CASE(sipp_invite) {
  const Message m = parsed("messages/basic_call-01-invite-invite.sip");
  BOOST_TEST_REQUIRE(m.is_request());
  BOOST_TEST(m.request()->method == "INVITE");
  BOOST_TEST(m.request()->uri == "sip:1008@127.0.0.1:5060");
  BOOST_TEST(m.version == "SIP/2.0");
  BOOST_TEST(m.headers.size() == 11u);
  BOOST_TEST(m.headers.front().name == "Via");

  const auto uri = parse_uri(m.request()->uri);
  BOOST_TEST_REQUIRE(uri.has_value());
  BOOST_TEST(uri->user.value_or("") == "1008");
  BOOST_TEST(uri->host == "127.0.0.1");
  BOOST_TEST(uri->port.value_or(0) == 5060);

  const auto via = parse_via(*m.header("via"));
  BOOST_TEST_REQUIRE(via.has_value());
  BOOST_TEST(via->transport == "UDP");
  BOOST_TEST(via->host == "127.0.0.1");
  BOOST_TEST(via->port.value_or(0) == 5090);
  BOOST_TEST(via->branch().value_or("") == "z9hG4bK-6632-1-0");

  const auto from = parse_name_addr(*m.header("From"));
  BOOST_TEST_REQUIRE(from.has_value());
  BOOST_TEST(from->uri == "sip:caller1@127.0.0.1:5090");
  BOOST_TEST(from->tag().value_or("") == "6632SIPpTag001");
  BOOST_TEST(!parse_name_addr(*m.header("To"))->tag().has_value());

  const auto cseq = parse_cseq(*m.header("CSeq"));
  BOOST_TEST_REQUIRE(cseq.has_value());
  BOOST_TEST(cseq->number == 1u);
  BOOST_TEST(cseq->method == "INVITE");

  BOOST_TEST(*m.header("Content-Length") == "233");  // "   233" on the wire
  BOOST_TEST(m.body.size() == 233u);
  BOOST_TEST(*m.header("Content-Type") == "application/sdp");
  const std::vector<std::string_view> allow = m.header_values("Allow");
  BOOST_TEST(allow.size() == 7u);
  BOOST_TEST(allow.at(5) == "REFER");

  const auto sdp = parse_sdp(m.body);
  BOOST_TEST_REQUIRE(sdp.has_value());
  const SdpMedia* audio = first_audio(*sdp);
  BOOST_TEST_REQUIRE(audio != nullptr);
  BOOST_TEST(audio->port == 6000);
  BOOST_TEST(audio_payload_types(*sdp) == (std::vector<unsigned>{8, 0, 101}), boost::test_tools::per_element());
  BOOST_TEST(ptime(*sdp, *audio).value_or(0) == 20u);
  BOOST_TEST(connection_of(*sdp, *audio)->address == "127.0.0.1");
  BOOST_TEST((direction(*sdp, *audio) == Direction::SendRecv));
  BOOST_TEST(!is_hold(*sdp));
}

BOOST_AUTO_TEST_CASE(mohqueue_200_ok) {
  // mohqueue-behaviour.md §5.3: the copied request headers, then the module's, then Server and Content-Length.
  const Message m = parsed("messages/basic_call-03-200-invite.sip");
  BOOST_TEST_REQUIRE(!m.is_request());
  BOOST_TEST(m.status()->code == 200);
  BOOST_TEST(m.status()->reason == "OK");
  std::vector<std::string> names;
  for (const Header& h : m.headers) names.push_back(h.name);
  const std::vector<std::string> expected{"Via",    "From",         "To",     "Call-ID", "CSeq",
                                          "Contact", "Allow",       "Supported", "Accept-Language",
                                          "Content-Type", "Server", "Content-Length"};
  BOOST_TEST(names == expected, boost::test_tools::per_element());
  BOOST_TEST(parse_name_addr(*m.header("To"))->tag().value_or("") == "a6a1c5f60faecf035a1ae5b6e96e979a-1cc455f8");
  BOOST_TEST(parse_name_addr(*m.header("Contact"))->uri == "sip:1008@127.0.0.1:5060");
  BOOST_TEST(m.body.size() == 188u);
}

BOOST_AUTO_TEST_CASE(mohqueue_100_trying_reason_has_spaces) {
  const Message m = parsed("messages/basic_call-02-100-invite.sip");
  BOOST_TEST(m.status()->code == 100);
  BOOST_TEST(m.status()->reason == "Trying to enter MOH queue");
  BOOST_TEST(!parse_name_addr(*m.header("To"))->tag().has_value());
  BOOST_TEST(m.body.empty());
}

BOOST_AUTO_TEST_CASE(kamailio_refer_has_two_via_lines) {
  const Message m = parsed("messages/retrieve_refer-05-refer-refer.sip");
  BOOST_TEST(m.request()->method == "REFER");
  BOOST_TEST(m.header_lines("Via").size() == 2u);
  const auto vias = m.header_values("v");
  BOOST_TEST_REQUIRE(vias.size() == 2u);
  const auto top = parse_via(vias[0]);
  BOOST_TEST_REQUIRE(top.has_value());
  BOOST_TEST(!top->port.has_value());
  BOOST_TEST(top->branch().value_or("") == "z9hG4bK57c2.38d09054000000000000000000000000.0");
  BOOST_TEST(parse_via(vias[1])->port.value_or(0) == 5091);
  BOOST_TEST(parse_name_addr(*m.header("r"))->uri == "sip:operator@127.0.0.1:5070");
  BOOST_TEST(parse_name_addr(*m.header("b"))->uri == "sip:1008@127.0.0.1:5060");
  BOOST_TEST(parse_cseq(*m.header("CSeq"))->number == 2u);
}

BOOST_AUTO_TEST_CASE(sipp_202_has_both_vias_in_one_line) {
  const Message m = parsed("messages/retrieve_refer-06-202-refer.sip");
  BOOST_TEST(m.status()->reason == "Accepted");
  BOOST_TEST(m.header_lines("Via").size() == 1u);
  const auto vias = m.header_values("Via");
  BOOST_TEST_REQUIRE(vias.size() == 2u);
  BOOST_TEST(parse_via(vias[1])->branch().value_or("") == "z9hG4bK-7055-1-0");
}

BOOST_AUTO_TEST_CASE(sipp_notify_with_sipfrag) {
  const Message m = parsed("messages/retrieve_refer-07-notify-notify.sip");
  BOOST_TEST(*m.header("o") == "refer");
  BOOST_TEST(*m.header("c") == "message/sipfrag;version=2.0");
  BOOST_TEST(m.body == "SIP/2.0 200 OK\r\n");
  const auto frag = parse_message(m.body + "\r\n");  // a sipfrag is a start line with no headers
  BOOST_TEST_REQUIRE(frag.has_value());
  BOOST_TEST(frag->status()->code == 200);
}

BOOST_AUTO_TEST_SUITE_END()
