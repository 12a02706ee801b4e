// bench-queue-callrate: the highest call rate each MOH queue completes cleanly, and 5,000 calls held at once.
//
//   SIPp callers (scenarios/moh_caller_listen.xml, -d 1000) --SIP--> SUT --rtpproxy U/L/P/D--> fake-rtpproxy
//                                                                                       --RTP--> a sink here
//
// SUTs, side by side on the same machine with the same fake-rtpproxy: mohqd --profile kamailio, mohqd --profile
// strict, and the real Kamailio 5.6 mohqueue (harness/kamailio, its default children=2). For each SUT the rate
// steps up (--rates); a step starts a fresh pair of fake-rtpproxy nodes and a fresh SUT, runs SIPp `-r R -m R*S` (S seconds of
// arrivals), waits for the calls to end, then for the call table to drain. A step is clean when SIPp says every
// call succeeded (exit code 0, SuccessfulCall == R*S, no Failed* counter) and mohqcalls is empty after the
// drain. A SUT stops at its first unclean run. Then the held test: --held calls (5,000) in the queue at once,
// media off, two fake-rtpproxy nodes (file-descriptor limit), setup time, RSS, drain. See bench/README.md.
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/prompt_source.hpp"
#include "kamailio/kamailio_instance.hpp"
#include "kamailio/rtpproxy_socket.hpp"
#include "mohqd/mohqd_instance.hpp"
#include "process/child_process.hpp"
#include "process/free_port.hpp"
#include "process/temp_dir.hpp"
#include "sim/db/mohqueue_schema.hpp"
#include "sim/db/sqlite_database.hpp"
#include "sim/rpc/json_rpc_server.hpp"

#ifndef MOHQ_BENCH_SOURCE_DIR
#define MOHQ_BENCH_SOURCE_DIR "."
#endif

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using mohq::process::ChildProcess;
using mohq::process::SpawnOptions;

namespace {

constexpr const char* kHost = "127.0.0.1";
constexpr const char* kQueueUser = "1008";
constexpr const char* kQueueName = "moh";

enum class SutKind { mohqd_kamailio, mohqd_strict, kamailio };

std::string sut_name(SutKind kind) {
  switch (kind) {
    case SutKind::mohqd_kamailio: return "mohqd kamailio";
    case SutKind::mohqd_strict: return "mohqd strict";
    case SutKind::kamailio: return "Kamailio 5.6";
  }
  return "?";
}

struct Options {
  std::vector<int> rates{250, 500, 750, 1000, 1500, 2000, 3000, 4000};
  int arrival_seconds = 5;
  int hold_ms = 1000;
  int runs = 3;          // runs per step; a SUT stops at its first unclean run
  int held = 5000;
  int held_rate_mohqd = 1000;
  int held_rate_kamailio = 500;
  bool media = true;     // rate test: fake-rtpproxy plays (held test: never)
  bool run_held = true;
  bool held_kamailio = true;
  std::vector<SutKind> suts{SutKind::mohqd_kamailio, SutKind::mohqd_strict, SutKind::kamailio};
  std::string json_path;
  fs::path bin_dir;
  fs::path kamailio = "/usr/sbin/kamailio";
  std::string sipp = "sipp";
  int drain_seconds = 10;
  bool keep = false;     // keep the work directory (logs)
  bool sipp_only = false;  // clean = SIPp's verdict alone (stale rows still reported): Kamailio's SIP limit
};

std::vector<int> parse_list(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(std::stoi(item));
  return out;
}

// ---- processes: CPU of a process group (Kamailio forks its workers into the group ChildProcess made) ----

std::uint64_t ticks_of(const std::string& stat_text, pid_t* pgrp) {
  auto close = stat_text.rfind(')');
  if (close == std::string::npos) return 0;
  std::stringstream fields(stat_text.substr(close + 2));
  std::string field;
  std::uint64_t utime = 0, stime = 0;
  for (int index = 3; index <= 15 && (fields >> field); ++index) {
    if (index == 5 && pgrp) *pgrp = static_cast<pid_t>(std::stol(field));
    if (index == 14) utime = std::stoull(field);
    if (index == 15) stime = std::stoull(field);
  }
  return utime + stime;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// utime+stime of every process whose process group is pgid (the group leader included).
std::uint64_t group_ticks(pid_t pgid) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    pid_t pgrp = -1;
    auto ticks = ticks_of(read_text(entry.path() / "stat"), &pgrp);
    if (pgrp == pgid) total += ticks;
  }
  return total;
}

double rss_mb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  for (int i = 0; i < 100 && std::getline(in, line); ++i)
    if (line.starts_with("VmRSS:")) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

// RSS of the whole group (Kamailio: main + workers; shared memory counted once per process that touched it).
double group_rss_mb(pid_t pgid) {
  double total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    pid_t pgrp = -1;
    ticks_of(read_text(entry.path() / "stat"), &pgrp);
    if (pgrp == pgid) total += rss_mb(static_cast<pid_t>(std::stol(name)));
  }
  return total;
}

double load_average() {
  double one = 0;
  std::ifstream("/proc/loadavg") >> one;
  return one;
}

// RcvbufErrors of /proc/net/snmp: datagrams the kernel dropped because a UDP receive queue was full (network
// namespace wide: SIP sockets of SIPp and the SUT, rtpproxy control sockets, the never-read RTP sink excluded
// only when media is off).
long long udp_rcvbuf_errors() {
  std::ifstream in("/proc/net/snmp");
  std::string names, values, line;
  for (int i = 0; i < 64 && std::getline(in, line); ++i) {
    if (!line.starts_with("Udp: ")) continue;
    if (names.empty()) names = line; else { values = line; break; }
  }
  std::stringstream n(names), v(values);
  std::string name, value;
  for (int i = 0; i < 32 && (n >> name) && (v >> value); ++i)
    if (name == "RcvbufErrors") return std::stoll(value);
  return 0;
}

