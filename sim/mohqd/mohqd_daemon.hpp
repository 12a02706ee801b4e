// mohqd as a process: the queue engine wired to the SIP transport (UDP/TCP), the rtpproxy client, the SQLite call
// table (written behind the SIP path), the JSON-RPC control interface and the queue reload, on one event loop.
#pragma once

#include <memory>
#include <string>

#include "base/expected.hpp"
#include "net/event_loop.hpp"
#include "sim/mohqd/mohqd_options.hpp"

namespace mohq::sim {

class MohqdDaemon {
 public:
  // Opens the DB (schema checked, call table cleared), loads the queues, binds the sockets and probes rtpproxy.
  static Expected<std::unique_ptr<MohqdDaemon>, std::string> create(net::EventLoop& loop, MohqdOptions options);
  ~MohqdDaemon();
  MohqdDaemon(const MohqdDaemon&) = delete;
  MohqdDaemon& operator=(const MohqdDaemon&) = delete;

  // Writes what is pending to the DB (call before exit).
  void shutdown();

 private:
  struct Impl;
  explicit MohqdDaemon(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mohq::sim
