// `mohq analyze CAPTURE [--prompt-dir DIR] [--json OUT] [--html OUT] [--wav-dir DIR] [--quiet]`: judge a capture
// (analyzers/analyze) and print a readable summary. Exit 0 without error findings, 1 with, 2 on bad input.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mohq::harness {

int run_analyze_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace mohq::harness