// Receive-queue drops of the UDP socket bound to 127.0.0.1:port (last column of /proc/net/udp), -1 if none.
long long socket_drops(std::uint16_t port) {
  std::ifstream in("/proc/net/udp");
  std::string line;
  char wanted[16];
  std::snprintf(wanted, sizeof wanted, "0100007F:%04X", port);
  std::getline(in, line);  // header
  for (int i = 0; i < 100000 && std::getline(in, line); ++i) {
    std::stringstream fields(line);
    std::string slot, local, field;
    fields >> slot >> local;
    if (local != wanted) continue;
    for (int column = 3; column <= 13 && (fields >> field); ++column) {
      if (column == 13) return std::stoll(field);
    }
  }
  return -1;
}

// /proc/PID/schedstat of every process of the group: ns on a CPU and ns runnable but waiting for one.
struct Sched {
  long long run_ns = 0, wait_ns = 0;
};
Sched group_schedstat(pid_t pgid) {
  Sched total;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    pid_t pgrp = -1;
    ticks_of(read_text(entry.path() / "stat"), &pgrp);
    if (pgrp != pgid) continue;
    std::error_code task_ec;
    for (const auto& task : fs::directory_iterator(entry.path() / "task", task_ec)) {
      long long run = 0, wait = 0;
      std::ifstream(task.path() / "schedstat") >> run >> wait;
      total.run_ns += run;
      total.wait_ns += wait;
    }
  }
  return total;
}

struct CpuWatch {
  pid_t pgid;
  std::uint64_t start_ticks;
  Clock::time_point start;
  explicit CpuWatch(pid_t group) : pgid(group), start_ticks(group_ticks(group)), start(Clock::now()) {}
  std::uint64_t last_ticks = 0;
  Clock::time_point last;
  // Remembers the group's ticks now (call while it still runs: an exited process leaves /proc).
  void sample() {
    const auto ticks = group_ticks(pgid);
    if (ticks >= start_ticks && ticks > 0) {
      last_ticks = ticks;
      last = Clock::now();
    }
  }
  // % of one core from start to the last sample.
  double percent() {
    sample();
    const double seconds = std::chrono::duration<double>(last - start).count();
    const double ticks = static_cast<double>(last_ticks - start_ticks);
    return seconds > 0 && last_ticks > 0 ? 100.0 * ticks / static_cast<double>(::sysconf(_SC_CLK_TCK)) / seconds : 0;
  }
};

std::size_t count_lines_with(const fs::path& path, const std::string& needle) {
  std::ifstream in(path);
  std::string line;
  std::size_t count = 0;
  while (std::getline(in, line))
    if (line.find(needle) != std::string::npos) ++count;
  return count;
}

// ---- the call table ----

std::optional<std::int64_t> count_rows(const fs::path& db_path) {
  mohq::sim_db::OpenOptions open;
  open.create = false;
  open.read_only = true;  // never changes the journal mode of Kamailio's file
  open.busy_timeout = 500ms;
  auto db = mohq::sim_db::SqliteDatabase::open(db_path, open);
  if (!db) return std::nullopt;
  auto rows = mohq::sim_db::count_calls(*db);
  if (!rows) return std::nullopt;
  return *rows;
}

