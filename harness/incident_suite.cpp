// The incident suite of `mohq run`: the reported crackle end to end. A raw 16-bit PCM prompt named test.8 is
// played as PCMA by fake-rtpproxy through the system under test (builtin mohqd or the real Kamailio, harness/sut)
// to a SIPp caller; the loopback is captured with libpcap (the SUT's capture_filter: SIP, rtpproxy control and
// the media range) and analysed: codec.payload_mismatch naming the file must be raised. The control case, a correct A-law prompt, must raise no error finding. Same call as
// tests/integration/test_incident_end_to_end.cpp; capture, analysis.json and WAVs stay in <out>/incident/<case>/.
#include <chrono>
#include <fstream>
#include <optional>
#include <thread>

#include "analyzers/analyze/capture_analysis.hpp"
#include "capture/live_capture.hpp"
#include "harness/prompt_source.hpp"
#include "harness/run_suites.hpp"
#include "process/child_process.hpp"
#include "process/free_port.hpp"
#include "sut/system_under_test.hpp"

namespace mohq::harness {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

enum class PromptKind { Linear16NamedPcma, CorrectPcma };

std::uint16_t port_or_zero(Expected<std::uint16_t, std::string> port) { return port ? *port : 0; }

// One call: INVITE, 3 s of music, BYE, all captured; returns the analysis (or a setup failure in report).
void run_call(const RunEnvironment& env, PromptKind kind, const fs::path& dir, reports::CaseReport& report) {
  if (env.sut.kind == "external")
    return report.expectations.push_back(setup_failure(
        "the incident plays its own prompt files: it needs a SUT it starts (--sut builtin or --sut kamailio), not "
        "an external one"));
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  const fs::path mohdir = dir / "moh";
  fs::create_directories(mohdir);
  auto audio = hold_music(4.0);
  if (kind == PromptKind::CorrectPcma) {
    auto written = write_g711_prompts(audio, mohdir, "test", {8});
    if (!written) return report.expectations.push_back(setup_failure("prompt: " + written.error()));
  } else {
    // What the operator had: the raw samples of a WAV, little-endian, under the PCMA name.
    std::ofstream out(mohdir / "test.8", std::ios::binary);
    out.write(reinterpret_cast<const char*>(audio.samples.data()),
              static_cast<std::streamsize>(audio.samples.size() * sizeof(std::int16_t)));
  }
  const fs::path prompt = mohdir / "test.8";

  const std::uint16_t caller_rtp = port_or_zero(process::find_free_udp_port_block("127.0.0.1", 2));
  const std::uint16_t sipp_port = port_or_zero(process::find_free_udp_port("127.0.0.1"));
  const std::uint16_t sipp_media = port_or_zero(process::find_free_udp_port_block("127.0.0.1", 4));
  const std::uint16_t sipp_control = port_or_zero(process::find_free_udp_port("127.0.0.1"));
  for (auto port : {caller_rtp, sipp_port, sipp_media, sipp_control})
    if (port == 0) return report.expectations.push_back(setup_failure("no free UDP ports on 127.0.0.1"));

  SutStartOptions start;
  start.dir = dir;
  start.bin_dir = env.bin_dir;
  start.mohdir = mohdir;
  start.fake_rtpproxy_debug_log = false;  // the capture records every command
  auto sut = start_sut(env.sut, start);
  if (!sut) return report.expectations.push_back(setup_failure("system under test: " + sut.error()));
  for (const auto& log : (*sut)->logs()) report.artefacts.logs.push_back(log.string());

  // Started with the SUT already up: its start-up probes (V, VF) are not part of the call, its U/L/P/D are.
  const fs::path capture_file = dir / "call.pcap";
  LiveCaptureOptions capture_options;
  capture_options.interface = "lo";
  capture_options.filter = (*sut)->capture_filter();
  auto capture = LiveCapture::start(capture_file, capture_options);
  if (!capture) return report.expectations.push_back(setup_failure("capture: " + capture.error()));
  report.artefacts.capture = capture_file.string();

  // Nobody listens on the caller's RTP port: the capture is the ear.
  process::SpawnOptions sipp;
  sipp.argv = {env.sipp, "-sf", (env.source_dir / "scenarios" / "moh_caller_listen.xml").string(), "-s",
               (*sut)->queue_user(), "-key", "rtp_listen_port", std::to_string(caller_rtp), "-m", "1", "-l", "1",
               "-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", std::to_string(sipp_port), "-mp",
               std::to_string(sipp_media), "-cp", std::to_string(sipp_control), "-d", "3000", "-timeout", "15",
               "-timeout_error", "-nostdin", (*sut)->sip_host() + ":" + std::to_string((*sut)->sip_port())};
  sipp.stdout_path = sipp.stderr_path = dir / "sipp.out";
  sipp.working_dir = dir;
  auto caller = process::ChildProcess::spawn(sipp);
  std::optional<process::ExitStatus> status;  // NOLINT
  if (caller) {
    status = caller->wait_for(20s);
    if (!status) status = caller->terminate(1s);
    report.artefacts.logs.push_back(sipp.stdout_path.string());
  }
  std::this_thread::sleep_for(300ms);  // the BYE's 200 and rtpproxy's D
  report.sut_numbers = (*sut)->numbers();
  const bool alive = (*sut)->alive();
  (*sut)->stop();
  const auto stats = (*capture)->stop();
  if (!caller) return report.expectations.push_back(setup_failure("sipp: " + caller.error()));
  report.expectations.push_back(check("SIPp call succeeded", status->success(), status->describe(), "exit code 0"));
  if (!alive) report.expectations.push_back(check("SUT still running", false, false, true, "the SUT stopped during the call"));
  report.expectations.push_back(check("capture complete", stats.kernel_drops == 0, stats.kernel_drops, 0,
                                      std::to_string(stats.packets) + " packets captured", "packets dropped"));
  report.fake_rtpproxy = (*sut)->fake_rtpproxy_stats();

  analyzers::AnalyzeOptions options;
  options.prompt_dir = mohdir;
  options.wav_dir = dir / "wav";
  options.audio_data = true;
  fs::create_directories(options.wav_dir);
  auto analysed = analyzers::analyze_capture(capture_file, options);
  if (!analysed) return report.expectations.push_back(check("capture analysed", false, nullptr, nullptr, analysed.error()));
  std::ofstream(dir / "analysis.json") << analyzers::to_json(*analysed).dump(2) << "\n";
  report.artefacts.logs.push_back((dir / "analysis.json").string());
  for (const auto& stream : analysed->streams)
    if (!stream.wav.empty())
      report.artefacts.wavs.push_back({"what the caller heard: " + stream.stream.source.to_string() + " -> " + stream.stream.destination.to_string(), stream.wav});

  nlohmann::json ids = nlohmann::json::array();
  std::size_t errors = 0;
  const analyzers::Finding* mismatch = nullptr;
  for (const auto& finding : analysed->findings) {
    ids.push_back(finding.id);
    if (finding.severity == analyzers::Severity::Error) ++errors;
    if (finding.id == "codec.payload_mismatch" && mismatch == nullptr) mismatch = &finding;
  }
  report.expectations.push_back(check("one call and a stream captured",
                                      analysed->calls.size() == 1 && !analysed->streams.empty(),
                                      std::to_string(analysed->calls.size()) + " calls, " +
                                          std::to_string(analysed->streams.size()) + " streams",
                                      "1 call, >= 1 stream"));
  if (kind == PromptKind::Linear16NamedPcma) {
    report.expectations.push_back(check("codec.payload_mismatch raised", mismatch != nullptr, ids.dump(),
                                        "codec.payload_mismatch",
                                        mismatch != nullptr ? mismatch->message
                                                            : "no codec.payload_mismatch for a 16-bit PCM prompt played as PCMA"));
    if (mismatch != nullptr) {
      report.expectations.push_back(check("the finding names the prompt file",
                                          mismatch->message.find(prompt.string()) != std::string::npos,
                                          mismatch->message, prompt.string()));
      report.expectations.push_back(check("the finding is an error", mismatch->severity == analyzers::Severity::Error,
                                          std::string(analyzers::severity_name(mismatch->severity)), "error"));
    }
  } else {
    std::string message;
    for (const auto& finding : analysed->findings)
      if (finding.severity == analyzers::Severity::Error) message += finding.id + ": " + finding.message + "; ";
    report.expectations.push_back(check("no error finding", errors == 0, errors, 0, message, "findings"));
  }
  report.analysis = std::move(*analysed);
}

}  // namespace

reports::SuiteReport run_incident_suite(const RunEnvironment& env) {
  reports::SuiteReport suite;
  suite.name = "incident";
  struct Case {
    const char* name;
    const char* description;
    PromptKind kind;
  };
  const Case cases[] = {
      {"linear16-prompt-named-pcma",
       "the reported crackle: raw 16-bit PCM named test.8 played as PCMA; the analysis must raise "
       "codec.payload_mismatch naming the file",
       PromptKind::Linear16NamedPcma},
      {"correct-pcma-prompt-control", "the same call with a correct A-law test.8: no error finding",
       PromptKind::CorrectPcma},
  };
  for (const auto& c : cases) {
    const auto started = std::chrono::steady_clock::now();
    reports::CaseReport report;
    report.name = c.name;
    report.description = std::string(c.description) + ", through " + sut_label(env.sut);
    run_call(env, c.kind, env.out_dir / "incident" / c.name, report);
    report.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (env.on_case) env.on_case(suite.name, report);
    suite.cases.push_back(std::move(report));
  }
  return suite;
}

}  // namespace mohq::harness
