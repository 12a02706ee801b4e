// `mohq prompt lint`: judges rtpproxy prompt files `<dir>/<name>.<pt>` before a caller hears them. rtpproxy plays
// such a file verbatim as the RTP payload of type <pt> (rtpproxy-protocol.md §3.2-§3.3), so every check here is
// about the bytes on disk: a type the player can frame, whole codec frames, no container header, bytes that look
// like the codec the suffix claims, not one file copied under several suffixes (kamailio #1273), and which file
// a typical caller actually gets (mohqueue-behaviour.md §13.3: rtpproxy walks the caller's offer in order).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/model/finding.hpp"
#include "analyzers/model/payload_classifier.hpp"
#include "base/expected.hpp"

namespace mohq::analyzers {

// Stable finding ids (CI gates on them; the JSON report carries them verbatim).
namespace prompt_finding {
inline constexpr const char* kUnplayableType = "prompt.unplayable_type";
inline constexpr const char* kContainerHeader = "prompt.container_header";
inline constexpr const char* kWrongEncoding = "prompt.wrong_encoding";
inline constexpr const char* kSameBytesManyTypes = "prompt.same_bytes_many_types";
inline constexpr const char* kPartialFrame = "prompt.partial_frame";
inline constexpr const char* kTooShort = "prompt.too_short";
inline constexpr const char* kEmpty = "prompt.empty";
inline constexpr const char* kCallerGetsNothing = "prompt.caller_gets_nothing";
}  // namespace prompt_finding

// The offer of a typical SIP phone: PCMA first, then PCMU, then telephone-event.
inline constexpr std::array<int, 3> kTypicalCallerOffer = {8, 0, 101};

// Below this much audio a looping prompt is mostly loop points (and a likely truncated conversion).
inline constexpr std::uint64_t kMinPromptMs = 1000;

struct PromptFinding {
  std::string id;
  Severity severity = Severity::Error;
  std::string file;      // the file it is about (the first one, for a finding about several)
  std::string message;   // one sentence for a human
  std::string fix;       // one line: what to do
  nlohmann::json evidence = nlohmann::json::object();
};

struct PromptFileInfo {
  std::filesystem::path path;
  std::string name;                     // the path without ".<pt>": what Kamailio's mohqueue passes to P
  int payload_type = -1;
  std::uint64_t size = 0;
  std::optional<std::uint64_t> duration_ms;  // for playable types
  std::uint64_t fnv1a64 = 0;            // of the whole file
  std::optional<PayloadGuess> content;  // classify_payload's view, for G.711 files of at least 2000 bytes
};

struct PromptGroup {
  std::string name;
  std::vector<int> payload_types;       // ascending
  // What rtpproxy plays for a caller offering kTypicalCallerOffer: the first <name>.<pt> that exists, in the
  // caller's order. Empty when none exists (E60: silence).
  std::string caller_file;
  int caller_payload_type = -1;
};

struct PromptLintReport {
  std::vector<PromptFileInfo> files;
  std::vector<PromptGroup> groups;
  std::vector<PromptFinding> findings;

  std::size_t count(Severity severity) const;
  bool has_errors() const { return count(Severity::Error) > 0; }
  // Schema "mohq.prompt.lint/1" (README.md in this folder).
  nlohmann::json to_json() const;
  // Human-readable: one line per file, its findings indented below it, a line per group, a summary.
  std::string to_text() const;
};

// "dir/test.pcm.8" -> {"dir/test.pcm", 8}; nullopt when the last extension is not a decimal number.
struct PromptName {
  std::string name;
  int payload_type;
};
std::optional<PromptName> split_prompt_name(const std::filesystem::path& path);

// Arguments of `mohq prompt lint`: directories (every regular file named <name>.<pt> in it, not recursive; other
// files are skipped) and files (each must be named <name>.<pt>). Sorted. An error for a missing path, an
// unreadable directory or a file without a numeric suffix.
Expected<std::vector<std::filesystem::path>, std::string> collect_prompt_files(
    const std::vector<std::filesystem::path>& arguments);

// Reads and judges the files (named <name>.<pt>). An error only when a file cannot be read.
Expected<PromptLintReport, std::string> lint_prompt_files(const std::vector<std::filesystem::path>& files);

}  // namespace mohq::analyzers