// Kamailio: mohq_count() through the generated config's control route (MESSAGE sip:mohq-control@...,
// X-Mohq-Action: count), which answers 200 with X-Mohq-Count. mohqueue counts its shared-memory call array,
// as mohqd's mohqueue.count counts its table.
std::optional<long long> kamailio_count(std::uint16_t port, int attempt) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return std::nullopt;
  sockaddr_in local{};
  socklen_t length = sizeof local;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
  const std::string h = kHost, id = std::to_string(::getpid()) + "-" + std::to_string(attempt);
  const std::string target = "sip:mohq-control@" + h + ":" + std::to_string(port);
  const std::string request =
      "MESSAGE " + target + " SIP/2.0\r\nVia: SIP/2.0/UDP " + h + ":" + std::to_string(ntohs(local.sin_port)) +
      ";branch=z9hG4bK-cr-count-" + id + ";rport\r\nFrom: <sip:bench@" + h + ">;tag=c" + id + "\r\nTo: <" + target +
      ">\r\nCall-ID: cr-count-" + id + "\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\nX-Mohq-Action: count\r\n" +
      "X-Mohq-Queue: " + kQueueName + "\r\nContent-Length: 0\r\n\r\n";
  if (::send(fd, request.data(), request.size(), 0) < 0) return std::nullopt;
  const auto deadline = Clock::now() + 2s;
  char buffer[65536];
  while (Clock::now() < deadline) {  // bounded: 2 s
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return std::nullopt;
    const std::string reply(buffer, static_cast<std::size_t>(n));
    if (reply.find("cr-count-" + id) == std::string::npos) continue;
    auto at = reply.find("X-Mohq-Count:");
    if (at == std::string::npos) return std::nullopt;
    try {
      return std::stoll(reply.substr(at + 13));
    } catch (...) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// ---- fake-rtpproxy ----

struct Fake {
  std::optional<ChildProcess> process;
  std::uint16_t port = 0;
  std::string control;  // udp:127.0.0.1:P
  fs::path stats_path;
};

mohq::Expected<Fake, std::string> start_fake(const Options& options, const fs::path& dir, const std::string& tag,
                                             int rtp_min, int rtp_max, bool media) {
  auto port = mohq::process::find_free_udp_port(kHost);
  if (!port) return mohq::Unexpected(port.error());
  Fake fake;
  fake.control = "udp:127.0.0.1:" + std::to_string(*port);
  fake.port = *port;
  fake.stats_path = dir / ("fake-rtpproxy-" + tag + ".json");
  SpawnOptions spawn;
  spawn.argv = {(options.bin_dir / "fake-rtpproxy").string(), "-l", kHost, "-s", fake.control, "-m",
                std::to_string(rtp_min), "-M", std::to_string(rtp_max), "-f", "-d", "ERR", "--stats-json",
                fake.stats_path.string()};
  if (!media) spawn.argv.insert(spawn.argv.end(), {"--fault", "rtp.loss=1"});
  spawn.stdout_path = spawn.stderr_path = dir / ("fake-rtpproxy-" + tag + ".log");
  auto child = ChildProcess::spawn(spawn);
  if (!child) return mohq::Unexpected(child.error());
  fake.process.emplace(std::move(*child));
  auto socket = mohq::kamailio::RtpproxySocket::udp(kHost, *port);
  if (auto answered = mohq::kamailio::wait_for_rtpproxy(socket, 5s); !answered)
    return mohq::Unexpected("fake-rtpproxy: " + answered.error());
  return fake;
}

// SIGTERM: the fake writes its counters; returns npkts_played (-1 if unknown).
long long stop_fake(Fake& fake) {
  if (!fake.process) return -1;
  fake.process->terminate(3s);
  try {
    auto stats = nlohmann::json::parse(read_text(fake.stats_path));
    return stats["counters"].value("npkts_played", -1LL);
  } catch (...) {
    return -1;
  }
}

// ---- the system under test ----

struct Sut {
  SutKind kind;
  std::optional<mohq::harness::MohqdInstance> mohqd;
  std::optional<mohq::kamailio::KamailioInstance> kamailio;
  std::uint16_t sip_port = 0;
  fs::path db_path;
  fs::path log_path;
  pid_t pid() const { return mohqd ? mohqd->pid() : kamailio->pid(); }
  void stop() {
    if (mohqd) mohqd->stop();
    if (kamailio) kamailio->stop();
  }
};

mohq::Expected<Sut, std::string> start_sut(SutKind kind, const Options& options, const fs::path& dir,
                                           const fs::path& mohdir, const std::vector<std::string>& rtpproxies,
                                           int maxcalls) {
  auto sip_port = mohq::process::find_free_udp_port(kHost);
  if (!sip_port) return mohq::Unexpected(sip_port.error());
  Sut sut;
  sut.kind = kind;
  sut.sip_port = *sip_port;
  if (kind == SutKind::kamailio) {
    mohq::kamailio::KamailioConfig config;
    config.listen_host = kHost;
    config.sip_port = *sip_port;
    // Kamailio's rtpproxy module takes a space-separated set of nodes in one rtpproxy_sock and picks one by
    // Call-ID hash, as mohqd does (the held test uses two). RtpproxySocket renders "udp:" + host + ":" + port,
    // so the extra nodes ride in the host part: "udp:127.0.0.1:P1 udp:127.0.0.1:P2".
    std::string all;
    for (const auto& node : rtpproxies) all += (all.empty() ? "" : " ") + node;
    const auto last_colon = all.rfind(':');
    config.rtpproxy = mohq::kamailio::RtpproxySocket::udp(
        all.substr(4, last_colon - 4), static_cast<std::uint16_t>(std::stoi(all.substr(last_colon + 1))));
    config.mohdir = mohdir;
    config.moh_maxcalls = maxcalls;
    config.log_requests = false;  // one xlog line per request would bill Kamailio for our logging
    config.queues = {{kQueueName, mohq::kamailio::queue_uri(kQueueUser, kHost, *sip_port), mohdir, "test", false}};
    mohq::kamailio::KamailioLaunch launch;
    launch.binary = options.kamailio;
    auto started = mohq::kamailio::KamailioInstance::start(config, dir, launch);
    if (!started) return mohq::Unexpected("Kamailio: " + started.error());
    sut.db_path = started->files().db;
    sut.log_path = started->log_path();
    sut.kamailio.emplace(std::move(*started));
    return sut;
  }
  auto rpc_port = mohq::process::find_free_udp_port(kHost);  // TCP port; free in UDP is a good guess on loopback
  if (!rpc_port) return mohq::Unexpected(rpc_port.error());
  mohq::harness::MohqdLaunch launch;
  launch.binary = options.bin_dir / "mohqd";
  launch.sip_port = *sip_port;
  launch.rpc_port = *rpc_port;
  launch.rtpproxy = rtpproxies;
  launch.profile = kind == SutKind::mohqd_strict ? "strict" : "kamailio";
  launch.maxcalls = static_cast<std::size_t>(maxcalls);
  launch.mohdir = mohdir;
  launch.queue_name = kQueueName;
  launch.queue_user = kQueueUser;
  auto started = mohq::harness::MohqdInstance::start(launch, dir);
  if (!started) return mohq::Unexpected("mohqd: " + started.error());
  sut.db_path = started->db_path();
  sut.log_path = started->log_path();
  sut.mohqd.emplace(std::move(*started));
  return sut;
}

// ---- SIPp ----

struct SippResult {
  bool ran = false;
  bool timed_out = false;  // killed by the bench's deadline
  int exit_code = -1;
  long long created = 0, successful = 0, failed = 0, retransmissions = 0;
  double response_ms = 0;  // INVITE -> 200 (rtd), SIPp's cumulative average
  double elapsed_s = 0;
  std::string failures;    // non-zero Failed*(C) counters
  std::string note;
};

double sipp_time_ms(const std::string& text) {  // "hh:mm:ss:usec"
  int h = 0, m = 0, s = 0;
  long long us = 0;
  if (std::sscanf(text.c_str(), "%d:%d:%d:%lld", &h, &m, &s, &us) != 4) return 0;
  return (h * 3600.0 + m * 60.0 + s) * 1000.0 + static_cast<double>(us) / 1000.0;
}

void parse_sipp_stats(const fs::path& path, SippResult& r) {
  std::ifstream in(path);
  std::string header, line, last;
  std::getline(in, header);
  for (int i = 0; i < 100000 && std::getline(in, line); ++i)
    if (!line.empty()) last = line;
  if (header.empty() || last.empty()) {
    r.note = "no SIPp statistics in " + path.string();
    return;
  }
  auto split = [](const std::string& text) {
    std::vector<std::string> out;
    std::stringstream s(text);
    std::string item;
    while (std::getline(s, item, ';')) out.push_back(item);
    return out;
  };
  auto names = split(header), values = split(last);
  std::map<std::string, std::string> field;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) field[names[i]] = values[i];
  auto number = [&](const std::string& name) -> long long {
    auto it = field.find(name);
    if (it == field.end() || it->second.empty()) return 0;
    try {
      return std::stoll(it->second);
    } catch (...) {
      return 0;
    }
  };
  r.created = number("TotalCallCreated");
  r.successful = number("SuccessfulCall(C)");
  r.failed = number("FailedCall(C)");
  r.retransmissions = number("Retransmissions(C)");
  r.response_ms = sipp_time_ms(field["ResponseTime1(C)"]);
  for (const auto& [name, value] : field) {
    if ((name.starts_with("Failed") && name.ends_with("(C)") && name != "FailedCall(C)") ||
        name == "OutOfCallMsgs(C)" || name == "DeadCallMsgs(C)" || name == "FatalErrors(C)") {
      long long n = number(name);
      if (n != 0) r.failures += (r.failures.empty() ? "" : " ") + name.substr(0, name.size() - 3) + "=" + std::to_string(n);
    }
  }
}

