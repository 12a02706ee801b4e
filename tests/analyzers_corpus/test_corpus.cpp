// analyzers/corpus through analyze_capture and the mohq binary: every finding id raised by its defect on the
// right call and stream, no warning or error on clean calls of real Debian hold music and recorded prompts, the
// detection rate per defect class and the false-positive rate printed and gated, the incident (raw s16 music as
// test.pcm.8 played as PCMA), and `mohq analyze` exit codes and JSON.
#define BOOST_TEST_MODULE analyzers_corpus
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/analyze/capture_analysis.hpp"
#include "analyzers/corpus/moh_call_writer.hpp"

namespace fs = std::filesystem;
using namespace mohq::analyzers;

namespace {

struct Scratch {
  fs::path dir;
  bool keep = false;
  Scratch() {
    // MOHQ_CORPUS_DIR: write (and keep) every capture there, to look at them with mohq analyze or Wireshark.
    if (const char* kept = std::getenv("MOHQ_CORPUS_DIR"); kept && *kept) {
      dir = kept;
      keep = true;
    } else {
      dir = fs::temp_directory_path() / ("mohq-corpus-" + std::to_string(::getpid()));
    }
    fs::create_directories(dir);
  }
  ~Scratch() {
    std::error_code ignored;
    if (!keep) fs::remove_all(dir, ignored);
  }
};

const fs::path& scratch() {
  static Scratch s;
  return s.dir;
}

// The five Debian tracks, whole, 8 kHz (loaded once); a synthesized stand-in when the package is missing.
const std::vector<std::vector<std::int16_t>>& tracks() {
  static const std::vector<std::vector<std::int16_t>> all = [] {
    std::vector<std::vector<std::int16_t>> out;
    for (const auto& track : hold_music_tracks()) {
      auto audio = load_audio(track);
      if (audio.size() > 8000 * 70) out.push_back(std::move(audio));
    }
    std::cout << "music: " << out.size() << " Debian hold-music tracks\n";
    if (out.empty()) {
      std::cout << "WARNING: no Debian hold music (asterisk-moh-opsound-wav + sox): synthesized music used\n";
      for (std::uint32_t i = 0; i < 5; ++i) out.push_back(synthesized_music(80, i + 1));
    }
    return out;
  }();
  return all;
}

std::vector<std::int16_t> excerpt(std::size_t track, double offset, double seconds) {
  const auto& audio = tracks()[track % tracks().size()];
  auto from = std::min(audio.size(), static_cast<std::size_t>(offset * 8000));
  auto to = std::min(audio.size(), from + static_cast<std::size_t>(seconds * 8000));
  if (to - from < static_cast<std::size_t>(seconds * 8000)) from = audio.size() - static_cast<std::size_t>(seconds * 8000);
  return {audio.begin() + static_cast<long>(from), audio.begin() + static_cast<long>(to)};
}

AnalysisResult analyze(const CorpusCase& c, const fs::path& dir) {
  const auto path = write_case(dir, c);
  AnalyzeOptions options;
  if (!c.prompt_files.empty()) options.prompt_dir = dir / (c.name + ".prompts");
  auto result = analyze_capture(path, options);
  BOOST_REQUIRE_MESSAGE(result.has_value(), c.name << ": " << (result ? "" : result.error()));
  return std::move(*result);
}

std::string describe(const Finding& f) {
  return std::string(severity_name(f.severity)) + " " + f.id + " [" + f.call_id + "] [" + f.stream + "] " + f.message;
}

std::string describe(const Findings& findings) {
  std::string out;
  for (const auto& f : findings) out += "\n    " + describe(f);
  return out;
}

bool detected(const CorpusCase& c, const AnalysisResult& r) {
  for (const auto& f : r.findings)
    if (f.id == c.expected_id && f.call_id == c.call_id &&
        (c.stream_flow.empty() ? f.stream.empty() : f.stream.starts_with(c.stream_flow + " ssrc ")))
      return true;
  return false;
}

bool warning_or_error(const Finding& f) { return f.severity != Severity::Info; }

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

fs::path mohq_binary() {
  const char* dir = std::getenv("MOHQ_BIN_DIR");
  return dir ? fs::path(dir) / "mohq" : fs::path("mohq");
}

}  // namespace

