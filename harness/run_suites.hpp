// The suites of `mohq run` against the system under test of RunEnvironment::sut (harness/sut: builtin mohqd
// --profile kamailio + fake-rtpproxy by default, or strict, the real Kamailio, an external queue), each producing
// reports::CaseReport (reports/report_model.hpp). run_command.cpp runs them and writes the reports.
//   flows:    every scenario of scenarios/ run by harness/ladder against the SUT, ladder compared with Kamailio
//             5.6.3's golden ladder (tests/integration/data/ladders/<scenario>.txt; ladders-strict/ for strict);
//   incident: the reported crackle (raw 16-bit PCM named test.8) captured on lo and analysed, plus a clean control
//             (builtin and kamailio: it needs a SUT that plays its prompt file).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "reports/report_model.hpp"
#include "sut/system_under_test.hpp"

namespace mohq::harness {

struct RunEnvironment {
  std::filesystem::path bin_dir;     // build/bin: mohqd, fake-rtpproxy
  std::filesystem::path source_dir;  // the tree: scenarios/, tests/integration/data/ladders/
  std::filesystem::path out_dir;     // the suite writes into out_dir/<suite>/
  std::string sipp = "sipp";
  SutSpec sut;                       // what the suites start (start_sut); default: builtin mohqd --profile kamailio
  // Called once per finished case (progress line).
  std::function<void(const std::string& suite, const reports::CaseReport&)> on_case;
};

// The flows suite's scenarios, in run order (moh_queue_full last: its own mohqd with --maxcalls 1).
std::vector<std::string> flow_scenarios();

// What the SUT of the flows suite was, for RunReport::sut (filled by run_flows_suite when it started one).
struct FlowsSut {
  std::string address;    // description.address
  std::string mohqd_log;  // the SUT's own log (mohqd's or Kamailio's), "" for external
  reports::SutDescription description;
};

reports::SuiteReport run_flows_suite(const RunEnvironment& environment, FlowsSut* sut = nullptr);
reports::SuiteReport run_incident_suite(const RunEnvironment& environment);

// A failed expectation named "setup": the case could not be set up.
reports::Expectation setup_failure(const std::string& message);
reports::Expectation check(std::string name, bool passed, nlohmann::json measured = nullptr,
                           nlohmann::json expected = nullptr, std::string message = {}, std::string unit = {});

}  // namespace mohq::harness