// One SIPp caller run: rate calls/s, total calls, concurrency limit, pause ms. The returned process is still
// running when wait is false (the held test polls the SUT meanwhile).
struct SippRun {
  std::optional<ChildProcess> process;
  std::uint16_t local_port = 0;
  fs::path stats_path;
  Clock::time_point started;
};

mohq::Expected<SippRun, std::string> start_sipp(const Options& options, const fs::path& dir, const std::string& tag,
                                                std::uint16_t sip_port, std::uint16_t sink_port, int rate, int calls,
                                                int limit, int pause_ms) {
  auto local = mohq::process::find_free_udp_port(kHost);
  auto control = mohq::process::find_free_udp_port(kHost);
  auto media = mohq::process::find_free_udp_port_block(kHost, 4);
  if (!local || !control || !media) return mohq::Unexpected(std::string("no free port for SIPp"));
  SippRun run;
  run.local_port = *local;
  run.stats_path = dir / ("sipp-" + tag + ".csv");
  SpawnOptions spawn;
  spawn.argv = {options.sipp, "-sf", (fs::path(MOHQ_BENCH_SOURCE_DIR) / ".." / "scenarios" / "moh_caller_listen.xml").string(),
                "-s", kQueueUser, "-key", "rtp_listen_port", std::to_string(sink_port),
                "-r", std::to_string(rate), "-m", std::to_string(calls), "-l", std::to_string(limit),
                "-d", std::to_string(pause_ms),
                "-i", kHost, "-mi", kHost, "-p", std::to_string(*local), "-mp", std::to_string(*media),
                "-cp", std::to_string(*control),
                "-buff_size", "8388608",  // SIPp's own receive buffer must not be what drops answers
                "-recv_timeout", "20000", "-timeout", std::to_string(pause_ms / 1000 + calls / std::max(rate, 1) + 60),
                "-timeout_error", "-nostdin", "-trace_stat", "-stf", run.stats_path.string(), "-fd", "1",
                "-trace_err", "-error_file", (dir / ("sipp-" + tag + "-errors.log")).string(),
                std::string(kHost) + ":" + std::to_string(sip_port)};
  spawn.stdout_path = spawn.stderr_path = dir / ("sipp-" + tag + ".out");
  spawn.working_dir = dir;
  run.started = Clock::now();
  auto child = ChildProcess::spawn(spawn);
  if (!child) return mohq::Unexpected(child.error() + " (apt-get install sip-tester)");
  run.process.emplace(std::move(*child));
  return run;
}

SippResult finish_sipp(SippRun& run, std::chrono::milliseconds timeout) {
  SippResult r;
  r.ran = true;
  auto status = run.process->wait_for(timeout);
  if (!status) {
    r.timed_out = true;
    status = run.process->terminate(2s);
  }
  r.elapsed_s = std::chrono::duration<double>(Clock::now() - run.started).count();
  r.exit_code = status->kind == mohq::process::ExitStatus::Kind::exited ? status->value : 128 + status->value;
  parse_sipp_stats(run.stats_path, r);
  return r;
}

// Where every caller's SDP points: one socket drained by a thread every 2 ms with recvmmsg (a waiting reader
// would make the kernel run a wake-up inside fake-rtpproxy's sendto for every packet; see bench/README.md), so
// prompt packets are counted and do not show up as receive-queue drops.
class Sink {
 public:
  Sink() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int buffer = 8 * 1024 * 1024;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
    reader_ = std::thread([this] {
      constexpr int kBatch = 64;
      std::vector<char> storage(kBatch * 256);
      mmsghdr messages[kBatch];
      iovec vectors[kBatch];
      while (running_) {  // stopped by the destructor
        for (int round = 0; round < 10000; ++round) {
          for (int i = 0; i < kBatch; ++i) {
            vectors[i] = {storage.data() + i * 256, 256};
            messages[i] = {};
            messages[i].msg_hdr.msg_iov = &vectors[i];
            messages[i].msg_hdr.msg_iovlen = 1;
          }
          const int n = ::recvmmsg(fd_, messages, kBatch, MSG_DONTWAIT, nullptr);
          if (n <= 0) break;
          packets += static_cast<std::uint64_t>(n);
        }
        std::this_thread::sleep_for(2ms);
      }
    });
  }
  ~Sink() {
    running_ = false;
    if (reader_.joinable()) reader_.join();
    if (fd_ >= 0) ::close(fd_);
  }
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  std::uint16_t port = 0;
  std::atomic<std::uint64_t> packets{0};

 private:
  int fd_ = -1;
  std::atomic<bool> running_{true};
  std::thread reader_;
};

// ---- rate steps ----

struct StepResult {
  std::string sut;
  int rate = 0;
  int run = 0;
  int calls = 0;
  bool clean = false;
  SippResult sipp;
  long long stale_rows = -1;   // rows in mohqcalls after the drain
  double drain_s = 0;          // time until the table was empty
  double sut_cpu = 0;          // % of one core over the SIPp run (process group)
  double sipp_cpu = 0;
  double fake_cpu = 0;
  double sut_rss_mb = 0;
  long long rcvbuf_errors = 0;     // kernel UDP receive-queue drops during the SIPp run (namespace wide)
  long long sut_sip_drops = 0;     // of those: the SUT's SIP socket (/proc/net/udp)
  double sut_run_s = 0, sut_runqueue_wait_s = 0;  // schedstat: on CPU / runnable but waiting for a CPU
  long long sipp_sip_drops = 0;    //           SIPp's SIP socket
  long long rtpproxy_ctl_drops = 0;  //         the fake-rtpproxy control sockets
  long long packets_played = -1;
  long long packets_received = 0;  // by the sink
  std::size_t db_locked_lines = 0;  // Kamailio: "database is locked"
  std::size_t error_lines = 0;      // log lines with ERROR (Kamailio) / error (mohqd)
  nlohmann::json core_stats;        // mohqd: core.stats after the drain
  double load = 0;
  std::string note;
};

