#include "analyzers/capture/capture_writer.hpp"

#include <arpa/inet.h>

#include <array>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace mohq::analyzers {
namespace {

void put16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xFF);
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v & 0xFFFF));
}
void set16(std::string& out, std::size_t at, std::uint16_t v) {
  out[at] = static_cast<char>(v >> 8);
  out[at + 1] = static_cast<char>(v & 0xFF);
}

struct Ip {
  int version = 4;
  std::array<std::uint8_t, 16> bytes{};
  std::size_t size() const { return version == 4 ? 4 : 16; }
};

Ip parse_ip(const std::string& text) {
  Ip ip;
  ip.version = text.find(':') != std::string::npos ? 6 : 4;
  if (inet_pton(ip.version == 4 ? AF_INET : AF_INET6, text.c_str(), ip.bytes.data()) != 1) {
    throw std::invalid_argument("CaptureWriter: not a numeric IP address: " + text);
  }
  return ip;
}

std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  if (n % 2) sum += static_cast<std::uint32_t>(p[n - 1] << 8);
  return sum;
}
std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

// Checksum of a UDP/TCP segment with its pseudo header.
std::uint16_t transport_checksum(const Ip& source, const Ip& destination, std::uint8_t protocol,
                                 const std::string& segment) {
  std::uint32_t sum = sum16(source.bytes.data(), source.size());
  sum = sum16(destination.bytes.data(), destination.size(), sum);
  sum += protocol;
  sum += static_cast<std::uint32_t>(segment.size() & 0xFFFF) + static_cast<std::uint32_t>(segment.size() >> 16);
  sum = sum16(reinterpret_cast<const std::uint8_t*>(segment.data()), segment.size(), sum);
  const std::uint16_t c = fold(sum);
  return protocol == 17 && c == 0 ? 0xFFFF : c;
}

std::string ipv4_header(const Ip& source, const Ip& destination, std::uint8_t protocol, std::size_t payload,
                        std::uint16_t id, std::size_t offset, bool more) {
  std::string h;
  h += '\x45';
  h += '\0';
  put16(h, static_cast<std::uint16_t>(20 + payload));
  put16(h, id);
  put16(h, static_cast<std::uint16_t>((more ? 0x2000 : 0) | (offset / 8)));
  h += '\x40';
  h += static_cast<char>(protocol);
  put16(h, 0);
  h.append(reinterpret_cast<const char*>(source.bytes.data()), 4);
  h.append(reinterpret_cast<const char*>(destination.bytes.data()), 4);
  set16(h, 10, fold(sum16(reinterpret_cast<const std::uint8_t*>(h.data()), h.size())));
  return h;
}

std::string ipv6_header(const Ip& source, const Ip& destination, std::uint8_t next, std::size_t payload) {
  std::string h;
  put32(h, 0x60000000);
  put16(h, static_cast<std::uint16_t>(payload));
  h += static_cast<char>(next);
  h += '\x40';
  h.append(reinterpret_cast<const char*>(source.bytes.data()), 16);
  h.append(reinterpret_cast<const char*>(destination.bytes.data()), 16);
  return h;
}

}  // namespace

CaptureWriter::CaptureWriter(const std::filesystem::path& file, CaptureWriterOptions options)
    : path_(file), options_(std::move(options)) {
  file_ = std::fopen(file.c_str(), "wb");
  if (file_ == nullptr) throw std::runtime_error("CaptureWriter: cannot create " + file.string());
  const auto link = static_cast<std::uint16_t>(options_.link);
  if (options_.format == CaptureFormat::Pcap) {
    const std::uint32_t header[6] = {options_.nanoseconds ? 0xA1B23C4Du : 0xA1B2C3D4u, 0x00040002u, 0, 0,
                                     options_.snaplen, link};  // version 2.4 as two little-endian u16
    put(header, sizeof header);
  } else {
    const std::uint32_t shb[7] = {0x0A0D0D0A, 28, 0x1A2B3C4D, 0x00000001u, 0xFFFFFFFFu, 0xFFFFFFFFu, 28};
    put(shb, sizeof shb);
    // IDB: type, length, link type + reserved, snaplen, if_tsresol (code 9, length 1, value, 3 pad), end, length.
    const std::uint32_t idb[8] = {1, 32, link, options_.snaplen, 0x00010009u, options_.nanoseconds ? 9u : 6u, 0, 32};
    put(idb, sizeof idb);
  }
}

