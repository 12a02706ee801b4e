// Replies (rtpproxy-protocol.md §1.3): wire text <-> Response, classified by shape.
#include <string>

#include <boost/test/unit_test.hpp>

#include "rtpp/codec.hpp"

using namespace mohq::rtpp;

namespace {

Reply reply_of(std::string_view text, Framing framing = Framing::Stream) {
  auto r = parse_response(text, framing);
  BOOST_TEST_REQUIRE(r.has_value(), "\"" << text << "\": " << (r ? "" : r.error().message));
  return r->reply;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(responses)

BOOST_AUTO_TEST_CASE(format_adds_cookie_and_newline) {
  BOOST_TEST(format_response(Response{"6401_0", NumberReply{20040107}}) == "6401_0 20040107\n");
  BOOST_TEST(format_response(Response{std::nullopt, NumberReply{0}}) == "0\n");
  BOOST_TEST(format_response(Response{"c", PortReply{40002, "127.0.0.1", false}}) == "c 40002 127.0.0.1\n");
  BOOST_TEST(format_response(Response{"c", PortReply{40002, "::1", true}}) == "c 40002 ::1 6\n");
  BOOST_TEST(format_response(Response{"c", PortReply{40002, "", false}}) == "c 40002\n");
  BOOST_TEST(format_response(Response{"c", ErrorReply{ErrorCode::BadUpdateModifier}}) == "c E35\n");
  BOOST_TEST(format_response(Response{std::nullopt, TextReply{"60 0 0 0 0"}}) == "60 0 0 0 0\n");
}

BOOST_AUTO_TEST_CASE(shapes) {
  BOOST_TEST((reply_of("0\n") == Reply{NumberReply{0}}));
  BOOST_TEST((reply_of("20040107\n") == Reply{NumberReply{20040107}}));
  BOOST_TEST((reply_of("-1\n") == Reply{NumberReply{-1}}));
  BOOST_TEST((reply_of("40002 192.0.2.1\n") == Reply{PortReply{40002, "192.0.2.1", false}}));
  BOOST_TEST((reply_of("40002 2001:db8::1 6\n") == Reply{PortReply{40002, "2001:db8::1", true}}));
  BOOST_TEST((reply_of("40002 media.example.net\n") == Reply{PortReply{40002, "media.example.net", false}}));
  BOOST_TEST((reply_of("E50\n") == Reply{ErrorReply{ErrorCode::SessionNotFound}}));
  BOOST_TEST((reply_of("E42\n") == Reply{ErrorReply{static_cast<ErrorCode>(42)}}));
  BOOST_TEST((reply_of("E\n") == Reply{TextReply{"E"}}));
  BOOST_TEST((reply_of("E5x\n") == Reply{TextReply{"E5x"}}));
  BOOST_TEST((reply_of("+5\n") == Reply{TextReply{"+5"}}));
  BOOST_TEST((reply_of("1 1\n") == Reply{TextReply{"1 1"}}));  // G with two counters, not a port
  BOOST_TEST((reply_of("70000 1.2.3.4\n") == Reply{TextReply{"70000 1.2.3.4"}}));
  BOOST_TEST((reply_of("60 0 0 0 0\n") == Reply{TextReply{"60 0 0 0 0"}}));
  BOOST_TEST((reply_of("ttl=60 npkts_ina=0\n") == Reply{TextReply{"ttl=60 npkts_ina=0"}}));
  BOOST_TEST((reply_of("sessions created: 1\nactive sessions: 1\n") ==
              Reply{TextReply{"sessions created: 1\nactive sessions: 1"}}));
  BOOST_TEST((reply_of("0") == Reply{NumberReply{0}}));  // the final '\n' is optional on the way in
}

BOOST_AUTO_TEST_CASE(datagram_cookies) {
  auto r = parse_response("6401_4 40002 127.0.0.1\n", Framing::Datagram);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->cookie.value() == "6401_4");
  BOOST_TEST((r->reply == Reply{PortReply{40002, "127.0.0.1", false}}));

  r = parse_response("ck sessions created: 1\nactive sessions: 0\n", Framing::Datagram);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->cookie.value() == "ck");
  BOOST_TEST((r->reply == Reply{TextReply{"sessions created: 1\nactive sessions: 0"}}));

  r = parse_response("E5\n", Framing::Datagram);  // rtpproxy's answer to a datagram without cookie
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(!r->cookie.has_value());
  BOOST_TEST((r->reply == Reply{ErrorReply{ErrorCode::Syntax}}));

  BOOST_TEST(!parse_response(" 0\n", Framing::Datagram).has_value());
  BOOST_TEST(!parse_response("", Framing::Stream).has_value());
  BOOST_TEST(!parse_response(std::string(kMaxCommandBytes + 1, '1'), Framing::Stream).has_value());
}

BOOST_AUTO_TEST_CASE(format_then_parse) {
  const Response responses[] = {
      {"a_1", NumberReply{1}},           {"a_2", PortReply{35000, "10.0.0.1", false}},
      {"a_3", PortReply{35002, "fd00::1", true}}, {"a_4", ErrorReply{ErrorCode::ShuttingDown}},
      {"a_5", TextReply{"60 1 2 3 4"}},  {std::nullopt, TextReply{"sessions created: 0\nactive sessions: 0"}},
  };
  for (const Response& response : responses) {
    const std::string text = format_response(response);
    const auto parsed = parse_response(text, response.cookie ? Framing::Datagram : Framing::Stream);
    BOOST_TEST_REQUIRE(parsed.has_value(), text);
    BOOST_TEST((*parsed == response), text);
  }
}

BOOST_AUTO_TEST_SUITE_END()