std::string verdict(const StepResult& s) {
  if (!s.note.empty() && !s.sipp.ran) return "error: " + s.note;
  std::string out;
  if (s.sipp.timed_out) out += "SIPp killed at deadline; ";
  if (s.sipp.exit_code != 0) out += "SIPp exit " + std::to_string(s.sipp.exit_code) + "; ";
  if (s.sipp.failed) out += std::to_string(s.sipp.failed) + " failed calls (" + s.sipp.failures + "); ";
  else if (!s.sipp.failures.empty()) out += s.sipp.failures + "; ";
  if (s.sipp.successful != s.calls) out += std::to_string(s.sipp.successful) + "/" + std::to_string(s.calls) + " successful; ";
  if (s.stale_rows != 0) out += std::to_string(s.stale_rows) + " stale rows; ";
  if (s.db_locked_lines) out += std::to_string(s.db_locked_lines) + " 'database is locked'; ";
  if (s.sut_sip_drops > 0 || s.sipp_sip_drops > 0 || s.rtpproxy_ctl_drops > 0)
    out += "socket drops SUT " + std::to_string(s.sut_sip_drops) + " SIPp " + std::to_string(s.sipp_sip_drops) +
           " rtpproxy " + std::to_string(s.rtpproxy_ctl_drops) + "; ";
  if (!s.note.empty()) out += s.note;
  if (s.clean) return out.empty() ? "clean" : "clean (" + out + ")";
  return out;
}

StepResult run_step(SutKind kind, int rate, int run, const Options& options, const fs::path& root,
                    const fs::path& mohdir) {
  StepResult s;
  s.sut = sut_name(kind);
  s.rate = rate;
  s.run = run;
  s.calls = rate * options.arrival_seconds;
  s.load = load_average();
  const std::string tag = std::to_string(static_cast<int>(kind)) + "-" + std::to_string(rate) + "-" + std::to_string(run);
  const fs::path dir = root / ("step-" + tag);
  fs::create_directories(dir);

  Sink sink;
  // Media range below the ephemeral range: 11,000 RTP/RTCP pairs (4 ports and 4 descriptors a session).
  // Two fake-rtpproxy nodes (split by Call-ID by every SUT): one holds at most ~4,990 sessions under the hard
  // RLIMIT_NOFILE of 20,000 (4 descriptors a session), fewer than 4,000 calls/s of 1 s calls keep open.
  auto fake = start_fake(options, dir, "a", 2000, 16999, options.media);
  auto fake2 = start_fake(options, dir, "b", 17000, 31999, options.media);
  if (!fake || !fake2) {
    s.note = !fake ? fake.error() : fake2.error();
    if (fake) stop_fake(*fake);
    if (fake2) stop_fake(*fake2);
    return s;
  }
  auto sut = start_sut(kind, options, dir, mohdir, {fake->control, fake2->control}, 5000);
  if (!sut) {
    s.note = sut.error();
    stop_fake(*fake);
    stop_fake(*fake2);
    return s;
  }
  CpuWatch sut_cpu(sut->pid()), fake_cpu(fake->process->pid()), fake2_cpu(fake2->process->pid());
  const long long rcvbuf_before = udp_rcvbuf_errors();
  // Calls end about hold_ms after they start; -l: no concurrency cap below the total.
  // -l: no concurrency cap in practice (more than 5 s of arrivals), below SIPp's descriptor warning.
  auto sipp = start_sipp(options, dir, "calls", sut->sip_port, sink.port, rate, s.calls, std::min(s.calls, 15000),
                         options.hold_ms);
  if (!sipp) {
    s.note = sipp.error();
    sut->stop();
    stop_fake(*fake);
    stop_fake(*fake2);
    return s;
  }
  CpuWatch sipp_cpu(sipp->process->pid());
  const Sched sched_before = group_schedstat(sut->pid());
  double peak_rss = 0;
  // Waits for SIPp in 200 ms slices, sampling the SUT's RSS.
  const auto deadline = Clock::now() + std::chrono::seconds(options.arrival_seconds + options.hold_ms / 1000 + 60);
  while (Clock::now() < deadline) {
    sipp_cpu.sample();  // before running() reaps it
    s.sut_sip_drops = std::max(s.sut_sip_drops, socket_drops(sut->sip_port));
    s.sipp_sip_drops = std::max(s.sipp_sip_drops, socket_drops(sipp->local_port));
    s.rtpproxy_ctl_drops = std::max(s.rtpproxy_ctl_drops, std::max(0LL, socket_drops(fake->port)) +
                                                              std::max(0LL, socket_drops(fake2->port)));
    if (!sipp->process->running()) break;
    peak_rss = std::max(peak_rss, group_rss_mb(sut->pid()));
    std::this_thread::sleep_for(200ms);
  }
  s.rcvbuf_errors = udp_rcvbuf_errors() - rcvbuf_before;
  const Sched sched_after = group_schedstat(sut->pid());
  s.sut_run_s = static_cast<double>(sched_after.run_ns - sched_before.run_ns) / 1e9;
  s.sut_runqueue_wait_s = static_cast<double>(sched_after.wait_ns - sched_before.wait_ns) / 1e9;
  s.sipp_cpu = sipp_cpu.percent();
  s.sut_cpu = sut_cpu.percent();
  s.fake_cpu = fake_cpu.percent() + fake2_cpu.percent();
  s.sut_rss_mb = peak_rss;
  s.sipp = finish_sipp(*sipp, std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::max<Clock::duration>(deadline - Clock::now(), 1s)));

  // Drain: the table must empty (mohqd writes behind, every 100 ms by default).
  const auto drain_start = Clock::now();
  const auto drain_deadline = drain_start + std::chrono::seconds(options.drain_seconds);
  for (;;) {
    auto rows = count_rows(sut->db_path);
    s.stale_rows = rows.value_or(-1);
    if (rows && *rows == 0) break;
    if (Clock::now() >= drain_deadline) break;
    std::this_thread::sleep_for(100ms);
  }
  s.drain_s = std::chrono::duration<double>(Clock::now() - drain_start).count();
  if (sut->mohqd) {
    auto stats = mohq::sim::call_json_rpc(sut->mohqd->rpc_address(), "core.stats", nlohmann::json::array(), 2s);
    if (stats) s.core_stats = *stats;
  }
  if (!sut->kamailio || sut->kamailio->running()) {
  } else {
    s.note += "Kamailio died; ";
  }
  sut->stop();
  s.packets_played = stop_fake(*fake) + stop_fake(*fake2);
  s.packets_received = static_cast<long long>(sink.packets.load());
  if (kind == SutKind::kamailio) {
    s.db_locked_lines = count_lines_with(sut->log_path, "database is locked");
    s.error_lines = count_lines_with(sut->log_path, "ERROR");
  } else {
    s.error_lines = count_lines_with(sut->log_path, "error");
  }
  s.clean = s.sipp.ran && !s.sipp.timed_out && s.sipp.exit_code == 0 && s.sipp.successful == s.calls &&
            s.sipp.failed == 0 && s.sipp.failures.empty() && (s.stale_rows == 0 || options.sipp_only);
  return s;
}