CaptureWriter::~CaptureWriter() {
  try {
    close();
  } catch (...) {  // a destructor does not throw; close() explicitly to see errors
  }
}

void CaptureWriter::close() {
  if (file_ == nullptr) return;
  const bool ok = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok) throw std::runtime_error("CaptureWriter: cannot write " + path_.string());
  if (options_.truncate_last_record && records_ > 0) {
    std::filesystem::resize_file(path_, static_cast<std::uintmax_t>(last_record_start_ + last_record_size_ / 2));
  }
}

void CaptureWriter::put(const void* data, std::size_t size) {
  if (file_ == nullptr) throw std::logic_error("CaptureWriter: write after close");
  if (std::fwrite(data, 1, size, file_) != size) throw std::runtime_error("CaptureWriter: cannot write " + path_.string());
}

void CaptureWriter::record(double time, std::string_view frame) {
  const double whole = std::floor(time);
  const std::uint64_t units = options_.nanoseconds ? 1000000000ULL : 1000000ULL;
  auto seconds = static_cast<std::uint64_t>(whole);
  auto fraction = static_cast<std::uint64_t>(std::llround((time - whole) * static_cast<double>(units)));
  if (fraction >= units) {
    ++seconds;
    fraction -= units;
  }
  const auto original = static_cast<std::uint32_t>(frame.size());
  const auto captured = std::min<std::uint32_t>(original, options_.snaplen);
  last_record_start_ = std::ftell(file_);
  if (options_.format == CaptureFormat::Pcap) {
    const std::uint32_t header[4] = {static_cast<std::uint32_t>(seconds), static_cast<std::uint32_t>(fraction),
                                     captured, original};
    put(header, sizeof header);
    put(frame.data(), captured);
    last_record_size_ = static_cast<long>(sizeof header + captured);
  } else {
    const std::uint32_t padded = (captured + 3) & ~3u;
    const std::uint32_t length = 32 + padded;
    const std::uint64_t stamp = seconds * units + fraction;
    const std::uint32_t header[7] = {6, length, 0, static_cast<std::uint32_t>(stamp >> 32),
                                     static_cast<std::uint32_t>(stamp & 0xFFFFFFFFu), captured, original};
    put(header, sizeof header);
    put(frame.data(), captured);
    const char zeros[4] = {};
    put(zeros, padded - captured);
    put(&length, sizeof length);
    last_record_size_ = static_cast<long>(length);
  }
  ++records_;
}

std::string CaptureWriter::link_header(int ip_version, std::size_t /*ip_length*/) const {
  std::string h;
  const std::uint16_t ethertype = ip_version == 4 ? 0x0800 : 0x86DD;
  const std::uint32_t family = ip_version == 4 ? 2 : 24;
  const char mac_a[6] = {2, 0, 0, 0, 0, 1}, mac_b[6] = {2, 0, 0, 0, 0, 2};
  switch (options_.link) {
    case CaptureLinkType::Ethernet:
      h.append(mac_b, 6);
      h.append(mac_a, 6);
      for (std::size_t i = 0; i < options_.vlan_ids.size(); ++i) {
        const bool outer_of_stack = options_.vlan_ids.size() > 1 && i + 1 < options_.vlan_ids.size();
        put16(h, outer_of_stack ? 0x88A8 : 0x8100);
        put16(h, static_cast<std::uint16_t>(options_.vlan_ids[i] & 0x0FFF));
      }
      put16(h, ethertype);
      break;
    case CaptureLinkType::LinuxSll:
      put16(h, 0);  // addressed to us
      put16(h, 1);  // ARPHRD_ETHER
      put16(h, 6);
      h.append(mac_a, 6);
      h.append(2, '\0');
      put16(h, ethertype);
      break;
    case CaptureLinkType::LinuxSll2:
      put16(h, ethertype);
      put16(h, 0);
      put32(h, 1);  // interface index
      put16(h, 1);  // ARPHRD_ETHER
      h += '\0';    // packet type: to us
      h += '\x06';
      h.append(mac_a, 6);
      h.append(2, '\0');
      break;
    case CaptureLinkType::Null:
      for (int i = 0; i < 4; ++i) h += static_cast<char>((family >> (8 * i)) & 0xFF);
      break;
    case CaptureLinkType::Loop:
      put32(h, family);
      break;
    default:
      break;  // raw IP and unknown link types: nothing
  }
  return h;
}

