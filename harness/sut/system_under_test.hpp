// The system under test of `mohq run`: one interface over the three kinds an operator can point it at
//   builtin   build/bin/mohqd --profile kamailio|strict, with its own fake-rtpproxy;
//   kamailio  Debian's /usr/sbin/kamailio running mohqueue (harness/kamailio: generated kamailio.cfg and SQLite DB
//             in Kamailio's schema), with its own fake-rtpproxy;
//   external  HOST:PORT given by the user (its rtpproxy is the user's; retrieve only with a JSON-RPC address).
// Suites (flows, incident, load cases) start one with start_sut(), send SIP calls to sip_host():sip_port() with
// Request-URI sip:<queue_user>@..., drive transfers with retrieve(), and read the queue's depth and call table.
// Every process it started is stopped by its pid in stop() or the destructor.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include "base/expected.hpp"
#include "reports/report_model.hpp"

namespace mohq::harness {

// What the user asked for (`--sut`, or a case's "sut" object in a suite file).
struct SutSpec {
  std::string kind = "builtin";     // builtin | kamailio | external
  std::string profile = "kamailio"; // builtin: mohqd --profile kamailio|strict
  std::string address;              // external: HOST:PORT of the queue's SIP listener
  std::string rpc_address;          // external: HOST:PORT of a mohqd JSON-RPC (retrieve/count), "" when none
  std::string queue_user = "1008";  // the queue's user part: Request-URI sip:<queue_user>@HOST:PORT
  std::string queue_name = "abc";   // the queue's name (mohqueue.retrieve, mohq_retrieve)
};

// "builtin", "builtin:strict", "builtin:kamailio", "kamailio", "HOST:PORT" or "external:HOST:PORT" (external; HOST
// a numeric IPv4 address or [IPv6]) -> SutSpec; the error says what is accepted.
Expected<SutSpec, std::string> parse_sut(const std::string& text);

// "HOST:PORT" / "[V6]:PORT" with a numeric host and a port 1..65535 (also for --sut-rpc).
struct HostPort {
  std::string host;  // without brackets
  std::uint16_t port = 0;
};
Expected<HostPort, std::string> parse_host_port(const std::string& text);
std::string to_string(const HostPort& address);  // "HOST:PORT", "[V6]:PORT"

// One line naming the SUT a spec describes, for case descriptions before it is started:
// "mohqd --profile kamailio", "Kamailio's mohqueue", "the external SUT at 10.0.0.5:5060".
std::string sut_label(const SutSpec& spec);

// How the suite wants it started (ignored for external, except the names).
struct SutStartOptions {
  std::filesystem::path dir;         // existing; receives logs, the DB, kamailio.cfg, fake-rtpproxy's stats
  std::filesystem::path bin_dir;     // build/bin: mohqd, fake-rtpproxy
  std::filesystem::path mohdir;      // prompt files <mohdir>/<mohfile>.<pt>
  std::string mohfile = "test";
  std::size_t maxcalls = 50;         // mohqd --maxcalls, Kamailio moh_maxcalls (1..5000)
  std::vector<std::string> fake_rtpproxy_faults;  // fake-rtpproxy --fault KEY=VALUE
  bool rtpproxy_unreachable = false; // point the SUT at a control port nobody listens on (no fake started)
  // fake-rtpproxy processes: mohqd spreads calls over its nodes, Kamailio gets them as one rtpproxy set. A call
  // holds 4 descriptors in its rtpproxy, so one process reaches a 20,000 RLIMIT_NOFILE near 4,990 calls.
  unsigned rtpproxy_nodes = 1;
  bool fake_rtpproxy_debug_log = true;  // -d DBUG: its "command '...'" lines feed ladders
  int children = 2;                  // Kamailio UDP workers
  std::filesystem::path kamailio_binary = "/usr/sbin/kamailio";  // another one: its modules are not checked
};

class SystemUnderTest {
 public:
  virtual ~SystemUnderTest() = default;

  virtual std::string sip_host() const = 0;       // numeric
  virtual std::uint16_t sip_port() const = 0;
  std::string queue_user() const { return spec_.queue_user; }
  std::string queue_name() const { return spec_.queue_name; }
  // sip:<queue_user>@<sip_host>:<sip_port>
  std::string queue_uri() const;
  const SutSpec& spec() const { return spec_; }

  // Starts the transfer of the oldest queued call to refer_to. true: a call is being transferred; false: none
  // queued (mohqd fault 404, Kamailio's control route 404); an error: the SUT cannot be asked (external
  // without rpc_address, connection refused).
  virtual Expected<bool, std::string> retrieve(const std::string& refer_to) = 0;
  // Calls in the queue now (mohqueue.count, Kamailio's control route), nullopt when it cannot be known.
  virtual std::optional<std::size_t> queue_depth() = 0;
  // Rows in the mohqcalls table now (its SQLite file), nullopt when there is none to read (external).
  virtual std::optional<std::size_t> call_table_rows() = 0;
  // The SUT's own numbers for the report (mohqd core.stats; Kamailio: rows, log warnings), object or null.
  virtual nlohmann::json numbers() = 0;
  // fake-rtpproxy's counters (its --stats-json, written at stop; or null while running / when none).
  virtual nlohmann::json fake_rtpproxy_stats() = 0;
  // Is every process it started still alive? (A crashed SUT fails the case that was running.)
  virtual bool alive() = 0;
  // Logs worth attaching to a report: SUT log, fake-rtpproxy log.
  virtual std::vector<std::filesystem::path> logs() const = 0;
  // fake-rtpproxy's log ("" when none): its "command '...'" lines feed ladders.
  virtual std::filesystem::path rtpproxy_log() const = 0;
  // A BPF filter for a loopback capture of this SUT's traffic: its SIP port, the rtpproxy control port and
  // fake-rtpproxy's media port range ("udp port 5060 or udp port 22222 or udp portrange 40000-40999"); external:
  // its SIP port only.
  virtual std::string capture_filter() const = 0;
  virtual reports::SutDescription description() const = 0;
  // Every process it started (each the leader of its own process group; Kamailio's workers are in its group),
  // empty for external: for tests that check stop() left nothing behind.
  virtual std::vector<pid_t> pids() const = 0;
  // Stops everything it started (SUT first, then fake-rtpproxy, which then writes its stats), by pid, bounded.
  virtual void stop() = 0;

 protected:
  explicit SystemUnderTest(SutSpec spec) : spec_(std::move(spec)) {}
  SutSpec spec_;
};

// Starts the SUT (and its fake-rtpproxy) on free loopback ports and waits until it answers. Errors say what to
// do: Kamailio not installed -> "apt-get install -y kamailio kamailio-sqlite-modules", a missing build/bin binary
// -> build first, an external address that does not answer OPTIONS.
Expected<std::unique_ptr<SystemUnderTest>, std::string> start_sut(const SutSpec& spec, const SutStartOptions& options);

}  // namespace mohq::harness
