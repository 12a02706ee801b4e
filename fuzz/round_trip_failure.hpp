// What a fuzz target does when text it wrote does not read back as what it parsed: show both, then abort so
// libFuzzer keeps the input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace mohq::fuzz {

[[noreturn]] inline void report_round_trip_failure(const char* what, std::string_view input, const std::string& written) {
  std::fprintf(stderr, "%s\n  input:   \"%.*s\"\n  written: \"%s\"\n", what, static_cast<int>(input.size()), input.data(),
               written.c_str());
  std::abort();
}

}  // namespace mohq::fuzz
