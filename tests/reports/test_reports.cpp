// reports/: report.json (schema mohq.report/1, every documented field present and typed), junit.xml (well-formed
// and valid against the JUnit XSD with xmllint, the right counts of tests and failures, escaping), report.html
// (the pictures inline, nothing external, escaping) and its screenshot in Debian's headless Chromium (a PNG of the
// window's size with real content, decoded here).
#define BOOST_TEST_MODULE reports
#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "analyzers/analyze/html_report.hpp"
#include "analyzers/corpus/moh_call_writer.hpp"
#include "process/child_process.hpp"
#include "process/temp_dir.hpp"
#include "reports/html_report.hpp"
#include "reports/json_report.hpp"
#include "reports/junit_report.hpp"
#include "reports/svg/svg_charts.hpp"

namespace fs = std::filesystem;
using namespace mohq;
using nlohmann::json;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream out;
  out << file.rdbuf();
  return out.str();
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// A real analysed capture: one MOH call of the corpus with jitter (a finding), waveform/spectrogram data kept.
const analyzers::AnalysisResult& analysed_call() {
  static const analyzers::AnalysisResult result = [] {
    auto dir = process::make_temp_dir("mohq-reports-capture-");
    BOOST_REQUIRE(dir);
    const auto c = analyzers::defect_case("rtp_jitter", analyzers::synthesized_music(20), 0);
    const auto path = analyzers::write_case(dir->path(), c);
    analyzers::AnalyzeOptions options;
    options.audio_data = true;
    auto analysed = analyzers::analyze_capture(path, options);
    BOOST_REQUIRE_MESSAGE(analysed, (analysed ? "" : analysed.error()));
    return std::move(*analysed);
  }();
  return result;
}

reports::Expectation expectation(std::string name, bool passed, json measured, json expected, std::string unit,
                                 std::string message = {}) {
  return {std::move(name), passed, std::move(message), std::move(measured), std::move(expected), std::move(unit)};
}

// Two suites, three cases (one failed with two failed expectations), a load timeline, SIPp/SUT/fake counters,
// an analysis, artefacts, and hostile text for the escaping.
reports::RunReport sample_report() {
  reports::RunReport report;
  report.version = "0.1.0";
  report.start = std::chrono::system_clock::time_point(std::chrono::seconds(1764161580));
  report.end = report.start + std::chrono::seconds(95);
  report.sut = {"mohqd", "built-in reference MOH queue", "0.1.0", "udp:127.0.0.1:5060", "strict", {{"queues", 2}}};

  reports::CaseReport playback;
  playback.name = "pcma-20ms";
  playback.duration_seconds = 3.2;
  playback.expectations = {expectation("payload type", true, 8, 8, ""),
                           expectation("packet interval", true, 20.01, 20, "ms")};
  playback.fake_rtpproxy = {{"sessions", 1}, {"packets_sent", 150}};

  reports::CaseReport load;
  load.name = "load <50 calls/s> & \"quotes\" 'single'";
  load.description = "SIPp at 50 calls/s, hold 10 s";
  load.duration_seconds = 60.5;
  load.expectations = {
      expectation("setup time p95", true, 42.0, "<= 200", "ms"),
      expectation("failed calls", false, 3, 0, "calls", "3 calls got 503 <Service Unavailable> & were retried"),
      expectation("payload \x01 control", false, "raw s16", "PCMA", "", "codec.payload_mismatch: crackling"),
  };
  for (int t = 0; t <= 60; ++t)
    load.load.push_back({static_cast<double>(t), static_cast<std::uint64_t>(std::min(t, 10) * 50),
                         t < 50 ? 50.0 : 0.0, static_cast<std::uint64_t>(t / 20),
                         static_cast<std::uint64_t>(std::min(t, 10) * 45)});
  load.sipp = reports::SippStats{2500, 2497, 3, 12, 60.5, 41.3, 3.5, {{"OutOfCallMsgs", 0}}};
  load.sut_numbers = {{"calls_in_queue_max", 500}, {"retrieved", 2497}};
  load.analysis = analysed_call();
  load.artefacts.capture = "/tmp/run/load.pcapng";
  load.artefacts.wavs = {{"caller 1", "/tmp/run/wav/caller-1.wav"}};
  load.artefacts.logs = {"/tmp/run/mohqd.log"};

  reports::CaseReport from_json;
  from_json.name = "analysis as JSON only";
  from_json.expectations = {expectation("no errors", true, 0, 0, "findings")};
  from_json.analysis_json = {{"schema", "mohq.analyze/1"},
                             {"findings", json::array({{{"id", "rtp.ptime"}, {"severity", "warning"},
                                                        {"message", "30 ms"}, {"fix", "Z20"}}})}};

  report.suites = {{"playback", {playback}}, {"load", {load, from_json}}};
  return report;
}

