// Writes capture files by hand, for tests, the self-test corpus and the harness: classic pcap (microsecond or
// nanosecond magic) and pcapng (SHB, one IDB with if_tsresol, EPBs), over Ethernet (optionally VLAN-tagged,
// stacked), Linux cooked v1/v2, BSD loopback (DLT_NULL little-endian, DLT_LOOP big-endian) or raw IP. Builds
// IPv4/IPv6 + UDP (fragmented on request or above the MTU) and IPv4/IPv6 + TCP segments with correct lengths
// and checksums. Throws std::runtime_error when the file cannot be written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/model/captured_datagram.hpp"

namespace mohq::analyzers {

enum class CaptureFormat { Pcap, PcapNg };

// Values are the LINKTYPE_ numbers written in the file; any other LINKTYPE_ value may be cast in (its frames
// are written with write_frame only).
enum class CaptureLinkType : std::uint16_t {
  Null = 0,        // BSD loopback, 4-byte family in little-endian (host order of an x86 capture)
  Ethernet = 1,
  Raw = 101,       // raw IP, version from the first nibble (DLT_RAW)
  Loop = 108,      // OpenBSD loopback, family in network byte order
  LinuxSll = 113,  // Linux cooked v1 (tcpdump -i any)
  Ipv4 = 228,
  Ipv6 = 229,
  LinuxSll2 = 276,  // Linux cooked v2
};

struct CaptureWriterOptions {
  CaptureFormat format = CaptureFormat::Pcap;
  CaptureLinkType link = CaptureLinkType::Ethernet;
  bool nanoseconds = false;                 // pcap: ns magic; pcapng: if_tsresol 9
  std::vector<std::uint16_t> vlan_ids;      // Ethernet only: tags outermost first (802.1ad outer when stacked)
  std::size_t mtu = 0;                      // IP packets above this are fragmented (0: never)
  std::uint32_t snaplen = 262144;           // records are cut to this many bytes (incl_len < orig_len)
  bool truncate_last_record = false;        // on close, cut the file in the middle of the last record
};

// TCP flag bits for write_tcp_segment.
inline constexpr std::uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpPsh = 0x08, kTcpAck = 0x10;

class CaptureWriter {
 public:
  CaptureWriter(const std::filesystem::path& file, CaptureWriterOptions options = {});
  ~CaptureWriter();
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;

  // One UDP datagram as one IP packet, or several fragments when fragment_size (bytes of IP payload per
  // fragment, rounded down to a multiple of 8) is given or the packet exceeds options.mtu.
  void write_udp(double time, const Endpoint& source, const Endpoint& destination, std::string_view payload,
                 std::size_t fragment_size = 0);
  void write_tcp_segment(double time, const Endpoint& source, const Endpoint& destination, std::uint32_t sequence,
                         std::uint8_t flags, std::string_view payload, std::uint32_t acknowledgment = 0);

  // Building blocks for tests that reorder, duplicate or overlap fragments: the IP packets of one UDP
  // datagram (one, or fragments in order), then each written with write_ip.
  std::vector<std::string> udp_packets(const Endpoint& source, const Endpoint& destination,
                                       std::string_view payload, std::size_t fragment_size = 0);
  void write_ip(double time, std::string_view ip_packet);         // wrapped in the link header
  void write_frame(double time, std::string_view link_frame);     // as given (no link header added)

  std::size_t records() const { return records_; }
  void close();  // also done by the destructor; applies truncate_last_record

 private:
  void put(const void* data, std::size_t size);
  void record(double time, std::string_view frame);
  std::string link_header(int ip_version, std::size_t ip_length) const;

  std::filesystem::path path_;
  CaptureWriterOptions options_;
  std::FILE* file_ = nullptr;
  std::size_t records_ = 0;
  long last_record_start_ = 0;
  long last_record_size_ = 0;
  std::uint32_t next_ip_id_ = 0x1234;
};

}  // namespace mohq::analyzers
