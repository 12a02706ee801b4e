// mohq: the harness command. Today it has `run`, the playback suite against fake-rtpproxy; `analyze`,
// `prompt` and `rpc` arrive with issues 3-5.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "harness/analyze_command.hpp"
#include "harness/playback_suite.hpp"
#include "harness/prompt_command.hpp"
#include "harness/rpc_command.hpp"

namespace {

std::filesystem::path own_directory() {
  std::error_code error;
  auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::current_path() : self.parent_path();
}

int usage(std::ostream& out, int code) {
  out << "usage: mohq run [--control udp|unix] [--out DIR]\n"
         "       mohq rpc [--address HOST:PORT] METHOD [ARGS...]\n"
         "       mohq analyze CAPTURE [--prompt-dir DIR] [--json OUT] [--html OUT] [--wav-dir DIR]\n"
         "       mohq prompt lint|convert ...\n"
         "  run   start fake-rtpproxy, drive it as Kamailio's mohqueue does, check the RTP a caller receives\n"
         "        (payload type, 20 ms packets, payload equal to the prompt file); report.json in --out\n"
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
  mohq::harness::SuiteOptions options;
  options.fake_rtpproxy = own_directory() / "fake-rtpproxy";
  options.out_dir = "mohq-report";
  for (std::size_t i = 1; i < args.size(); ++i) {
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) {
        std::cerr << "mohq run: " << args[i] << " needs a value\n";
        std::exit(2);
      }
      return args[++i];
    };
    if (args[i] == "--control") {
      options.control = value();
      if (options.control != "udp" && options.control != "unix") {
        std::cerr << "mohq run: --control takes udp or unix\n";
        return 2;
      }
    } else if (args[i] == "--out") {
      options.out_dir = value();
    } else {
      std::cerr << "mohq run: unknown option '" << args[i] << "'\n";
      return usage(std::cerr, 2);
    }
  }
  if (!std::filesystem::exists(options.fake_rtpproxy)) {
    std::cerr << "mohq run: " << options.fake_rtpproxy << " is missing: build the tree first (see README.md)\n";
    return 2;
  }
  std::cout << "mohq run: playback suite against " << options.fake_rtpproxy.string() << " (" << options.control
            << " control)\n";
  auto results = mohq::harness::run_playback_suite(mohq::harness::standard_playback_cases(), options);
  int passed = 0;
  int failed = 0;
  for (const auto& result : results) (result.passed ? passed : failed)++;
  std::cout << "report: " << (options.out_dir / "report.json").string() << "\n";
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
