// `mohq analyze --html`: one self-contained page (inline CSS and SVG, no scripts, viewable offline): findings,
// each call's SIP ladder and rtpproxy commands, and per stream an inter-arrival histogram, jitter over time, the
// waveform and spectrogram of what the caller heard. The pictures are reports/svg's; the sections are also embedded
// per case in `mohq run`'s report.html (reports/html_report).
#pragma once

#include <string>
#include <string_view>

#include "analyzers/analyze/capture_analysis.hpp"

namespace mohq::analyzers {

std::string html_report(const AnalysisResult& result, const std::string& title);

// The page's CSS (the classes the sections below use).
std::string_view html_style();
// HTML fragments (h2-level sections): the findings table; every call (outcome, ladder, rtpproxy commands); every
// stream (histogram, jitter, waveform, spectrogram, metrics). analysis_sections is all three.
std::string findings_section(const Findings& findings);
std::string calls_section(const AnalysisResult& result);
std::string streams_section(const AnalysisResult& result);
std::string analysis_sections(const AnalysisResult& result);

}  // namespace mohq::analyzers
