#include "analyzers/capture/capture_reader.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "sip/message.hpp"

namespace mohq::analyzers {
namespace {

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | std::uint32_t{p[3]};
}
std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t{p[3]} << 24 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[1]} << 8 | std::uint32_t{p[0]};
}

struct Address {
  std::uint8_t version = 0;  // 4 or 6; IPv4 uses the first 4 bytes
  std::array<std::uint8_t, 16> bytes{};
  // Compared for every datagram (the address cache in deliver): two 8-byte loads instead of a memcmp call.
  bool operator==(const Address& other) const {
    std::uint64_t a[2], b[2];
    std::memcpy(a, bytes.data(), 16);
    std::memcpy(b, other.bytes.data(), 16);
    return version == other.version && a[0] == b[0] && a[1] == b[1];
  }
};

Address make_address(std::uint8_t version, const std::uint8_t* p) {
  Address a;
  a.version = version;
  std::memcpy(a.bytes.data(), p, version == 4 ? 4 : 16);
  return a;
}

std::size_t hash_bytes(const void* data, std::size_t n, std::size_t h = 1469598103934665603ULL) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

struct FragmentKey {
  Address source, destination;
  std::uint32_t id = 0;
  std::uint8_t protocol = 0;  // IPv4's protocol field; 0 for IPv6 (the id alone identifies it)
  bool operator==(const FragmentKey&) const = default;
};
struct FragmentKeyHash {
  std::size_t operator()(const FragmentKey& k) const {
    std::size_t h = hash_bytes(k.source.bytes.data(), 16);
    h = hash_bytes(k.destination.bytes.data(), 16, h);
    return hash_bytes(&k.id, sizeof k.id, h ^ k.protocol ^ (std::size_t{k.source.version} << 8));
  }
};

struct Reassembly {
  std::string data;
  std::vector<std::pair<std::size_t, std::size_t>> have;  // sorted, disjoint [begin, end)
  std::size_t total = std::numeric_limits<std::size_t>::max();  // known once the last fragment arrived
  std::uint8_t first_next_header = 0;                            // IPv6: from the offset-0 fragment
  bool have_first = false;
  double first_seen = 0;
  std::uint64_t sequence = 0;
};

struct FlowKey {
  Address source, destination;
  std::uint16_t source_port = 0, destination_port = 0;
  bool operator==(const FlowKey&) const = default;
  FlowKey reversed() const { return {destination, source, destination_port, source_port}; }
};
struct FlowKeyHash {
  std::size_t operator()(const FlowKey& k) const {
    std::size_t h = hash_bytes(k.source.bytes.data(), 16);
    h = hash_bytes(k.destination.bytes.data(), 16, h);
    const std::uint32_t ports = std::uint32_t{k.source_port} << 16 | k.destination_port;
    return hash_bytes(&ports, sizeof ports, h ^ k.source.version);
  }
};

struct TcpDirection {
  std::uint32_t origin = 0;  // sequence number of stream offset 0
  std::uint32_t next = 0;    // next expected offset
  std::string buffer;        // in-order bytes not yet cut into messages
  std::map<std::uint32_t, std::string> pending;  // out-of-order segments by offset
  std::size_t pending_bytes = 0;
  bool abandoned = false;
  bool fin = false;
  std::uint32_t fin_at = 0;
  double last_seen = 0;
};

enum class Verdict { Ok, Unsupported, Truncated, Malformed };

constexpr std::uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04;
constexpr std::size_t kMaxIpDatagram = 65535;

class Reader {
 public:
  Reader(const DatagramCallback& callback, const CaptureReadOptions& options, CaptureSummary& summary, int dlt)
      : callback_(callback), options_(options), summary_(summary), dlt_(dlt) {}

