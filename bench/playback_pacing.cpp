// bench-playback-pacing: how evenly N concurrent 20 ms PCMA prompt streams arrive, and what they cost.
// For each N: start fake-rtpproxy, set up N playing sessions (U/L/P, as playback_suite does) aimed at a few sink
// sockets in this process, warm up, then measure per-stream inter-arrival deviation |interval - 20 ms|
// from kernel receive timestamps (SO_TIMESTAMPNS), packets/s, sequence gaps and CPU. Then the same with SIPp's
// rtp_stream as the sender (SIPp UAC -> a tiny answerer in this process whose SDP points at the sinks).
// See bench/README.md.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/prompt_source.hpp"
#include "harness/rtpproxy_client.hpp"
#include "process/child_process.hpp"
#include "process/free_port.hpp"

#ifndef MOHQ_BENCH_SOURCE_DIR
#define MOHQ_BENCH_SOURCE_DIR "."
#endif

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kPtimeNs = 20'000'000;

struct Options {
  std::vector<int> streams{100, 1000, 5000};
  std::vector<int> sipp_streams{100, 1000};
  int seconds = 10;
  int warmup_seconds = 2;
  std::string json_path;
  fs::path fake_rtpproxy;
  std::string sipp = "sipp";
  bool run_fake = true;
  int sinks = 16;  // sink sockets shared by the streams; 0 = one per stream
  int media_nice = 0;  // passed to fake-rtpproxy --media-nice
};

std::vector<int> parse_list(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(std::stoi(item));
  return out;
}

// ---- CPU / memory of a process -------------------------------------------------------------------------

std::optional<std::uint64_t> process_cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::stringstream fields(text.substr(close + 2));
  std::string field;
  std::uint64_t utime = 0, stime = 0;
  // After "pid (comm) ": field 3 is state; utime is field 14, stime 15.
  for (int index = 3; index <= 15 && (fields >> field); ++index) {
    if (index == 14) utime = std::stoull(field);
    if (index == 15) stime = std::stoull(field);
  }
  return utime + stime;
}

// Sum over a process and its threads is what /proc/PID/stat reports already.
double rss_mb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  for (int i = 0; i < 100 && std::getline(in, line); ++i)
    if (line.starts_with("VmRSS:")) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

// RcvbufErrors from /proc/net/snmp: datagrams the kernel dropped because a receive queue was full
// (network-namespace wide; on this loopback bench that is almost only the sinks).
std::uint64_t udp_rcvbuf_errors() {
  std::ifstream in("/proc/net/snmp");
  std::string names, values, line;
  for (int i = 0; i < 64 && std::getline(in, line); ++i) {
    if (!line.starts_with("Udp: ")) continue;
    if (names.empty()) names = line; else { values = line; break; }
  }
  std::stringstream n(names), v(values);
  std::string name, value;
  for (int i = 0; i < 32 && (n >> name) && (v >> value); ++i)
    if (name == "RcvbufErrors") return std::stoull(value);
  return 0;
}

double self_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// ---- Receiver: a few sink sockets shared by the streams (told apart by source port + SSRC), recvmmsg, kernel timestamps ----

// Per flow (one RTP stream, told apart by source port and SSRC): several flows share a sink socket.
struct Flow {
  bool have_last = false;
  std::int64_t last_ns = 0;
  std::uint16_t last_seq = 0;
  std::uint64_t packets = 0;  // in the window
  std::uint64_t lost = 0;     // sequence gaps in the window
  int payload_type = -1;
};

struct Sink {
  int fd = -1;
  std::uint16_t port = 0;
};

class Receiver {
 public:
  ~Receiver() {
    for (auto& s : sinks_)
      if (s.fd >= 0) ::close(s.fd);
    if (epoll_ >= 0) ::close(epoll_);
  }