struct Ran {
  process::ExitStatus status;
  std::string output;  // stdout + stderr
};

// A program run as a child, bounded by timeout (then stopped by its pid).
Ran run(const std::vector<std::string>& argv, const fs::path& dir, std::chrono::seconds timeout) {
  process::SpawnOptions spawn;
  spawn.argv = argv;
  spawn.stdout_path = dir / "child.log";
  spawn.stderr_path = dir / "child.log";
  auto child = process::ChildProcess::spawn(spawn);
  BOOST_REQUIRE_MESSAGE(child, (child ? "" : child.error()));
  auto status = child->wait_for(timeout);
  if (!status) {
    child->terminate(std::chrono::seconds(2));
    BOOST_FAIL(argv[0] << " did not finish within " << timeout.count() << " s: " << read_text(dir / "child.log"));
  }
  return {*status, read_text(dir / "child.log")};
}

fs::path source_dir() {
  const char* dir = std::getenv("MOHQ_SOURCE_DIR");
  return dir ? fs::path(dir) : fs::path(__FILE__).parent_path().parent_path().parent_path();
}

// ---- PNG: the header and the decoded pixels (8-bit RGB/RGBA, non-interlaced, as Chromium writes them).
std::uint32_t be32(const std::string& data, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(data[at])) << 24 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(data[at + 1])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(data[at + 2])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(data[at + 3]));
}

struct Png {
  std::uint32_t width = 0, height = 0;
  int bit_depth = 0, colour_type = 0, interlace = 0;
  std::vector<std::uint8_t> pixels;  // width * height * channels, unfiltered
  int channels = 0;
};

Png decode_png(const std::string& data) {
  Png png;
  BOOST_REQUIRE_GE(data.size(), 33u);
  BOOST_REQUIRE_MESSAGE(data.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0, "no PNG signature");
  BOOST_REQUIRE_EQUAL(data.substr(12, 4), "IHDR");
  png.width = be32(data, 16);
  png.height = be32(data, 20);
  png.bit_depth = static_cast<unsigned char>(data[24]);
  png.colour_type = static_cast<unsigned char>(data[25]);
  png.interlace = static_cast<unsigned char>(data[28]);
  std::string idat;
  bool end = false;
  for (std::size_t at = 8; at + 12 <= data.size();) {
    const std::uint32_t length = be32(data, at);
    const std::string type = data.substr(at + 4, 4);
    BOOST_REQUIRE_LE(at + 12 + length, data.size());
    if (type == "IDAT") idat += data.substr(at + 8, length);
    if (type == "IEND") end = true;
    at += 12 + length;
  }
  BOOST_REQUIRE_MESSAGE(end, "PNG without IEND (truncated)");
  BOOST_REQUIRE_EQUAL(png.bit_depth, 8);
  BOOST_REQUIRE_EQUAL(png.interlace, 0);
  BOOST_REQUIRE(png.colour_type == 2 || png.colour_type == 6);
  png.channels = png.colour_type == 6 ? 4 : 3;
  const std::size_t stride = png.width * static_cast<std::size_t>(png.channels);
  std::vector<std::uint8_t> raw((stride + 1) * png.height);
  uLongf raw_size = static_cast<uLongf>(raw.size());
  BOOST_REQUIRE_EQUAL(uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()),
                                 static_cast<uLong>(idat.size())),
                      Z_OK);
  BOOST_REQUIRE_EQUAL(raw_size, raw.size());
  png.pixels.resize(stride * png.height);
  const int bpp = png.channels;
  for (std::size_t y = 0; y < png.height; ++y) {
    const std::uint8_t filter = raw[y * (stride + 1)];
    const std::uint8_t* in = &raw[y * (stride + 1) + 1];
    std::uint8_t* out = &png.pixels[y * stride];
    const std::uint8_t* up = y ? &png.pixels[(y - 1) * stride] : nullptr;
    for (std::size_t x = 0; x < stride; ++x) {
      const int a = x >= static_cast<std::size_t>(bpp) ? out[x - bpp] : 0;
      const int b = up ? up[x] : 0;
      const int c = (up && x >= static_cast<std::size_t>(bpp)) ? up[x - bpp] : 0;
      int predictor = 0;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = (a + b) / 2; break;
        case 4: {
          const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
          break;
        }
        default: BOOST_FAIL("PNG filter type " << int(filter));
      }
      out[x] = static_cast<std::uint8_t>(in[x] + predictor);
    }
  }
  return png;
}

}  // namespace