  void frame(const pcap_pkthdr& header, const std::uint8_t* data) {
    ++summary_.frames;
    summary_.bytes += header.caplen;
    frame_number_ = summary_.frames;
    // Requested with PCAP_TSTAMP_PRECISION_NANO: tv_usec holds nanoseconds.
    time_ = static_cast<double>(header.ts.tv_sec) + static_cast<double>(header.ts.tv_usec) * 1e-9;
    now_ = std::max(now_, time_);
    snap_cut_ = header.caplen < header.len;
    if (now_ >= next_sweep_) sweep();  // before this frame, so stale fragments do not absorb it
    switch (link(data, header.caplen)) {
      case Verdict::Ok: break;
      case Verdict::Unsupported: ++summary_.skipped_unsupported; break;
      case Verdict::Truncated: ++summary_.skipped_truncated; break;
      case Verdict::Malformed: ++summary_.skipped_malformed; break;
    }
  }

  void finish() {
    summary_.fragments_expired += fragments_.size();
    fragments_.clear();
    std::size_t incomplete = 0;
    for (const auto& [key, stream] : streams_) {
      if (!stream.abandoned && (!stream.buffer.empty() || !stream.pending.empty())) ++incomplete;
    }
    if (incomplete > 0) {
      summary_.warnings.push_back(std::to_string(incomplete) +
                                  " TCP stream direction(s) ended with an incomplete SIP message or a gap");
    }
    streams_.clear();
  }

 private:
  Verdict short_data() const { return snap_cut_ ? Verdict::Truncated : Verdict::Malformed; }

  Verdict link(const std::uint8_t* p, std::size_t n) {
    switch (dlt_) {
      case DLT_EN10MB:
        if (n < 14) return short_data();
        return ethertype(be16(p + 12), p + 14, n - 14);
      case DLT_LINUX_SLL:
        if (n < 16) return short_data();
        return ethertype(be16(p + 14), p + 16, n - 16);
      case DLT_LINUX_SLL2:
        if (n < 20) return short_data();
        return ethertype(be16(p), p + 20, n - 20);
      case DLT_NULL:
      case DLT_LOOP: {
        if (n < 4) return short_data();
        // DLT_NULL: host byte order of the capturing machine (either); DLT_LOOP: network byte order.
        std::uint32_t family = be32(p);
        if (dlt_ == DLT_NULL && le32(p) <= 0xFFFF) family = le32(p);
        if (family == 2) return ipv4(p + 4, n - 4);
        if (family == 10 || family == 24 || family == 28 || family == 30) return ipv6(p + 4, n - 4);
        return Verdict::Unsupported;
      }
      case DLT_RAW:
      case DLT_IPV4:
      case DLT_IPV6:
        if (n < 1) return short_data();
        if ((p[0] >> 4) == 4) return ipv4(p, n);
        if ((p[0] >> 4) == 6) return ipv6(p, n);
        return Verdict::Malformed;
      default:
        return Verdict::Unsupported;
    }
  }

  Verdict ethertype(std::uint16_t type, const std::uint8_t* p, std::size_t n) {
    for (int tags = 0; type == 0x8100 || type == 0x88A8 || type == 0x9100; ++tags) {
      if (tags == 8) return Verdict::Malformed;
      if (n < 4) return short_data();
      type = be16(p + 2);
      p += 4;
      n -= 4;
    }
    if (type == 0x0800) return ipv4(p, n);
    if (type == 0x86DD) return ipv6(p, n);
    return Verdict::Unsupported;
  }

  Verdict ipv4(const std::uint8_t* p, std::size_t n) {
    if (n < 20) return short_data();
    if ((p[0] >> 4) != 4) return Verdict::Malformed;
    const std::size_t header_length = std::size_t{p[0] & 0x0Fu} * 4;
    const std::size_t total = be16(p + 2);
    if (header_length < 20 || total < header_length) return Verdict::Malformed;
    if (total > n) return short_data();  // bytes past `total` (Ethernet padding) are ignored
    const Address source = make_address(4, p + 12), destination = make_address(4, p + 16);
    const std::uint8_t protocol = p[9];
    const std::uint16_t flags_offset = be16(p + 6);
    const bool more = (flags_offset & 0x2000) != 0;
    const std::size_t offset = std::size_t{flags_offset & 0x1FFFu} * 8;
    const std::uint8_t* payload = p + header_length;
    const std::size_t length = total - header_length;
    if (more || offset != 0) {
      return fragment(FragmentKey{source, destination, be16(p + 4), protocol}, offset, more, payload, length, protocol);
    }
    return transport(protocol, source, destination, payload, length);
  }