  // count sink sockets. One socket per stream makes the kernel wake this process's epoll for every packet,
  // work done in the *sender's* system call on loopback (perf: sock_def_readable/ep_poll_callback), so the
  // default shares a few sockets between streams and tells the streams apart by SSRC.
  std::string open(int count) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) return std::string("epoll_create1: ") + std::strerror(errno);
    sinks_.resize(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
      auto& s = sinks_[static_cast<std::size_t>(i)];
      s.fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (s.fd < 0) return "socket #" + std::to_string(i) + ": " + std::strerror(errno);
      int one = 1, buffer = 8 * 1024 * 1024;  // capped by net.core.rmem_max
      ::setsockopt(s.fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
      ::setsockopt(s.fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::bind(s.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        return "bind sink #" + std::to_string(i) + ": " + std::strerror(errno);
      socklen_t length = sizeof address;
      ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&address), &length);
      s.port = ntohs(address.sin_port);
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u32 = static_cast<std::uint32_t>(i);
      if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, s.fd, &event) != 0) return std::string("epoll_ctl: ") + std::strerror(errno);
    }
    return {};
  }

  // The sink port stream i sends to.
  std::uint16_t port_for(std::size_t stream) const { return sinks_[stream % sinks_.size()].port; }
  std::vector<std::uint16_t> ports_for(std::size_t streams) const {
    std::vector<std::uint16_t> ports;
    for (std::size_t i = 0; i < streams; ++i) ports.push_back(port_for(i));
    return ports;
  }
  std::unordered_map<std::uint64_t, Flow>& flows() { return flows_; }

  // Receives until `duration` has passed. While measuring, deviations and losses are recorded.
  void run_for(std::chrono::nanoseconds duration, bool measuring) {
    // Polls every millisecond instead of sleeping in epoll_wait: a waiting reader makes the kernel run a
    // wake-up for every packet inside the *sender's* sendto on loopback, which would bill the peer for the
    // bench's own reading. Arrival times come from kernel stamps, so reading late loses no precision.
    auto deadline = Clock::now() + duration;
    for (;;) {  // bounded by the deadline
      for (std::uint32_t i = 0; i < sinks_.size(); ++i) drain(i, measuring);
      if (Clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  void reset_window() {
    deviations_ns_.clear();
    for (auto& [ssrc, flow] : flows_) flow.packets = flow.lost = 0;
  }
  std::vector<std::uint32_t>& deviations() { return deviations_ns_; }

 private:
  static constexpr int kBatch = 16;

  void drain(std::uint32_t index, bool measuring) {
    const int fd = sinks_[index].fd;
    std::uint8_t data[kBatch][256];
    alignas(cmsghdr) char control[kBatch][64];
    iovec iov[kBatch];
    sockaddr_in sources[kBatch];
    mmsghdr messages[kBatch];
    for (int round = 0; round < 4096; ++round) {  // bounded: at most 65536 datagrams per call
      for (int i = 0; i < kBatch; ++i) {
        iov[i] = {data[i], sizeof data[i]};
        messages[i] = {};
        messages[i].msg_hdr.msg_name = &sources[i];
        messages[i].msg_hdr.msg_namelen = sizeof sources[i];
        messages[i].msg_hdr.msg_iov = &iov[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_control = control[i];
        messages[i].msg_hdr.msg_controllen = sizeof control[i];
      }
      int got = ::recvmmsg(fd, messages, kBatch, MSG_DONTWAIT, nullptr);
      if (got <= 0) return;
      for (int i = 0; i < got; ++i) {
        if (messages[i].msg_len < 12 || (data[i][0] >> 6) != 2) continue;
        std::int64_t stamp = -1;
        for (cmsghdr* c = CMSG_FIRSTHDR(&messages[i].msg_hdr); c != nullptr; c = CMSG_NXTHDR(&messages[i].msg_hdr, c))
          if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            timespec ts{};
            std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
            stamp = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
          }
        if (stamp < 0) continue;
        auto seq = static_cast<std::uint16_t>((data[i][2] << 8) | data[i][3]);
        auto ssrc = static_cast<std::uint32_t>((data[i][8] << 24) | (data[i][9] << 16) | (data[i][10] << 8) | data[i][11]);
        // Source port and SSRC together: random SSRCs of thousands of streams collide now and then (one run
        // merged two streams and counted 8 million "lost" packets), and one sender may use one port for all.
        Flow& s = flows_[(std::uint64_t{ntohs(sources[i].sin_port)} << 32) | ssrc];
        s.payload_type = data[i][1] & 0x7f;
        if (measuring) ++s.packets;
        if (s.have_last) {
          auto step = static_cast<std::uint16_t>(seq - s.last_seq);
          if (step == 1) {
            if (measuring) {
              auto deviation = std::llabs(stamp - s.last_ns - kPtimeNs);
              deviations_ns_.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(deviation, UINT32_MAX)));
            }
          } else if (step > 1 && step < 30000) {
            if (measuring) s.lost += step - 1u;
          }
        }
        s.have_last = true;
        s.last_ns = stamp;
        s.last_seq = seq;
      }
      if (got < kBatch) return;
    }
  }

  int epoll_ = -1;
  std::vector<Sink> sinks_;
  std::unordered_map<std::uint64_t, Flow> flows_;
  std::vector<std::uint32_t> deviations_ns_;
};

