// bench-analyze: `mohq analyze` against `tshark -q -z rtp,streams` on the same large capture, side by side, with
// `cat FILE > /dev/null` as the floor. The capture is written here: N MOH calls of S seconds each (SIP INVITE/100/
// 200/ACK with SDP, rtpproxy U/L/P, 20 ms PCMA of real hold music from the rtpproxy port to the caller, BYE/200/D),
// all calls overlapping, frames in time order. Several rounds of all three; medians, ratios, packets/s and MB/s.
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/capture/capture_writer.hpp"
#include "harness/prompt_source.hpp"
#include "rtp/g711.hpp"
#include "rtp/rtp_header.hpp"

namespace fs = std::filesystem;
using mohq::analyzers::CaptureWriter;
using mohq::analyzers::Endpoint;

namespace {

struct Options {
  int calls = 100;
  int seconds = 60;
  int runs = 5;
  fs::path work = fs::temp_directory_path() / "mohq-bench-analyze";
  fs::path mohq;    // build/bin/mohq
  std::string json_out;
};

std::string sdp(const std::string& ip, int port, const std::string& types) {
  return "v=0\r\no=- 1 1 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\nm=audio " + std::to_string(port) +
         " RTP/AVP " + types + "\r\na=rtpmap:8 PCMA/8000\r\na=ptime:20\r\n";
}

std::string sip(const std::string& start, const std::string& call_id, const std::string& cseq, const std::string& via,
                const std::string& to_tag, const std::string& body) {
  std::string text = start + "\r\nVia: SIP/2.0/UDP " + via + ";branch=z9hG4bK-" + call_id + cseq.substr(0, 1) +
                     "\r\nFrom: <sip:caller@10.0.0.1>;tag=f" + call_id + "\r\nTo: <sip:1008@10.0.0.2>" +
                     (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\nCall-ID: " + call_id + "\r\nCSeq: " + cseq +
                     "\r\nContact: <sip:caller@10.0.0.1:5070>\r\n";
  if (!body.empty()) text += "Content-Type: application/sdp\r\n";
  return text + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The capture: calls start 50 ms apart, then every 20 ms each active call sends one RTP packet.
std::uint64_t write_capture(const Options& options, const fs::path& file) {
  CaptureWriter writer(file);
  const auto music = mohq::harness::hold_music(30.0);
  std::vector<std::uint8_t> prompt(music.samples.size());
  mohq::rtp::encode_alaw(music.samples, prompt);
  const std::size_t chunks = prompt.size() / 160;
  const Endpoint sip_server{"10.0.0.2", 5060}, control{"10.0.0.3", 22222};
  std::mt19937 random(7);
  struct Call {
    std::string id;
    Endpoint caller_sip, caller_rtp, proxy_rtp;
    double start = 0;
    std::uint16_t seq = 0;
    std::uint32_t ts = 0, ssrc = 0;
    std::size_t chunk = 0;
    // The caller's own stream towards rtpproxy (a phone sends RTP while it listens): both directions, as a real
    // capture of a MOH server has them.
    std::uint16_t up_seq = 0;
    std::uint32_t up_ts = 0, up_ssrc = 0;
  };
  std::vector<Call> calls(static_cast<std::size_t>(options.calls));
  std::uint64_t packets = 0;
  for (int i = 0; i < options.calls; ++i) {
    Call& call = calls[static_cast<std::size_t>(i)];
    call.id = "bench-" + std::to_string(i) + "@10.0.0.1";
    call.caller_sip = {"10.0.0.1", static_cast<std::uint16_t>(5070 + i)};
    call.caller_rtp = {"10.0.0.1", static_cast<std::uint16_t>(20000 + 2 * i)};
    call.proxy_rtp = {"10.0.0.3", static_cast<std::uint16_t>(40000 + 2 * i)};
    call.start = 1000.0 + 0.05 * i;
    call.seq = static_cast<std::uint16_t>(random());
    call.ts = static_cast<std::uint32_t>(random());
    call.ssrc = static_cast<std::uint32_t>(random());
    call.up_seq = static_cast<std::uint16_t>(random());
    call.up_ts = static_cast<std::uint32_t>(random());
    call.up_ssrc = static_cast<std::uint32_t>(random());
  }
  const double end = calls.back().start + options.seconds + 1;
  std::uint8_t packet[12 + 160];
  for (double t = calls.front().start; t < end; t += 0.020) {
    for (auto& call : calls) {
      const std::string via = call.caller_sip.to_string();
      if (t >= call.start && t < call.start + 0.020) {  // setup
        writer.write_udp(t, call.caller_sip, sip_server,
                         sip("INVITE sip:1008@10.0.0.2 SIP/2.0", call.id, "1 INVITE", via, "",
                             sdp("10.0.0.1", call.caller_rtp.port, "8 0 101")));
        writer.write_udp(t + 0.0002, sip_server, control, "c" + call.id + "_1 Uc8,0,101 " + call.id + " 10.0.0.1 " +
                                                              std::to_string(call.caller_rtp.port) + " f" + call.id + ";1\n");
        writer.write_udp(t + 0.0004, control, sip_server, "c" + call.id + "_1 " + std::to_string(call.proxy_rtp.port) + " 10.0.0.3\n");
        writer.write_udp(t + 0.0005, sip_server, call.caller_sip,
                         sip("SIP/2.0 100 Trying to enter MOH queue", call.id, "1 INVITE", via, "", ""));
        writer.write_udp(t + 0.0006, sip_server, control, "c" + call.id + "_2 LZ20c8 " + call.id + " 10.0.0.1 1 f" + call.id + ";1 q" + call.id + ";1\n");
        writer.write_udp(t + 0.0007, sip_server, control, "c" + call.id + "_3 P-1 " + call.id + " /var/moh/test session f" + call.id + ";1 q" + call.id + ";1\n");
        writer.write_udp(t + 0.0008, sip_server, call.caller_sip,
                         sip("SIP/2.0 200 OK", call.id, "1 INVITE", via, "q" + call.id,
                             sdp("10.0.0.3", call.proxy_rtp.port, "8")));
        writer.write_udp(t + 0.0010, call.caller_sip, sip_server,
                         sip("ACK sip:1008@10.0.0.2 SIP/2.0", call.id, "1 ACK", via, "q" + call.id, ""));
        packets += 8;
      }
      if (t < call.start + 0.001 || t >= call.start + options.seconds) continue;
      mohq::rtp::RtpHeader header;
      header.marker = call.chunk == 0;
      header.payload_type = 8;
      header.sequence = call.seq++;
      header.timestamp = call.ts;
      call.ts += 160;
      header.ssrc = call.ssrc;
      mohq::rtp::write_fixed_header(header, packet);
      std::copy_n(prompt.begin() + static_cast<std::ptrdiff_t>((call.chunk % chunks) * 160), 160, packet + 12);
      ++call.chunk;
      writer.write_udp(t + 0.0015, call.proxy_rtp, call.caller_rtp,
                       {reinterpret_cast<const char*>(packet), sizeof packet});
      header.marker = call.chunk == 1;
      header.sequence = call.up_seq++;
      header.timestamp = call.up_ts;
      call.up_ts += 160;
      header.ssrc = call.up_ssrc;
      mohq::rtp::write_fixed_header(header, packet);
      std::copy_n(prompt.begin() + static_cast<std::ptrdiff_t>(((call.chunk + chunks / 2) % chunks) * 160), 160,
                  packet + 12);
      writer.write_udp(t + 0.0025, call.caller_rtp, call.proxy_rtp,
                       {reinterpret_cast<const char*>(packet), sizeof packet});
      packets += 2;
      if (call.chunk == static_cast<std::size_t>(options.seconds) * 50 - 1) {  // hang up
        writer.write_udp(t + 0.010, call.caller_sip, sip_server,
                         sip("BYE sip:1008@10.0.0.2 SIP/2.0", call.id, "2 BYE", via, "q" + call.id, ""));
        writer.write_udp(t + 0.011, sip_server, call.caller_sip,
                         sip("SIP/2.0 200 OK", call.id, "2 BYE", via, "q" + call.id, ""));
        packets += 2;
      }
    }
  }
  return packets;
}

// Wall-clock seconds of a shell command (its output discarded); -1 when it failed.
double timed(const std::string& command) {
  const auto start = std::chrono::steady_clock::now();
  const int status = std::system((command + " > /dev/null 2>&1").c_str());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // mohq analyze exits 1 when it has error findings; anything above that is a failure, not a time.
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) > 1) return -1;
  return seconds;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  options.mohq = fs::path(argv[0]).parent_path() / "mohq";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--calls") options.calls = std::stoi(next());
    else if (arg == "--seconds") options.seconds = std::stoi(next());
    else if (arg == "--runs") options.runs = std::stoi(next());
    else if (arg == "--work") options.work = next();
    else if (arg == "--mohq") options.mohq = next();
    else if (arg == "--json") options.json_out = next();
    else {
      std::cerr << "usage: bench-analyze [--calls 100] [--seconds 60] [--runs 5] [--work DIR] [--mohq PATH] [--json FILE]\n";
      return arg == "--help" ? 0 : 2;
    }
  }
  fs::create_directories(options.work);
  const fs::path capture = options.work / "moh-calls.pcap";
  std::cout << "writing " << options.calls << " calls x " << options.seconds << " s to " << capture << "\n";
  const std::uint64_t packets = write_capture(options, capture);
  const double megabytes = static_cast<double>(fs::file_size(capture)) / 1e6;
  std::cout << packets << " packets, " << megabytes << " MB\n";