// (a) + (c): every defect kind on five excerpts (five tracks, different offsets; the variants also change the
// capture: pcap/pcapng, Ethernet/SLL2/loopback, IPv6, SIP over TCP), each checked strictly (no unrelated error,
// nothing on the clean neighbour call), all counted for the detection rate, which must reach 95 % per class.
BOOST_AUTO_TEST_CASE(every_defect_is_detected) {
  const auto started = std::chrono::steady_clock::now();
  constexpr unsigned kExcerpts = 5;
  std::set<std::string> ids_raised;
  std::ostringstream table;
  for (const auto& kind : defect_kinds()) {
    unsigned hits = 0;
    std::string id;
    for (unsigned e = 0; e < kExcerpts; ++e) {
      const auto music = excerpt(e, 15.0 + 23.0 * e + static_cast<double>(kind.size()), 24);
      const auto c = defect_case(kind, music, e);
      id = c.expected_id;
      const auto r = analyze(c, scratch() / "defects" / (kind + "_" + std::to_string(e)));
      const bool hit = detected(c, r);
      hits += hit;
      if (hit) ids_raised.insert(c.expected_id);
      BOOST_CHECK_MESSAGE(hit, kind << " excerpt " << e << ": no " << c.expected_id << " on call " << c.call_id
                                    << " stream '" << c.stream_flow << "'; findings:" << describe(r.findings));
      // No unrelated error, and the clean neighbour call in the same capture raised nothing.
      for (const auto& f : r.findings) {
        if (f.severity == Severity::Error && f.id != c.expected_id)
          BOOST_CHECK_MESSAGE(std::find(c.allowed_errors.begin(), c.allowed_errors.end(), f.id) != c.allowed_errors.end(),
                              kind << ": unrelated error " << describe(f));
        if (f.call_id == c.calls[1].call_id)
          BOOST_CHECK_MESSAGE(!warning_or_error(f), kind << ": the clean neighbour call got " << describe(f));
      }
    }
    const double rate = 100.0 * hits / kExcerpts;
    char line[160];
    std::snprintf(line, sizeof line, "  %-30s %-26s %u/%u  %5.1f %%\n", kind.c_str(), id.c_str(), hits, kExcerpts, rate);
    table << line;
    BOOST_CHECK_MESSAGE(rate >= 95.0, kind << ": detection " << rate << " % < 95 %");
  }
  std::cout << "detection rate per defect class (" << kExcerpts << " music excerpts each):\n" << table.str();
  for (const char* id : {"sip.missing_ack", "sip.no_final_response", "sip.unanswered_request", "sip.refer_without_notify",
                         "sip.cancel_answered_wrong", "sip.sdp_answer_not_subset", "sip.extra_via", "sip.order",
                         "rtp.ptime", "rtp.payload_size", "rtp.timestamp", "rtp.jitter", "rtp.loss", "rtp.sequence",
                         "rtp.ssrc_change", "rtp.marker", "codec.payload_mismatch", "codec.pt_not_negotiated",
                         "codec.container_header", "audio.click", "audio.clipping", "audio.silence", "audio.level",
                         "audio.prompt_mismatch"})
    BOOST_CHECK_MESSAGE(ids_raised.count(id) == 1, "no capture raised " << id);
  std::cout << "defects: " << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
            << " s\n";
}

