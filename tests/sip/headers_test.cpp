// CSeq, Via, name-addr and SIP URI parsers, one header value at a time.
#include <boost/test/unit_test.hpp>

#include "sip/headers.hpp"
#include "sip/uri.hpp"

using namespace mohq::sip;

BOOST_AUTO_TEST_SUITE(cseq)

BOOST_AUTO_TEST_CASE(number_and_method) {
  BOOST_TEST((parse_cseq("4711 INVITE").value() == CSeq{4711, "INVITE"}));
  BOOST_TEST((parse_cseq("  1\tACK ").value() == CSeq{1, "ACK"}));
  BOOST_TEST(parse_cseq("2147483647 BYE")->number == 2147483647u);
}

BOOST_AUTO_TEST_CASE(errors) {
  for (const char* bad : {"", "INVITE", "1", "x INVITE", "-1 INVITE", "2147483648 INVITE", "1 INVITE extra", "1 IN/VITE"}) {
    BOOST_TEST_CONTEXT(bad) {
      const auto c = parse_cseq(bad);
      BOOST_TEST_REQUIRE(!c.has_value());
      BOOST_TEST((c.error().kind == ParseErrorKind::BadValue));
      BOOST_TEST(c.error().message.find("bad CSeq") == 0u);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(via)

BOOST_AUTO_TEST_CASE(fields_and_params) {
  const auto v = parse_via("SIP / 2.0 / TCP [2001:db8::1]:5061 ;branch=z9hG4bKabc; rport ;received=10.0.0.9");
  BOOST_TEST_REQUIRE(v.has_value());
  BOOST_TEST(v->protocol == "SIP");
  BOOST_TEST(v->version == "2.0");
  BOOST_TEST(v->transport == "TCP");
  BOOST_TEST(v->host == "[2001:db8::1]");
  BOOST_TEST(v->port.value_or(0) == 5061);
  BOOST_TEST(v->branch().value_or("") == "z9hG4bKabc");
  BOOST_TEST_REQUIRE(find_param(v->params, "RPORT") != nullptr);
  BOOST_TEST(!find_param(v->params, "rport")->value.has_value());
  BOOST_TEST(find_param(v->params, "received")->value.value_or("") == "10.0.0.9");
}

BOOST_AUTO_TEST_CASE(no_port_no_branch) {
  const auto v = parse_via("SIP/2.0/UDP host.example");
  BOOST_TEST_REQUIRE(v.has_value());
  BOOST_TEST(!v->port.has_value());
  BOOST_TEST(!v->branch().has_value());
}

BOOST_AUTO_TEST_CASE(errors) {
  for (const char* bad : {"", "SIP/2.0 h", "SIP/2.0/UDP", "SIP/2.0/UDP h:99999", "SIP/2.0/UDP h:x", "SIP/2.0/UDP [::1",
                          "SIP/2.0/UDP a b", "SIP//UDP h"}) {
    BOOST_TEST_CONTEXT(bad) {
      const auto v = parse_via(bad);
      BOOST_TEST_REQUIRE(!v.has_value());
      BOOST_TEST(v.error().message.find("bad Via") == 0u);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(name_addr)

BOOST_AUTO_TEST_CASE(forms) {
  auto n = parse_name_addr("\"Alice \\\"A\\\" Liddell\" <sip:alice@h;transport=tcp>;tag=88sja8x;x=1");
  BOOST_TEST_REQUIRE(n.has_value());
  BOOST_TEST(n->display_name.value_or("") == "Alice \"A\" Liddell");
  BOOST_TEST(n->uri == "sip:alice@h;transport=tcp");  // URI params stay in the URI
  BOOST_TEST(n->tag().value_or("") == "88sja8x");
  BOOST_TEST(n->params.size() == 2u);

  n = parse_name_addr("Bob Smith <sip:bob@h>");
  BOOST_TEST(n->display_name.value_or("") == "Bob Smith");
  BOOST_TEST(!n->tag().has_value());

  // addr-spec: parameters belong to the header (RFC 3261 20.10)
  n = parse_name_addr("sip:carol@h;tag=abc");
  BOOST_TEST_REQUIRE(n.has_value());
  BOOST_TEST(!n->display_name.has_value());
  BOOST_TEST(n->uri == "sip:carol@h");
  BOOST_TEST(n->tag().value_or("") == "abc");

  n = parse_name_addr("<sip:op@127.0.0.1:5070>");
  BOOST_TEST(parse_uri(n->uri)->port.value_or(0) == 5070);
}

BOOST_AUTO_TEST_CASE(errors) {
  for (const char* bad : {"", "\"unclosed <sip:a@h>", "\"Name\" sip:a@h", "<sip:a@h", "<sip:a@h> junk", "noscheme",
                          "<:a@h>", "sip:a @h", "Bad@Name <sip:a@h>"}) {
    BOOST_TEST_CONTEXT(bad) {
      const auto n = parse_name_addr(bad);
      BOOST_TEST_REQUIRE(!n.has_value());
      BOOST_TEST(n.error().message.find("bad name-addr") == 0u);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(uri)

BOOST_AUTO_TEST_CASE(all_parts) {
  const auto u = parse_uri("SIPS:alice:secret@[2001:db8::2]:5061;transport=tls;lr?Subject=hi&Priority=urgent");
  BOOST_TEST_REQUIRE(u.has_value());
  BOOST_TEST(u->scheme == "sips");
  BOOST_TEST(u->user.value_or("") == "alice");
  BOOST_TEST(u->password.value_or("") == "secret");
  BOOST_TEST(u->host == "[2001:db8::2]");
  BOOST_TEST(u->port.value_or(0) == 5061);
  BOOST_TEST(find_param(u->params, "transport")->value.value_or("") == "tls");
  BOOST_TEST(!find_param(u->params, "lr")->value.has_value());
  BOOST_TEST(u->headers.size() == 2u);
  BOOST_TEST(u->headers[1].name == "Priority");
  BOOST_TEST(to_string(*u) == "sips:alice:secret@[2001:db8::2]:5061;transport=tls;lr?Subject=hi&Priority=urgent");
}

BOOST_AUTO_TEST_CASE(host_only) {
  const auto u = parse_uri("sip:example.com");
  BOOST_TEST_REQUIRE(u.has_value());
  BOOST_TEST(!u->user.has_value());
  BOOST_TEST(u->host == "example.com");
  BOOST_TEST(!u->port.has_value());
  BOOST_TEST(to_string(*u) == "sip:example.com");
}

BOOST_AUTO_TEST_CASE(errors) {
  for (const char* bad : {"", "example.com", "tel:+1234", "sip:", "sip:@h", "sip:a@", "sip:a@h:70000", "sip:a@h:",
                          "sip:a@[::1", "sip:a@h st", "sip:a@[xyz]"}) {
    BOOST_TEST_CONTEXT(bad) {
      const auto u = parse_uri(bad);
      BOOST_TEST_REQUIRE(!u.has_value());
      BOOST_TEST(u.error().message.find("bad SIP URI") == 0u);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
