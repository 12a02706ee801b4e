#include "analyzers/prompt/prompt_lint.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <system_error>

#include "rtp/payload_type.hpp"

namespace mohq::analyzers {

namespace fs = std::filesystem;
namespace id = prompt_finding;

namespace {

// classify_payload needs ~0.25 s for a confident answer (payload_classifier.hpp).
constexpr std::size_t kMinClassifyBytes = 2000;
// The classifier looks at up to 10 s from the middle of the file (an intro is often a fade-in or silence).
constexpr std::size_t kClassifyWindowBytes = 80000;
constexpr double kMinConfidence = 0.5;
// rtpproxy reads G.711 and G.722 files 1 ms at a time, but Kamailio's mohqueue asks for 20 ms packets (z20).
constexpr std::uint64_t kPacketBytes20ms = 160;

std::uint64_t fnv1a64(const std::vector<std::uint8_t>& bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (std::uint8_t byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string hex64(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

Expected<std::vector<std::uint8_t>, std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected(std::string("cannot open ") + path.string());
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Unexpected(std::string("cannot read ") + path.string());
  return bytes;
}

bool is_g711(int payload_type) { return payload_type == 0 || payload_type == 8; }

std::string file_label(const fs::path& path) { return path.string(); }

std::string convert_fix(const std::string& name, int payload_type) {
  return "make it from the source audio: mohq prompt convert SOURCE --out " + name + " --codecs " +
         std::to_string(payload_type);
}

std::string container_fix(const std::string& format, const std::string& name, int payload_type) {
  std::string law = payload_type == 8 ? "a-law" : payload_type == 0 ? "u-law" : "";
  std::string fix = "rtpproxy plays files verbatim: strip the " + format + " container and encode raw, e.g. " +
                    convert_fix(name, payload_type);
  if (!law.empty()) {
    fix += " (or sox SOURCE -t raw -r 8000 -c 1 -e " + law + " " + name + "." + std::to_string(payload_type) + ")";
  }
  return fix;
}

void check_file(const PromptFileInfo& file, const std::vector<std::uint8_t>& bytes,
                std::vector<PromptFinding>& findings) {
  const std::string label = file_label(file.path);
  auto add = [&](const char* finding_id, Severity severity, std::string message, std::string fix,
                 nlohmann::json evidence = nlohmann::json::object()) {
    findings.push_back({finding_id, severity, label, std::move(message), std::move(fix), std::move(evidence)});
  };
  if (bytes.empty()) {
    add(id::kEmpty, Severity::Error,
        "empty: rtpproxy opens it, answers 0 to P, sends no packet and mutes the caller's media (silence)",
        convert_fix(file.name, file.payload_type));
    return;
  }
  const rtp::PayloadType* type = rtp::find_payload_type(file.payload_type);
  if (type == nullptr) {
    add(id::kUnplayableType, Severity::Error,
        "payload type " + std::to_string(file.payload_type) +
            ": rtpproxy opens it but sends nothing (its player frames only 0, 3, 4, 8, 9, 18) and mutes the "
            "caller's media; a caller offering this type first hears silence",
        "delete it (or rename it to a playable type only if it really is that codec's raw payload)",
        {{"payload_type", file.payload_type}});
  }
  // A magic at offset 0 is a container; further in, only RIFF....WAVE (8 bytes) is convincing: the 3- and
  // 4-byte magics turn up by chance in megabytes of codec data (a concatenated WAV is the real case).
  auto header = find_container_header(bytes);
  if (header && (header->offset == 0 || header->format == "wav")) {
    const bool at_start = header->offset == 0;
    add(id::kContainerHeader, at_start ? Severity::Error : Severity::Warning,
        (at_start ? "starts with a " : "contains a ") + header->format + " header" +
            (at_start ? "" : " at offset " + std::to_string(header->offset)) +
            ": rtpproxy plays it as audio (a burst of noise at every loop) and the rest is probably not raw " +
            std::string(type ? type->encoding : "codec") + " either",
        container_fix(header->format, file.name, file.payload_type),
        {{"format", header->format}, {"offset", header->offset}});
  }
  if (type == nullptr) return;

  if (type->frame_ms == 1) {  // G.711 and G.722: any length plays, but the tail of a 20 ms packet is dropped
    if (const std::uint64_t tail = file.size % kPacketBytes20ms; tail != 0) {
      add(id::kPartialFrame, Severity::Warning,
          std::to_string(tail) + " bytes (" + std::to_string(tail * 1000 / 8000) +
              " ms) after the last whole 20 ms packet: rtpproxy drops the partial packet at every loop (a jump "
              "at the loop point)",
          "pad or trim to a multiple of 160 bytes (mohq prompt convert does)",
          {{"size", file.size}, {"tail_bytes", tail}, {"packet_bytes", kPacketBytes20ms}});
    }
  } else if (const std::uint64_t tail = file.size % type->frame_bytes; tail != 0) {
    std::string what = std::string(type->encoding) + " frames of " + std::to_string(type->frame_bytes) + " bytes";
    std::string hint = file.payload_type == 3   ? " (WAV49 GSM has 65-byte frames)"
                       : file.payload_type == 4 ? " (5.3 kbit/s G.723.1 has 20-byte frames, which rtpproxy cannot play)"
                                                : "";
    add(id::kPartialFrame, Severity::Error,
        "not a whole number of " + what + ": not raw " + std::string(type->encoding) + hint +
            ", or truncated; rtpproxy drops the partial frame at every loop",
        convert_fix(file.name, file.payload_type),
        {{"size", file.size}, {"frame_bytes", type->frame_bytes}, {"tail_bytes", tail}});
  }

  if (file.duration_ms && *file.duration_ms < kMinPromptMs) {
    add(id::kTooShort, Severity::Warning,
        "only " + std::to_string(*file.duration_ms) + " ms of " + std::string(type->encoding) +
            ": the caller hears mostly loop points (a truncated conversion?)",
        "use at least a few seconds of audio", {{"duration_ms", *file.duration_ms}, {"min_ms", kMinPromptMs}});
  }

  if (file.content && file.content->confidence >= kMinConfidence) {
    const PayloadGuess& guess = *file.content;
    nlohmann::json evidence = {{"encoding", std::string(encoding_name(guess.encoding))},
                               {"confidence", guess.confidence},
                               {"zero_crossing_rate", guess.zero_crossing_rate},
                               {"high_band_energy", guess.high_band_energy},
                               {"spectral_flatness", guess.spectral_flatness},
                               {"odd_even_byte_skew", guess.odd_even_byte_skew}};
    const std::string claimed = file.payload_type == 8 ? "PCMA" : "PCMU";
    std::string message;
    if (guess.encoding == PayloadEncoding::Linear16Le || guess.encoding == PayloadEncoding::Linear16Be) {
      message = std::string("16-bit linear PCM (") +
                (guess.encoding == PayloadEncoding::Linear16Le ? "little" : "big") + "-endian) in a " + claimed +
                " file: plays as loud crackling at half speed";
    } else if (guess.encoding == PayloadEncoding::Pcmu && file.payload_type == 8) {
      message = "mu-law bytes in a PCMA file: plays heavily distorted";
    } else if (guess.encoding == PayloadEncoding::Pcma && file.payload_type == 0) {
      message = "A-law bytes in a PCMU file: plays heavily distorted";
    }
    if (!message.empty()) {
      add(id::kWrongEncoding, Severity::Error, message, convert_fix(file.name, file.payload_type),
          std::move(evidence));
    }
  }
}

// kamailio #1273: one file copied under several suffixes. Empty files are left to prompt.empty.
void check_same_bytes(const std::vector<PromptFileInfo>& files, const std::vector<std::vector<std::uint8_t>>& bytes,
                      std::vector<PromptFinding>& findings) {
  std::map<std::string, std::vector<std::size_t>> by_name;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!bytes[i].empty()) by_name[files[i].name].push_back(i);
  }
  for (const auto& [name, members] : by_name) {
    std::vector<bool> done(members.size(), false);
    for (std::size_t a = 0; a < members.size(); ++a) {
      if (done[a]) continue;
      std::vector<std::size_t> same = {members[a]};
      for (std::size_t b = a + 1; b < members.size(); ++b) {
        const std::size_t i = members[a];
        const std::size_t j = members[b];
        if (!done[b] && files[i].fnv1a64 == files[j].fnv1a64 && bytes[i] == bytes[j]) {
          same.push_back(j);
          done[b] = true;
        }
      }
      if (same.size() < 2) continue;
      std::sort(same.begin(), same.end(),
                [&](std::size_t x, std::size_t y) { return files[x].payload_type < files[y].payload_type; });
      std::string types;
      nlohmann::json list = nlohmann::json::array();
      for (std::size_t k : same) {
        types += (types.empty() ? "." : ", .") + std::to_string(files[k].payload_type);
        list.push_back(files[k].path.string());
      }
      findings.push_back({id::kSameBytesManyTypes, Severity::Error, file_label(files[same[0]].path),
                          std::to_string(same.size()) + " files " + name + "{" + types + "} hold the same " +
                              std::to_string(files[same[0]].size) +
                              " bytes: one file copied under several payload types (kamailio #1273); at most one "
                              "of them can be right",
                          "encode each <name>.<pt> in its own codec (mohq prompt convert SOURCE --out " + name +
                              " --codecs 0,8) and delete the copies",
                          {{"files", list},
                           {"fnv1a64", hex64(files[same[0]].fnv1a64)},
                           {"size", files[same[0]].size}}});
    }
  }
}

std::vector<PromptGroup> build_groups(const std::vector<PromptFileInfo>& files, std::vector<PromptFinding>& findings) {
  std::map<std::string, PromptGroup> groups;
  std::map<std::string, std::map<int, std::string>> paths;
  for (const PromptFileInfo& file : files) {
    PromptGroup& group = groups[file.name];
    group.name = file.name;
    group.payload_types.push_back(file.payload_type);
    paths[file.name][file.payload_type] = file.path.string();
  }
  std::vector<PromptGroup> out;
  for (auto& [name, group] : groups) {
    std::sort(group.payload_types.begin(), group.payload_types.end());
    for (int pt : kTypicalCallerOffer) {
      auto found = paths[name].find(pt);
      if (found != paths[name].end()) {
        group.caller_file = found->second;
        group.caller_payload_type = pt;
        break;
      }
    }
    if (group.caller_file.empty()) {
      findings.push_back({id::kCallerGetsNothing, Severity::Warning, name,
                          "no " + name + ".8, .0 or .101: rtpproxy answers E60 to a caller offering 8 0 101, who "
                                         "hears silence (Kamailio's mohqueue does not notice)",
                          "add PCMA and PCMU versions: mohq prompt convert SOURCE --out " + name + " --codecs 0,8",
                          {{"offer", kTypicalCallerOffer}, {"payload_types", group.payload_types}}});
    }
    out.push_back(std::move(group));
  }
  return out;
}

}  // namespace

std::optional<PromptName> split_prompt_name(const fs::path& path) {
  const std::string text = path.string();
  const std::size_t dot = text.rfind('.');
  if (dot == std::string::npos || dot + 1 >= text.size()) return std::nullopt;
  const std::size_t slash = text.rfind('/');
  if (slash != std::string::npos && dot < slash) return std::nullopt;
  const std::string suffix = text.substr(dot + 1);
  if (suffix.size() > 3 || suffix.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  if (dot == 0 || (slash != std::string::npos && dot == slash + 1)) return std::nullopt;  // ".8": no name
  return PromptName{text.substr(0, dot), std::stoi(suffix)};
}

Expected<std::vector<fs::path>, std::string> collect_prompt_files(const std::vector<fs::path>& arguments) {
  std::vector<fs::path> files;
  for (const fs::path& argument : arguments) {
    std::error_code error;
    const fs::file_status status = fs::status(argument, error);
    if (error || !fs::exists(status)) return Unexpected(argument.string() + ": no such file or directory");
    if (fs::is_directory(status)) {
      fs::directory_iterator it(argument, error);
      if (error) return Unexpected(argument.string() + ": cannot list: " + error.message());
      for (const fs::directory_entry& entry : it) {
        if (entry.is_regular_file(error) && split_prompt_name(entry.path())) files.push_back(entry.path());
      }
    } else if (split_prompt_name(argument)) {
      files.push_back(argument);
    } else {
      return Unexpected(argument.string() +
                        ": not a prompt file name <name>.<pt> (rtpproxy opens <name>.<payload type>, e.g. hold.8)");
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

Expected<PromptLintReport, std::string> lint_prompt_files(const std::vector<fs::path>& paths) {
  PromptLintReport report;
  std::vector<std::vector<std::uint8_t>> contents;
  for (const fs::path& path : paths) {
    auto prompt_name = split_prompt_name(path);
    if (!prompt_name) return Unexpected(path.string() + ": not a prompt file name <name>.<pt>");
    auto bytes = read_file(path);
    if (!bytes) return Unexpected(bytes.error());
    PromptFileInfo info;
    info.path = path;
    info.name = prompt_name->name;
    info.payload_type = prompt_name->payload_type;
    info.size = bytes->size();
    info.fnv1a64 = fnv1a64(*bytes);
    if (const rtp::PayloadType* type = rtp::find_payload_type(info.payload_type)) {
      info.duration_ms = info.size / type->frame_bytes * type->frame_ms;
    }
    if (is_g711(info.payload_type) && bytes->size() >= kMinClassifyBytes) {
      // An even offset keeps 16-bit samples aligned (the classifier's odd/even byte statistics rely on it).
      const std::size_t length = std::min(bytes->size(), kClassifyWindowBytes);
      const std::size_t start = ((bytes->size() - length) / 2) & ~std::size_t{1};
      info.content = classify_payload(std::span<const std::uint8_t>(bytes->data() + start, length));
    }
    check_file(info, *bytes, report.findings);
    report.files.push_back(std::move(info));
    contents.push_back(std::move(*bytes));
  }
  check_same_bytes(report.files, contents, report.findings);
  report.groups = build_groups(report.files, report.findings);
  return report;
}

std::size_t PromptLintReport::count(Severity severity) const {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(),
                                                [&](const PromptFinding& f) { return f.severity == severity; }));
}

nlohmann::json PromptLintReport::to_json() const {
  nlohmann::json json;
  json["schema"] = "mohq.prompt.lint/1";
  json["files"] = nlohmann::json::array();
  for (const PromptFileInfo& file : files) {
    const rtp::PayloadType* type = rtp::find_payload_type(file.payload_type);
    nlohmann::json entry = {{"path", file.path.string()},
                            {"name", file.name},
                            {"payload_type", file.payload_type},
                            {"codec", type ? nlohmann::json(std::string(type->encoding)) : nlohmann::json(nullptr)},
                            {"playable", type != nullptr},
                            {"size", file.size},
                            {"duration_ms", file.duration_ms ? nlohmann::json(*file.duration_ms) : nlohmann::json()},
                            {"fnv1a64", hex64(file.fnv1a64)}};
    if (file.content) {
      entry["content"] = {{"encoding", std::string(encoding_name(file.content->encoding))},
                          {"confidence", file.content->confidence}};
    } else {
      entry["content"] = nullptr;
    }
    nlohmann::json ids = nlohmann::json::array();
    for (const PromptFinding& finding : findings) {
      if (finding.file == file.path.string()) ids.push_back(finding.id);
    }
    entry["findings"] = ids;
    json["files"].push_back(std::move(entry));
  }
  json["groups"] = nlohmann::json::array();
  for (const PromptGroup& group : groups) {
    const bool gets = !group.caller_file.empty();
    json["groups"].push_back({{"name", group.name},
                              {"payload_types", group.payload_types},
                              {"caller_offer", kTypicalCallerOffer},
                              {"caller_gets", gets ? nlohmann::json(group.caller_file) : nlohmann::json()},
                              {"caller_payload_type",
                               gets ? nlohmann::json(group.caller_payload_type) : nlohmann::json()}});
  }
  json["findings"] = nlohmann::json::array();
  for (const PromptFinding& finding : findings) {
    json["findings"].push_back({{"id", finding.id},
                                {"severity", std::string(severity_name(finding.severity))},
                                {"file", finding.file},
                                {"message", finding.message},
                                {"fix", finding.fix},
                                {"evidence", finding.evidence}});
  }
  json["summary"] = {{"files", files.size()},
                     {"errors", count(Severity::Error)},
                     {"warnings", count(Severity::Warning)},
                     {"infos", count(Severity::Info)}};
  return json;
}

std::string PromptLintReport::to_text() const {
  std::ostringstream out;
  auto print_findings = [&](const std::string& subject) {
    for (const PromptFinding& finding : findings) {
      if (finding.file != subject) continue;
      out << "  " << severity_name(finding.severity) << " " << finding.id << ": " << finding.message << "\n"
          << "    fix: " << finding.fix << "\n";
    }
  };
  for (const PromptFileInfo& file : files) {
    const rtp::PayloadType* type = rtp::find_payload_type(file.payload_type);
    out << file.path.string() << ": PT " << file.payload_type << " ("
        << (type ? std::string(type->encoding) : std::string("not playable")) << "), " << file.size << " bytes";
    if (file.duration_ms) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.3f", static_cast<double>(*file.duration_ms) / 1000.0);
      out << ", " << seconds << " s";
    }
    if (file.content) {
      char confidence[16];
      std::snprintf(confidence, sizeof confidence, "%.2f", file.content->confidence);
      out << ", content " << encoding_name(file.content->encoding) << " (" << confidence << ")";
    }
    out << "\n";
    print_findings(file.path.string());
  }
  for (const PromptGroup& group : groups) {
    out << group.name << ": a caller offering 8 0 101 gets ";
    if (group.caller_file.empty()) {
      out << "nothing (E60, silence)\n";
    } else if (rtp::find_payload_type(group.caller_payload_type) == nullptr) {
      out << group.caller_file << ", which rtpproxy cannot play (silence)\n";
    } else {
      out << group.caller_file << "\n";
    }
    print_findings(group.name);
  }
  out << files.size() << " files, " << count(Severity::Error) << " errors, " << count(Severity::Warning)
      << " warnings\n";
  return out.str();
}

}  // namespace mohq::analyzers