void CaptureWriter::write_ip(double time, std::string_view ip_packet) {
  const int version = ip_packet.empty() ? 4 : (static_cast<unsigned char>(ip_packet[0]) >> 4);
  std::string frame = link_header(version, ip_packet.size());
  frame.append(ip_packet);
  if (options_.link == CaptureLinkType::Ethernet && frame.size() < 60) frame.resize(60, '\0');  // Ethernet padding
  record(time, frame);
}

void CaptureWriter::write_frame(double time, std::string_view link_frame) { record(time, link_frame); }

std::vector<std::string> CaptureWriter::udp_packets(const Endpoint& source, const Endpoint& destination,
                                                    std::string_view payload, std::size_t fragment_size) {
  const Ip src = parse_ip(source.ip), dst = parse_ip(destination.ip);
  if (src.version != dst.version) throw std::invalid_argument("CaptureWriter: mixed IPv4/IPv6 endpoints");
  std::string udp;
  put16(udp, source.port);
  put16(udp, destination.port);
  put16(udp, static_cast<std::uint16_t>(8 + payload.size()));
  put16(udp, 0);
  udp.append(payload);
  set16(udp, 6, transport_checksum(src, dst, 17, udp));
  const std::size_t header = src.version == 4 ? 20 : 40;
  if (fragment_size == 0 && options_.mtu != 0 && header + udp.size() > options_.mtu) {
    fragment_size = options_.mtu - header - (src.version == 6 ? 8 : 0);
  }
  fragment_size &= ~std::size_t{7};
  if (fragment_size != 0 && fragment_size < 8) fragment_size = 8;
  const std::uint32_t id = next_ip_id_++;
  std::vector<std::string> packets;
  if (fragment_size == 0 || udp.size() <= fragment_size) {
    packets.push_back(src.version == 4 ? ipv4_header(src, dst, 17, udp.size(), static_cast<std::uint16_t>(id), 0, false)
                                       : ipv6_header(src, dst, 17, udp.size()));
    packets.back() += udp;
    return packets;
  }
  for (std::size_t offset = 0; offset < udp.size(); offset += fragment_size) {
    const std::size_t chunk = std::min(fragment_size, udp.size() - offset);
    const bool more = offset + chunk < udp.size();
    std::string packet;
    if (src.version == 4) {
      packet = ipv4_header(src, dst, 17, chunk, static_cast<std::uint16_t>(id), offset, more);
    } else {
      packet = ipv6_header(src, dst, 44, 8 + chunk);
      packet += '\x11';  // next header: UDP
      packet += '\0';
      put16(packet, static_cast<std::uint16_t>(offset | (more ? 1 : 0)));
      put32(packet, id);
    }
    packet.append(udp, offset, chunk);
    packets.push_back(std::move(packet));
  }
  return packets;
}

void CaptureWriter::write_udp(double time, const Endpoint& source, const Endpoint& destination,
                              std::string_view payload, std::size_t fragment_size) {
  for (const std::string& packet : udp_packets(source, destination, payload, fragment_size)) write_ip(time, packet);
}

void CaptureWriter::write_tcp_segment(double time, const Endpoint& source, const Endpoint& destination,
                                      std::uint32_t sequence, std::uint8_t flags, std::string_view payload,
                                      std::uint32_t acknowledgment) {
  const Ip src = parse_ip(source.ip), dst = parse_ip(destination.ip);
  if (src.version != dst.version) throw std::invalid_argument("CaptureWriter: mixed IPv4/IPv6 endpoints");
  std::string tcp;
  put16(tcp, source.port);
  put16(tcp, destination.port);
  put32(tcp, sequence);
  put32(tcp, acknowledgment);
  tcp += '\x50';  // data offset 5 words
  tcp += static_cast<char>(flags);
  put16(tcp, 65535);
  put16(tcp, 0);
  put16(tcp, 0);
  tcp.append(payload);
  set16(tcp, 16, transport_checksum(src, dst, 6, tcp));
  std::string packet = src.version == 4 ? ipv4_header(src, dst, 6, tcp.size(), static_cast<std::uint16_t>(next_ip_id_++), 0, false)
                                        : ipv6_header(src, dst, 6, tcp.size());
  packet += tcp;
  write_ip(time, packet);
}

}  // namespace mohq::analyzers
