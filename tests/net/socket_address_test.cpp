// SocketAddress: text forms in and out, and every kind of input that must be refused.
#include <arpa/inet.h>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "net/socket_address.hpp"

namespace mohq::net {
namespace {

const std::vector<std::string> kCanonical = {
    "127.0.0.1:22222", "0.0.0.0:0",        "255.255.255.255:65535", "10.1.2.3:5060",
    "[::1]:5060",      "[::]:0",           "[2001:db8::1]:1",       "[fe80::1:2:3:4]:65535",
    "[::ffff:1.2.3.4]:7",
};

// Input, and the reason it is refused (documentation for the reader; the message is checked separately).
const std::vector<std::string> kRejected = {
    "",                    // empty
    "junk",                // no port
    "1.2.3.4",             // no port
    "1.2.3.4:",            // empty port
    ":5060",               // empty host
    "1.2.3.4:65536",       // port above 65535
    "1.2.3.4:99999999999999999999",  // port overflowing any integer
    "1.2.3.4:-1",          // sign
    "1.2.3.4:+5",          // sign
    "1.2.3.4: 5",          // space
    "1.2.3.4:5 ",          // trailing space
    " 1.2.3.4:5",          // leading space
    "1.2.3.4:5x",          // trailing junk
    "1.2.3.4:0x10",        // hex
    "1.2.3.256:5",         // octet out of range
    "1.2.3:5",             // short IPv4
    "localhost:5060",      // names are not resolved
    "::1:5060",            // IPv6 without brackets
    "::1",                 // IPv6 without brackets or port
    "[::1]",               // no port
    "[::1]:",              // empty port
    "[::1]5060",           // no colon after ]
    "[::1:5060",           // no ]
    "[]:5",                // empty IPv6 host
    "[1.2.3.4]:5",         // IPv4 in brackets
    "[fe80::1%lo]:5",      // scope ids are not numeric literals
    "[::1]:5060:1",        // junk after the port
    "[:::1]:5",            // bad IPv6
    std::string("127.0.0.1:5\0", 12),  // embedded NUL
};

}  // namespace

BOOST_AUTO_TEST_SUITE(socket_address)

BOOST_DATA_TEST_CASE(parse_then_format_gives_the_same_text, boost::unit_test::data::make(kCanonical), text) {
  const auto address = SocketAddress::parse(text);
  BOOST_TEST_REQUIRE(address.has_value(), text << ": " << (address ? "" : address.error()));
  BOOST_TEST(address->to_string() == text);
  const auto again = SocketAddress::parse(address->to_string());
  BOOST_TEST_REQUIRE(again.has_value());
  BOOST_TEST((*again == *address));
}

BOOST_DATA_TEST_CASE(rejects_bad_text, boost::unit_test::data::make(kRejected), text) {
  const auto address = SocketAddress::parse(text);
  BOOST_TEST(!address.has_value(), "'" << text << "' was accepted as " << (address ? address->to_string() : ""));
  if (!address) BOOST_TEST(!address.error().empty());
}

BOOST_AUTO_TEST_CASE(ipv4_parts) {
  const auto address = *SocketAddress::parse("127.0.0.1:22222");
  BOOST_TEST(address.family() == AF_INET);
  BOOST_TEST(!address.is_ipv6());
  BOOST_TEST(address.host() == "127.0.0.1");
  BOOST_TEST(address.port() == 22222);
  BOOST_TEST(address.size() == sizeof(sockaddr_in));
}

BOOST_AUTO_TEST_CASE(ipv6_parts_are_canonical_and_without_brackets) {
  const auto address = *SocketAddress::parse("[2001:DB8:0:0::1]:5060");
  BOOST_TEST(address.family() == AF_INET6);
  BOOST_TEST(address.is_ipv6());
  BOOST_TEST(address.host() == "2001:db8::1");
  BOOST_TEST(address.port() == 5060);
  BOOST_TEST(address.to_string() == "[2001:db8::1]:5060");
  BOOST_TEST(address.size() == sizeof(sockaddr_in6));
}

BOOST_AUTO_TEST_CASE(port_bounds) {
  BOOST_TEST(SocketAddress::parse("1.2.3.4:0")->port() == 0);
  BOOST_TEST(SocketAddress::parse("1.2.3.4:65535")->port() == 65535);
  BOOST_TEST(SocketAddress::parse("1.2.3.4:00080")->port() == 80);  // digits only; leading zeros are digits
}

BOOST_AUTO_TEST_CASE(messages_name_the_input) {
  BOOST_TEST(SocketAddress::parse("1.2.3.4:65536").error().find("65536") != std::string::npos);
  BOOST_TEST(SocketAddress::parse("localhost:5060").error().find("localhost") != std::string::npos);
  BOOST_TEST(SocketAddress::parse("::1:5060").error().find("[host]:port") != std::string::npos);
  BOOST_TEST(SocketAddress::parse("").error().find("empty") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(from_host_port_takes_bare_literals) {
  BOOST_TEST(SocketAddress::from_host_port("127.0.0.1", 5)->to_string() == "127.0.0.1:5");
  BOOST_TEST(SocketAddress::from_host_port("::1", 5060)->to_string() == "[::1]:5060");
  for (const std::string host : {"", "localhost", "1.2.3", "[::1]", "::1%lo", "1.2.3.4 "}) {
    const auto address = SocketAddress::from_host_port(host, 5);
    BOOST_TEST(!address.has_value(), "'" << host << "' was accepted");
  }
  const std::string with_nul("127.0.0.1\0junk", 14);
  BOOST_TEST(!SocketAddress::from_host_port(with_nul, 5).has_value());
}

BOOST_AUTO_TEST_CASE(set_port_and_equality) {
  auto address = *SocketAddress::parse("127.0.0.1:5");
  BOOST_TEST((address == *SocketAddress::from_host_port("127.0.0.1", 5)));
  address.set_port(6);
  BOOST_TEST(address.to_string() == "127.0.0.1:6");
  BOOST_TEST(!(address == *SocketAddress::parse("127.0.0.1:5")));
  BOOST_TEST(!(address == *SocketAddress::parse("127.0.0.2:6")));
  BOOST_TEST(!(*SocketAddress::parse("[::ffff:127.0.0.1]:6") == address));  // mapped IPv6 is another family
  auto v6 = *SocketAddress::parse("[::1]:1");
  v6.set_port(2);
  BOOST_TEST(v6.to_string() == "[::1]:2");
}

BOOST_AUTO_TEST_CASE(from_sockaddr_copies_the_kernel_form) {
  sockaddr_in raw{};
  raw.sin_family = AF_INET;
  raw.sin_port = htons(4242);
  BOOST_REQUIRE(::inet_pton(AF_INET, "192.0.2.7", &raw.sin_addr) == 1);
  const auto address = SocketAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&raw), sizeof raw);
  BOOST_TEST(address.to_string() == "192.0.2.7:4242");
  BOOST_TEST(address.size() == sizeof raw);
  BOOST_TEST(SocketAddress::from_sockaddr(nullptr, 0).size() == 0);
}

BOOST_AUTO_TEST_CASE(default_address_is_empty) {
  const SocketAddress address;
  BOOST_TEST(address.family() == AF_UNSPEC);
  BOOST_TEST(address.port() == 0);
  BOOST_TEST(address.host().empty());
  BOOST_TEST(address.to_string() == "(no address)");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::net