  Verdict ipv6(const std::uint8_t* p, std::size_t n) {
    if (n < 40) return short_data();
    if ((p[0] >> 4) != 6) return Verdict::Malformed;
    const std::size_t length = be16(p + 4);
    if (length == 0) return Verdict::Unsupported;  // jumbogram (or nothing at all)
    if (40 + length > n) return short_data();
    const Address source = make_address(6, p + 8), destination = make_address(6, p + 24);
    return ipv6_chain(p[6], source, destination, p + 40, length, false);
  }

  Verdict ipv6_chain(std::uint8_t next, const Address& source, const Address& destination, const std::uint8_t* p,
                     std::size_t n, bool reassembled) {
    for (int headers = 0; headers < 16; ++headers) {
      switch (next) {
        case 0:    // hop-by-hop options
        case 43:   // routing
        case 60:   // destination options
        case 51: {  // authentication header
          if (n < 2) return Verdict::Malformed;
          const std::size_t length = next == 51 ? (std::size_t{p[1]} + 2) * 4 : (std::size_t{p[1]} + 1) * 8;
          if (length > n) return Verdict::Malformed;
          next = p[0];
          p += length;
          n -= length;
          continue;
        }
        case 44: {  // fragment
          if (reassembled || n < 8) return Verdict::Malformed;
          const std::uint8_t inner = p[0];
          const std::uint16_t offset_flags = be16(p + 2);
          const std::size_t offset = offset_flags & 0xFFF8u;
          const bool more = (offset_flags & 1) != 0;
          const std::uint32_t id = be32(p + 4);
          p += 8;
          n -= 8;
          if (!more && offset == 0) {  // atomic fragment (RFC 6946)
            next = inner;
            continue;
          }
          return fragment(FragmentKey{source, destination, id, 0}, offset, more, p, n, inner);
        }
        default:
          return transport(next, source, destination, p, n);
      }
    }
    return Verdict::Malformed;
  }

  Verdict fragment(const FragmentKey& key, std::size_t offset, bool more, const std::uint8_t* p, std::size_t n,
                   std::uint8_t next_header) {
    const std::size_t end = offset + n;
    if ((more && (n == 0 || n % 8 != 0)) || end > kMaxIpDatagram) return Verdict::Malformed;
    auto it = fragments_.find(key);
    if (it == fragments_.end()) {
      if (fragments_.size() >= options_.max_fragment_reassemblies) {
        auto oldest = std::min_element(fragments_.begin(), fragments_.end(), [](const auto& a, const auto& b) {
          return a.second.sequence < b.second.sequence;
        });
        if (oldest != fragments_.end()) {
          fragments_.erase(oldest);
          ++summary_.fragments_expired;
        }
      }
      it = fragments_.emplace(key, Reassembly{}).first;
      it->second.first_seen = now_;
      it->second.sequence = ++fragment_sequence_;
    }
    Reassembly& r = it->second;
    const auto drop = [&] {
      fragments_.erase(it);
      ++summary_.fragments_expired;
      return Verdict::Malformed;
    };
    if (!more) {
      if (r.total != std::numeric_limits<std::size_t>::max() && r.total != end) return drop();
      if (!r.have.empty() && r.have.back().second > end) return drop();
      r.total = end;
    } else if (end > r.total) {
      return drop();
    }
    if (offset == 0) {
      r.have_first = true;
      r.first_next_header = next_header;
    }
    // Overlaps: bytes already received win (the copy fills only the holes), so no fragment rewrites data.
    if (r.data.size() < end) r.data.resize(end);
    std::size_t cursor = offset;
    for (const auto& [begin, stop] : r.have) {
      if (stop <= cursor) continue;
      if (begin >= end) break;
      if (begin > cursor) std::memcpy(r.data.data() + cursor, p + (cursor - offset), begin - cursor);
      cursor = std::max(cursor, stop);
      if (cursor >= end) break;
    }
    if (cursor < end) std::memcpy(r.data.data() + cursor, p + (cursor - offset), end - cursor);
    if (n > 0) {
      r.have.emplace_back(offset, end);
      std::sort(r.have.begin(), r.have.end());
      std::size_t out = 0;
      for (std::size_t i = 1; i < r.have.size(); ++i) {
        if (r.have[i].first <= r.have[out].second) {
          r.have[out].second = std::max(r.have[out].second, r.have[i].second);
        } else {
          r.have[++out] = r.have[i];
        }
      }
      r.have.resize(out + 1);
    }
    if (r.total == std::numeric_limits<std::size_t>::max() || !r.have_first || r.have.size() != 1 ||
        r.have[0].first != 0 || r.have[0].second != r.total) {
      return Verdict::Ok;  // held
    }
    reassembled_.swap(r.data);
    reassembled_.resize(r.total);
    const std::uint8_t first_next = r.first_next_header;
    fragments_.erase(it);
    const auto* data = reinterpret_cast<const std::uint8_t*>(reassembled_.data());
    if (key.source.version == 4) return transport(key.protocol, key.source, key.destination, data, reassembled_.size());
    return ipv6_chain(first_next, key.source, key.destination, data, reassembled_.size(), true);
  }

