// A mohqd process (build/bin/mohqd) owned by this object and stopped by its pid: the built-in system under test,
// started like KamailioInstance so suites, tests and benchmarks treat both the same way.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "base/expected.hpp"
#include "process/child_process.hpp"

namespace mohq::harness {

struct MohqdLaunch {
  std::filesystem::path binary;                 // build/bin/mohqd
  std::string host = "127.0.0.1";
  std::uint16_t sip_port = 0;                   // required
  bool tcp = false;                             // also listen on tcp:host:sip_port
  std::uint16_t rpc_port = 0;                   // required
  std::vector<std::string> rtpproxy;            // "udp:127.0.0.1:22222", "unix:/path"
  std::string profile = "kamailio";
  std::size_t maxcalls = 50;
  std::filesystem::path mohdir;
  std::string queue_name = "abc";
  std::string queue_user = "1008";              // queue URI sip:<user>@host:sip_port
  std::string mohfile = "test";
  std::vector<std::string> extra_arguments;     // e.g. {"--log-level", "debug"}
  std::chrono::milliseconds ready_timeout{10000};
};

class MohqdInstance {
 public:
  // Writes nothing but dir/mohqd.sqlite and dir/mohqd.log; ready once core.stats answers and every rtpproxy
  // node has been probed. Errors carry the tail of the log.
  static Expected<MohqdInstance, std::string> start(const MohqdLaunch& launch, const std::filesystem::path& dir);
  MohqdInstance(MohqdInstance&&) = default;
  MohqdInstance& operator=(MohqdInstance&&) = default;
  ~MohqdInstance() = default;

  pid_t pid() const { return process_.pid(); }
  bool running() { return process_.running(); }
  std::string rpc_address() const { return rpc_address_; }
  std::string queue_uri() const { return queue_uri_; }
  const std::filesystem::path& db_path() const { return db_path_; }
  const std::filesystem::path& log_path() const { return log_path_; }
  // SIGTERM (mohqd flushes its call table), SIGKILL after grace.
  process::ExitStatus stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

 private:
  MohqdInstance(process::ChildProcess process, std::string rpc_address, std::string queue_uri,
                std::filesystem::path db_path, std::filesystem::path log_path)
      : process_(std::move(process)), rpc_address_(std::move(rpc_address)), queue_uri_(std::move(queue_uri)),
        db_path_(std::move(db_path)), log_path_(std::move(log_path)) {}

  process::ChildProcess process_;
  std::string rpc_address_;
  std::string queue_uri_;
  std::filesystem::path db_path_;
  std::filesystem::path log_path_;
};

}  // namespace mohq::harness