// (b) + (c): clean calls of real music (five tracks, five offsets each, 10-20 s) and recorded prompts, three per
// capture, over every format and link type, IPv4/IPv6, SIP over TCP once: no warning or error at all.
BOOST_AUTO_TEST_CASE(clean_calls_raise_nothing) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::vector<std::int16_t>> excerpts;
  for (std::size_t track = 0; track < 5; ++track)
    for (unsigned k = 0; k < 5; ++k)
      excerpts.push_back(excerpt(track, 5.0 + 31.0 * k + 3.0 * static_cast<double>(track), 10.0 + 2.5 * k));
  std::size_t speech_calls = 0;
  for (std::size_t first = 0; first < 6; ++first) {
    auto speech = recorded_prompts(10.0 + static_cast<double>(first), first * 2);
    if (speech.size() < 8000 * 8) continue;
    excerpts.push_back(std::move(speech));
    ++speech_calls;
  }
  BOOST_TEST_MESSAGE("recorded-prompt calls: " << speech_calls);
  struct Shape {
    CaptureFormat format;
    CaptureLinkType link;
    bool ipv6, tcp;
  };
  const Shape shapes[] = {{CaptureFormat::Pcap, CaptureLinkType::Ethernet, false, false},
                          {CaptureFormat::PcapNg, CaptureLinkType::LinuxSll2, true, false},
                          {CaptureFormat::Pcap, CaptureLinkType::Null, false, false},
                          {CaptureFormat::PcapNg, CaptureLinkType::Ethernet, false, true},
                          {CaptureFormat::Pcap, CaptureLinkType::LinuxSll, false, false},
                          {CaptureFormat::PcapNg, CaptureLinkType::Loop, true, false},
                          {CaptureFormat::Pcap, CaptureLinkType::Raw, false, false},
                          {CaptureFormat::PcapNg, CaptureLinkType::LinuxSll2, false, false},
                          {CaptureFormat::Pcap, CaptureLinkType::Ethernet, true, false},
                          {CaptureFormat::PcapNg, CaptureLinkType::Null, false, false},
                          {CaptureFormat::Pcap, CaptureLinkType::LinuxSll2, false, false}};
  std::size_t calls = 0, flagged_calls = 0, captures = 0;
  for (std::size_t i = 0; i * 3 < excerpts.size(); ++i) {
    std::vector<std::vector<std::int16_t>> group(excerpts.begin() + static_cast<long>(i * 3),
                                                 excerpts.begin() + static_cast<long>(std::min(excerpts.size(), i * 3 + 3)));
    const Shape& shape = shapes[i % std::size(shapes)];
    CaptureWriterOptions options;
    options.format = shape.format;
    options.link = shape.link;
    options.nanoseconds = i % 2 == 1;
    auto c = clean_case("clean_" + std::to_string(i), group, 200 + static_cast<unsigned>(i), options, shape.ipv6,
                        shape.tcp);
    // What real mohqueue traffic also does, one variation per capture.
    for (std::size_t k = 0; k < c.calls.size(); ++k) {
      auto& spec = c.calls[k];
      switch (i % 4) {
        case 0:  // SIPp's sequential calls: the same caller ports for every call (the real traces: m=audio 6000)
          spec.caller_sip_port = 5090;
          spec.caller_rtp_port = 6000;
          break;
        case 1:  // concurrent calls; phones sending their microphone (silence, or the room) to the queue
          spec.start_time = c.calls[0].start_time + 2.0 * static_cast<double>(k);
          spec.caller_sends_rtp = true;
          if (k == 1) spec.caller_audio = at_level(synthesized_music(3, 9), -50);
          break;
        case 2: {  // a short prompt looped, its partial 20 ms tail dropped
          spec.prompt.resize(std::min<std::size_t>(spec.prompt.size(), 8000 * 4 + 1234));
          break;
        }
        default:  // another negotiated ptime, sequence and timestamp wrapping
          spec.offer_ptime = spec.ptime_ms = k % 2 == 0 ? 30 : 10;
          spec.first_sequence = static_cast<std::uint16_t>(65535 - 40 * k - 7);
          spec.first_timestamp = 0xffffffffu - 8000u * static_cast<std::uint32_t>(k + 1);
          break;
      }
    }
    c.prompt_files.clear();
    for (const auto& spec : c.calls)
      c.prompt_files.push_back({fs::path(spec.prompt_path).filename().string() + "." + std::to_string(spec.payload_type),
                                spec.prompt});
    const auto r = analyze(c, scratch() / "clean");
    ++captures;
    BOOST_CHECK_MESSAGE(r.calls.size() == c.calls.size(), c.name << ": " << r.calls.size() << " calls found");
    for (const auto& spec : c.calls) {
      ++calls;
      bool flagged = false, stream_found = false;
      for (const auto& f : r.findings)
        if (f.call_id == spec.call_id && warning_or_error(f)) flagged = true;
      for (const auto& s : r.streams)
        if (s.stream.expected.call_id == spec.call_id && stream_label(s.stream).starts_with(stream_flow_of(spec)))
          stream_found = s.prompt.value("byte_exact", false);
      flagged_calls += flagged;
      BOOST_CHECK_MESSAGE(stream_found, c.name << " " << spec.call_id
                                               << ": its stream was not found, joined or byte-exact to the prompt");
    }
    for (const auto& f : r.findings)
      BOOST_CHECK_MESSAGE(!warning_or_error(f), c.name << ": false positive " << describe(f));
  }
  BOOST_CHECK_GE(calls, 30u);
  const double rate = calls ? 100.0 * static_cast<double>(flagged_calls) / static_cast<double>(calls) : 0;
  std::cout << "false positives on clean captures: " << flagged_calls << " of " << calls << " calls (" << rate
            << " %), " << captures << " captures, " << speech_calls << " of them recorded prompts; "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() << " s\n";
  BOOST_CHECK_EQUAL(flagged_calls, 0u);
}

