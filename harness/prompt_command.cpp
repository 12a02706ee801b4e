#include "harness/prompt_command.hpp"

#include <filesystem>
#include <fstream>
#include <ostream>

#include "analyzers/prompt/prompt_convert.hpp"
#include "analyzers/prompt/prompt_lint.hpp"

namespace mohq::harness {

namespace fs = std::filesystem;

namespace {

constexpr const char* kUsage =
    "usage: mohq prompt lint [--json OUT] DIR|FILE...\n"
    "       mohq prompt convert INPUT --out DIR/NAME [--codecs 0,8]\n"
    "  lint     check rtpproxy prompt files NAME.<pt> (every NAME.<pt> in a DIR): playable payload type, whole\n"
    "           codec frames, no WAV/au/ID3/Ogg/FLAC header, bytes that are the codec the suffix says, not one file\n"
    "           copied under several types (kamailio #1273), length, and the file a caller offering 8 0 101 gets;\n"
    "           --json OUT writes the report (schema mohq.prompt.lint/1)\n"
    "  convert  decode any audio GStreamer can (WAV, FLAC, MP3, Ogg...) to 8 kHz mono and write DIR/NAME.<pt> per\n"
    "           codec: 0 (PCMU), 8 (PCMA), 9 (G.722, needs gstreamer1.0-libav), 3 (GSM, needs\n"
    "           gstreamer1.0-plugins-bad); 18 (G.729) and 4 (G.723.1) have no free encoder; then lints what it wrote\n"
    "  exit 0: clean; 1: lint errors or a codec not written; 2: bad usage or unreadable input\n";

int usage_error(std::ostream& err, const std::string& message) {
  err << "mohq prompt: " << message << "\n" << kUsage;
  return 2;
}

// Prints the report; writes the JSON when asked. 0 clean, 1 errors, 2 when the JSON cannot be written.
int report_lint(const analyzers::PromptLintReport& report, const std::string& json_path, std::ostream& out,
                std::ostream& err) {
  out << report.to_text();
  if (!json_path.empty()) {
    std::ofstream json(json_path, std::ios::trunc);
    json << report.to_json().dump(2) << "\n";
    json.close();
    if (!json) {
      err << "mohq prompt lint: cannot write " << json_path << "\n";
      return 2;
    }
  }
  return report.has_errors() ? 1 : 0;
}

int run_lint(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string json_path;
  std::vector<fs::path> targets;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      if (i + 1 >= args.size()) return usage_error(err, "--json needs a file name");
      json_path = args[++i];
    } else if (args[i] == "-h" || args[i] == "--help") {
      out << kUsage;
      return 0;
    } else if (args[i].rfind("--", 0) == 0) {
      return usage_error(err, "unknown option '" + args[i] + "'");
    } else {
      targets.emplace_back(args[i]);
    }
  }
  if (targets.empty()) return usage_error(err, "lint needs a directory or prompt files");
  auto files = analyzers::collect_prompt_files(targets);
  if (!files) {
    err << "mohq prompt lint: " << files.error() << "\n";
    return 2;
  }
  if (files->empty()) {
    err << "mohq prompt lint: no prompt files <name>.<pt> found\n";
    return 2;
  }
  auto report = analyzers::lint_prompt_files(*files);
  if (!report) {
    err << "mohq prompt lint: " << report.error() << "\n";
    return 2;
  }
  return report_lint(*report, json_path, out, err);
}

int run_convert(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string input;
  std::string out_base;
  std::string codec_text = "0,8";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--out" || args[i] == "--codecs") {
      if (i + 1 >= args.size()) return usage_error(err, args[i] + " needs a value");
      std::string& target = args[i] == "--out" ? out_base : codec_text;
      target = args[++i];
    } else if (args[i] == "-h" || args[i] == "--help") {
      out << kUsage;
      return 0;
    } else if (args[i].rfind("--", 0) == 0) {
      return usage_error(err, "unknown option '" + args[i] + "'");
    } else if (input.empty()) {
      input = args[i];
    } else {
      return usage_error(err, "convert takes one input file");
    }
  }
  if (input.empty()) return usage_error(err, "convert needs an input file");
  if (out_base.empty()) return usage_error(err, "convert needs --out DIR/NAME");
  if (fs::is_directory(out_base)) {
    return usage_error(err, "--out " + out_base + " is a directory: give DIR/NAME (files NAME.<pt> are written)");
  }
  auto codecs = analyzers::parse_codec_list(codec_text);
  if (!codecs) return usage_error(err, codecs.error());

  auto result = analyzers::convert_prompt(input, out_base, *codecs);
  if (!result) {
    err << "mohq prompt convert: " << result.error() << "\n";
    return 2;
  }
  out << "decoded " << input << ": " << result->samples << " samples at 8 kHz ("
      << result->samples * 1000 / analyzers::kPromptSampleRate << " ms)\n";
  std::vector<fs::path> written;
  for (const analyzers::ConvertedPrompt& prompt : result->prompts) {
    if (prompt.error.empty()) {
      out << "wrote " << prompt.path.string() << " (" << prompt.bytes << " bytes)\n";
      written.push_back(prompt.path);
    } else {
      err << "mohq prompt convert: codec " << prompt.payload_type << " not written: " << prompt.error << "\n";
    }
  }
  int status = result->all_written() ? 0 : 1;
  if (!written.empty()) {
    out << "lint of what was written:\n";
    auto report = analyzers::lint_prompt_files(written);
    if (!report) {
      err << "mohq prompt convert: " << report.error() << "\n";
      return 2;
    }
    out << report->to_text();
    if (report->has_errors()) status = 1;
  }
  return status;
}

}  // namespace

int run_prompt_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) return usage_error(err, "lint or convert?");
  if (args[0] == "-h" || args[0] == "--help") {
    out << kUsage;
    return 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "lint") return run_lint(rest, out, err);
  if (args[0] == "convert") return run_convert(rest, out, err);
  return usage_error(err, "unknown prompt command '" + args[0] + "'");
}

}  // namespace mohq::harness