BOOST_AUTO_TEST_CASE(report_json_has_every_documented_field_typed) {
  const auto report = sample_report();
  const json j = reports::to_json(report);
  BOOST_CHECK_EQUAL(j.at("schema"), "mohq.report/1");
  BOOST_CHECK_EQUAL(j.at("tool"), "mohq");
  BOOST_CHECK_EQUAL(j.at("version"), "0.1.0");
  BOOST_CHECK_EQUAL(j.at("start"), "2025-11-26T12:53:00.000Z");
  BOOST_CHECK_EQUAL(j.at("end"), "2025-11-26T12:54:35.000Z");
  BOOST_CHECK(j.at("duration_seconds").is_number());
  BOOST_CHECK_CLOSE(j.at("duration_seconds").get<double>(), 95.0, 1e-6);
  for (const char* key : {"kind", "description", "version", "address", "profile"})
    BOOST_CHECK_MESSAGE(j.at("sut").at(key).is_string(), key);
  BOOST_CHECK(j.at("sut").at("details").is_object());
  const auto& summary = j.at("summary");
  BOOST_CHECK_EQUAL(summary.at("cases"), 3);
  BOOST_CHECK_EQUAL(summary.at("passed"), 2);
  BOOST_CHECK_EQUAL(summary.at("failed"), 1);
  BOOST_CHECK_EQUAL(summary.at("expectations"), 6);
  BOOST_CHECK_EQUAL(summary.at("expectations_failed"), 2);
  BOOST_CHECK_EQUAL(summary.at("closing_line"), "2 passed, 1 failed");
  BOOST_REQUIRE_EQUAL(j.at("suites").size(), 2u);
  std::size_t cases = 0;
  for (const auto& suite : j.at("suites")) {
    BOOST_CHECK(suite.at("name").is_string());
    BOOST_CHECK(suite.at("passed").is_number_unsigned());
    BOOST_CHECK(suite.at("failed").is_number_unsigned());
    for (const auto& c : suite.at("cases")) {
      ++cases;
      BOOST_CHECK(c.at("name").is_string());
      BOOST_CHECK(c.at("description").is_string());
      BOOST_CHECK(c.at("passed").is_boolean());
      BOOST_CHECK(c.at("duration_seconds").is_number());
      for (const auto& e : c.at("expectations")) {
        BOOST_CHECK(e.at("name").is_string());
        BOOST_CHECK(e.at("passed").is_boolean());
        BOOST_CHECK(e.at("message").is_string());
        BOOST_CHECK(e.contains("measured") && e.contains("expected"));
        BOOST_CHECK(e.at("unit").is_string());
      }
      BOOST_CHECK(c.at("load_timeline").is_array());
      for (const auto& s : c.at("load_timeline")) {
        BOOST_CHECK(s.at("t").is_number());
        BOOST_CHECK(s.at("active_calls").is_number_unsigned());
        BOOST_CHECK(s.at("calls_per_second").is_number());
        BOOST_CHECK(s.at("failed").is_number_unsigned());
        BOOST_CHECK(s.at("queue_depth").is_null() || s.at("queue_depth").is_number_unsigned());
      }
      BOOST_CHECK(c.at("sipp").is_null() || c.at("sipp").is_object());
      BOOST_CHECK(c.at("sut_numbers").is_null() || c.at("sut_numbers").is_object());
      BOOST_CHECK(c.at("fake_rtpproxy").is_null() || c.at("fake_rtpproxy").is_object());
      BOOST_CHECK(c.at("analysis").is_null() || c.at("analysis").is_object());
      BOOST_CHECK(c.at("artefacts").at("capture").is_null() || c.at("artefacts").at("capture").is_string());
      BOOST_CHECK(c.at("artefacts").at("wavs").is_array());
      BOOST_CHECK(c.at("artefacts").at("logs").is_array());
    }
  }
  BOOST_CHECK_EQUAL(cases, 3u);
  const auto& load = j.at("suites")[1].at("cases")[0];
  BOOST_CHECK_EQUAL(load.at("passed"), false);
  BOOST_CHECK_EQUAL(load.at("load_timeline").size(), 61u);
  BOOST_CHECK_EQUAL(load.at("load_timeline")[60].at("queue_depth"), 450);
  BOOST_CHECK_EQUAL(load.at("expectations")[1].at("measured"), 3);
  BOOST_CHECK_EQUAL(load.at("expectations")[0].at("expected"), "<= 200");
  for (const char* key : {"total_calls", "successful_calls", "failed_calls", "retransmissions"})
    BOOST_CHECK_MESSAGE(load.at("sipp").at(key).is_number_unsigned(), key);
  for (const char* key : {"elapsed_seconds", "call_rate", "average_response_ms"})
    BOOST_CHECK_MESSAGE(load.at("sipp").at(key).is_number(), key);
  BOOST_CHECK(load.at("sipp").at("extra").is_object());
  BOOST_CHECK_EQUAL(load.at("analysis").at("schema"), "mohq.analyze/1");
  BOOST_CHECK(!load.at("analysis").at("findings").empty());
  BOOST_CHECK_EQUAL(load.at("artefacts").at("wavs")[0].at("path"), "/tmp/run/wav/caller-1.wav");
  BOOST_CHECK(j.at("suites")[0].at("cases")[0].at("sipp").is_null());
  BOOST_CHECK_EQUAL(j.at("suites")[1].at("cases")[1].at("analysis").at("findings")[0].at("id"), "rtp.ptime");

  // The file round-trips.
  auto dir = process::make_temp_dir("mohq-reports-json-");
  BOOST_REQUIRE(dir);
  auto written = reports::write_json_report(report, dir->path() / "out" / "report.json");
  BOOST_REQUIRE_MESSAGE(written, (written ? "" : written.error()));
  BOOST_CHECK_EQUAL(json::parse(read_text(dir->path() / "out" / "report.json")), j);
  BOOST_CHECK(!reports::write_json_report(report, "/proc/no/such/dir/report.json"));
}

