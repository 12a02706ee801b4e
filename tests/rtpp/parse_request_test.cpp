// parse_request rules that do not fit one-line golden files: NUL bytes, size and token limits, cookies on
// errors, and the exact model fields. Command -> canonical form, side by side.
#include <string>

#include <boost/test/unit_test.hpp>

#include "canonical.hpp"
#include "rtpp/codec.hpp"

using namespace mohq::rtpp;
using namespace std::string_literals;

namespace {

std::string stream(std::string_view text) { return testing::describe(parse_request(text, Framing::Stream)); }
std::string datagram(std::string_view text) { return testing::describe(parse_request(text, Framing::Datagram)); }

std::string tokens(std::size_t n) {
  std::string out = "G";
  for (std::size_t i = 1; i < n; ++i) out += " n" + std::to_string(i);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(parse_request_rules)

BOOST_AUTO_TEST_CASE(separators_are_runs_of_space_tab_cr_lf) {
  BOOST_TEST(stream(" \t\r\nS\t\tc1 \r\n f1\n") == "S call=c1 from=f1");
  BOOST_TEST(stream("S c1\vx f1") == "S call=c1\vx from=f1");  // VT is not a separator
}

BOOST_AUTO_TEST_CASE(empty_commands_are_syntax_errors) {
  BOOST_TEST(stream("") == "E5");
  BOOST_TEST(stream(" \r\n\t") == "E5");
  BOOST_TEST(datagram("") == "E5");
  BOOST_TEST(datagram("  ") == "E5");
  BOOST_TEST(datagram("c1") == "cookie=c1 E5");
  BOOST_TEST(datagram("c1 \n") == "cookie=c1 E5");
}

BOOST_AUTO_TEST_CASE(nul_bytes_are_syntax_errors) {
  BOOST_TEST(stream("V\0"s) == "E5");
  BOOST_TEST(stream("S c\0all f1"s) == "E5");
  BOOST_TEST(stream("\0"s) == "E5");
  BOOST_TEST(datagram("ck V\0"s) == "cookie=ck E5");
  BOOST_TEST(datagram("c\0k V"s) == "E5");  // the cookie itself is broken: nothing to echo
}

BOOST_AUTO_TEST_CASE(at_most_24_tokens_per_command) {
  BOOST_TEST(stream(tokens(24)).starts_with("G names=n1,"));
  BOOST_TEST(stream(tokens(25)) == "E5");
  BOOST_TEST(datagram("ck " + tokens(24)).starts_with("cookie=ck G names=n1,"));  // the cookie is not counted
  BOOST_TEST(datagram("ck " + tokens(25)) == "cookie=ck E5");
}

BOOST_AUTO_TEST_CASE(at_most_8192_bytes) {
  std::string fits = "F k=" + std::string(kMaxCommandBytes - 4, 'v');
  BOOST_TEST(fits.size() == kMaxCommandBytes);
  BOOST_TEST(stream(fits).starts_with("F set=k=vvv"));
  BOOST_TEST(stream(fits + "v") == "E5");
  const std::string with_cookie = "ck F k=" + std::string(kMaxCommandBytes - 7, 'v');
  BOOST_TEST(datagram(with_cookie).starts_with("cookie=ck F set=k=vvv"));
  BOOST_TEST(datagram(with_cookie + "v") == "cookie=ck E5");  // still echoes the cookie
}

BOOST_AUTO_TEST_CASE(subcommands_are_refused) {
  BOOST_TEST(stream("U c a 1 f && L a 2") == "E3");
  BOOST_TEST(stream("U c a 1 f &&") == "E5");
  BOOST_TEST(stream("&& U c a 1 f") == "E5");
  BOOST_TEST(stream("U c a 1 f && && L a 2") == "E5");
  BOOST_TEST(stream("X && S") == "E3");
  BOOST_TEST(stream("Xz && S") == "E2");  // modifiers are checked before subcommands
  BOOST_TEST(stream("S c f &&x") == "S call=c from=f to=&&x");  // "&&x" is an ordinary token
}

BOOST_AUTO_TEST_CASE(check_order_follows_rtpproxy) {
  BOOST_TEST(stream("Kx") == "E0");      // unknown command before anything else
  BOOST_TEST(stream("Vx a") == "E1");    // argument count before modifiers
  BOOST_TEST(stream("Vx") == "E2");
  BOOST_TEST(stream("Ux c a 1 f s %zz") == "E10");  // the notify tag before U's modifiers
  BOOST_TEST(stream("Uz0x c a 1 f") == "E13");      // modifiers left to right: the first fault decides
  BOOST_TEST(stream("Uxz0 c a 1 f") == "E35");
}

BOOST_AUTO_TEST_CASE(command_letters_are_case_insensitive) {
  BOOST_TEST(stream("u c a 1 f") == "U call=c addr=a port=1 from=f");
  BOOST_TEST(stream("vf 20081102") == "VF date=20081102");
  BOOST_TEST(stream("vF 20081102") == "VF date=20081102");
  BOOST_TEST(stream("x") == "X");
  BOOST_TEST(stream("f") == "F");
}

BOOST_AUTO_TEST_CASE(update_fields) {
  const auto r = parse_request("ck UAc8,0,101Z30l10.0.0.1 call 10.1.1.1 6000 ft;1 tt;1", Framing::Datagram);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->cookie.value() == "ck");
  const auto& u = std::get<UpdateCommand>(r->command);
  BOOST_TEST(!u.lookup);
  BOOST_TEST(u.modifiers.asymmetric);
  BOOST_TEST(u.modifiers.ptime_ms.value() == 30);
  BOOST_TEST((u.modifiers.codecs == std::vector<int>{8, 0, 101}));
  BOOST_TEST(u.modifiers.local_address.value() == "10.0.0.1");
  BOOST_TEST(u.call_id == "call");
  BOOST_TEST(u.address == "10.1.1.1");
  BOOST_TEST(u.port == "6000");
  BOOST_TEST(u.from_tag == "ft;1");
  BOOST_TEST(u.to_tag.value() == "tt;1");
  BOOST_TEST(!u.notify_socket.has_value());
  BOOST_TEST(command_letter(r->command) == 'U');
}

BOOST_AUTO_TEST_CASE(notify_pair_positions) {
  BOOST_TEST(stream("U c a 1 f unix:/n tag%20x") == "U call=c addr=a port=1 from=f notify=unix:/n tag=tag%20x");
  BOOST_TEST(stream("U c a 1 f t unix:/n tag") == "U call=c addr=a port=1 from=f to=t notify=unix:/n tag=tag");
  BOOST_TEST(stream("U c a 1 f t s %4") == "E10");
  BOOST_TEST(stream("U c a 1 f t s %4g") == "E10");
  BOOST_TEST(stream("U c a 1 f t s %") == "E10");
  BOOST_TEST(stream("L c a 1 f t s tag") == "E1");
}

BOOST_AUTO_TEST_CASE(modifier_quirks) {
  BOOST_TEST(stream("UAS c a 1 f") == "U sym call=c addr=a port=1 from=f");   // later one wins
  BOOST_TEST(stream("USA c a 1 f") == "U asym call=c addr=a port=1 from=f");
  BOOST_TEST(stream("UZ20Z30 c a 1 f") == "U ptime=30 call=c addr=a port=1 from=f");
  BOOST_TEST(stream("UZ+20 c a 1 f") == "U ptime=20 call=c addr=a port=1 from=f");
  BOOST_TEST(stream("UZ1000 c a 1 f") == "E13");
  BOOST_TEST(stream("UZ99999999999999999999 c a 1 f") == "E13");
  BOOST_TEST(stream("UZ-20 c a 1 f") == "E13");
  BOOST_TEST(stream("UZ c a 1 f") == "E13");
  BOOST_TEST(stream("UZ20x c a 1 f") == "E35");  // §2.8: Kamailio's trailing garbage after Z<n>
  BOOST_TEST(stream("Uc8c0 c a 1 f") == "E14");
  BOOST_TEST(stream("Uc8,,0 c a 1 f") == "E14");
  BOOST_TEST(stream("Uc99999999999 c a 1 f") == "E14");
  BOOST_TEST(stream("Ul1.2.3.46 c a 1 f") == "U local=1.2.3.46 call=c addr=a port=1 from=f");  // digits join
  BOOST_TEST(stream("U6l1.2.3.4 c a 1 f") == "E31");
  BOOST_TEST(stream("Ul[::1] c a 1 f") == "E31");
  BOOST_TEST(stream("Ul[::1]6 c a 1 f") == "E31");
  BOOST_TEST(stream("U6l[::1] c a 1 f") == "U ipv6 local=[::1] call=c addr=a port=1 from=f");
  BOOST_TEST(stream("Ul{} c a 1 f") == "E15");
  BOOST_TEST(stream("Ul{a c a 1 f") == "E15");
  BOOST_TEST(stream("Ul{pub}c0 c a 1 f") == "U codecs=0 local={pub} call=c addr=a port=1 from=f");
  BOOST_TEST(stream("Ur{pub} c a 1 f") == "E16");
  BOOST_TEST(stream("Ul1.1.1.1r2.2.2.2 c a 1 f") == "U remote=2.2.2.2 call=c addr=a port=1 from=f");
  BOOST_TEST(stream("Ueie c a 1 f") == "E11");
  BOOST_TEST(stream("Ueii c a 1 f") == "E12");
}

BOOST_AUTO_TEST_CASE(play_fields) {
  BOOST_TEST(stream("P c /p session f") == "P count=1 call=c prompt=/p codecs=session from=f");
  BOOST_TEST(stream("P0 c /p 0 f") == "P count=0 call=c prompt=/p codecs=0 pts=0 from=f");
  BOOST_TEST(stream("P+3 c /p 0 f") == "P count=3 call=c prompt=/p codecs=0 pts=0 from=f");
  BOOST_TEST(stream("P-2147483648 c /p 0 f").starts_with("P count=-2147483648 "));
  BOOST_TEST(stream("P2147483648 c /p 0 f") == "E17");
  BOOST_TEST(stream("P- c /p 0 f") == "E17");
  BOOST_TEST(stream("P1x c /p 0 f") == "E17");
  BOOST_TEST(stream("P c /p 18/0;8, f") == "P count=1 call=c prompt=/p codecs=18/0;8, pts=18,0,8 from=f");
  BOOST_TEST(stream("P c /p 0,x,8 f") == "P count=1 call=c prompt=/p codecs=0,x,8 pts=0 from=f");
  BOOST_TEST(stream("P c /p Session f") == "P count=1 call=c prompt=/p codecs=Session pts=- from=f");
}

BOOST_AUTO_TEST_CASE(fault_command) {
  BOOST_TEST(stream("F") == "F");
  BOOST_TEST(stream("F drop=0.5 reply_delay_ms=100 x==") == "F set=drop=0.5 set=reply_delay_ms=100 set=x==");
  BOOST_TEST(stream("F k=") == "F set=k=");
  BOOST_TEST(stream("F =v") == "E5");
  BOOST_TEST(stream("F kv") == "E5");
  BOOST_TEST(stream("Fx k=v") == "E2");
  const auto r = parse_request("F a=1 b=2=3", Framing::Stream);
  BOOST_TEST_REQUIRE(r.has_value());
  const auto& f = std::get<FaultCommand>(r->command);
  BOOST_TEST_REQUIRE(f.settings.size() == 2u);
  BOOST_TEST(f.settings[1].first == "b");
  BOOST_TEST(f.settings[1].second == "2=3");
  BOOST_TEST(command_letter(r->command) == 'F');
}

BOOST_AUTO_TEST_CASE(error_messages_say_what_was_wrong) {
  const auto r = parse_request("ck Uq c a 1 f", Framing::Datagram);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST(static_cast<int>(r.error().code) == 35);
  BOOST_TEST(r.error().cookie.value() == "ck");
  BOOST_TEST(r.error().message.find("`q'") != std::string::npos, r.error().message);
}

BOOST_AUTO_TEST_CASE(command_letters) {
  const std::pair<const char*, char> cases[] = {
      {"V", 'V'}, {"VF 1", 'V'}, {"U c a 1 f", 'U'}, {"L c a 1 f", 'L'}, {"D c f", 'D'}, {"P c p s f", 'P'},
      {"S c f", 'S'}, {"Q c f", 'Q'}, {"I", 'I'}, {"G", 'G'}, {"X", 'X'}, {"r c f", 'R'}, {"C c t f", 'C'},
      {"N c f", 'N'}, {"F", 'F'}};
  for (const auto& [text, letter] : cases) {
    const auto r = parse_request(text, Framing::Stream);
    BOOST_TEST_REQUIRE(r.has_value(), text);
    BOOST_TEST(command_letter(r->command) == letter, text);
  }
}

BOOST_AUTO_TEST_SUITE_END()