// (d) the incident, from write_corpus: raw s16 music as test.pcm.8 played as PCMA.
BOOST_AUTO_TEST_CASE(corpus_and_incident) {
  const auto dir = scratch() / "corpus";
  const auto cases = write_corpus(dir);
  BOOST_CHECK_GE(cases.size(), defect_kinds().size() + 6);
  const CorpusCase* incident = nullptr;
  for (const auto& c : cases) {
    const auto path = dir / (c.name + (c.capture.format == CaptureFormat::PcapNg ? ".pcapng" : ".pcap"));
    BOOST_CHECK_MESSAGE(fs::is_regular_file(path) && fs::file_size(path) > 1000, path);
    if (c.name == "incident_test_pcm_8") incident = &c;
  }
  BOOST_REQUIRE(incident != nullptr);
  const auto r = analyze(*incident, dir);
  bool found = false;
  for (const auto& f : r.findings)
    if (f.id == "codec.payload_mismatch" && f.call_id == incident->call_id) {
      found = true;
      BOOST_CHECK(f.severity == Severity::Error);
      BOOST_CHECK_MESSAGE(f.message.find("test.pcm.8") != std::string::npos, f.message);
      BOOST_CHECK_MESSAGE(f.fix.find("mohq prompt convert") != std::string::npos, f.fix);
      BOOST_CHECK_EQUAL(f.evidence.value("guessed_encoding", ""), "s16le");
      BOOST_CHECK(f.stream.starts_with(incident->stream_flow));
    }
  BOOST_CHECK_MESSAGE(found, "incident: no codec.payload_mismatch;" << describe(r.findings));
}

// Payloads are views: into the mapped file for classic pcap, into the stream's own store for pcapng (read through
// libpcap). Either way they stay valid after analyze_capture returns and the capture file is gone, and carry the
// prompt's bytes in order.
BOOST_AUTO_TEST_CASE(stream_payloads_outlive_the_capture_file) {
  MohCallSpec spec;
  spec.seconds = 3;
  spec.prompt = encode_prompt(synthesized_music(1.0, 7), PromptEncoding::Alaw);  // 1 s: the stream loops it
  for (const auto format : {CaptureFormat::Pcap, CaptureFormat::PcapNg}) {
    const auto path = scratch() / (format == CaptureFormat::Pcap ? "views.pcap" : "views.pcapng");
    CaptureWriterOptions options;
    options.format = format;
    write_moh_capture(path, {spec}, options);
    auto result = analyze_capture(path, {});
    BOOST_REQUIRE(result.has_value());
    fs::remove(path);
    const RtpStream* played = nullptr;
    for (const auto& entry : result->streams)
      if (stream_label(entry.stream).starts_with(stream_flow_of(spec) + " ")) played = &entry.stream;
    BOOST_REQUIRE_MESSAGE(played != nullptr, "no stream " << stream_flow_of(spec));
    BOOST_CHECK_EQUAL(played->packets.size(), 150u);
    std::size_t offset = 0, mismatches = 0;
    for (const auto& packet : played->packets) {
      const auto payload = played->payload(packet);
      if (offset + payload.size() > spec.prompt.size()) offset = 0;  // rtpproxy loops in whole chunks
      if (!std::equal(payload.begin(), payload.end(), spec.prompt.begin() + static_cast<long>(offset))) ++mismatches;
      offset += payload.size();
    }
    BOOST_CHECK_EQUAL(mismatches, 0u);
    BOOST_CHECK_EQUAL(played->payload_bytes(), 150u * 160u);
  }
}

