// `mohq analyze --html`: one self-contained page (inline CSS and SVG, no scripts, viewable offline): findings,
// each call's SIP ladder and rtpproxy commands, and per stream an inter-arrival histogram, jitter over time and
// the waveform of what the caller heard.
#pragma once

#include <string>

#include "analyzers/analyze/capture_analysis.hpp"

namespace mohq::analyzers {

std::string html_report(const AnalysisResult& result, const std::string& title);

}  // namespace mohq::analyzers