// ---- Results --------------------------------------------------------------------------------------------

struct Result {
  std::string peer;
  int requested = 0;
  int set_up = 0;
  int active = 0;  // streams with packets in the window
  double setup_s = 0;
  std::uint64_t packets = 0;
  double packets_per_s = 0;
  std::uint64_t lost = 0;
  std::uint64_t kernel_rcvbuf_drops = 0;
  std::uint64_t intervals = 0;
  double p50_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
  double peer_cpu_pct = -1;
  double bench_cpu_pct = 0;
  double peer_rss_mb = 0;
  std::string note;
};

double percentile_ms(std::vector<std::uint32_t>& values, double q) {
  if (values.empty()) return 0;
  auto k = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k] / 1e6;
}

// Warm up, measure, and fill in the stream metrics; peer_pid's CPU is sampled over the window.
void measure(Receiver& receiver, pid_t peer_pid, const Options& options, Result& r) {
  receiver.run_for(std::chrono::seconds(options.warmup_seconds), false);
  receiver.reset_window();
  auto peer_before = process_cpu_ticks(peer_pid);
  double self_before = self_cpu_seconds();
  auto drops_before = udp_rcvbuf_errors();
  auto start = Clock::now();
  receiver.run_for(std::chrono::seconds(options.seconds), true);
  double wall = std::chrono::duration<double>(Clock::now() - start).count();
  auto peer_after = process_cpu_ticks(peer_pid);
  double self_after = self_cpu_seconds();
  r.kernel_rcvbuf_drops = udp_rcvbuf_errors() - drops_before;
  r.peer_rss_mb = rss_mb(peer_pid);
  if (peer_before && peer_after)
    r.peer_cpu_pct = 100.0 * static_cast<double>(*peer_after - *peer_before) / static_cast<double>(sysconf(_SC_CLK_TCK)) / wall;
  r.bench_cpu_pct = 100.0 * (self_after - self_before) / wall;
  for (auto& [ssrc, s] : receiver.flows()) {
    r.packets += s.packets;
    r.lost += s.lost;
    if (s.packets > 0) ++r.active;
  }
  r.packets_per_s = static_cast<double>(r.packets) / wall;
  auto& d = receiver.deviations();
  r.intervals = d.size();
  if (!d.empty()) r.max_ms = *std::max_element(d.begin(), d.end()) / 1e6;
  r.p50_ms = percentile_ms(d, 0.50);
  r.p99_ms = percentile_ms(d, 0.99);
  r.p999_ms = percentile_ms(d, 0.999);
}

// ---- fake-rtpproxy --------------------------------------------------------------------------------------

Result run_fake(int n, const Options& options, const fs::path& prompt) {
  Result r;
  r.peer = "fake-rtpproxy";
  r.requested = n;
  Receiver receiver;
  if (auto error = receiver.open(options.sinks > 0 ? std::min(options.sinks, n) : n); !error.empty()) {
    r.note = error;
    return r;
  }
  auto control = mohq::process::find_free_udp_port("127.0.0.1");
  if (!control) {
    r.note = control.error();
    return r;
  }
  // Sinks take ephemeral ports (32768+); the media range sits below them: 11,000 RTP/RTCP pairs.
  mohq::process::SpawnOptions spawn;
  spawn.argv = {options.fake_rtpproxy.string(), "-l", "127.0.0.1", "-s", "udp:127.0.0.1:" + std::to_string(*control),
                "-m", "10000", "-M", "31999", "-f", "-d", "ERR", "--media-nice", std::to_string(options.media_nice)};
  spawn.stderr_path = fs::temp_directory_path() / ("bench-fake-rtpproxy-" + std::to_string(n) + ".log");
  auto child = mohq::process::ChildProcess::spawn(spawn);
  if (!child) {
    r.note = child.error();
    return r;
  }
  auto client = mohq::harness::RtpproxyClient::connect("udp:127.0.0.1:" + std::to_string(*control));
  if (!client) {
    r.note = client.error();
    child->terminate();
    return r;
  }
  client->tries = 1;
  client->timeout = 200ms;
  bool up = false;
  for (int attempt = 0; attempt < 50 && !up; ++attempt) up = static_cast<bool>(client->send("V"));
  if (!up) {
    r.note = "fake-rtpproxy did not answer V";
    child->terminate();
    return r;
  }
  client->tries = 3;
  client->timeout = 1000ms;
  auto setup_start = Clock::now();
  std::string first_error;
  for (int i = 0; i < n; ++i) {
    std::string call = std::to_string(i) + "-bench@127.0.0.1";
    std::string from = "caller" + std::to_string(i) + ";1";
    std::string to = "queue" + std::to_string(i) + ";1";
    auto offer = client->send("Uc8,101 " + call + " 127.0.0.1 " + std::to_string(receiver.port_for(static_cast<std::size_t>(i))) + " " + from);
    auto answer = offer ? client->send("LZ20c8 " + call + " 127.0.0.1 1 " + from + " " + to) : offer;
    auto play = answer ? client->send("P-1 " + call + " " + prompt.string() + " session " + from + " " + to) : answer;
    bool ok = offer && !offer->starts_with("E") && answer && !answer->starts_with("E") && play && *play == "0";
    if (ok) {
      ++r.set_up;
    } else if (first_error.empty()) {
      first_error = "session " + std::to_string(i) + ": U='" + (offer ? *offer : offer.error()) + "' L='" +
                    (answer ? *answer : answer.error()) + "' P='" + (play ? *play : play.error()) + "'";
    }
    if (i % 64 == 63) receiver.run_for(0ns, false);  // keep the sink queues short while setting up
  }
  r.setup_s = std::chrono::duration<double>(Clock::now() - setup_start).count();
  if (!first_error.empty()) r.note = first_error;
  measure(receiver, child->pid(), options, r);
  child->terminate();
  return r;
}

