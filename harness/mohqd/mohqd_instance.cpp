#include "mohqd/mohqd_instance.hpp"

#include <thread>

#include "kamailio/kamailio_instance.hpp"
#include "sim/rpc/json_rpc_server.hpp"

namespace mohq::harness {

Expected<MohqdInstance, std::string> MohqdInstance::start(const MohqdLaunch& launch,
                                                          const std::filesystem::path& dir) {
  if (launch.sip_port == 0 || launch.rpc_port == 0) return Unexpected(std::string("mohqd: SIP and RPC ports needed"));
  const std::string endpoint = launch.host + ":" + std::to_string(launch.sip_port);
  const std::string queue_uri = "sip:" + launch.queue_user + "@" + endpoint;
  const std::string rpc_address = launch.host + ":" + std::to_string(launch.rpc_port);
  const auto db_path = dir / "mohqd.sqlite";
  const auto log_path = dir / "mohqd.log";
  std::error_code ignored;
  std::filesystem::remove(db_path, ignored);

  process::SpawnOptions spawn;
  spawn.argv = {launch.binary.string(), "--listen", "udp:" + endpoint};
  if (launch.tcp) spawn.argv.insert(spawn.argv.end(), {"--listen", "tcp:" + endpoint});
  for (const auto& node : launch.rtpproxy) spawn.argv.insert(spawn.argv.end(), {"--rtpproxy", node});
  spawn.argv.insert(spawn.argv.end(),
                    {"--db", "sqlite:" + db_path.string(), "--mohdir", launch.mohdir.string(), "--maxcalls",
                     std::to_string(launch.maxcalls), "--rpc", rpc_address, "--profile", launch.profile, "--queue",
                     launch.queue_name + "," + queue_uri + "," + launch.mohfile});
  spawn.argv.insert(spawn.argv.end(), launch.extra_arguments.begin(), launch.extra_arguments.end());
  spawn.stdout_path = log_path;
  spawn.stderr_path = log_path;
  auto child = process::ChildProcess::spawn(spawn);
  if (!child) return Unexpected(child.error());

  // Ready: the RPC answers and no rtpproxy node is still being probed.
  const auto deadline = std::chrono::steady_clock::now() + launch.ready_timeout;
  std::string last_error = "no answer";
  while (std::chrono::steady_clock::now() < deadline) {
    if (!child->running())
      return Unexpected("mohqd exited during start-up: " + kamailio::tail_of_file(log_path));
    auto stats = sim::call_json_rpc(rpc_address, "core.stats", nlohmann::json::array(), std::chrono::milliseconds(500));
    if (stats) {
      bool probed = true;
      for (const auto& node : (*stats)["rtpproxy"]) probed = probed && node["state"] != "unprobed";
      if (probed) return MohqdInstance(std::move(*child), rpc_address, queue_uri, db_path, log_path);
      last_error = "rtpproxy still being probed";
    } else {
      last_error = stats.error();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Unexpected("mohqd not ready within " + std::to_string(launch.ready_timeout.count()) + " ms (" + last_error +
                    "): " + kamailio::tail_of_file(log_path));
}

process::ExitStatus MohqdInstance::stop(std::chrono::milliseconds grace) { return process_.terminate(grace); }

}  // namespace mohq::harness
