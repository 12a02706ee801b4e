// report.html: one self-contained page for a run (inline CSS and SVG, no script, no external URL, viewable
// offline): the summary (passed/failed per case and the closing line "N passed, N failed"), then per case its
// expectations table, the load timeline, SIPp/SUT/fake-rtpproxy numbers, and for an analysed capture the findings
// table, each call's SIP ladder and each stream's inter-arrival histogram, jitter, waveform and spectrogram
// (analyzers/analyze/html_report's sections, pictures from reports/svg).
#pragma once

#include <filesystem>
#include <string>

#include "base/expected.hpp"
#include "reports/report_model.hpp"

namespace mohq::reports {

std::string html_report(const RunReport& report);
Expected<Done, std::string> write_html_report(const RunReport& report, const std::filesystem::path& path);

}  // namespace mohq::reports