nlohmann::json to_json(const StepResult& s) {
  return {{"sut", s.sut},
          {"rate", s.rate},
          {"run", s.run},
          {"calls", s.calls},
          {"clean", s.clean},
          {"verdict", verdict(s)},
          {"sipp", {{"exit_code", s.sipp.exit_code},
                    {"timed_out", s.sipp.timed_out},
                    {"created", s.sipp.created},
                    {"successful", s.sipp.successful},
                    {"failed", s.sipp.failed},
                    {"failures", s.sipp.failures},
                    {"retransmissions", s.sipp.retransmissions},
                    {"invite_response_ms_avg", s.sipp.response_ms},
                    {"elapsed_s", s.sipp.elapsed_s}}},
          {"stale_rows", s.stale_rows},
          {"drain_s", s.drain_s},
          {"cpu_percent", {{"sut", s.sut_cpu}, {"sipp", s.sipp_cpu}, {"fake_rtpproxy", s.fake_cpu}}},
          {"sut_peak_rss_mb", s.sut_rss_mb},
          {"udp_rcvbuf_errors", s.rcvbuf_errors},
          {"sut_schedstat_s", {{"on_cpu", s.sut_run_s}, {"runqueue_wait", s.sut_runqueue_wait_s}}},
          {"socket_drops", {{"sut_sip", s.sut_sip_drops}, {"sipp_sip", s.sipp_sip_drops},
                            {"rtpproxy_control", s.rtpproxy_ctl_drops}}},
          {"packets_played", s.packets_played},
          {"packets_received", s.packets_received},
          {"db_locked_lines", s.db_locked_lines},
          {"error_lines", s.error_lines},
          {"core_stats", s.core_stats},
          {"load_before", s.load},
          {"note", s.note}};
}

void print_step_header() {
  std::printf("%-15s %5s %3s %6s %6s %6s %7s %7s %6s %8s %6s %6s %6s %7s %8s %5s  %s\n", "SUT", "rate", "run", "calls", "ok",
              "failed", "retrans", "rcvdrop", "stale", "inv->200", "SUT%", "SIPp%", "fake%", "RSS MB", "RTP rx", "load", "verdict");
}

void print_step(const StepResult& s) {
  std::printf("%-15s %5d %3d %6d %6lld %6lld %7lld %7lld %6lld %6.0fms %6.0f %6.0f %6.0f %7.1f %8lld %5.2f  %s\n", s.sut.c_str(),
              s.rate, s.run, s.calls, s.sipp.successful, s.sipp.failed, s.sipp.retransmissions, s.rcvbuf_errors, s.stale_rows,
              s.sipp.response_ms, s.sut_cpu, s.sipp_cpu, s.fake_cpu, s.sut_rss_mb, s.packets_received, s.load,
              verdict(s).c_str());
  std::fflush(stdout);
}

// ---- held calls ----

struct HeldResult {
  std::string sut;
  int target = 0;
  int rate = 0;
  long long reached = 0;        // highest count seen
  double setup_s = -1;          // SIPp start -> count == target
  double rss_before_mb = 0, rss_held_mb = 0;
  double sut_cpu_setup = 0;
  SippResult sipp;
  long long stale_rows = -1;
  double drain_s = 0;
  std::size_t db_locked_lines = 0;
  nlohmann::json core_stats;
  std::string note;
  bool clean = false;
};