  const std::string file = "'" + capture.string() + "'";
  const std::vector<std::pair<std::string, std::string>> tools = {
      {"cat", "cat " + file},
      {"mohq analyze", "'" + options.mohq.string() + "' analyze " + file + " --quiet --json /dev/null"},
      {"tshark rtp,streams", "tshark -q -n -z rtp,streams -r " + file},
  };
  // Rounds, each running every tool once, so that a slow spell of this shared machine falls on all of them alike;
  // the ratio quoted is the median of the per-round ratios, next to the ratio of the medians.
  std::vector<std::vector<double>> runs(tools.size());
  std::vector<double> round_ratios;
  for (int round = 0; round < options.runs; ++round) {
    for (std::size_t t = 0; t < tools.size(); ++t) {
      const double seconds = timed(tools[t].second);
      if (seconds < 0) {
        std::cerr << tools[t].first << " failed: " << tools[t].second << "\n";
        return 1;
      }
      runs[t].push_back(seconds);
    }
    round_ratios.push_back(runs[2].back() / runs[1].back());
  }
  nlohmann::json results = nlohmann::json::object();
  std::vector<double> medians;
  for (std::size_t t = 0; t < tools.size(); ++t) {
    const double m = median(runs[t]);
    medians.push_back(m);
    results[tools[t].first] = {
        {"runs_s", runs[t]}, {"median_s", m}, {"packets_per_s", packets / m}, {"mb_per_s", megabytes / m}};
    std::printf("%-20s median %7.3f s  (%5.0f k packets/s, %6.1f MB/s)  runs:", tools[t].first.c_str(), m,
                packets / m / 1000, megabytes / m);
    for (double r : runs[t]) std::printf(" %.3f", r);
    std::printf("\n");
  }
  const double round_ratio = median(round_ratios);
  std::printf("tshark / mohq analyze: %.1fx (median of per-round ratios; ratio of medians %.1fx)  rounds:", round_ratio,
              medians[2] / medians[1]);
  for (double r : round_ratios) std::printf(" %.1f", r);
  std::printf("\n");
  results["round_ratios"] = round_ratios;
  results["ratio_tshark_over_mohq"] = round_ratio;
  results["ratio_of_medians"] = medians[2] / medians[1];
  results["packets"] = packets;
  results["megabytes"] = megabytes;
  if (!options.json_out.empty()) {
    std::FILE* out = std::fopen(options.json_out.c_str(), "w");
    if (out != nullptr) {
      std::fputs(results.dump(2).c_str(), out);
      std::fclose(out);
    }
  }
  if (std::getenv("MOHQ_KEEP_CAPTURE") == nullptr) fs::remove(capture);
  return 0;
}