// ---- SIPp rtp_stream ------------------------------------------------------------------------------------

// Answers INVITEs with a 200 OK whose SDP points at the next sink, BYEs with 200 OK; ignores the rest.
class Answerer {
 public:
  Answerer(std::vector<std::uint16_t> ports) : ports_(std::move(ports)) {}
  ~Answerer() { stop(); }
  std::string start() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      return std::string("answerer socket: ") + std::strerror(errno);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    timeval timeout{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    thread_ = std::thread([this] { loop(); });
    return {};
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  std::uint16_t port() const { return port_; }
  int answered() const { return answered_.load(); }

 private:
  static std::string header(const std::string& message, const std::string& name) {
    std::stringstream in(message);
    std::string line;
    for (int i = 0; i < 64 && std::getline(in, line); ++i) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.size() > name.size() && strncasecmp(line.c_str(), name.c_str(), name.size()) == 0 && line[name.size()] == ':')
        return line;
    }
    return {};
  }

  void loop() {
    std::vector<char> buffer(65536);
    while (!stop_) {  // bounded: stop() ends it within 100 ms
      sockaddr_in from{};
      socklen_t length = sizeof from;
      auto got = ::recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from), &length);
      if (got <= 0) continue;
      std::string message(buffer.data(), static_cast<std::size_t>(got));
      bool invite = message.starts_with("INVITE ");
      if (!invite && !message.starts_with("BYE ")) continue;
      std::string call_id = header(message, "Call-ID");
      std::string body;
      if (invite) {
        auto [it, fresh] = assigned_.try_emplace(call_id, next_);
        if (fresh) {
          if (next_ >= ports_.size()) continue;  // more calls than sinks: let it time out
          ++next_;
          ++answered_;
        }
        std::string p = std::to_string(ports_[it->second]);
        body = "v=0\r\no=bench 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + p +
               " RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n";
      }
      std::string to = header(message, "To");
      if (to.find(";tag=") == std::string::npos) to += ";tag=bench";
      std::string reply = "SIP/2.0 200 OK\r\n" + header(message, "Via") + "\r\n" + header(message, "From") + "\r\n" + to +
                          "\r\n" + call_id + "\r\n" + header(message, "CSeq") + "\r\nContact: <sip:moh@127.0.0.1:" +
                          std::to_string(port_) + ">\r\n" + (invite ? "Content-Type: application/sdp\r\n" : "") +
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), length);
    }
  }

  std::vector<std::uint16_t> ports_;
  std::map<std::string, std::size_t> assigned_;
  std::size_t next_ = 0;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> answered_{0};
  std::thread thread_;
};