  Verdict transport(std::uint8_t protocol, const Address& source, const Address& destination, const std::uint8_t* p,
                    std::size_t n) {
    if (protocol == 17) {
      if (n < 8) return Verdict::Malformed;
      const std::size_t length = be16(p + 4);
      if (length < 8 || length > n) return Verdict::Malformed;
      deliver(TransportProtocol::Udp, source, be16(p), destination, be16(p + 2), p + 8, length - 8);
      return Verdict::Ok;
    }
    if (protocol == 6) return tcp(source, destination, p, n);
    return Verdict::Unsupported;
  }

  Verdict tcp(const Address& source, const Address& destination, const std::uint8_t* p, std::size_t n) {
    if (n < 20) return Verdict::Malformed;
    const std::size_t data_offset = static_cast<std::size_t>(p[12] >> 4) * 4;
    if (data_offset < 20 || data_offset > n) return Verdict::Malformed;
    const FlowKey key{source, destination, be16(p), be16(p + 2)};
    std::uint32_t seq = be32(p + 4);
    const std::uint8_t flags = p[13];
    const std::uint8_t* data = p + data_offset;
    const std::size_t length = n - data_offset;
    if (flags & kTcpRst) {
      streams_.erase(key);
      streams_.erase(key.reversed());
      return Verdict::Ok;
    }
    auto it = streams_.find(key);
    if (flags & kTcpSyn) {
      if (it != streams_.end() && it->second.origin == seq + 1 && !it->second.abandoned) {
        ++summary_.tcp_retransmissions;  // a retransmitted SYN: keep what the stream has
        return Verdict::Ok;
      }
      if (it == streams_.end()) it = new_stream(key);
      it->second = TcpDirection{};
      ++seq;  // the SYN takes one sequence number
      it->second.origin = seq;
    } else if (it == streams_.end()) {
      if (length == 0) return Verdict::Ok;  // a bare ACK or FIN of a stream we never saw
      it = new_stream(key);
      it->second.origin = seq;  // joined in the middle: start here
    }
    TcpDirection& st = it->second;
    st.last_seen = now_;
    if (st.abandoned) return Verdict::Ok;
    const std::uint32_t offset = seq - st.origin;
    if (flags & kTcpFin) {
      st.fin = true;
      st.fin_at = offset + static_cast<std::uint32_t>(length);
    }
    if (length > 0 && !segment(st, offset, data, length)) {
      abandon(st);
      return Verdict::Ok;
    }
    cut(st, key);
    if (!st.abandoned && st.fin && static_cast<std::int32_t>(st.next - st.fin_at) >= 0 && st.pending.empty()) {
      streams_.erase(key);  // closed in this direction; leftovers are an incomplete message
    }
    return Verdict::Ok;
  }

