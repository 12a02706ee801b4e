#include "harness/analyze_command.hpp"

#include <fstream>
#include <ostream>

#include "analyzers/analyze/capture_analysis.hpp"
#include "analyzers/analyze/html_report.hpp"

namespace mohq::harness {

namespace {

int usage(std::ostream& out, int code) {
  out << "usage: mohq analyze CAPTURE [--prompt-dir DIR] [--json OUT] [--html OUT] [--wav-dir DIR] [--quiet]\n"
         "  CAPTURE       pcap or pcapng (tcpdump -i any, dumpcap, Wireshark): SIP over UDP/TCP, rtpproxy\n"
         "                control, RTP\n"
         "  --prompt-dir  the prompt files: each stream is compared with <dir>/<mohfile>.<pt>\n"
         "  --json OUT    calls, streams and findings (schema mohq.analyze/1)\n"
         "  --html OUT    a self-contained page: ladders, stream plots, waveforms\n"
         "  --wav-dir DIR what each stream carried, as 8 kHz WAV\n"
         "exit status: 0 no error finding, 1 error findings, 2 unreadable input or bad usage\n";
  return code;
}

}  // namespace

int run_analyze_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  analyzers::AnalyzeOptions options;
  std::filesystem::path capture, json_path, html_path;
  bool quiet = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::filesystem::path& into) {
      if (i + 1 >= args.size()) return false;
      into = args[++i];
      return true;
    };
    bool ok = true;
    if (arg == "-h" || arg == "--help")
      return usage(out, 0);
    else if (arg == "--prompt-dir")
      ok = value(options.prompt_dir);
    else if (arg == "--json")
      ok = value(json_path);
    else if (arg == "--html")
      ok = value(html_path);
    else if (arg == "--wav-dir")
      ok = value(options.wav_dir);
    else if (arg == "--quiet")
      quiet = true;
    else if (!arg.starts_with("--") && capture.empty())
      capture = arg;
    else {
      err << "mohq analyze: unknown argument '" << arg << "'\n";
      return usage(err, 2);
    }
    if (!ok) {
      err << "mohq analyze: " << arg << " needs a value\n";
      return 2;
    }
  }
  if (capture.empty()) return usage(err, 2);
  if (!options.prompt_dir.empty() && !std::filesystem::is_directory(options.prompt_dir)) {
    err << "mohq analyze: --prompt-dir " << options.prompt_dir.string() << " is not a directory\n";
    return 2;
  }
  if (!options.wav_dir.empty()) std::filesystem::create_directories(options.wav_dir);
  options.audio_data = !html_path.empty();

  auto result = analyzers::analyze_capture(capture, options);
  if (!result) {
    err << "mohq analyze: " << capture.string() << ": " << result.error() << "\n";
    return 2;
  }
  if (!quiet) out << analyzers::terminal_summary(*result);
  if (!json_path.empty()) {
    std::ofstream file(json_path);
    file << analyzers::to_json(*result).dump(2) << "\n";
    if (!file) {
      err << "mohq analyze: cannot write " << json_path.string() << "\n";
      return 2;
    }
  }
  if (!html_path.empty()) {
    std::ofstream file(html_path);
    file << analyzers::html_report(*result, capture.filename().string());
    if (!file) {
      err << "mohq analyze: cannot write " << html_path.string() << "\n";
      return 2;
    }
  }
  return result->has_errors() ? 1 : 0;
}

}  // namespace mohq::harness
