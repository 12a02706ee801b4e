// Where the callers' RTP goes in a load case: one UDP socket per SIPp caller process (every call of a process
// offers the same port), drained by one thread that only counts. Without it the prompts would hit closed ports
// and the kernel would answer each packet with an ICMP error; with it, "did the callers get their music" is a
// number (the capture judges the content).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "base/expected.hpp"
#include "net/udp_socket.hpp"

namespace mohq::harness {

class MediaSinks {
 public:
  // count sockets on free ports of host, drained until stop() or destruction.
  static Expected<std::unique_ptr<MediaSinks>, std::string> open(const std::string& host, unsigned count);
  ~MediaSinks();
  MediaSinks(const MediaSinks&) = delete;
  MediaSinks& operator=(const MediaSinks&) = delete;

  std::uint16_t port(unsigned index) const { return sockets_.at(index).local_address().port(); }
  std::uint64_t packets() const { return packets_.load(std::memory_order_relaxed); }
  std::uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  void stop();

 private:
  MediaSinks() = default;
  void drain();
  std::vector<net::UdpSocket> sockets_;
  std::atomic<std::uint64_t> packets_{0};
  std::atomic<std::uint64_t> bytes_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace mohq::harness
