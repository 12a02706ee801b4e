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
std::string capture_filter(std::uint16_t sip_port, const std::optional<RtpproxyPorts>& rtpproxy);

// fake-rtpproxy on 127.0.0.1: udp control on a free port, a media block sized for maxcalls, --stats-json in dir,
// the faults and -d DBUG of SutStartOptions; start() returns once it answers V.
class FakeRtpproxy {
 public:
  static Expected<FakeRtpproxy, std::string> start(const SutStartOptions& options);
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

// A udp control address on 127.0.0.1 nobody listens on (SutStartOptions::rtpproxy_unreachable).
Expected<std::string, std::string> unreachable_rtpproxy();

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