  std::unordered_map<FlowKey, TcpDirection, FlowKeyHash>::iterator new_stream(const FlowKey& key) {
    if (streams_.size() >= options_.max_tcp_streams) {
      auto oldest = std::min_element(streams_.begin(), streams_.end(), [](const auto& a, const auto& b) {
        return a.second.last_seen < b.second.last_seen;
      });
      if (oldest != streams_.end()) streams_.erase(oldest);
    }
    return streams_.emplace(key, TcpDirection{}).first;
  }

  // Places a segment at `offset`; false when the out-of-order bound is exceeded.
  bool segment(TcpDirection& st, std::uint32_t offset, const std::uint8_t* data, std::size_t length) {
    const auto delta = static_cast<std::int32_t>(offset - st.next);
    if (delta > 0) {
      auto existing = st.pending.find(offset);
      if (existing != st.pending.end() && existing->second.size() >= length) {
        ++summary_.tcp_retransmissions;
        return true;
      }
      const std::size_t replaced = existing == st.pending.end() ? 0 : existing->second.size();
      if (delta > (1 << 24) || st.pending_bytes - replaced + length > options_.max_tcp_out_of_order_bytes ||
          (replaced == 0 && st.pending.size() >= options_.max_tcp_out_of_order_segments)) {
        return false;
      }
      st.pending[offset].assign(reinterpret_cast<const char*>(data), length);
      st.pending_bytes = st.pending_bytes - replaced + length;
      return true;
    }
    const auto old = static_cast<std::size_t>(-static_cast<std::int64_t>(delta));
    if (old >= length) {
      ++summary_.tcp_retransmissions;
      return true;
    }
    append(st, data + old, length - old);
    while (!st.pending.empty()) {
      auto first = st.pending.begin();
      const auto gap = static_cast<std::int32_t>(first->first - st.next);
      if (gap > 0) break;
      const auto skip = static_cast<std::size_t>(-static_cast<std::int64_t>(gap));
      if (skip < first->second.size()) {
        append(st, reinterpret_cast<const std::uint8_t*>(first->second.data()) + skip, first->second.size() - skip);
      }
      st.pending_bytes -= first->second.size();
      st.pending.erase(first);
    }
    return true;
  }

  static void append(TcpDirection& st, const std::uint8_t* data, std::size_t length) {
    st.buffer.append(reinterpret_cast<const char*>(data), length);
    st.next += static_cast<std::uint32_t>(length);
  }

  void abandon(TcpDirection& st) {
    st.abandoned = true;
    st.buffer = std::string();
    st.pending.clear();
    st.pending_bytes = 0;
    ++summary_.tcp_streams_abandoned;
  }

  void cut(TcpDirection& st, const FlowKey& key) {
    std::size_t position = 0;
    while (position < st.buffer.size()) {
      const auto frame = sip::frame_stream(std::string_view(st.buffer).substr(position));
      if (!frame) {
        abandon(st);
        return;
      }
      if (frame->status == sip::FrameStatus::NeedMore) break;
      if (frame->status == sip::FrameStatus::Complete) {
        ++summary_.tcp_messages;
        deliver(TransportProtocol::Tcp, key.source, key.source_port, key.destination, key.destination_port,
                reinterpret_cast<const std::uint8_t*>(st.buffer.data()) + position, frame->length);
      }
      position += frame->length;
    }
    st.buffer.erase(0, position);
  }

  void deliver(TransportProtocol transport, const Address& source, std::uint16_t source_port,
               const Address& destination, std::uint16_t destination_port, const std::uint8_t* payload,
               std::size_t length) {
    if (!(source == source_cache_) && source == destination_cache_ && destination == source_cache_) {
      std::swap(source_cache_, destination_cache_);  // the reply direction of the previous packet
      datagram_.source.ip.swap(datagram_.destination.ip);
    }
    set_ip(source_cache_, datagram_.source.ip, source);
    set_ip(destination_cache_, datagram_.destination.ip, destination);
    datagram_.source.port = source_port;
    datagram_.destination.port = destination_port;
    datagram_.frame = frame_number_;
    datagram_.time = time_;
    datagram_.transport = transport;
    datagram_.payload = std::string_view(reinterpret_cast<const char*>(payload), length);
    ++summary_.datagrams;
    callback_(datagram_);
  }