// (e) the binary: exit 0 clean, 1 incident, 2 garbage/truncated/missing; --json keys.
BOOST_AUTO_TEST_CASE(mohq_binary_exit_codes_and_json) {
  const auto bin = mohq_binary();
  BOOST_REQUIRE_MESSAGE(fs::exists(bin), bin << " (MOHQ_BIN_DIR)");
  const auto dir = scratch() / "binary";
  fs::create_directories(dir);
  const auto clean = write_case(dir, clean_case("clean", {excerpt(2, 50, 10)}, 300));
  auto incident_case = defect_case("codec_payload_mismatch_s16", excerpt(3, 20, 24), 301);
  incident_case.name = "incident";
  incident_case.calls[0].prompt_path = "/var/lib/kamailio/moh/test.pcm";
  const auto incident = write_case(dir, incident_case);
  const std::string quiet = " --quiet >/dev/null 2>&1";
  BOOST_CHECK_EQUAL(run(bin.string() + " analyze " + clean.string() + " --json " + (dir / "clean.json").string() + quiet), 0);
  BOOST_CHECK_EQUAL(run(bin.string() + " analyze " + incident.string() + " --json " + (dir / "incident.json").string() + quiet), 1);
  {
    std::ofstream garbage(dir / "garbage.pcap", std::ios::binary);
    for (int i = 0; i < 4096; ++i) garbage.put(static_cast<char>((i * 7919) & 0xff));
  }
  BOOST_CHECK_EQUAL(run(bin.string() + " analyze " + (dir / "garbage.pcap").string() + quiet), 2);
  fs::copy_file(clean, dir / "truncated.pcap");
  fs::resize_file(dir / "truncated.pcap", 14);  // inside the global header
  BOOST_CHECK_EQUAL(run(bin.string() + " analyze " + (dir / "truncated.pcap").string() + quiet), 2);
  BOOST_CHECK_EQUAL(run(bin.string() + " analyze " + (dir / "missing.pcap").string() + quiet), 2);
  // Cut in the middle of a record: what was read is analyzed (analyze_capture's contract), flagged truncated.
  fs::copy_file(clean, dir / "cut.pcap");
  fs::resize_file(dir / "cut.pcap", fs::file_size(clean) * 2 / 3 + 5);
  BOOST_CHECK_EQUAL(run(bin.string() + " analyze " + (dir / "cut.pcap").string() + " --json " +
                        (dir / "cut.json").string() + quiet), 0);
  {
    std::ifstream in(dir / "cut.json");
    BOOST_REQUIRE(in);
    BOOST_CHECK(nlohmann::json::parse(in).at("capture").value("truncated", false));
  }

  for (const char* name : {"clean.json", "incident.json"}) {
    std::ifstream in(dir / name);
    BOOST_REQUIRE_MESSAGE(in, name);
    const auto json = nlohmann::json::parse(in);
    for (const char* key : {"calls", "streams", "findings"}) BOOST_CHECK_MESSAGE(json.at(key).is_array(), name << " " << key);
    BOOST_CHECK_GE(json.at("calls").size(), 1u);
    BOOST_CHECK_GE(json.at("streams").size(), 1u);
    for (const auto& f : json.at("findings"))
      for (const char* key : {"id", "severity", "call_id", "stream", "message", "evidence", "fix"})
        BOOST_CHECK_MESSAGE(f.contains(key), name << ": finding without " << key << ": " << f.dump());
  }
  std::ifstream in(dir / "incident.json");
  const auto json = nlohmann::json::parse(in);
  bool mismatch = false;
  for (const auto& f : json.at("findings"))
    mismatch |= f.at("id") == "codec.payload_mismatch" && f.at("severity") == "error" &&
                f.at("message").get<std::string>().find("test.pcm.8") != std::string::npos;
  BOOST_CHECK(mismatch);
}
