// mohqd's configuration: the command line and `--config FILE` share one set of keys (a file line "key = value" is
// the option "--key value"). A bad configuration is an error that names the key; main() exits 2 with it.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/expected.hpp"
#include "sim/queue/profile.hpp"

namespace mohq::sim {

// A queue row created at start-up when mohqueues has none by that name ("--queue NAME,URI,MOHFILE").
struct QueueSeed {
  std::string name;
  std::string uri;
  std::string mohfile;
};

struct MohqdOptions {
  std::vector<std::string> listen{"udp:127.0.0.1:5060"};  // udp:/tcp: HOST:PORT, repeatable
  std::vector<std::string> rtpproxy{"udp:127.0.0.1:22222"};  // udp:HOST:PORT or unix:PATH, repeatable (a set)
  std::string db_path;                                       // from "sqlite:PATH"
  std::string mohdir;
  std::size_t maxcalls = 50;
  std::string rpc = "127.0.0.1:5062";                        // empty: no RPC server
  Profile profile = Profile::Kamailio;
  std::vector<QueueSeed> queues;
  std::vector<std::pair<std::string, std::string>> send_rules;  // "--send URI,QUEUE": mohq_send(QUEUE) for that R-URI
  std::chrono::milliseconds rtpproxy_timeout{1000};          // Kamailio rtpproxy_tout
  int rtpproxy_tries = 5;                                     // Kamailio rtpproxy_retr
  std::chrono::seconds reload_interval{60};
  std::chrono::milliseconds db_flush_interval{100};
  std::string log_level = "info";                             // debug, info, warning, error
  std::string server_header = "mohqd";
};


// argv without the program name. Errors are one line naming the key, e.g. "maxcalls: 0 is outside 1..5000".
Expected<MohqdOptions, std::string> parse_mohqd_options(const std::vector<std::string>& arguments);
std::string mohqd_usage();

}  // namespace mohq::sim