  static void set_ip(Address& cache, std::string& text, const Address& address) {
    if (cache == address && !text.empty()) return;
    cache = address;
    char buffer[INET6_ADDRSTRLEN];
    inet_ntop(address.version == 4 ? AF_INET : AF_INET6, address.bytes.data(), buffer, sizeof buffer);
    text.assign(buffer);  // reuses the string's capacity
  }

  void sweep() {
    next_sweep_ = now_ + 1;
    for (auto it = fragments_.begin(); it != fragments_.end();) {
      if (now_ - it->second.first_seen > options_.fragment_timeout) {
        it = fragments_.erase(it);
        ++summary_.fragments_expired;
      } else {
        ++it;
      }
    }
    for (auto it = streams_.begin(); it != streams_.end();) {
      it = now_ - it->second.last_seen > options_.tcp_idle_timeout ? streams_.erase(it) : std::next(it);
    }
  }

  const DatagramCallback& callback_;
  const CaptureReadOptions& options_;
  CaptureSummary& summary_;
  const int dlt_;
  std::uint64_t frame_number_ = 0;
  double time_ = 0;
  double now_ = -std::numeric_limits<double>::infinity();
  double next_sweep_ = -std::numeric_limits<double>::infinity();
  bool snap_cut_ = false;
  CapturedDatagram datagram_;
  Address source_cache_, destination_cache_;
  std::unordered_map<FragmentKey, Reassembly, FragmentKeyHash> fragments_;
  std::uint64_t fragment_sequence_ = 0;
  std::string reassembled_;
  std::unordered_map<FlowKey, TcpDirection, FlowKeyHash> streams_;
};

bool supported_link(int dlt) {
  switch (dlt) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
      return true;
    default:
      return false;
  }
}

std::string hex_bytes(const std::uint8_t* p, std::size_t n) {
  std::string out;
  char b[4];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(b, sizeof b, "%02x", p[i]);
    if (!out.empty()) out += ' ';
    out += b;
  }
  return out;
}

std::uint32_t read32(const std::uint8_t* p, bool swapped) { return swapped ? be32(p) : le32(p); }

// Classic pcap records walked in place, for a file whose bytes are all in memory (mapped or given): no copy per
// record, and payloads that point into those bytes. libpcap has already validated the file header (link type,
// snapshot length); records are checked as libpcap checks them (sf-pcap.c), with the same messages.
void walk_pcap_records(std::string_view memory, bool swapped, bool nanoseconds, int snapshot, Reader& reader,
                       CaptureSummary& summary) {
  constexpr std::size_t kFileHeader = 24, kRecordHeader = 16;
  constexpr std::uint32_t kMaxCaplen = 262144;  // libpcap's MAXIMUM_SNAPLEN, the limit for every link type here
  const auto* const data = reinterpret_cast<const std::uint8_t*>(memory.data());
  const std::size_t size = memory.size();
  auto stop = [&](bool truncated, const std::string& message) {
    summary.truncated = truncated;
    summary.warnings.push_back(truncated ? "the file ends in the middle of a record after frame " +
                                               std::to_string(summary.frames) + "; everything before it was read (" +
                                               message + ")"
                                         : "reading stopped after frame " + std::to_string(summary.frames) + ": " +
                                               message);
  };
  pcap_pkthdr header{};
  for (std::size_t position = kFileHeader; position < size;) {
    if (size - position < kRecordHeader) {
      stop(true, "truncated dump file; tried to read " + std::to_string(kRecordHeader) + " header bytes, only got " +
                     std::to_string(size - position));
      return;
    }
    const std::uint8_t* record = data + position;
    const std::uint32_t seconds = read32(record, swapped), fraction = read32(record + 4, swapped);
    const std::uint32_t caplen = read32(record + 8, swapped), length = read32(record + 12, swapped);
    if (caplen > kMaxCaplen) {
      stop(false, "invalid packet capture length " + std::to_string(caplen) + ", bigger than " +
                      (caplen > static_cast<std::uint32_t>(snapshot) ? "snaplen of " + std::to_string(snapshot)
                                                                     : "maximum of " + std::to_string(kMaxCaplen)));
      return;
    }
    if (size - position - kRecordHeader < caplen) {
      stop(true, "truncated dump file; tried to read " + std::to_string(caplen) + " captured bytes, only got " +
                     std::to_string(size - position - kRecordHeader));
      return;
    }
    header.ts.tv_sec = static_cast<decltype(header.ts.tv_sec)>(seconds);
    // As with PCAP_TSTAMP_PRECISION_NANO: tv_usec holds nanoseconds.
    header.ts.tv_usec = static_cast<decltype(header.ts.tv_usec)>(nanoseconds ? fraction : std::uint64_t{fraction} * 1000);
    // A record longer than the file's snapshot length is cut to it, as libpcap does.
    header.caplen = std::min(caplen, static_cast<std::uint32_t>(snapshot));
    header.len = length;
    reader.frame(header, record + kRecordHeader);
    position += kRecordHeader + caplen;
  }
}