HeldResult run_held(SutKind kind, const Options& options, const fs::path& root, const fs::path& mohdir) {
  HeldResult h;
  h.sut = sut_name(kind);
  h.target = options.held;
  h.rate = kind == SutKind::kamailio ? options.held_rate_kamailio : options.held_rate_mohqd;
  const fs::path dir = root / ("held-" + std::to_string(static_cast<int>(kind)));
  fs::create_directories(dir);
  Sink sink;
  // Two fake-rtpproxy nodes without media: 4 descriptors a session, hard RLIMIT_NOFILE 20,000 here.
  auto fake_a = start_fake(options, dir, "a", 10000, 20999, false);
  auto fake_b = start_fake(options, dir, "b", 21000, 31999, false);
  if (!fake_a || !fake_b) {
    h.note = !fake_a ? fake_a.error() : fake_b.error();
    if (fake_a) stop_fake(*fake_a);
    if (fake_b) stop_fake(*fake_b);
    return h;
  }
  auto sut = start_sut(kind, options, dir, mohdir, {fake_a->control, fake_b->control}, std::max(options.held, 50));
  if (!sut) {
    h.note = sut.error();
    stop_fake(*fake_a);
    stop_fake(*fake_b);
    return h;
  }
  h.rss_before_mb = group_rss_mb(sut->pid());
  // The pause outlasts the setup by 10 s; then every caller sends BYE.
  const int setup_bound_ms = options.held * 1000 / h.rate;
  const int pause_ms = setup_bound_ms * 2 + 10000;
  CpuWatch cpu(sut->pid());
  auto sipp = start_sipp(options, dir, "held", sut->sip_port, sink.port, h.rate, options.held, options.held, pause_ms);
  if (!sipp) {
    h.note = sipp.error();
    sut->stop();
    stop_fake(*fake_a);
    stop_fake(*fake_b);
    return h;
  }
  const auto held_deadline = sipp->started + std::chrono::milliseconds(setup_bound_ms * 2 + 5000);
  for (;;) {  // bounded by held_deadline
    std::optional<long long> count;
    if (sut->mohqd) {
      auto answer = mohq::sim::call_json_rpc(sut->mohqd->rpc_address(), "mohqueue.count",
                                             nlohmann::json::array({kQueueName}), 2s);
      if (answer && answer->is_number_integer()) count = answer->get<long long>();
    } else {
      static int attempt = 0;
      count = kamailio_count(sut->sip_port, ++attempt);
    }
    if (count) h.reached = std::max(h.reached, *count);
    if (count && *count >= options.held) {
      h.setup_s = std::chrono::duration<double>(Clock::now() - sipp->started).count();
      break;
    }
    if (Clock::now() >= held_deadline || !sipp->process->running()) break;
    std::this_thread::sleep_for(sut->mohqd ? 100ms : 500ms);
  }
  h.sut_cpu_setup = cpu.percent();
  h.rss_held_mb = group_rss_mb(sut->pid());
  if (h.setup_s < 0)
    h.note += "only " + std::to_string(h.reached) + " of " + std::to_string(options.held) + " in queue; ";
  h.sipp = finish_sipp(*sipp, std::chrono::milliseconds(pause_ms + setup_bound_ms + 60000));
  const auto drain_start = Clock::now();
  for (;;) {
    auto rows = count_rows(sut->db_path);
    h.stale_rows = rows.value_or(-1);
    if ((rows && *rows == 0) || Clock::now() >= drain_start + std::chrono::seconds(options.drain_seconds)) break;
    std::this_thread::sleep_for(100ms);
  }
  h.drain_s = std::chrono::duration<double>(Clock::now() - drain_start).count();
  if (sut->mohqd) {
    auto stats = mohq::sim::call_json_rpc(sut->mohqd->rpc_address(), "core.stats", nlohmann::json::array(), 2s);
    if (stats) h.core_stats = *stats;
  }
  sut->stop();
  stop_fake(*fake_a);
  stop_fake(*fake_b);
  if (kind == SutKind::kamailio) h.db_locked_lines = count_lines_with(sut->log_path, "database is locked");
  h.clean = h.setup_s >= 0 && h.sipp.exit_code == 0 && h.sipp.successful == options.held && h.stale_rows == 0;
  return h;
}

