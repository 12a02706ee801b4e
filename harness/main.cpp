// mohq: the harness command: `run` (the standard suites with reports, run_command.hpp), `analyze`, `prompt`,
// `rpc`.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "harness/analyze_command.hpp"
#include "harness/playback_suite.hpp"
#include "harness/prompt_command.hpp"
#include "harness/rpc_command.hpp"
#include "harness/run_command.hpp"

namespace {

std::filesystem::path own_directory() {
  std::error_code error;
  auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::current_path() : self.parent_path();
}

int usage(std::ostream& out, int code) {
  out << "usage: mohq run [playback|flows|incident...] [--out DIR] [--data-dir DIR] [--control udp|unix]\n"
         "       mohq rpc [--address HOST:PORT] METHOD [ARGS...]\n"
         "       mohq analyze CAPTURE [--prompt-dir DIR] [--json OUT] [--html OUT] [--wav-dir DIR]\n"
         "       mohq prompt lint|convert ...\n"
         "  run   the standard suites against mohqd --profile kamailio + fake-rtpproxy: playback (RTP a caller\n"
         "        receives), flows (SIPp scenarios vs Kamailio's ladders), incident (the 16-bit PCM test.8\n"
         "        crackle, captured and analysed); report.json, junit.xml, report.html in --out; `mohq run --help`\n"
         "  rpc   one JSON-RPC call to mohqd (default 127.0.0.1:5062), like kamcmd; `mohq rpc --help`\n"
         "  analyze  judge a pcap/pcapng: SIP order, RTP timing and loss, codecs and audio; `mohq analyze --help`\n"
         "  prompt  lint rtpproxy prompt files NAME.<pt>, or convert audio into them; `mohq prompt --help`\n";
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help") return usage(std::cout, args.empty() ? 2 : 0);
  if (args[0] == "analyze")
    return mohq::harness::run_analyze_command({args.begin() + 1, args.end()}, std::cout, std::cerr);
  if (args[0] == "prompt") {
    return mohq::harness::run_prompt_command({args.begin() + 1, args.end()}, std::cout, std::cerr);
  }
  if (args[0] == "rpc") return mohq::harness::run_rpc_command({args.begin() + 1, args.end()}, std::cout, std::cerr);
  if (args[0] != "run") {
    std::cerr << "mohq: unknown command '" << args[0] << "'\n";
    return usage(std::cerr, 2);
  }
  return mohq::harness::run_run_command({args.begin() + 1, args.end()}, own_directory(), std::cout, std::cerr);
}