// Takes ownership of `file`. `memory`, when not empty, holds the whole file's bytes (`file` reads the same bytes):
// classic pcap records are then walked in place (walk_pcap_records).
Expected<CaptureSummary, std::string> read_file(std::FILE* file, const std::string& name, std::string_view memory,
                                                const DatagramCallback& on_datagram,
                                                const CaptureReadOptions& options) {
  std::uint8_t magic[4] = {};
  const std::size_t got = std::fread(magic, 1, sizeof magic, file);
  CaptureSummary summary;
  const std::uint32_t m = le32(magic);
  if (got == sizeof magic && m == 0x0A0D0D0A) {
    summary.format = "pcapng";
  } else if (got == sizeof magic && (m == 0xA1B2C3D4 || m == 0xD4C3B2A1 || m == 0xA1B23C4D || m == 0x4D3CB2A1 ||
                                     m == 0xA1B2CD34 || m == 0x34CDB2A1)) {
    summary.format = "pcap";
  } else {
    std::fclose(file);
    if (got == 0) return Unexpected(name + ": not a capture file (empty)");
    return Unexpected(name + ": not a pcap or pcapng capture file (starts with " + hex_bytes(magic, got) + ")");
  }
  std::rewind(file);
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* raw = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, error);
  if (raw == nullptr) {
    std::fclose(file);
    return Unexpected(name + ": cannot read " + summary.format + " file: " + error);
  }
  const std::unique_ptr<pcap_t, void (*)(pcap_t*)> pcap(raw, pcap_close);
  const int dlt = pcap_datalink(raw);
  const char* dlt_name = pcap_datalink_val_to_name(dlt);
  summary.link_type = dlt_name ? dlt_name : "LINKTYPE_" + std::to_string(dlt);
  summary.link_type_value = dlt;
  if (!supported_link(dlt)) {
    const char* description = pcap_datalink_val_to_description(dlt);
    return Unexpected(name + ": unsupported link type " + summary.link_type + " (" + std::to_string(dlt) +
                      (description ? std::string(", ") + description : std::string()) +
                      "); supported: EN10MB, LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4, IPV6");
  }
  Reader reader(on_datagram, options, summary, dlt);
  // Standard pcap 2.4 headers (microsecond or nanosecond magic, either byte order) are walked in memory; the
  // rest (pcapng, the modified/Kuznetsov format, old versions) through libpcap.
  const bool standard_magic = m == 0xA1B2C3D4 || m == 0xD4C3B2A1 || m == 0xA1B23C4D || m == 0x4D3CB2A1;
  if (!memory.empty() && standard_magic && memory.size() >= 24) {
    const bool swapped = m == 0xD4C3B2A1 || m == 0x4D3CB2A1;  // the magic as read little-endian: big-endian file
    const auto* header = reinterpret_cast<const std::uint8_t*>(memory.data());
    const auto major = swapped ? be16(header + 4) : static_cast<std::uint16_t>(header[4] | header[5] << 8);
    const auto minor = swapped ? be16(header + 6) : static_cast<std::uint16_t>(header[6] | header[7] << 8);
    if (major == 2 && minor == 4) {
      walk_pcap_records(memory, swapped, m == 0xA1B23C4D || m == 0x4D3CB2A1, pcap_snapshot(raw), reader, summary);
      reader.finish();
      return summary;
    }
  }
  for (;;) {
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int result = pcap_next_ex(raw, &header, &data);
    if (result == 1) {
      reader.frame(*header, data);
      continue;
    }
    if (result == PCAP_ERROR_BREAK) break;  // end of file
    const std::string message = pcap_geterr(raw);
    if (message.find("truncated") != std::string::npos) {
      summary.truncated = true;
      summary.warnings.push_back("the file ends in the middle of a record after frame " +
                                 std::to_string(summary.frames) + "; everything before it was read (" + message +
                                 ")");
    } else {
      summary.warnings.push_back("reading stopped after frame " + std::to_string(summary.frames) + ": " + message);
    }
    break;
  }
  reader.finish();
  return summary;
}

}  // namespace

