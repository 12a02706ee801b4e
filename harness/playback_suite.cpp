#include "harness/playback_suite.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "analyzers/prompt_stream_check.hpp"
#include "harness/prompt_source.hpp"
#include "harness/rtp_sink.hpp"
#include "harness/rtpproxy_client.hpp"
#include "process/child_process.hpp"
#include "process/free_port.hpp"
#include "process/temp_dir.hpp"
#include "rtp/payload_type.hpp"

namespace mohq::harness {

std::vector<PlaybackCase> standard_playback_cases() {
  return {
      // The call of the traces: caller offers 8,0,101; test.0 and test.8 exist; mohqueue answers Z20.
      {"pcma-20ms-as-kamailio-sends-it", "8,0,101", "Z20c0,8", 8, 20, 3.0, 1.5},
      {"caller-prefers-pcmu", "0,8,101", "Z20c0,8", 0, 20, 3.0, 1.0},
      {"ptime-30ms-from-the-offer", "8,0", "Z30c0,8", 8, 30, 3.0, 1.0},
      {"no-z-plays-10ms", "8,0", "c0,8", 8, 10, 3.0, 1.0},
      {"short-prompt-loops-seamlessly", "8", "Z20c8", 8, 20, 0.5, 1.5},
  };
}

namespace {

std::string format_ms(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

CaseResult run_case(const PlaybackCase& c, RtpproxyClient& client, const std::filesystem::path& prompt_dir,
                    int index) {
  CaseResult result;
  result.name = c.name;
  auto fail = [&](const std::string& text) {
    result.failures.push_back(text);
    return result;
  };
  auto audio = hold_music(c.prompt_seconds);
  auto prompt = write_g711_prompts(audio, prompt_dir, "case" + std::to_string(index), {0, 8});
  if (!prompt) return fail(prompt.error());
  auto sink = RtpSink::open("127.0.0.1", 0);
  if (!sink) return fail("cannot open the caller's RTP socket: " + sink.error());

  std::string call = std::to_string(index) + "-mohq@127.0.0.1";
  std::string from = "caller" + std::to_string(index) + ";1";
  std::string to = "queue" + std::to_string(index) + ";1";
  std::string port = std::to_string(sink->port());
  // mohqueue-behaviour.md §13: offer with the caller's SDP address, answer with the placeholder port 1.
  auto offer = client.send("Uc" + c.offer_codecs + " " + call + " 127.0.0.1 " + port + " " + from);
  if (!offer) return fail("U: " + offer.error());
  auto answer = client.send("L" + c.answer_flags + " " + call + " 127.0.0.1 1 " + from + " " + to);
  if (!answer) return fail("L: " + answer.error());
  if (answer->empty() || (*answer)[0] == 'E' || *answer == "0") return fail("L answered '" + *answer + "'");
  auto play = client.send("P-1 " + call + " " + prompt->string() + " session " + from + " " + to);
  if (!play) return fail("P: " + play.error());
  if (*play != "0") return fail("P answered '" + *play + "'");

  sink->collect(std::chrono::milliseconds(static_cast<int>(c.listen_seconds * 1000)));
  auto remove = client.send("D " + call + " " + from.substr(0, from.find(';')) + " " + to.substr(0, to.find(';')));
  if (!remove || *remove != "0") result.failures.push_back("D answered '" + (remove ? *remove : remove.error()) + "'");

  const auto* type = rtp::find_payload_type(c.expected_pt);
  auto packetization = rtp::packetization(*type, c.expected_ptime_ms);
  analyzers::PromptExpectation expected;
  expected.payload_type = c.expected_pt;
  expected.ptime_ms = static_cast<int>(packetization.duration_ms);
  expected.payload_bytes = packetization.payload_bytes;
  expected.timestamp_step = packetization.timestamp_step;
  expected.min_packets = static_cast<std::size_t>(c.listen_seconds * 1000 / packetization.duration_ms * 0.8);
  auto file = read_file_bytes(prompt->string() + "." + std::to_string(c.expected_pt));
  auto summary = analyzers::check_prompt_stream(sink->packets(), file, expected);
  // The packets must leave from the port L returned: the caller sends there and latches on it.
  std::string answer_port = answer->substr(0, answer->find(' '));
  if (!sink->first_source().empty() && !sink->first_source().ends_with(":" + answer_port)) {
    result.failures.push_back("RTP came from " + sink->first_source() + ", not from the answered port " + answer_port);
  }
  result.failures.insert(result.failures.end(), summary.failures.begin(), summary.failures.end());
  result.packets = summary.packets;
  result.median_interval_ms = summary.median_interval_ms;
  result.p99_deviation_ms = summary.p99_interval_deviation_ms;
  result.passed = result.failures.empty();
  return result;
}

}  // namespace

std::vector<CaseResult> run_playback_suite(const std::vector<PlaybackCase>& cases, const SuiteOptions& options) {
  std::vector<CaseResult> results;
  auto setup_failure = [&](const std::string& text) {
    std::cout << "FAIL setup: " << text << "\n";
    CaseResult failure;
    failure.name = "setup";
    failure.failures.push_back(text);
    results.push_back(failure);
    return results;
  };
  auto dir = process::make_temp_dir("mohq-run-");
  if (!dir) return setup_failure(dir.error());
  auto control_port = process::find_free_udp_port("127.0.0.1");
  auto media = process::find_free_udp_port_block("127.0.0.1", 200);
  if (!control_port || !media) return setup_failure("no free ports on 127.0.0.1");
  std::string control = options.control == "unix" ? "unix:" + (dir->path() / "rtpproxy.sock").string()
                                                  : "udp:127.0.0.1:" + std::to_string(*control_port);
  process::SpawnOptions spawn;
  spawn.argv = {options.fake_rtpproxy.string(), "-l", "127.0.0.1", "-s", control, "-m", std::to_string(*media),
                "-M", std::to_string(*media + 199), "-f", "-d", "INFO", "--stats-json",
                (dir->path() / "stats.json").string()};
  spawn.stderr_path = dir->path() / "fake-rtpproxy.log";
  auto child = process::ChildProcess::spawn(spawn);
  if (!child) return setup_failure(child.error());
  auto client = RtpproxyClient::connect(control);
  if (!client) return setup_failure(client.error());
  // Kamailio's start-up probe (§1.5): the node is used only if these answer as expected.
  client->tries = 10;
  client->timeout = std::chrono::milliseconds(200);
  auto version = client->send("V");
  if (!version || *version != "20040107") {
    return setup_failure("fake-rtpproxy did not answer V: " + (version ? *version : version.error()) +
                         " (log: " + spawn.stderr_path.string() + ")");
  }
  client->tries = 5;
  client->timeout = std::chrono::milliseconds(1000);
  for (const char* date : {"20050322", "20071116", "20081102"}) {
    auto supported = client->send(std::string("VF ") + date);
    if (!supported || *supported != "1") return setup_failure(std::string("VF ") + date + " not supported");
  }
  int index = 0;
  for (const auto& c : cases) {
    const auto started = std::chrono::steady_clock::now();
    auto result = run_case(c, *client, dir->path(), ++index);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (options.on_case) {
      options.on_case(result);
      results.push_back(std::move(result));
      continue;
    }
    std::cout << (result.passed ? "ok   " : "FAIL ") << result.name << ": " << result.packets << " packets, median "
              << format_ms(result.median_interval_ms) << " ms, p99 deviation " << format_ms(result.p99_deviation_ms)
              << " ms\n";
    for (const auto& failure : result.failures) std::cout << "       " << failure << "\n";
    std::cout.flush();
    results.push_back(std::move(result));
  }
  child->terminate(std::chrono::seconds(3));
  if (options.stats_json != nullptr) {
    std::ifstream stats(dir->path() / "stats.json");
    if (stats) options.stats_json->assign(std::istreambuf_iterator<char>(stats), std::istreambuf_iterator<char>());
  }
  if (!options.out_dir.empty() && !options.no_report) {
    std::filesystem::create_directories(options.out_dir);
    nlohmann::json report = {{"schema", "mohq.run/0"}, {"suite", "playback"}, {"control", options.control}};
    report["cases"] = nlohmann::json::array();
    for (const auto& r : results) {
      report["cases"].push_back({{"name", r.name}, {"passed", r.passed}, {"failures", r.failures},
                                 {"packets", r.packets}, {"median_interval_ms", r.median_interval_ms},
                                 {"p99_interval_deviation_ms", r.p99_deviation_ms}});
    }
    std::ifstream stats(dir->path() / "stats.json");
    if (stats) report["fake_rtpproxy"] = nlohmann::json::parse(stats, nullptr, false);
    std::ofstream(options.out_dir / "report.json") << report.dump(2) << "\n";
  }
  return results;
}

}  // namespace mohq::harness
