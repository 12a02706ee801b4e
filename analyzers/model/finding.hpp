// A finding: what an analyzer concluded about a call or a stream, with a stable id CI can gate on, the numbers
// behind it and a one-line fix. Every analyzer returns these; `mohq analyze` prints and serializes them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mohq::analyzers {

enum class Severity { Error, Warning, Info };

inline std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Info: return "info";
  }
  return "info";
}

struct Finding {
  std::string id;           // stable: "codec.payload_mismatch", "rtp.ptime", "sip.missing_ack", ...
  Severity severity = Severity::Warning;
  std::string call_id;      // empty when the finding concerns no call (a stream without SIP)
  std::string stream;       // stream key (model/rtp_stream.hpp stream_label), empty for signalling findings
  std::string message;      // one sentence for a human
  nlohmann::json evidence = nlohmann::json::object();  // the numbers
  std::string fix;          // one line: what to do
};

using Findings = std::vector<Finding>;

}  // namespace mohq::analyzers