Result run_sipp(int n, const Options& options, const fs::path& wav, const fs::path& work) {
  Result r;
  r.peer = "sipp rtp_stream";
  r.requested = n;
  Receiver receiver;
  if (auto error = receiver.open(options.sinks > 0 ? std::min(options.sinks, n) : n); !error.empty()) {
    r.note = error;
    return r;
  }
  std::vector<std::uint16_t> ports = receiver.ports_for(static_cast<std::size_t>(n));
  Answerer answerer(ports);
  if (auto error = answerer.start(); !error.empty()) {
    r.note = error;
    return r;
  }
  std::ifstream in(fs::path(MOHQ_BENCH_SOURCE_DIR) / "sipp_uac_rtp_stream.xml");
  std::string scenario((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (scenario.empty()) {
    r.note = "cannot read " MOHQ_BENCH_SOURCE_DIR "/sipp_uac_rtp_stream.xml";
    return r;
  }
  for (auto at = scenario.find("@PROMPT_WAV@"); at != std::string::npos; at = scenario.find("@PROMPT_WAV@"))
    scenario.replace(at, 12, wav.string());
  fs::path scenario_path = work / "sipp_uac_rtp_stream.xml";
  std::ofstream(scenario_path) << scenario;
  auto sip_port = mohq::process::find_free_udp_port("127.0.0.1");
  auto media_port = mohq::process::find_free_udp_port_block("127.0.0.1", 4);
  if (!sip_port || !media_port) {
    r.note = "no free ports for sipp";
    return r;
  }
  int hold_ms = (options.warmup_seconds + options.seconds + 60) * 1000 + n * 10;
  mohq::process::SpawnOptions spawn;
  spawn.argv = {options.sipp, "127.0.0.1:" + std::to_string(answerer.port()), "-sf", scenario_path.string(),
                "-i", "127.0.0.1", "-p", std::to_string(*sip_port), "-mi", "127.0.0.1", "-mp", std::to_string(*media_port),
                "-m", std::to_string(n), "-l", std::to_string(n), "-r", "500", "-d", std::to_string(hold_ms),
                "-nostdin", "-max_socket", "19000", "-timeout", std::to_string(hold_ms / 1000 + 30) + "s"};
  spawn.stdout_path = work / ("sipp-" + std::to_string(n) + ".out");
  spawn.stderr_path = work / ("sipp-" + std::to_string(n) + ".err");
  spawn.working_dir = work;
  auto child = mohq::process::ChildProcess::spawn(spawn);
  if (!child) {
    r.note = child.error();
    return r;
  }
  auto setup_start = Clock::now();
  // Wait (bounded) until every call was answered; keep the sinks drained meanwhile.
  auto setup_deadline = setup_start + std::chrono::seconds(30 + n / 50);
  while (answerer.answered() < n && Clock::now() < setup_deadline && child->running()) receiver.run_for(100ms, false);
  r.set_up = answerer.answered();
  r.setup_s = std::chrono::duration<double>(Clock::now() - setup_start).count();
  if (!child->running()) {
    r.note = "sipp exited early: " + (child->exit_status() ? child->exit_status()->describe() : "?") + " (see " +
             spawn.stderr_path.string() + ")";
    return r;
  }
  measure(receiver, child->pid(), options, r);
  if (r.active == 0) r.note = "no RTP reached the sinks";
  child->terminate();
  answerer.stop();
  return r;
}

// ---- Prompt files ---------------------------------------------------------------------------------------

void write_le(std::ofstream& out, std::uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.put(static_cast<char>((value >> (8 * i)) & 0xff));
}

// dir/prompt.8 (raw A-law, what fake-rtpproxy plays) and dir/prompt.wav (the same bytes as a WAVE A-law file).
std::optional<std::pair<fs::path, fs::path>> write_prompts(const fs::path& dir) {
  auto audio = mohq::harness::synthesized_music(10.0);
  auto base = mohq::harness::write_g711_prompts(audio, dir, "prompt", {8});
  if (!base) {
    std::cerr << "cannot write the prompt: " << base.error() << "\n";
    return std::nullopt;
  }
  auto alaw = mohq::harness::read_file_bytes(base->string() + ".8");
  fs::path wav = dir / "prompt.wav";
  std::ofstream out(wav, std::ios::binary);
  auto size = static_cast<std::uint32_t>(alaw.size());
  out.write("RIFF", 4);
  write_le(out, 36 + size, 4);
  out.write("WAVEfmt ", 8);
  write_le(out, 16, 4);
  write_le(out, 6, 2);  // A-law
  write_le(out, 1, 2);
  write_le(out, 8000, 4);
  write_le(out, 8000, 4);
  write_le(out, 1, 2);
  write_le(out, 8, 2);
  out.write("data", 4);
  write_le(out, size, 4);
  out.write(reinterpret_cast<const char*>(alaw.data()), static_cast<std::streamsize>(alaw.size()));
  return std::make_pair(*base, wav);
}

nlohmann::json to_json(const Result& r) {
  return {{"peer", r.peer},           {"streams_requested", r.requested}, {"streams_set_up", r.set_up},
          {"streams_active", r.active}, {"setup_seconds", r.setup_s},      {"packets", r.packets},
          {"packets_per_second", r.packets_per_s}, {"lost_packets", r.lost}, {"kernel_rcvbuf_drops", r.kernel_rcvbuf_drops}, {"intervals", r.intervals},
          {"deviation_p50_ms", r.p50_ms}, {"deviation_p99_ms", r.p99_ms}, {"deviation_p999_ms", r.p999_ms},
          {"deviation_max_ms", r.max_ms}, {"peer_cpu_percent_of_core", r.peer_cpu_pct},
          {"bench_cpu_percent_of_core", r.bench_cpu_pct}, {"peer_rss_mb", r.peer_rss_mb}, {"note", r.note}};
}

void print_row(const Result& r) {
  std::printf("%-16s %6d %6d %6d %9.0f %7llu %7llu %8.3f %8.3f %8.3f %8.1f %7.1f %7.1f %8.1f  %s\n", r.peer.c_str(), r.requested,
              r.set_up, r.active, r.packets_per_s, static_cast<unsigned long long>(r.lost),
              static_cast<unsigned long long>(r.kernel_rcvbuf_drops), r.p50_ms, r.p99_ms, r.max_ms,
              r.peer_cpu_pct, r.bench_cpu_pct, r.peer_rss_mb, r.setup_s, r.note.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  options.fake_rtpproxy = fs::absolute(fs::path(argv[0])).parent_path() / "fake-rtpproxy";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--streams") options.streams = parse_list(value());
    else if (arg == "--sipp-streams") options.sipp_streams = parse_list(value());
    else if (arg == "--no-sipp") options.sipp_streams.clear();
    else if (arg == "--no-fake") options.run_fake = false;
    else if (arg == "--seconds") options.seconds = std::stoi(value());
    else if (arg == "--warmup") options.warmup_seconds = std::stoi(value());
    else if (arg == "--sinks") options.sinks = std::stoi(value());
    else if (arg == "--media-nice") options.media_nice = std::stoi(value());
    else if (arg == "--json") options.json_path = value();
    else if (arg == "--fake-rtpproxy") options.fake_rtpproxy = value();
    else if (arg == "--sipp") options.sipp = value();
    else {
      std::cerr << "usage: " << argv[0]
                << " [--streams 100,1000,5000] [--sipp-streams 100,1000 | --no-sipp] [--no-fake] [--seconds 10]"
                   " [--warmup 2] [--sinks 16] [--media-nice 0] [--json FILE] [--fake-rtpproxy PATH] [--sipp PATH]\n";
      return 2;
    }
  }
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;  // children (fake-rtpproxy, sipp) inherit it
  setrlimit(RLIMIT_NOFILE, &limit);
  std::printf("RLIMIT_NOFILE %llu (fake-rtpproxy needs 4 descriptors per session)\n", static_cast<unsigned long long>(limit.rlim_cur));

  fs::path work = fs::temp_directory_path() / ("bench-playback-pacing-" + std::to_string(::getpid()));
  fs::create_directories(work);
  auto prompts = write_prompts(work);
  if (!prompts) return 1;

  std::printf("%-16s %6s %6s %6s %9s %7s %7s %8s %8s %8s %8s %7s %7s %8s\n", "peer", "N", "setup", "active", "pkt/s", "lost", "rcvdrop",
              "p50 ms", "p99 ms", "max ms", "peer%", "bench%", "rss MB", "setup s");
  std::vector<Result> results;
  if (options.run_fake)
    for (int n : options.streams) {
      results.push_back(run_fake(n, options, prompts->first));
      print_row(results.back());
    }
  for (int n : options.sipp_streams) {
    results.push_back(run_sipp(n, options, prompts->second, work));
    print_row(results.back());
  }
  if (!options.json_path.empty()) {
    nlohmann::json out = {{"seconds", options.seconds}, {"warmup_seconds", options.warmup_seconds},
                          {"ptime_ms", 20}, {"results", nlohmann::json::array()}};
    for (auto& r : results) out["results"].push_back(to_json(r));
    std::ofstream(options.json_path) << out.dump(2) << "\n";
  }
  std::error_code ignored;
  fs::remove_all(work, ignored);
  return 0;
}
