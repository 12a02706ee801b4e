// fake-rtpproxy's command line: rtpproxy's flags, our long options, and clear errors for the rest.
#include <boost/test/unit_test.hpp>

#include <string_view>
#include <vector>

#include "fake_rtpproxy/options.hpp"

using namespace mohq::fake_rtpproxy;

namespace {

mohq::Expected<CommandLine, std::string> parse(std::vector<std::string_view> arguments) {
  return parse_command_line(arguments);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(options)

BOOST_AUTO_TEST_CASE(the_issue_example_parses) {
  auto line = parse({"-l", "127.0.0.1", "-s", "udp:127.0.0.1:22222", "-m", "40000", "-M", "40100", "-f"});
  BOOST_REQUIRE_MESSAGE(line, (line ? "" : line.error()));
  const Options& o = line->options;
  BOOST_TEST(o.listen_ipv4 == "127.0.0.1");
  BOOST_REQUIRE(o.control.size() == 1u);
  BOOST_TEST(static_cast<int>(o.control[0].kind) == static_cast<int>(ControlSocketSpec::Kind::Udp));
  BOOST_TEST(o.control[0].host == "127.0.0.1");
  BOOST_TEST(o.control[0].port == 22222);
  BOOST_TEST(o.port_min == 40000);
  BOOST_TEST(o.port_max == 40098);  // an even -M drops by 2 so RTCP (+1) stays within it
}

BOOST_AUTO_TEST_CASE(port_range_is_adjusted_like_rtpproxy) {
  auto line = parse({"-m", "40001", "-M", "40101"});
  BOOST_REQUIRE(line);
  BOOST_TEST(line->options.port_min == 40002);
  BOOST_TEST(line->options.port_max == 40100);
  BOOST_TEST(!parse({"-m", "40000", "-M", "40000"}));  // no room for an RTP+RTCP pair
}

BOOST_AUTO_TEST_CASE(control_socket_forms) {
  auto line = parse({"-s", "unix:/tmp/x.sock", "-s", "udp6:[::1]:5000", "-s", "/run/y.sock", "-s", "stdio:",
                     "-s", "udp:127.0.0.2"});
  BOOST_REQUIRE_MESSAGE(line, (line ? "" : line.error()));
  const auto& c = line->options.control;
  BOOST_REQUIRE(c.size() == 5u);
  BOOST_TEST(c[0].path == "/tmp/x.sock");
  BOOST_TEST(c[1].host == "::1");
  BOOST_TEST(c[1].port == 5000);
  BOOST_TEST(c[2].path == "/run/y.sock");
  BOOST_TEST(static_cast<int>(c[3].kind) == static_cast<int>(ControlSocketSpec::Kind::Stdio));
  BOOST_TEST(c[4].port == kDefaultControlPort);
}

BOOST_AUTO_TEST_CASE(attached_values_and_clusters) {
  auto line = parse({"-fF", "-m40000", "-M40010", "-dDBUG", "-T", "10", "-W", "5", "-b"});
  BOOST_REQUIRE_MESSAGE(line, (line ? "" : line.error()));
  BOOST_TEST(line->options.port_min == 40000);
  BOOST_TEST(line->options.session_ttl_s == 10);
  BOOST_TEST(line->options.setup_ttl_s.value_or(0) == 5);
  BOOST_TEST(line->options.sequential_ports);
  BOOST_TEST(static_cast<int>(line->options.log_level) == static_cast<int>(LogLevel::Debug));
}

BOOST_AUTO_TEST_CASE(long_options) {
  auto line = parse({"--stats-json", "/tmp/s.json", "--fault", "rtp.loss=0.1", "--fault=reply.delay=50", "--seed", "7",
                     "--media-threads", "3", "--media-nice=-10"});
  BOOST_REQUIRE_MESSAGE(line, (line ? "" : line.error()));
  BOOST_TEST(line->options.stats_json == "/tmp/s.json");
  BOOST_REQUIRE(line->options.faults.size() == 2u);
  BOOST_TEST(line->options.faults[1].first == "reply.delay");
  BOOST_TEST(line->options.faults[1].second == "50");
  BOOST_TEST(line->options.seed.value_or(0) == 7u);
  BOOST_TEST(line->options.media_threads == 3);
  BOOST_TEST(line->options.media_nice == -10);
  BOOST_TEST(!parse({"--media-nice", "-21"}));
  BOOST_TEST(!parse({"--media-threads", "0"}));
}

BOOST_AUTO_TEST_CASE(errors_name_the_flag) {
  struct Bad {
    std::vector<std::string_view> arguments;
    std::string_view mentions;
  };
  std::vector<Bad> cases = {
      {{"-Q"}, "-Q"},
      {{"--frobnicate"}, "--frobnicate"},
      {{"-m"}, "-m needs a value"},
      {{"-m", "abc"}, "-m"},
      {{"-M", "70000"}, "-M"},
      {{"-s", "tcp:127.0.0.1:1"}, "unsupported control socket"},
      {{"-s", "udp:127.0.0.1:99999"}, "-s"},
      {{"-l", "1.2.3.4/5.6.7.8"}, "bridge mode"},
      {{"-n", "unix:/x"}, "not supported"},
      {{"-d", "LOUD"}, "log level"},
      {{"--fault", "noequals"}, "KEY=VALUE"},
      {{"stray"}, "stray"},
  };
  for (const auto& bad : cases) {
    auto line = parse(bad.arguments);
    BOOST_TEST_CONTEXT("arguments starting " << bad.arguments.front()) {
      BOOST_REQUIRE(!line);
      BOOST_TEST(line.error().find(bad.mentions) != std::string::npos, line.error());
    }
  }
}

BOOST_AUTO_TEST_CASE(help_and_version) {
  BOOST_TEST(static_cast<int>(parse({"-h"})->action) == static_cast<int>(CommandLine::Action::Help));
  BOOST_TEST(static_cast<int>(parse({"-V"})->action) == static_cast<int>(CommandLine::Action::Version));
}

BOOST_AUTO_TEST_SUITE_END()
