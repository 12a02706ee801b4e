// Reads a capture file (classic pcap or pcapng, through libpcap) and hands every UDP payload and every SIP
// message carried over TCP to a callback as a CapturedDatagram. Link layers (Ethernet with stacked VLAN tags,
// Linux cooked v1/v2, BSD loopback, raw IP), IPv4/IPv6 (options, extension headers), IP fragment reassembly
// and TCP stream reassembly are handled here; see README.md for the limits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/model/captured_datagram.hpp"
#include "base/expected.hpp"

namespace mohq::analyzers {

struct CaptureSummary {
  std::string format;          // "pcap" or "pcapng"
  std::string link_type;       // libpcap's name of the link type, e.g. "EN10MB", "LINUX_SLL2"
  int link_type_value = 0;     // libpcap's DLT_ value
  std::uint64_t frames = 0;    // records read
  std::uint64_t bytes = 0;     // captured bytes of those records
  std::uint64_t datagrams = 0; // callbacks made (UDP payloads + SIP messages over TCP)
  std::uint64_t tcp_messages = 0;  // of which SIP messages cut from TCP streams
  // Frames that delivered nothing and never will, by reason.
  std::uint64_t skipped_unsupported = 0;  // not IPv4/IPv6, not UDP/TCP, unknown loopback family
  std::uint64_t skipped_truncated = 0;    // cut by the capture's snap length before the end of what we need
  std::uint64_t skipped_malformed = 0;    // inconsistent lengths, bad headers, bad fragments
  std::uint64_t fragments_expired = 0;    // IP datagrams whose fragments never completed (timeout, bound, end)
  std::uint64_t tcp_retransmissions = 0;  // TCP segments with nothing new (dropped)
  std::uint64_t tcp_streams_abandoned = 0;  // TCP directions given up: not SIP, or a gap that never filled
  bool truncated = false;  // the file ends in the middle of a record; what came before was delivered
  std::vector<std::string> warnings;
};

// Limits of the reassembly state (capture time, not wall-clock time). The defaults suit SIP and RTP.
struct CaptureReadOptions {
  std::size_t max_fragment_reassemblies = 256;  // IP datagrams in reassembly at once (oldest dropped)
  double fragment_timeout = 30;                 // seconds of capture time
  std::size_t max_tcp_streams = 4096;           // TCP directions tracked at once (least recently seen dropped)
  double tcp_idle_timeout = 600;                // seconds of capture time
  std::size_t max_tcp_out_of_order_bytes = 256 * 1024;  // held per direction waiting for a gap to fill
  std::size_t max_tcp_out_of_order_segments = 64;
};

using DatagramCallback = std::function<void(const CapturedDatagram&)>;

// A capture file mapped read-only into memory for as long as this object lives (move-only).
class MappedCapture {
 public:
  // Errors: missing or unreadable file, a directory, not a regular file (a pipe cannot be mapped).
  static Expected<MappedCapture, std::string> open(const std::filesystem::path& file);
  MappedCapture(MappedCapture&& other) noexcept;
  MappedCapture& operator=(MappedCapture&& other) noexcept;
  MappedCapture(const MappedCapture&) = delete;
  MappedCapture& operator=(const MappedCapture&) = delete;
  ~MappedCapture();

  std::string_view bytes() const { return {data_, size_}; }
  const std::string& name() const { return name_; }
  // True when `part` lies inside the mapping (e.g. a datagram's payload read from it).
  bool contains(std::string_view part) const {
    return data_ != nullptr && part.data() >= data_ && part.data() + part.size() <= data_ + size_;
  }

 private:
  MappedCapture() = default;
  std::string name_;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

// Errors only when nothing can be read: missing file, not a capture, unsupported link type (named). A regular file
// is read through a MappedCapture.
Expected<CaptureSummary, std::string> read_capture(const std::filesystem::path& file,
                                                   const DatagramCallback& on_datagram,
                                                   const CaptureReadOptions& options = {});
// The same on a mapped file. For classic pcap (the standard 2.4 format) the records are read in place, so the
// payload of a UDP datagram that was not reassembled from fragments points into file.bytes() and stays valid as
// long as `file` lives (MappedCapture::contains tells); every other payload is valid only during the callback.
Expected<CaptureSummary, std::string> read_capture(const MappedCapture& file, const DatagramCallback& on_datagram,
                                                   const CaptureReadOptions& options = {});
// The same on bytes in memory (classic pcap in place as above, pcapng through fmemopen): for the fuzzer and tests.
Expected<CaptureSummary, std::string> read_capture_bytes(std::string_view bytes, const DatagramCallback& on_datagram,
                                                         const CaptureReadOptions& options = {});

}  // namespace mohq::analyzers