nlohmann::json to_json(const HeldResult& h) {
  return {{"sut", h.sut},
          {"target", h.target},
          {"sipp_rate", h.rate},
          {"reached", h.reached},
          {"setup_s", h.setup_s},
          {"setup_calls_per_s", h.setup_s > 0 ? h.target / h.setup_s : 0},
          {"rss_before_mb", h.rss_before_mb},
          {"rss_held_mb", h.rss_held_mb},
          {"sut_cpu_setup_percent", h.sut_cpu_setup},
          {"sipp", {{"exit_code", h.sipp.exit_code},
                    {"successful", h.sipp.successful},
                    {"failed", h.sipp.failed},
                    {"failures", h.sipp.failures},
                    {"retransmissions", h.sipp.retransmissions},
                    {"invite_response_ms_avg", h.sipp.response_ms},
                    {"elapsed_s", h.sipp.elapsed_s}}},
          {"stale_rows", h.stale_rows},
          {"drain_s", h.drain_s},
          {"db_locked_lines", h.db_locked_lines},
          {"core_stats", h.core_stats},
          {"clean", h.clean},
          {"note", h.note}};
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  options.bin_dir = fs::absolute(fs::path(argv[0])).parent_path();
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--rates") options.rates = parse_list(value());
    else if (arg == "--seconds") options.arrival_seconds = std::stoi(value());
    else if (arg == "--hold-ms") options.hold_ms = std::stoi(value());
    else if (arg == "--runs") options.runs = std::stoi(value());
    else if (arg == "--held") options.held = std::stoi(value());
    else if (arg == "--held-rate") options.held_rate_mohqd = std::stoi(value());
    else if (arg == "--held-rate-kamailio") options.held_rate_kamailio = std::stoi(value());
    else if (arg == "--no-held") options.run_held = false;
    else if (arg == "--no-held-kamailio") options.held_kamailio = false;
    else if (arg == "--no-media") options.media = false;
    else if (arg == "--sipp-only") options.sipp_only = true;
    else if (arg == "--suts") {
      options.suts.clear();
      std::stringstream in(value());
      std::string item;
      while (std::getline(in, item, ',')) {
        if (item == "kamailio") options.suts.push_back(SutKind::kamailio);
        else if (item == "mohqd-kamailio") options.suts.push_back(SutKind::mohqd_kamailio);
        else if (item == "mohqd-strict") options.suts.push_back(SutKind::mohqd_strict);
        else {
          std::cerr << "--suts: unknown '" << item << "' (mohqd-kamailio, mohqd-strict, kamailio)\n";
          return 2;
        }
      }
    } else if (arg == "--json") options.json_path = value();
    else if (arg == "--kamailio") options.kamailio = value();
    else if (arg == "--sipp") options.sipp = value();
    else if (arg == "--bin-dir") options.bin_dir = value();
    else if (arg == "--keep") options.keep = true;
    else if (arg == "--quick") quick = true;
    else {
      std::cerr << "usage: " << argv[0]
                << " [--quick] [--rates 250,500,...] [--seconds 5] [--hold-ms 1000] [--runs 3] [--no-media]\n"
                   "   [--suts mohqd-kamailio,mohqd-strict,kamailio] [--held 5000] [--held-rate 1000]\n"
                   "   [--held-rate-kamailio 500] [--no-held] [--no-held-kamailio] [--sipp-only] [--json FILE] [--keep]\n"
                   "   [--kamailio PATH] [--sipp PATH] [--bin-dir DIR]\n";
      return arg == "--help" ? 0 : 2;
    }
  }
  if (quick) {  // CI smoke: small rates, a few seconds, one run, 200 held
    options.rates = {50, 100};
    options.arrival_seconds = 2;
    options.runs = 1;
    options.held = 200;
    options.held_rate_mohqd = 200;
    options.held_rate_kamailio = 200;
    options.drain_seconds = 5;
  }

  if (options.keep) ::setenv("MOHQ_KEEP_TMP", "1", 1);  // TempDir keeps the directory (logs, SIPp CSVs)
  auto temp = mohq::process::make_temp_dir("mohq-cr-");
  if (!temp) {
    std::cerr << temp.error() << "\n";
    return 1;
  }
  const fs::path root = temp->path();
  const fs::path mohdir = root / "moh";
  fs::create_directories(mohdir);
  auto audio = mohq::harness::hold_music(2.51);
  if (auto written = mohq::harness::write_g711_prompts(audio, mohdir, "test", {8, 0}); !written) {
    std::cerr << "prompt: " << written.error() << "\n";
    return 1;
  }

  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  std::printf("nproc %ld, load %.2f, RLIMIT_NOFILE %llu; %d s of arrivals per step, %d ms in queue, %d run(s) per "
              "step; media %s\n",
              ::sysconf(_SC_NPROCESSORS_ONLN), load_average(), static_cast<unsigned long long>(limit.rlim_cur),
              options.arrival_seconds, options.hold_ms, options.runs,
              options.media ? "played by fake-rtpproxy" : "off (fake-rtpproxy --fault rtp.loss=1)");
  std::printf("Kamailio: children=2 (harness default), shm 64 MB, pkg 8 MB, moh_maxcalls 5000, no request xlog\n\n");
  print_step_header();

  nlohmann::json out = {{"nproc", ::sysconf(_SC_NPROCESSORS_ONLN)},
                        {"arrival_seconds", options.arrival_seconds},
                        {"hold_ms", options.hold_ms},
                        {"runs", options.runs},
                        {"media", options.media},
                        {"criterion", options.sipp_only ? "sipp" : "sipp+no-stale-rows"},
                        {"steps", nlohmann::json::array()},
                        {"summary", nlohmann::json::array()},
                        {"held", nlohmann::json::array()}};
  std::map<SutKind, int> best;
  std::map<SutKind, std::string> first_failure;
  for (SutKind kind : options.suts) {
    best[kind] = 0;
    for (int rate : options.rates) {
      bool all_clean = true;
      for (int run = 1; run <= options.runs; ++run) {
        auto step = run_step(kind, rate, run, options, temp->path(), mohdir);
        print_step(step);
        out["steps"].push_back(to_json(step));
        if (!step.clean) {
          all_clean = false;
          first_failure[kind] = std::to_string(rate) + "/s run " + std::to_string(run) + ": " + verdict(step);
          break;
        }
      }
      if (!all_clean) break;
      best[kind] = rate;
    }
  }

  std::printf("\nHighest clean rate (every run clean%s; %d s of arrivals, %d ms in queue):\n",
              options.sipp_only ? " by SIPp's statistics alone, stale rows not counted" : "", options.arrival_seconds,
              options.hold_ms);
  int kamailio_best = best.count(SutKind::kamailio) ? best[SutKind::kamailio] : 0;
  for (SutKind kind : options.suts) {
    std::string ratio;
    if (kind != SutKind::kamailio && kamailio_best > 0) {
      char text[64];
      std::snprintf(text, sizeof text, "  (%.2fx Kamailio)", static_cast<double>(best[kind]) / kamailio_best);
      ratio = text;
    }
    const bool capped = first_failure.count(kind) == 0;
    std::printf("  %-15s %5d calls/s%s%s\n", sut_name(kind).c_str(), best[kind],
                capped ? " (clean at every rate tried)" : "", ratio.c_str());
    if (!capped) std::printf("  %-15s first unclean: %s\n", "", first_failure[kind].c_str());
    out["summary"].push_back({{"sut", sut_name(kind)},
                              {"highest_clean_rate", best[kind]},
                              {"clean_at_every_rate_tried", capped},
                              {"first_unclean", capped ? "" : first_failure[kind]}});
  }

  if (options.run_held) {
    std::printf("\nHeld: %d calls in the queue at once (two fake-rtpproxy nodes, media off)\n", options.held);
    std::printf("%-15s %6s %7s %8s %9s %9s %9s %6s %6s %6s %7s  %s\n", "SUT", "rate", "reached", "setup s", "setup/s",
                "RSS0 MB", "RSSheld", "SUT%", "ok", "stale", "retrans", "note");
    std::vector<SutKind> held_suts;
    for (SutKind kind : options.suts)
      if (kind != SutKind::kamailio || options.held_kamailio) held_suts.push_back(kind);
    for (SutKind kind : held_suts) {
      auto h = run_held(kind, options, temp->path(), mohdir);
      std::printf("%-15s %6d %7lld %8.2f %9.0f %9.1f %9.1f %6.0f %6lld %6lld %7lld  %s%s\n", h.sut.c_str(), h.rate,
                  h.reached, h.setup_s, h.setup_s > 0 ? h.target / h.setup_s : 0.0, h.rss_before_mb, h.rss_held_mb,
                  h.sut_cpu_setup, h.sipp.successful, h.stale_rows, h.sipp.retransmissions,
                  h.clean ? "clean" : "NOT clean: ", h.clean ? h.note.c_str() : (h.note + h.sipp.failures +
                  (h.db_locked_lines ? " " + std::to_string(h.db_locked_lines) + " 'database is locked'" : "")).c_str());
      std::fflush(stdout);
      out["held"].push_back(to_json(h));
    }
  }

  if (!options.json_path.empty()) std::ofstream(options.json_path) << out.dump(2) << "\n";
  return 0;
}