Expected<MappedCapture, std::string> MappedCapture::open(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) return Unexpected(file.string() + ": is a directory");
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unexpected("cannot open " + file.string() + ": " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    const std::string why = S_ISREG(info.st_mode) ? std::strerror(errno) : "not a regular file";
    ::close(fd);
    return Unexpected("cannot map " + file.string() + ": " + why);
  }
  MappedCapture mapped;
  mapped.name_ = file.string();
  mapped.size_ = static_cast<std::size_t>(info.st_size);
  if (mapped.size_ > 0) {
    // MAP_POPULATE maps the whole file (from the page cache) in one call instead of a fault per few pages.
    void* address = ::mmap(nullptr, mapped.size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (address == MAP_FAILED) {
      const int error = errno;
      ::close(fd);
      return Unexpected("cannot map " + file.string() + ": " + std::strerror(error));
    }
    mapped.data_ = static_cast<const char*>(address);
  }
  ::close(fd);
  return mapped;
}

MappedCapture::MappedCapture(MappedCapture&& other) noexcept
    : name_(std::move(other.name_)), data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedCapture& MappedCapture::operator=(MappedCapture&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
    name_ = std::move(other.name_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

MappedCapture::~MappedCapture() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

Expected<CaptureSummary, std::string> read_capture(const std::filesystem::path& file,
                                                   const DatagramCallback& on_datagram,
                                                   const CaptureReadOptions& options) {
  // A regular file is mapped (no copy through stdio); anything else (a pipe, /dev/stdin) is read as a stream.
  if (auto mapped = MappedCapture::open(file)) return read_capture(*mapped, on_datagram, options);
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) return Unexpected(file.string() + ": is a directory");
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) return Unexpected("cannot open " + file.string() + ": " + std::strerror(errno));
  return read_file(f, file.string(), {}, on_datagram, options);
}

namespace {

Expected<CaptureSummary, std::string> read_memory(std::string_view bytes, const std::string& name,
                                                  const DatagramCallback& on_datagram,
                                                  const CaptureReadOptions& options) {
  if (bytes.empty()) return Unexpected(name + ": not a capture file (empty)");
  std::FILE* f = fmemopen(const_cast<char*>(bytes.data()), bytes.size(), "rb");
  if (f == nullptr) return Unexpected(name + ": fmemopen failed: " + std::strerror(errno));
  return read_file(f, name, bytes, on_datagram, options);
}

}  // namespace

Expected<CaptureSummary, std::string> read_capture(const MappedCapture& file, const DatagramCallback& on_datagram,
                                                   const CaptureReadOptions& options) {
  return read_memory(file.bytes(), file.name(), on_datagram, options);
}

Expected<CaptureSummary, std::string> read_capture_bytes(std::string_view bytes, const DatagramCallback& on_datagram,
                                                         const CaptureReadOptions& options) {
  return read_memory(bytes, "<memory>", on_datagram, options);
}

}  // namespace mohq::analyzers
