// A Kamailio 5.6 configuration that runs the mohqueue module in front of an rtpproxy, generated from a few
// values: kamailio.cfg text plus the SQLite database mohqueue reads its queues from
// (kamailio-on-debian.md, "A minimal working Kamailio configuration").
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/expected.hpp"
#include "kamailio/rtpproxy_socket.hpp"

namespace mohq::kamailio {

// One row of mohqueues. mohqueue-behaviour.md §2.2: the module matches the Request-URI against uri byte for
// byte (scheme, user, host and port), so build it with queue_uri() from the same listen address.
struct MohQueue {
  std::string name;                // VARCHAR(25), unique
  std::string uri;                 // VARCHAR(100), unique
  std::filesystem::path mohdir;    // empty: NULL in the row, the module's mohdir applies
  std::string mohfile = "test";    // files are <mohdir>/<mohfile>.<payload type>, raw codec payload
  bool debug = false;
};

std::string queue_uri(const std::string& user, const std::string& host, std::uint16_t port);

struct KamailioConfig {
  std::string listen_host = "127.0.0.1";
  std::uint16_t sip_port = 5060;
  RtpproxySocket rtpproxy = RtpproxySocket::udp("127.0.0.1", 22222);
  // More nodes of the same rtpproxy set (rtpproxy_sock takes a space-separated list; calls are spread over them).
  std::vector<RtpproxySocket> more_rtpproxies;
  std::filesystem::path mohdir;  // mandatory, must exist; at most 100 characters (mohqueue-behaviour.md §1.1)
  int moh_maxcalls = 50;         // 1..5000
  int children = 2;              // UDP workers; each probes rtpproxy (V, VF) when it starts
  int debug = 2;                 // Kamailio log level: 2 = INFO, 3 = DBG
  bool log_requests = true;      // one xlog line per request reaching the script
  // Unset: Kamailio's default (60 s) for how long an rtpproxy that did not answer stays disabled.
  std::optional<int> rtpproxy_disable_timeout_s;
  // Empty: Kamailio's built-in module directory.
  std::filesystem::path module_path;
  // MESSAGE sip:<control_user>@<listen> drives the queue from a test (see the generated route[MOHQ_CONTROL]):
  //   X-Mohq-Action: retrieve, X-Mohq-Queue: <name>, X-Mohq-Refer-To: <uri>  -> mohq_retrieve(); 200 or 404
  //   X-Mohq-Action: count,    X-Mohq-Queue: <name>                         -> mohq_count(); 200 with X-Mohq-Count
  std::string control_user = "mohq-control";
  std::vector<MohQueue> queues;
};

// The kamailio.cfg text; db_path is where the SQLite file will be (an absolute path).
Expected<std::string, std::string> render_kamailio_cfg(const KamailioConfig& config,
                                                       const std::filesystem::path& db_path);

// Creates the SQLite file with the version, mohqueues and mohqcalls tables and one row per queue.
// Fails if the file exists (a stale call table would be confusing) or a value breaks a column limit.
Expected<Done, std::string> create_mohqueue_db(const std::filesystem::path& db_path,
                                               const std::vector<MohQueue>& queues);

struct GeneratedConfig {
  std::filesystem::path cfg;  // <dir>/kamailio.cfg
  std::filesystem::path db;   // <dir>/mohqueue.sqlite
};

// Writes both into dir (which must exist).
Expected<GeneratedConfig, std::string> write_kamailio_config(const KamailioConfig& config,
                                                             const std::filesystem::path& dir);

}  // namespace mohq::kamailio
