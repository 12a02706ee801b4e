// parse_message, serialize and frame_stream on small literal messages: one behaviour per case.
#include <string>

#include <boost/test/unit_test.hpp>

#include "fixtures.hpp"
#include "sip/headers.hpp"
#include "sip/message.hpp"

using namespace mohq::sip;
using mohq::sip::test::crlf;

namespace {

const std::string kOptions = crlf(
    "OPTIONS sip:1008@127.0.0.1 SIP/2.0\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\n"
    "From: <sip:a@10.0.0.1>;tag=1\n"
    "To: <sip:1008@127.0.0.1>\n"
    "Call-ID: abc@10.0.0.1\n"
    "CSeq: 7 OPTIONS\n"
    "Content-Length: 0\n"
    "\n");

Message must_parse(const std::string& text) {
  const auto m = parse_message(text);
  BOOST_TEST_REQUIRE(m.has_value(), (m ? "" : m.error().message));
  return *m;
}

// The error of a message that must not parse; fails the test when it does parse.
ParseError must_fail(const std::string& text) {
  const auto m = parse_message(text);
  BOOST_TEST_REQUIRE(!m.has_value());
  return m.error();
}

bool mentions(const ParseError& e, const std::string& words) { return e.message.find(words) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(message_parse)

BOOST_AUTO_TEST_CASE(compact_forms_equal_full_names) {
  const Message m = must_parse(crlf(
      "INVITE sip:q@h SIP/2.0\n"
      "v: SIP/2.0/UDP h1;branch=z9hG4bKa\n"
      "f: <sip:a@h>;tag=ft\n"
      "t: <sip:q@h>\n"
      "i: cid-1\n"
      "m: <sip:a@h1>\n"
      "c: application/sdp\n"
      "k: replaces\n"
      "s: hello\n"
      "o: refer\n"
      "r: <sip:x@h>\n"
      "b: <sip:y@h>\n"
      "x: 1800\n"
      "e: gzip\n"
      "u: talk\n"
      "l: 0\n"
      "\n"));
  BOOST_TEST(*m.header("Via") == "SIP/2.0/UDP h1;branch=z9hG4bKa");
  BOOST_TEST(parse_name_addr(*m.header("From"))->tag().value_or("") == "ft");
  BOOST_TEST(*m.header("To") == "<sip:q@h>");
  BOOST_TEST(*m.header("Call-ID") == "cid-1");
  BOOST_TEST(*m.header("Contact") == "<sip:a@h1>");
  BOOST_TEST(*m.header("Content-Type") == "application/sdp");
  BOOST_TEST(*m.header("Supported") == "replaces");
  BOOST_TEST(*m.header("Subject") == "hello");
  BOOST_TEST(*m.header("Event") == "refer");
  BOOST_TEST(*m.header("Refer-To") == "<sip:x@h>");
  BOOST_TEST(*m.header("Referred-By") == "<sip:y@h>");
  BOOST_TEST(*m.header("Session-Expires") == "1800");
  BOOST_TEST(*m.header("Content-Encoding") == "gzip");
  BOOST_TEST(*m.header("Allow-Events") == "talk");
  BOOST_TEST(*m.header("Content-Length") == "0");
  // and the other way round, in any case
  BOOST_TEST(*m.header("I") == "cid-1");
  BOOST_TEST(m.headers.at(0).name == "v");  // the name is kept as received
  BOOST_TEST(full_header_name("L") == "Content-Length");
  BOOST_TEST(full_header_name("Max-Forwards") == "Max-Forwards");
  BOOST_TEST(!same_header_name("q", "Content-Length"));
}

BOOST_AUTO_TEST_CASE(header_names_are_case_insensitive) {
  const Message m = must_parse(crlf("BYE sip:a@h SIP/2.0\nCALL-id: X1\ncseq: 2 BYE\nContent-length: 0\n\n"));
  BOOST_TEST(*m.header("Call-ID") == "X1");
  BOOST_TEST(*m.header("call-id") == "X1");
  BOOST_TEST(*m.header("CSEQ") == "2 BYE");
  BOOST_TEST(!m.header("Max-Forwards").has_value());
  BOOST_TEST(m.request()->method == "BYE");
}

BOOST_AUTO_TEST_CASE(folded_lines_join_with_one_space) {
  // RFC 3261 7.3.1
  const Message m = must_parse(crlf(
      "OPTIONS sip:a@h SIP/2.0\n"
      "Subject: I know you're there,\n"
      "   pick up the phone\n"
      "\tand talk to me!\n"
      "Via: SIP/2.0/UDP h1;branch=z9hG4bKa,\n"
      " SIP/2.0/TCP h2:5070;branch=z9hG4bKb\n"
      "Content-Length: 0\n"
      "\n"));
  BOOST_TEST(*m.header("Subject") == "I know you're there, pick up the phone and talk to me!");
  const auto vias = m.header_values("Via");
  BOOST_TEST_REQUIRE(vias.size() == 2u);
  BOOST_TEST(parse_via(vias[1])->transport == "TCP");
  BOOST_TEST(m.headers.size() == 3u);
}

BOOST_AUTO_TEST_CASE(comma_lists_respect_quotes_and_angle_brackets) {
  const Message m = must_parse(crlf(
      "REGISTER sip:h SIP/2.0\n"
      "Contact: \"Doe, John\" <sip:j@h;x=a,b>;q=0.5, <sip:k@h>\n"
      "Contact: \"say \\\"hi, there\\\"\" <sip:l@h>\n"
      "Allow: INVITE,ACK , BYE,,\n"
      "Content-Length: 0\n"
      "\n"));
  const auto contacts = m.header_values("m");
  BOOST_TEST_REQUIRE(contacts.size() == 3u);
  BOOST_TEST(contacts[0] == "\"Doe, John\" <sip:j@h;x=a,b>;q=0.5");
  BOOST_TEST(contacts[1] == "<sip:k@h>");
  BOOST_TEST(parse_name_addr(contacts[2])->display_name.value_or("") == "say \"hi, there\"");
  const auto allow = m.header_values("Allow");
  BOOST_TEST((allow == std::vector<std::string_view>{"INVITE", "ACK", "BYE"}));
  BOOST_TEST(m.header_lines("Contact").size() == 2u);
}

BOOST_AUTO_TEST_CASE(bare_lf_line_ends_and_leading_crlf_are_accepted) {
  const Message lf = must_parse("\r\n\r\nSIP/2.0 180 Ringing\nCSeq: 1 INVITE\nContent-Length: 3\n\nabc");
  BOOST_TEST(lf.status()->code == 180);
  BOOST_TEST(lf.status()->reason == "Ringing");
  BOOST_TEST(lf.body == "abc");
}

BOOST_AUTO_TEST_CASE(body_without_content_length_is_the_rest_of_the_datagram) {
  const Message m = must_parse(crlf("MESSAGE sip:a@h SIP/2.0\nCSeq: 1 MESSAGE\n\n") + "hello\r\n");
  BOOST_TEST(m.body == "hello\r\n");
  // serialize adds the Content-Length the datagram did not have
  BOOST_TEST(serialize(m).find("Content-Length: 7\r\n\r\nhello") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bytes_after_content_length_are_ignored) {
  const Message m = must_parse(crlf("MESSAGE sip:a@h SIP/2.0\nl: 2\n\n") + "hello");
  BOOST_TEST(m.body == "he");
}

BOOST_AUTO_TEST_CASE(status_line_forms) {
  BOOST_TEST(must_parse(crlf("SIP/2.0 404 \nl: 0\n\n")).status()->reason == "");
  BOOST_TEST(must_parse(crlf("SIP/2.0 404\nl: 0\n\n")).status()->code == 404);
  BOOST_TEST(must_parse(crlf("sip/2.0 699 Odd  Reason \nl: 0\n\n")).status()->reason == "Odd  Reason ");
  BOOST_TEST(must_parse(crlf("INVITE  sip:a@h\tSIP/2.0\nl: 0\n\n")).request()->uri == "sip:a@h");
}

BOOST_AUTO_TEST_CASE(limits_accept_what_they_allow) {
  std::string text = "OPTIONS sip:a@h SIP/2.0\r\n";
  for (std::size_t i = 0; i + 1 < kMaxHeaders; ++i) text += "X-N: " + std::to_string(i) + "\r\n";
  text += "Content-Length: 0\r\n\r\n";
  BOOST_TEST(must_parse(text).headers.size() == kMaxHeaders);
  const std::string longest = "X: " + std::string(kMaxHeaderLineBytes - 3, 'a');
  BOOST_TEST(must_parse("OPTIONS sip:a@h SIP/2.0\r\n" + longest + "\r\n\r\n").headers.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(message_errors)

BOOST_AUTO_TEST_CASE(empty) {
  BOOST_TEST((must_fail("").kind == ParseErrorKind::Empty));
  BOOST_TEST((must_fail("\r\n\r\n").kind == ParseErrorKind::Empty));
}

BOOST_AUTO_TEST_CASE(too_large) {
  const ParseError e = must_fail(kOptions + std::string(kMaxMessageBytes, 'x'));
  BOOST_TEST((e.kind == ParseErrorKind::TooLarge));
  BOOST_TEST(mentions(e, "over the limit"));
}

BOOST_AUTO_TEST_CASE(bad_start_lines) {
  for (const char* line : {"INVITE sip:a@h", "INVITE sip:a@h SIP/2.0 extra", "INV/ITE sip:a@h SIP/2.0",
                           "INVITE sip:a@h HTTP/1.1", "INVITE sip:a@h SIP/x.0", "SIP/2.0 20 OK", "SIP/2.0 2000 OK",
                           "SIP/2.0 099 Low", "SIP/2.0 700 High", "SIP/2.0 2x0 OK", "SIP/2 200 OK", "SIP/"}) {
    BOOST_TEST_CONTEXT(line) {
      const ParseError e = must_fail(std::string(line) + "\r\nContent-Length: 0\r\n\r\n");
      BOOST_TEST((e.kind == ParseErrorKind::BadStartLine));
    }
  }
  BOOST_TEST(mentions(must_fail("SIP/2.0 20 OK\r\n\r\n"), "bad status code"));
}

BOOST_AUTO_TEST_CASE(header_without_colon) {
  const ParseError e = must_fail(crlf("OPTIONS sip:a@h SIP/2.0\nVia SIP/2.0/UDP h\n\n"));
  BOOST_TEST((e.kind == ParseErrorKind::BadHeader));
  BOOST_TEST(mentions(e, "without ':'"));
}

BOOST_AUTO_TEST_CASE(invalid_header_name) {
  const ParseError e = must_fail(crlf("OPTIONS sip:a@h SIP/2.0\nBad Name: x\n\n"));
  BOOST_TEST((e.kind == ParseErrorKind::BadHeader));
  BOOST_TEST(mentions(e, "invalid header name \"Bad Name\""));
  BOOST_TEST((must_fail(crlf("OPTIONS sip:a@h SIP/2.0\n: x\n\n")).kind == ParseErrorKind::BadHeader));
}

BOOST_AUTO_TEST_CASE(fold_before_the_first_header) {
  const ParseError e = must_fail(crlf("OPTIONS sip:a@h SIP/2.0\n continued\nl: 0\n\n"));
  BOOST_TEST((e.kind == ParseErrorKind::BadHeader));
  BOOST_TEST(mentions(e, "continuation line before the first header"));
}

BOOST_AUTO_TEST_CASE(header_line_too_long) {
  const std::string line = "X: " + std::string(kMaxHeaderLineBytes, 'a');
  BOOST_TEST((must_fail("OPTIONS sip:a@h SIP/2.0\r\n" + line + "\r\n\r\n").kind == ParseErrorKind::HeaderLineTooLong));
  // the limit applies to the unfolded line too
  const std::string half(kMaxHeaderLineBytes / 2, 'b');
  const ParseError e = must_fail("OPTIONS sip:a@h SIP/2.0\r\nX: " + half + "\r\n " + half + "\r\n\r\n");
  BOOST_TEST((e.kind == ParseErrorKind::HeaderLineTooLong));
  BOOST_TEST(mentions(e, "folded header X"));
}

BOOST_AUTO_TEST_CASE(too_many_headers) {
  std::string text = "OPTIONS sip:a@h SIP/2.0\r\n";
  for (std::size_t i = 0; i <= kMaxHeaders; ++i) text += "X: 1\r\n";
  const ParseError e = must_fail(text + "\r\n");
  BOOST_TEST((e.kind == ParseErrorKind::TooManyHeaders));
  BOOST_TEST(mentions(e, "more than 200 headers"));
}

BOOST_AUTO_TEST_CASE(no_end_of_headers) {
  BOOST_TEST((must_fail("OPTIONS sip:a@h SIP/2.0\r\nl: 0\r\n").kind == ParseErrorKind::NoEndOfHeaders));
  BOOST_TEST((must_fail("OPTIONS sip:a@h SIP/2.0").kind == ParseErrorKind::NoEndOfHeaders));
  BOOST_TEST(mentions(must_fail("OPTIONS sip:a@h SIP/2.0\r\nl: 0"), "not closed by an empty line"));
}

BOOST_AUTO_TEST_CASE(bad_content_length) {
  for (const char* value : {"abc", "-1", "+5", "1 2", "", "99999999999"}) {
    BOOST_TEST_CONTEXT(value) {
      const ParseError e = must_fail(crlf("OPTIONS sip:a@h SIP/2.0\nContent-Length: " + std::string(value) + "\n\n"));
      BOOST_TEST((e.kind == ParseErrorKind::BadContentLength));
    }
  }
}

BOOST_AUTO_TEST_CASE(conflicting_content_lengths) {
  const ParseError e = must_fail(crlf("OPTIONS sip:a@h SIP/2.0\nContent-Length: 0\nl: 2\n\nab"));
  BOOST_TEST((e.kind == ParseErrorKind::BadContentLength));
  BOOST_TEST(mentions(e, "disagree"));
  // two that agree are fine, and serialize keeps one
  const Message m = must_parse(crlf("OPTIONS sip:a@h SIP/2.0\nContent-Length: 2\nl: 2\n\nab"));
  BOOST_TEST(with_content_length(m).headers.size() == 1u);
}

BOOST_AUTO_TEST_CASE(truncated_body) {
  const ParseError e = must_fail(crlf("OPTIONS sip:a@h SIP/2.0\nContent-Length: 10\n\n") + "short");
  BOOST_TEST((e.kind == ParseErrorKind::TruncatedBody));
  BOOST_TEST(e.message == "truncated body: Content-Length is 10 but only 5 bytes follow the headers");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(message_serialize)

BOOST_AUTO_TEST_CASE(writes_crlf_headers_in_order_and_one_content_length) {
  const Message m = must_parse("SIP/2.0 200 OK\nl: 99\nX-A: 1\nContent-Length: 99\nX-B: 2\n\n" + std::string(99, 'z'));
  Message changed = m;
  changed.body = "new";
  BOOST_TEST(serialize(changed) == "SIP/2.0 200 OK\r\nl: 3\r\nX-A: 1\r\nX-B: 2\r\n\r\nnew");
}

BOOST_AUTO_TEST_CASE(round_trips_folded_and_compact_messages) {
  const std::string text = "INVITE sip:a@h SIP/2.0\nv: SIP/2.0/UDP h;branch=z9hG4bKx\nSubject: a\n b\nl: 2\n\nhi";
  const Message m = must_parse(text);
  const Message again = must_parse(serialize(m));
  BOOST_TEST((again == m));
  BOOST_TEST(serialize(m) == "INVITE sip:a@h SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bKx\r\nSubject: a b\r\nl: 2\r\n\r\nhi");
}

BOOST_AUTO_TEST_CASE(builds_a_response_from_scratch) {
  Message m;
  m.start = StatusLine{486, "Busy Here"};
  m.headers = {{"Via", "SIP/2.0/UDP h;branch=z9hG4bKx"}, {"CSeq", "1 INVITE"}};
  BOOST_TEST(serialize(m) == "SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nCSeq: 1 INVITE\r\n"
                             "Content-Length: 0\r\n\r\n");
  BOOST_TEST((must_parse(serialize(m)) == with_content_length(m)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(stream_framing)

BOOST_AUTO_TEST_CASE(two_messages_and_a_keepalive_in_one_buffer) {
  const std::string one = crlf("MESSAGE sip:a@h SIP/2.0\nContent-Length: 5\n\n") + "hello";
  const std::string two = kOptions;
  const std::string buffer = "\r\n\r\n" + one + two;
  auto f = frame_stream(buffer);
  BOOST_TEST_REQUIRE(f.has_value());
  BOOST_TEST((*f == Frame{FrameStatus::Keepalive, 4}));
  f = frame_stream(std::string_view(buffer).substr(4));
  BOOST_TEST_REQUIRE(f.has_value());
  BOOST_TEST((*f == Frame{FrameStatus::Complete, one.size()}));
  BOOST_TEST(parse_message(buffer.substr(4, f->length))->body == "hello");
  f = frame_stream(std::string_view(buffer).substr(4 + one.size()));
  BOOST_TEST_REQUIRE(f.has_value());
  BOOST_TEST((*f == Frame{FrameStatus::Complete, two.size()}));
}

BOOST_AUTO_TEST_CASE(need_more_until_the_body_is_complete) {
  const std::string one = crlf("MESSAGE sip:a@h SIP/2.0\nContent-Length: 5\n\n") + "hello";
  for (std::size_t cut = 1; cut < one.size(); ++cut) {
    BOOST_TEST_CONTEXT("first " << cut << " bytes") {
      const auto f = frame_stream(std::string_view(one).substr(0, cut));
      BOOST_TEST_REQUIRE(f.has_value());
      BOOST_TEST((f->status == FrameStatus::NeedMore));
    }
  }
  BOOST_TEST((frame_stream("").value().status == FrameStatus::NeedMore));
  BOOST_TEST((frame_stream("OPTIONS sip:a@h SIP/2.0\nl: 0\n\n").value() == Frame{FrameStatus::Complete, 30}));
}

BOOST_AUTO_TEST_CASE(stream_without_content_length_is_an_error) {
  const auto f = frame_stream(crlf("MESSAGE sip:a@h SIP/2.0\nCSeq: 1 MESSAGE\n\nhello"));
  BOOST_TEST_REQUIRE(!f.has_value());
  BOOST_TEST((f.error().kind == ParseErrorKind::MissingContentLength));
}

BOOST_AUTO_TEST_CASE(stream_errors) {
  BOOST_TEST((frame_stream(crlf("BAD\nl: 0\n\n")).error().kind == ParseErrorKind::BadStartLine));
  BOOST_TEST((frame_stream(crlf("OPTIONS sip:a@h SIP/2.0\nl: x\n\n")).error().kind == ParseErrorKind::BadContentLength));
  BOOST_TEST((frame_stream(crlf("OPTIONS sip:a@h SIP/2.0\nl: 70000\n\n")).error().kind == ParseErrorKind::TooLarge));
  BOOST_TEST((frame_stream("OPTIONS sip:a@h SIP/2.0\r\nX: " + std::string(kMaxMessageBytes, 'a')).error().kind ==
              ParseErrorKind::TooLarge));
}

BOOST_AUTO_TEST_SUITE_END()