BOOST_AUTO_TEST_CASE(junit_xml_is_valid_with_a_testcase_per_case_and_expectation) {
  const auto report = sample_report();
  auto dir = process::make_temp_dir("mohq-reports-junit-");
  BOOST_REQUIRE(dir);
  const auto path = dir->path() / "junit.xml";
  auto written = reports::write_junit_report(report, path);
  BOOST_REQUIRE_MESSAGE(written, (written ? "" : written.error()));
  const std::string xml = read_text(path);

  const auto wellformed = run({"xmllint", "--noout", path.string()}, dir->path(), std::chrono::seconds(30));
  BOOST_CHECK_MESSAGE(wellformed.status.success(), "xmllint: " << wellformed.output);
  const auto xsd = source_dir() / "tests/reports/data/junit.xsd";
  BOOST_REQUIRE(fs::exists(xsd));
  const auto valid = run({"xmllint", "--noout", "--schema", xsd.string(), path.string()}, dir->path(),
                         std::chrono::seconds(30));
  BOOST_CHECK_MESSAGE(valid.status.success(), "xmllint --schema: " << valid.output);

  // 3 cases + 6 expectations; 1 failed case + 2 failed expectations.
  BOOST_CHECK_EQUAL(occurrences(xml, "<testcase "), 9u);
  BOOST_CHECK_EQUAL(occurrences(xml, "<failure "), 3u);
  BOOST_CHECK_EQUAL(occurrences(xml, "<testsuite "), 2u);
  BOOST_CHECK(xml.find("<testsuites name=\"mohq\" tests=\"9\" failures=\"3\" errors=\"0\" time=\"95.000\">") !=
              std::string::npos);
  BOOST_CHECK(xml.find("<testsuite name=\"playback\" id=\"0\"") != std::string::npos);
  BOOST_CHECK(xml.find("tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"3.200\"") != std::string::npos);
  BOOST_CHECK(xml.find("tests=\"6\" failures=\"3\" errors=\"0\" skipped=\"0\" time=\"60.500\"") != std::string::npos);
  BOOST_CHECK(xml.find("<testcase name=\"packet interval\" classname=\"playback.pcma-20ms\" time=\"0.000\"/>") !=
              std::string::npos);
  // The failure message: the message, then measured and expected; every special character escaped.
  BOOST_CHECK(xml.find("<failure message=\"3 calls got 503 &lt;Service Unavailable&gt; &amp; were retried; "
                       "measured 3 calls, expected 0 calls\" type=\"expectation\">") != std::string::npos);
  BOOST_CHECK(xml.find("<failure message=\"2 of 3 expectations failed\" type=\"case\">") != std::string::npos);
  BOOST_CHECK(xml.find("name=\"load &lt;50 calls/s&gt; &amp; &quot;quotes&quot; &#39;single&#39;\"") !=
              std::string::npos);
  BOOST_CHECK(xml.find('\x01') == std::string::npos);
  BOOST_CHECK(xml.find("measured raw s16, expected PCMA") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(html_report_is_self_contained_with_every_picture) {
  const auto report = sample_report();
  const std::string html = reports::html_report(report);
  BOOST_CHECK(html.starts_with("<!DOCTYPE html>"));
  BOOST_CHECK(html.find("<p class='closing failed'>2 passed, 1 failed</p>") != std::string::npos);
  // Pictures: the load timeline, the call's ladder, the stream's histogram, jitter, waveform and spectrogram.
  const auto& analysis = analysed_call();
  BOOST_REQUIRE(!analysis.calls.empty());
  BOOST_REQUIRE(!analysis.streams.empty());
  BOOST_CHECK(html.find(reports::svg::ladder(analysis.calls.front())) != std::string::npos);
  BOOST_CHECK(html.find("inter-arrival ms (log count)") != std::string::npos);
  BOOST_CHECK(html.find("jitter over time") != std::string::npos);
  BOOST_CHECK(html.find("what the caller heard (waveform)") != std::string::npos);
  BOOST_CHECK(html.find("<p>spectrogram:</p><svg") != std::string::npos);
  BOOST_CHECK(html.find(">active calls</text>") != std::string::npos);
  BOOST_CHECK(html.find(">calls/s</text>") != std::string::npos);
  BOOST_CHECK(html.find(">failed calls</text>") != std::string::npos);
  BOOST_CHECK(html.find(">queue depth</text>") != std::string::npos);
  const std::size_t svgs = occurrences(html, "<svg ");
  BOOST_CHECK_EQUAL(svgs, occurrences(html, "</svg>"));
  BOOST_CHECK_GE(svgs, 1 + analysis.calls.size() + 4 * analysis.streams.size());
  // The findings tables (from the result, and from JSON only), the expectations tables, counters, files.
  BOOST_CHECK(html.find(analysis.findings.front().id) != std::string::npos);
  BOOST_CHECK(html.find("<code>rtp.ptime</code>") != std::string::npos);
  BOOST_CHECK(html.find("<td>setup time p95</td><td class='passed'>passed</td><td>42.0 ms</td><td>&lt;= 200 ms</td>") !=
              std::string::npos);
  BOOST_CHECK(html.find("retrieved") != std::string::npos);
  BOOST_CHECK(html.find("packets_sent") != std::string::npos);
  BOOST_CHECK(html.find("/tmp/run/wav/caller-1.wav") != std::string::npos);
  // Escaping: the hostile case name and message never appear raw.
  BOOST_CHECK(html.find("load &lt;50 calls/s&gt; &amp; &quot;quotes&quot; &#39;single&#39;") != std::string::npos);
  BOOST_CHECK(html.find("<50 calls/s>") == std::string::npos);
  BOOST_CHECK(html.find("<Service Unavailable>") == std::string::npos);
  BOOST_CHECK(html.find('\x01') == std::string::npos);
  // Self-contained: no script, no external URL (the only http: is the SVG namespace), no fetched resources.
  BOOST_CHECK(html.find("<script") == std::string::npos);
  BOOST_CHECK(html.find("<img") == std::string::npos);
  BOOST_CHECK(html.find("<link") == std::string::npos);
  BOOST_CHECK(html.find("src=") == std::string::npos);
  BOOST_CHECK(html.find("url(") == std::string::npos);
  BOOST_CHECK(html.find("@import") == std::string::npos);
  BOOST_CHECK(html.find("https:") == std::string::npos);
  BOOST_CHECK_EQUAL(occurrences(html, "http:"), occurrences(html, "xmlns='http://www.w3.org/2000/svg'"));
  std::smatch href;
  for (auto it = html.cbegin(); std::regex_search(it, html.cend(), href, std::regex("href='([^']*)'"));
       it = href.suffix().first)
    BOOST_CHECK_MESSAGE(href[1].str().starts_with("#"), "link outside the page: " << href[1]);
  // The spectrogram is SVG only (rects), never an embedded raster image.
  BOOST_CHECK(html.find("data:image") == std::string::npos);
  BOOST_CHECK(html.find("<image") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(mohq_analyze_html_draws_with_the_same_svg_builders) {
  const auto& analysis = analysed_call();
  const std::string page = analyzers::html_report(analysis, "jitter.pcap");
  BOOST_CHECK(page.find(reports::svg::ladder(analysis.calls.front())) != std::string::npos);
  reports::svg::HistogramOptions histogram;
  histogram.axis = "inter-arrival ms";
  BOOST_CHECK(page.find(reports::svg::histogram(reports::svg::inter_arrival_ms(analysis.streams.front().stream),
                                                histogram)) != std::string::npos);
  BOOST_CHECK(page.find(analyzers::analysis_sections(analysis)) != std::string::npos);
  BOOST_CHECK(page.find("<script") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(svg_builders_handle_empty_and_odd_data) {
  BOOST_CHECK(reports::svg::histogram({}, {}).starts_with("<svg "));
  BOOST_CHECK(reports::svg::time_series({}, {}).ends_with("</svg>"));
  BOOST_CHECK(reports::svg::waveform({}, {}, 0).ends_with("</svg>"));
  BOOST_CHECK(reports::svg::spectrogram({}, 0, 0).ends_with("</svg>"));
  BOOST_CHECK(reports::svg::load_timeline({}).ends_with("</svg>"));
  const double odd[] = {-5, 1e9, std::nan("")};
  BOOST_CHECK(reports::svg::histogram(odd, {}).find("nan") == std::string::npos);
  BOOST_CHECK_EQUAL(reports::svg::escape("a<b>&\"'\n\x02"), "a&lt;b&gt;&amp;&quot;&#39;&#10;\xEF\xBF\xBD");
  BOOST_CHECK_EQUAL(reports::svg::number(1.25, 1), "1.2");
  // A spectrogram is rects, one colour run per column at least where there is energy.
  std::vector<std::vector<float>> db(10, std::vector<float>(8, -90.0f));
  for (auto& column : db) column[3] = -6.0f;
  const std::string picture = reports::svg::spectrogram(db, 0.032, 500);
  BOOST_CHECK_GE(occurrences(picture, "<rect "), 10u);
}

BOOST_AUTO_TEST_CASE(report_html_renders_in_headless_chromium) {
  auto dir = process::make_temp_dir("mohq-reports-chromium-");
  BOOST_REQUIRE(dir);
  const auto html = dir->path() / "report.html";
  auto written = reports::write_html_report(sample_report(), html);
  BOOST_REQUIRE_MESSAGE(written, (written ? "" : written.error()));
  // As root in a container Chromium needs --no-sandbox; its own profile directory keeps runs independent, and
  // /dev/shm may be tiny in containers (--disable-dev-shm-usage).
  auto screenshot = [&](const fs::path& page, const fs::path& png) {
    return run({"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--user-data-dir=" + (dir->path() / ("profile-" + png.stem().string())).string(),
                "--screenshot=" + png.string(), "--window-size=1280,2000", "file://" + page.string()},
               dir->path(), std::chrono::seconds(120));
  };
  const auto png_path = dir->path() / "report.png";
  const auto ran = screenshot(html, png_path);
  BOOST_REQUIRE_MESSAGE(ran.status.success() && fs::exists(png_path),
                        "chromium " << ran.status.describe() << ", no screenshot: " << ran.output);
  const auto png = decode_png(read_text(png_path));
  BOOST_CHECK_EQUAL(png.width, 1280u);
  BOOST_CHECK_EQUAL(png.height, 2000u);
  // Not blank: many colours (text antialiasing, the charts' palettes) and a real share of non-white pixels.
  std::set<std::uint32_t> colours;
  std::size_t non_white = 0;
  const std::size_t pixels = png.width * png.height;
  for (std::size_t i = 0; i < pixels; ++i) {
    const auto* p = &png.pixels[i * static_cast<std::size_t>(png.channels)];
    colours.insert(static_cast<std::uint32_t>(p[0]) << 16 | static_cast<std::uint32_t>(p[1]) << 8 | p[2]);
    non_white += !(p[0] > 245 && p[1] > 245 && p[2] > 245);
  }
  BOOST_TEST_MESSAGE("report.png: " << colours.size() << " colours, " << non_white * 100 / pixels
                                    << "% non-white, " << fs::file_size(png_path) << " bytes");
  BOOST_CHECK_GT(colours.size(), 50u);
  BOOST_CHECK_GT(non_white, pixels / 50);
  // ... unlike the screenshot of an empty page.
  const auto blank = dir->path() / "blank.html";
  std::ofstream(blank) << "<!DOCTYPE html><html><body></body></html>";
  const auto blank_png = dir->path() / "blank.png";
  const auto ran_blank = screenshot(blank, blank_png);
  BOOST_REQUIRE_MESSAGE(ran_blank.status.success() && fs::exists(blank_png), ran_blank.output);
  BOOST_CHECK_GT(fs::file_size(png_path), 4 * fs::file_size(blank_png));
  // MOHQ_KEEP_SCREENSHOT=/some/file.png keeps the screenshot (and the page as /some/file.png.html) for a human.
  if (const char* keep = std::getenv("MOHQ_KEEP_SCREENSHOT")) {
    fs::copy_file(png_path, keep, fs::copy_options::overwrite_existing);
    fs::copy_file(html, std::string(keep) + ".html", fs::copy_options::overwrite_existing);
  }
}
