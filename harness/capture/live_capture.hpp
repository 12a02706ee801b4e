// A libpcap capture of an interface (the loopback, in the harness) into a pcap file, on its own thread, for as
// long as this object lives: what `mohq run` records and `mohq analyze` later judges.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "base/expected.hpp"

namespace mohq::harness {

struct LiveCaptureOptions {
  std::string interface = "lo";
  std::string filter;                   // BPF, e.g. "udp port 5060 or udp portrange 40000-40999"; empty: all
  int snaplen = 65535;
  int buffer_bytes = 64 * 1024 * 1024;  // the kernel ring: a load test sends 250k packets/s
};

struct LiveCaptureStats {
  std::uint64_t packets = 0;       // written to the file
  std::uint64_t kernel_drops = 0;  // pcap_stats ps_drop: the capture could not keep up
  std::uint64_t interface_drops = 0;
};

class LiveCapture {
 public:
  // Starts capturing now: packets sent after this returns are in the file. Errors name the interface and
  // libpcap's reason (e.g. no permission: run as root or give dumpcap's capabilities).
  static Expected<std::unique_ptr<LiveCapture>, std::string> start(const std::filesystem::path& file,
                                                                    const LiveCaptureOptions& options = {});
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  // Drains what the kernel still holds, closes the file and returns the counts. Idempotent.
  LiveCaptureStats stop();

 private:
  struct Handles;
  LiveCapture() = default;
  void run();
  std::unique_ptr<Handles> handles_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  LiveCaptureStats stats_;
  bool stopped_ = false;
};

}  // namespace mohq::harness
