// Media faults the fake rtpproxy can inject, to reproduce real MOH defects on the wire.
// Set at start (--fault key=value) or at run time (control command "F key=value").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"

namespace mohq::fake_rtpproxy {

struct RtpFaults {
  double loss = 0.0;                   // rtp.loss: probability a packet is not sent (seq/ts still advance)
  int burst_length = 0;                // rtp.burst=N/M: drop N consecutive packets out of every M
  int burst_period = 0;
  int jitter_ms = 0;                   // rtp.jitter: each packet leaves up to N ms late (order kept)
  std::optional<int> ptime_ms;         // rtp.ptime: packet duration used instead of the negotiated one
  std::optional<int> payload_type;     // rtp.pt: header payload type instead of the file's
  std::vector<std::uint8_t> prepend;   // rtp.prepend=wav|hex:...: bytes put in front of the prompt (loops too)
  bool law_swap = false;               // rtp.law_swap: PCMA file sent as PCMU bytes and vice versa
  bool linear16 = false;               // rtp.linear16: 16-bit linear PCM sent in place of G.711 (the crackle)

  bool operator==(const RtpFaults&) const = default;
};

// Applies one "key=value" setting; on error faults is left unchanged and the message names the valid keys or
// the valid range. Keys: rtp.loss (0..1), rtp.burst (N/M with 0<N<M, or none), rtp.jitter (ms, 0..1000),
// rtp.ptime (1..999 or none), rtp.pt (0..127 or none), rtp.prepend (wav | hex:<bytes> | none),
// rtp.law_swap and rtp.linear16 (0|1|true|false), reset (any value: back to no faults).
// rtp.prepend=wav puts a 44-byte RIFF/WAVE header for 8 kHz mono A-law (format tag 6) in front of the prompt.
Expected<Done, std::string> apply_fault_setting(RtpFaults& faults, std::string_view key, std::string_view value);

// Active faults as settings apply_fault_setting accepts, e.g. "rtp.loss=0.05 rtp.pt=0"; empty when none.
std::string describe(const RtpFaults& faults);

}  // namespace mohq::fake_rtpproxy
