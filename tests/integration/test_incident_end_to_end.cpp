// The reported incident, end to end: the prompt file is raw 16-bit PCM of real hold music named test.8; mohqd
// sets the call up, fake-rtpproxy plays the file as PCMA to a SIPp caller, libpcap captures the loopback, and
// `mohq analyze` must say codec.payload_mismatch, name the file and give the fix. The same call with a correct
// A-law prompt must come out clean. Real peers: SIPp, the capture is a real libpcap capture of real packets.
#define BOOST_TEST_MODULE test_incident_end_to_end
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "analyzers/analyze/capture_analysis.hpp"
#include "capture/live_capture.hpp"
#include "harness/prompt_source.hpp"
#include "mohqd/mohqd_instance.hpp"
#include "process/child_process.hpp"
#include "process/temp_dir.hpp"
#include "support/integration.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mohq::process::ChildProcess;
using mohq::test::error_of;
using mohq::test::kLoopback;

namespace {

enum class PromptKind { Linear16NamedPcma, CorrectPcma };

struct Run {
  mohq::analyzers::AnalysisResult result;
  fs::path capture;
  fs::path prompt;
  fs::path dir;
};

// One call: INVITE, 3 s of music, BYE; everything on the loopback captured.
void run_call(PromptKind kind, const fs::path& dir, Run& run) {
  const fs::path mohdir = dir / "moh";
  fs::create_directories(mohdir);
  auto audio = mohq::harness::hold_music(4.0);
  if (kind == PromptKind::CorrectPcma) {
    auto written = mohq::harness::write_g711_prompts(audio, mohdir, "test", {8});
    BOOST_TEST_REQUIRE(written.has_value(), error_of(written));
  } else {
    // What the operator had: the raw samples of a WAV, little-endian, under the PCMA name.
    std::ofstream out(mohdir / "test.8", std::ios::binary);
    out.write(reinterpret_cast<const char*>(audio.samples.data()),
              static_cast<std::streamsize>(audio.samples.size() * sizeof(std::int16_t)));
  }
  run.prompt = mohdir / "test.8";
  run.dir = dir;

  mohq::test::LogsOnFailure logs;
  logs.add("mohqd log", dir / "mohqd.log");
  logs.add("fake-rtpproxy log", dir / "fake-rtpproxy.log");
  logs.add("SIPp output", dir / "sipp.out");

  const std::uint16_t sip_port = mohq::test::free_port();
  const std::uint16_t control = mohq::test::free_port();
  const std::uint16_t media = mohq::test::free_port_block(40);
  const std::uint16_t caller_rtp = mohq::test::free_port_block(2);
  const std::uint16_t sipp_port = mohq::test::free_port();

  // The capture: SIP, rtpproxy control and the media range, as mohq run filters it.
  run.capture = dir / "call.pcap";
  mohq::harness::LiveCaptureOptions capture_options;
  capture_options.filter = "udp port " + std::to_string(sip_port) + " or udp port " + std::to_string(control) +
                           " or udp portrange " + std::to_string(media) + "-" + std::to_string(media + 39);
  auto capture = mohq::harness::LiveCapture::start(run.capture, capture_options);
  BOOST_TEST_REQUIRE(capture.has_value(), error_of(capture));

  mohq::process::SpawnOptions fake;
  fake.argv = {mohq::test::project_binary("fake-rtpproxy").string(), "-l", kLoopback, "-s",
               "udp:127.0.0.1:" + std::to_string(control), "-m", std::to_string(media), "-M",
               std::to_string(media + 39), "-f"};
  fake.stdout_path = fake.stderr_path = dir / "fake-rtpproxy.log";
  auto rtpproxy = ChildProcess::spawn(fake);
  BOOST_TEST_REQUIRE(rtpproxy.has_value(), error_of(rtpproxy));

  mohq::harness::MohqdLaunch launch;
  launch.binary = mohq::test::project_binary("mohqd");
  launch.sip_port = sip_port;
  launch.rpc_port = mohq::test::free_port();
  launch.rtpproxy = {"udp:127.0.0.1:" + std::to_string(control)};
  launch.mohdir = mohdir;
  auto mohqd = mohq::harness::MohqdInstance::start(launch, dir);
  BOOST_TEST_REQUIRE(mohqd.has_value(), error_of(mohqd));

  // Nobody listens on the caller's RTP port: the capture is the ear.
  mohq::process::SpawnOptions sipp;
  sipp.argv = {"sipp", "-sf", (mohq::test::source_tree() / "scenarios" / "moh_caller_listen.xml").string(), "-s",
               launch.queue_user, "-key", "rtp_listen_port", std::to_string(caller_rtp), "-m", "1", "-l", "1", "-i",
               kLoopback, "-mi", kLoopback, "-p", std::to_string(sipp_port), "-mp",
               std::to_string(mohq::test::free_port_block(4)), "-cp", std::to_string(mohq::test::free_port()), "-d",
               "3000", "-timeout", "15", "-timeout_error", "-nostdin",
               std::string(kLoopback) + ":" + std::to_string(sip_port)};
  sipp.stdout_path = sipp.stderr_path = dir / "sipp.out";
  sipp.working_dir = dir;
  auto caller = ChildProcess::spawn(sipp);
  BOOST_TEST_REQUIRE(caller.has_value(), error_of(caller));
  auto status = caller->wait_for(20s);
  if (!status) status = caller->terminate(1s);
  BOOST_TEST_REQUIRE(status->success(), "sipp: " << status->describe());
  std::this_thread::sleep_for(300ms);  // the BYE's 200 and rtpproxy's D
  BOOST_TEST_CHECKPOINT("stopping mohqd");
  mohqd->stop();
  BOOST_TEST_CHECKPOINT("stopping fake-rtpproxy");
  rtpproxy->terminate(3s);
  BOOST_TEST_CHECKPOINT("stopping the capture");
  const auto stats = (*capture)->stop();
  BOOST_TEST_CHECKPOINT("analyzing");
  BOOST_TEST_MESSAGE("captured " << stats.packets << " packets, " << stats.kernel_drops << " dropped");
  BOOST_TEST(stats.kernel_drops == 0u);

  mohq::analyzers::AnalyzeOptions options;
  options.prompt_dir = mohdir;
  auto analysed = mohq::analyzers::analyze_capture(run.capture, options);
  BOOST_TEST_REQUIRE(analysed.has_value(), error_of(analysed));
  run.result = std::move(*analysed);
}

const mohq::analyzers::Finding* find(const mohq::analyzers::AnalysisResult& result, const std::string& id) {
  for (const auto& finding : result.findings)
    if (finding.id == id) return &finding;
  return nullptr;
}

int mohq_analyze_exit(const Run& run) {
  mohq::process::SpawnOptions spawn;
  spawn.argv = {mohq::test::project_binary("mohq").string(), "analyze", run.capture.string(), "--prompt-dir",
                run.prompt.parent_path().string(), "--json", (run.dir / "analysis.json").string(), "--html",
                (run.dir / "analysis.html").string()};
  spawn.stdout_path = spawn.stderr_path = run.dir / "analyze.out";
  auto child = ChildProcess::spawn(spawn);
  BOOST_TEST_REQUIRE(child.has_value(), error_of(child));
  auto status = child->wait_for(30s);
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST_MESSAGE(mohq::test::read_file(run.dir / "analyze.out"));
  return status->kind == mohq::process::ExitStatus::Kind::exited ? status->value : -1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(linear16_prompt_named_pcma_is_found_named_and_fixed, *boost::unit_test::timeout(90)) {
  auto temp = mohq::process::make_temp_dir("mohq-incident-");
  BOOST_TEST_REQUIRE(temp.has_value(), error_of(temp));
  Run run;
  run_call(PromptKind::Linear16NamedPcma, temp->path(), run);
  BOOST_TEST_REQUIRE(run.result.calls.size() == 1u);
  BOOST_TEST(run.result.calls[0].prompt.ends_with("/moh/test"));  // from rtpproxy's P command in the capture
  BOOST_TEST_REQUIRE(run.result.streams.size() >= 1u);
  const auto* mismatch = find(run.result, "codec.payload_mismatch");
  BOOST_TEST_REQUIRE(mismatch != nullptr, "no codec.payload_mismatch for a 16-bit PCM prompt played as PCMA");
  BOOST_TEST((mismatch->severity == mohq::analyzers::Severity::Error));
  BOOST_TEST(mismatch->call_id == run.result.calls[0].call_id);
  BOOST_TEST(mismatch->message.find(run.prompt.string()) != std::string::npos, mismatch->message);
  BOOST_TEST(mismatch->message.find("16-bit") != std::string::npos, mismatch->message);
  BOOST_TEST(mismatch->fix.find("mohq prompt convert") != std::string::npos, mismatch->fix);
  BOOST_TEST(mismatch->evidence.value("guessed_encoding", "") == "s16le", mismatch->evidence.dump());
  // Byte for byte, the stream IS the file: the fault is the file, not the network.
  BOOST_TEST_REQUIRE(!run.result.streams[0].prompt.is_null());
  BOOST_TEST(run.result.streams[0].prompt.value("matched_packets", 0) == run.result.streams[0].prompt.value("packets", -1));
  // And the command a user runs says so with exit status 1, and writes both reports.
  BOOST_TEST(mohq_analyze_exit(run) == 1);
  const std::string json = mohq::test::read_file(run.dir / "analysis.json");
  BOOST_TEST(json.find("\"codec.payload_mismatch\"") != std::string::npos);
  BOOST_TEST(mohq::test::read_file(run.dir / "analysis.html").find("<svg") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_same_call_with_a_correct_pcma_prompt_is_clean, *boost::unit_test::timeout(90)) {
  auto temp = mohq::process::make_temp_dir("mohq-incident-clean-");
  BOOST_TEST_REQUIRE(temp.has_value(), error_of(temp));
  Run run;
  run_call(PromptKind::CorrectPcma, temp->path(), run);
  for (const auto& finding : run.result.findings)
    BOOST_TEST((finding.severity == mohq::analyzers::Severity::Info),
               finding.id << ": " << finding.message << " " << finding.evidence.dump());
  BOOST_TEST_REQUIRE(run.result.streams.size() >= 1u);
  BOOST_TEST(run.result.streams[0].prompt.value("matched_packets", -1) == run.result.streams[0].prompt.value("packets", 0));
  BOOST_TEST(mohq_analyze_exit(run) == 0);
}
