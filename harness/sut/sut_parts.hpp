// Internal to harness/sut: the pieces the three kinds share (fake-rtpproxy as a child, mohqd's JSON-RPC, the call
// table's row count) and the start functions start_sut() dispatches to. Not part of the public surface.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/expected.hpp"
#include "process/child_process.hpp"
#include "sut/system_under_test.hpp"

namespace mohq::harness::sut_detail {

// The ports of a fake-rtpproxy we started.
struct RtpproxyPorts {
  std::uint16_t control = 0;    // udp:127.0.0.1:<control>
  std::uint16_t media_min = 0;  // -m
  std::uint16_t media_max = 0;  // -M
};

// "udp port S or udp port C or udp portrange M-N": a SUT's SIP port plus its fake-rtpproxy's, when there is one.
std::string capture_filter(std::uint16_t sip_port, const std::vector<RtpproxyPorts>& rtpproxies);

// fake-rtpproxy on 127.0.0.1: udp control on a free port, a media block sized for maxcalls, --stats-json in dir,
// the faults and -d DBUG of SutStartOptions; start() returns once it answers V.
class FakeRtpproxy {
 public:
  // node: 0 for the first (fake-rtpproxy.log, .stats.json), n for the others (fake-rtpproxy-<n+1>.log ...);
  // each node's media block is sized for its share of maxcalls, node n's the n-th after media_first.
  static Expected<FakeRtpproxy, std::string> start(const SutStartOptions& options, unsigned node,
                                                   std::uint16_t media_first);
  FakeRtpproxy(FakeRtpproxy&&) = default;
  FakeRtpproxy& operator=(FakeRtpproxy&&) = default;
  ~FakeRtpproxy() = default;  // the ChildProcess stops it

  RtpproxyPorts ports() const { return ports_; }
  std::string control() const { return "udp:127.0.0.1:" + std::to_string(ports_.control); }
  pid_t pid() const { return process_.pid(); }
  bool running() { return process_.running(); }
  const std::filesystem::path& log_path() const { return log_path_; }
  // Its --stats-json, written when it exits: null while it runs.
  nlohmann::json stats() const;
  // SIGTERM (it writes its stats and exits 0), SIGKILL after 3 s.
  void stop();

 private:
  FakeRtpproxy(process::ChildProcess process, RtpproxyPorts ports, std::filesystem::path log_path,
               std::filesystem::path stats_path)
      : process_(std::move(process)), ports_(ports), log_path_(std::move(log_path)), stats_path_(std::move(stats_path)) {}
  process::ChildProcess process_;
  RtpproxyPorts ports_;
  std::filesystem::path log_path_;
  std::filesystem::path stats_path_;
};

// The rtpproxies a SUT of ours is pointed at: SutStartOptions::rtpproxy_nodes started fake-rtpproxies, or with
// rtpproxy_unreachable one udp control address on 127.0.0.1 nobody listens on (no fake).
struct RtpproxyChoice {
  std::vector<FakeRtpproxy> fakes;
  std::vector<std::string> controls;  // "udp:127.0.0.1:PORT", one per node
};
Expected<RtpproxyChoice, std::string> choose_rtpproxy(const SutStartOptions& options);

// What builtin and kamailio share: one SUT process of ours (mohqd, Kamailio) in front of an optional
// fake-rtpproxy, stopped in that order. A subclass's destructor calls stop() (its stop_sut() is gone by the time
// this destructor runs).
class LocalSut : public SystemUnderTest {
 public:
  // One node: its stats; several: their counters summed, each node's stats under "nodes".
  nlohmann::json fake_rtpproxy_stats() override;
  bool alive() override {
    bool all = !stopped_ && sut_running();
    for (auto& fake : fakes_) all = all && fake.running();
    return all;
  }
  std::filesystem::path rtpproxy_log() const override {
    return fakes_.empty() ? std::filesystem::path() : fakes_.front().log_path();
  }
  std::string capture_filter() const override {
    std::vector<RtpproxyPorts> ports;
    for (const auto& fake : fakes_) ports.push_back(fake.ports());
    return sut_detail::capture_filter(sip_port(), ports);
  }
  std::vector<pid_t> pids() const override { return pids_; }
  void stop() override {
    if (stopped_) return;
    stopped_ = true;
    stop_sut();  // first: its last rtpproxy commands (D) still reach fake-rtpproxy, which writes its stats after
    for (auto& fake : fakes_) fake.stop();
  }

 protected:
  LocalSut(SutSpec spec, std::vector<FakeRtpproxy> fakes, pid_t sut_pid)
      : SystemUnderTest(std::move(spec)), fakes_(std::move(fakes)) {
    pids_.push_back(sut_pid);
    for (const auto& fake : fakes_) pids_.push_back(fake.pid());
  }
  virtual bool sut_running() = 0;
  virtual void stop_sut() = 0;
  // The SUT's own logs, then fake-rtpproxy's.
  std::vector<std::filesystem::path> with_fake_log(std::vector<std::filesystem::path> logs) const {
    for (const auto& fake : fakes_) logs.push_back(fake.log_path());
    return logs;
  }
  // The report's details about the fake (nothing without one).
  void describe_fake(nlohmann::json& details) const {
    if (fakes_.empty()) return;
    details["fake_rtpproxy_control"] = fakes_.front().control();
    details["fake_rtpproxy_log"] = fakes_.front().log_path().string();
    if (fakes_.size() > 1) {
      details["fake_rtpproxy_nodes"] = nlohmann::json::array();
      for (const auto& fake : fakes_) details["fake_rtpproxy_nodes"].push_back(fake.control());
    }
  }
  bool has_fake() const { return !fakes_.empty(); }

 private:
  std::vector<FakeRtpproxy> fakes_;
  std::vector<pid_t> pids_;
  bool stopped_ = false;
};

// mohqd's JSON-RPC (sim/rpc): mohqueue.retrieve, mohqueue.count, core.stats; bounded by 1 s each.
class MohqdRpc {
 public:
  MohqdRpc(std::string address, std::string queue) : address_(std::move(address)), queue_(std::move(queue)) {}
  // fault 404 ("No calls in queue") -> false.
  Expected<bool, std::string> retrieve(const std::string& refer_to) const;
  std::optional<std::size_t> count() const;
  nlohmann::json stats() const;  // core.stats, null when it does not answer
  const std::string& address() const { return address_; }

 private:
  std::string address_;
  std::string queue_;
};

// SELECT count(*) FROM mohqcalls on a SQLite file opened read-only, waiting a little for the writer's lock
// (Kamailio's rollback journal; mohqd's WAL never blocks a reader). nullopt when it cannot be read.
std::optional<std::size_t> call_table_rows(const std::filesystem::path& db);

Expected<std::unique_ptr<SystemUnderTest>, std::string> start_builtin(const SutSpec& spec,
                                                                      const SutStartOptions& options);
Expected<std::unique_ptr<SystemUnderTest>, std::string> start_kamailio(const SutSpec& spec,
                                                                       const SutStartOptions& options);
Expected<std::unique_ptr<SystemUnderTest>, std::string> start_external(const SutSpec& spec);

}  // namespace mohq::harness::sut_detail
