#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "harness/load/sipp_fleet.hpp"

using namespace mohq::harness;

namespace {

bool has(const std::vector<std::string>& argv, const std::string& option) {
  return std::find(argv.begin(), argv.end(), option) != argv.end();
}

std::string after(const std::vector<std::string>& argv, const std::string& option) {
  auto it = std::find(argv.begin(), argv.end(), option);
  return it == argv.end() || it + 1 == argv.end() ? "" : *(it + 1);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sipp_fleet)

BOOST_AUTO_TEST_CASE(load_is_shared_between_processes) {
  LoadCaseSpec spec;
  spec.callers.calls = 1001;
  spec.callers.rate = 900;
  spec.callers.concurrency = 5000;
  spec.callers.hold_ms = 30000;
  FleetPlan plan;
  plan.scenarios_dir = "/s";
  plan.dir = "/out";
  plan.sut_host = "127.0.0.1";
  plan.sut_port = 5060;
  plan.queue_user = "1008";
  plan.media_ports = {40000, 40002, 40004};
  const auto lines = caller_command_lines(spec, plan, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  BOOST_REQUIRE(lines.size() == 3u);  // 900 calls/s: three processes
  BOOST_TEST(after(lines[0], "-m") == "334");
  BOOST_TEST(after(lines[1], "-m") == "334");
  BOOST_TEST(after(lines[2], "-m") == "333");
  BOOST_TEST(after(lines[0], "-r") == "300.000");
  BOOST_TEST(after(lines[2], "-l") == "1666");
  BOOST_TEST(after(lines[1], "-p") == "4");
  BOOST_TEST(after(lines[1], "rtp_listen_port") == "40002");
  BOOST_TEST(after(lines[0], "-d") == "30000");
  BOOST_TEST(after(lines[0], "-sf") == "/s/moh_caller_listen.xml");
  BOOST_TEST(lines[0].back() == "127.0.0.1:5060");
  BOOST_TEST(!has(lines[0], "-rate_increase"));
}

BOOST_AUTO_TEST_CASE(ramp_and_operators) {
  LoadCaseSpec spec;
  spec.callers.rate = 100;
  spec.callers.ramp_to = 300;
  spec.callers.ramp_step = 50;
  spec.callers.ramp_every_s = 5;
  spec.operators.behaviour = "busy";
  FleetPlan plan;
  plan.media_ports = {1};
  plan.operator_uri = "sip:operator@127.0.0.1:5099";
  const auto lines = caller_command_lines(spec, plan, {1, 2, 3});
  BOOST_REQUIRE(lines.size() == 1u);
  BOOST_TEST(after(lines[0], "-rate_increase") == "50");
  BOOST_TEST(after(lines[0], "-rate_max") == "300");
  BOOST_TEST(has(lines[0], "-no_rate_quit"));
  BOOST_TEST(after(lines[0], "talk_ms") == "1000");
  BOOST_TEST(after(lines[0], "ring_ms") == "1500");
  BOOST_TEST(after(lines[0], "requeue_ms") == "1000");
  BOOST_TEST(after(lines[0], "-recv_timeout") == "3000");
}

BOOST_AUTO_TEST_CASE(hold_distributions_rewrite_the_bare_pause) {
  const std::string xml = "<recv response=\"200\"/>\n  <pause/>\n  <send/>";
  CallerLoad load;
  BOOST_TEST(*scenario_with_hold(xml, load) == xml);  // fixed: -d as it is
  load.hold_distribution = "uniform";
  load.hold_min_ms = 1000;
  load.hold_max_ms = 5000;
  BOOST_TEST(*scenario_with_hold(xml, load) ==
             "<recv response=\"200\"/>\n  <pause distribution=\"uniform\" min=\"1000\" max=\"5000\"/>\n  <send/>");
  load.hold_distribution = "exponential";
  load.hold_ms = 3000;
  BOOST_TEST(scenario_with_hold(xml, load)->find("<pause distribution=\"exponential\" mean=\"3000\"/>") != std::string::npos);
  load.hold_distribution = "normal";
  load.hold_stdev_ms = 500;
  BOOST_TEST(scenario_with_hold(xml, load)->find("mean=\"3000\" stdev=\"500\"") != std::string::npos);
  BOOST_TEST(!scenario_with_hold("<pause milliseconds=\"5\"/>", load).has_value());
  BOOST_TEST(!scenario_with_hold("<pause/><pause/>", load).has_value());
}

// SIPp 3.6.1 takes only whole numbers there: a ramp shared by 3 processes is rounded per process.
BOOST_AUTO_TEST_CASE(ramp_shares_are_whole_numbers) {
  LoadCaseSpec spec;
  spec.callers.rate = 50;
  spec.callers.ramp_to = 1000;
  spec.callers.ramp_step = 50;
  spec.callers.ramp_every_s = 2;
  FleetPlan plan;
  plan.media_ports = {1, 2, 3};
  const auto lines = caller_command_lines(spec, plan, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  BOOST_REQUIRE(lines.size() == 3u);
  BOOST_TEST(after(lines[0], "-rate_increase") == "17");
  BOOST_TEST(after(lines[0], "-rate_max") == "333");
  BOOST_TEST(after(lines[0], "-r") == "16.667");
}

BOOST_AUTO_TEST_SUITE_END()
