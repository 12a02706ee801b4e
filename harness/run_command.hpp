// `mohq run [SUITE...] [--out DIR] [--data-dir DIR] [--control udp|unix]`: the standard suites against the
// built-in system under test (mohqd --profile kamailio + fake-rtpproxy), reports in DIR (report.json schema
// mohq.report/1, junit.xml, report.html), a progress line per case and the closing line "N passed, N failed".
// Exit 0 all cases passed, 1 one failed, 2 usage or setup problems.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace mohq::harness {

int run_run_command(const std::vector<std::string>& args, const std::filesystem::path& bin_dir, std::ostream& out,
                    std::ostream& err);
void run_usage(std::ostream& out);

}  // namespace mohq::harness
