// The expectation builders of harness/run_suites.hpp, shared by every suite (flows, incident, load cases).
#include "harness/run_suites.hpp"

namespace mohq::harness {

reports::Expectation check(std::string name, bool passed, nlohmann::json measured, nlohmann::json expected,
                           std::string message, std::string unit) {
  reports::Expectation e;
  e.name = std::move(name);
  e.passed = passed;
  e.measured = std::move(measured);
  e.expected = std::move(expected);
  e.message = std::move(message);
  e.unit = std::move(unit);
  return e;
}

reports::Expectation setup_failure(const std::string& message) { return check("setup", false, nullptr, nullptr, message); }

}  // namespace mohq::harness
