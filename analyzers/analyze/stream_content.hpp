// The content half of a stream's analysis: audio findings (analyzers/audio), the comparison with the prompt file
// when --prompt-dir holds it, WAV output and the plot data of the HTML report.
#pragma once

#include "analyzers/analyze/capture_analysis.hpp"
#include "analyzers/capture/capture_reader.hpp"

namespace mohq::analyzers {

void analyze_stream_content(StreamResult& entry, const AnalyzeOptions& options, Findings& findings);
nlohmann::json capture_summary_json(const CaptureSummary& summary);

}  // namespace mohq::analyzers
