// Even RTP ports with RTCP on +1 from the -m/-M range (rtpproxy-protocol.md §4.3): random order unless -b,
// both sockets bound or the pair is skipped, freed pairs reused last.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "base/expected.hpp"
#include "fake_rtpproxy/session.hpp"

namespace mohq::fake_rtpproxy {

class PortAllocator {
 public:
  // min and max are the first and last RTP (even) port; excluded ports (the control port and the one below
  // it) are never handed out.
  PortAllocator(std::string address, int min, int max, bool sequential, std::mt19937_64& rng,
                const std::vector<int>& excluded);

  Expected<std::unique_ptr<LegSockets>, std::string> allocate();
  void release(int rtp_port);
  std::size_t free_count() const { return free_.size(); }
  const std::string& address() const { return address_; }

 private:
  std::string address_;
  std::deque<int> free_;
};

}  // namespace mohq::fake_rtpproxy
