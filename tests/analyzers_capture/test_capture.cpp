// analyzers/capture: CaptureWriter -> read_capture round trips over every link type, both file formats and both
// IP versions; VLAN tags; IP fragments; SIP over TCP; broken and empty files; captures written by the real
// dumpcap; tshark as a reference reader of what CaptureWriter writes.
#define BOOST_TEST_MODULE analyzers_capture
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "analyzers/capture/capture_reader.hpp"
#include "analyzers/capture/capture_writer.hpp"

extern char** environ;

// Options are written with designated initializers; g++ warns about every member left to its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace mohq::analyzers {
std::ostream& operator<<(std::ostream& out, const Endpoint& e) { return out << e.to_string(); }
}  // namespace mohq::analyzers

namespace fs = std::filesystem;
using namespace mohq::analyzers;

namespace {

struct Got {
  std::uint64_t frame;
  double time;
  TransportProtocol transport;
  Endpoint source, destination;
  std::string payload;
};

struct Read {
  CaptureSummary summary;
  std::vector<Got> datagrams;
};

Read read_ok(const fs::path& file, const CaptureReadOptions& options = {}) {
  Read r;
  auto result = read_capture(
      file, [&](const CapturedDatagram& d) { r.datagrams.push_back({d.frame, d.time, d.transport, d.source, d.destination, std::string(d.payload)}); },
      options);
  BOOST_REQUIRE_MESSAGE(result.has_value(), "read_capture failed: " << (result ? "" : result.error()));
  r.summary = *result;
  return r;
}

std::string read_error(const fs::path& file) {
  auto result = read_capture(file, [](const CapturedDatagram&) {});
  BOOST_REQUIRE(!result.has_value());
  return result.error();
}

struct TempDir {
  TempDir() : path(fs::temp_directory_path() / ("mohq-capture-test-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path operator/(const std::string& name) const { return path / name; }
  fs::path path;
};

const Endpoint kA4{"192.0.2.10", 5060}, kB4{"198.51.100.20", 5080};
const Endpoint kA6{"2001:db8::10", 5060}, kB6{"2001:db8:1::20", 5080};

std::string sip_message(const std::string& call_id, std::size_t body = 0) {
  std::string b(body, 'v');
  return "OPTIONS sip:q1@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.10;branch=z9hG4bK" + call_id +
         "\r\nCall-ID: " + call_id + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: " + std::to_string(body) + "\r\n\r\n" + b;
}

std::string pattern(std::size_t n, unsigned seed = 1) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + seed * 7) & 0xFF);
  return s;
}

std::string run_output(const std::string& command) {
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

bool have_program(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(round_trip)

BOOST_AUTO_TEST_CASE(every_link_type_format_and_ip_version) {
  TempDir dir;
  const std::vector<std::pair<CaptureLinkType, std::string>> links = {
      {CaptureLinkType::Ethernet, "EN10MB"}, {CaptureLinkType::LinuxSll, "LINUX_SLL"},
      {CaptureLinkType::LinuxSll2, "LINUX_SLL2"}, {CaptureLinkType::Null, "NULL"},
      {CaptureLinkType::Loop, "LOOP"}, {CaptureLinkType::Raw, "RAW"},
      {CaptureLinkType::Ipv4, "IPV4"}, {CaptureLinkType::Ipv6, "IPV6"}};
  for (const auto& [link, name] : links) {
    for (const CaptureFormat format : {CaptureFormat::Pcap, CaptureFormat::PcapNg}) {
      for (const int version : {4, 6}) {
        if ((link == CaptureLinkType::Ipv4 && version == 6) || (link == CaptureLinkType::Ipv6 && version == 4)) continue;
        for (const bool ns : {false, true}) {
          BOOST_TEST_CONTEXT(name << (format == CaptureFormat::Pcap ? " pcap" : " pcapng") << " IPv" << version
                                  << (ns ? " ns" : " us")) {
            const fs::path file = dir / "rt.cap";
            const Endpoint& a = version == 4 ? kA4 : kA6;
            const Endpoint& b = version == 4 ? kB4 : kB6;
            const std::vector<std::string> payloads = {"x", pattern(172), pattern(1400, 2), ""};
            {
              CaptureWriter w(file, {.format = format, .link = link, .nanoseconds = ns});
              for (std::size_t i = 0; i < payloads.size(); ++i) {
                w.write_udp(1700000000.25 + static_cast<double>(i) * 0.020001, i % 2 ? b : a, i % 2 ? a : b, payloads[i]);
              }
            }
            const Read r = read_ok(file);
            BOOST_TEST(r.summary.format == (format == CaptureFormat::Pcap ? "pcap" : "pcapng"));
            BOOST_TEST(r.summary.link_type == name);
            BOOST_TEST(r.summary.frames == payloads.size());
            BOOST_TEST(r.summary.datagrams == payloads.size());
            BOOST_TEST(r.summary.skipped_malformed + r.summary.skipped_unsupported + r.summary.skipped_truncated == 0u);
            BOOST_TEST(!r.summary.truncated);
            BOOST_REQUIRE_EQUAL(r.datagrams.size(), payloads.size());
            for (std::size_t i = 0; i < payloads.size(); ++i) {
              BOOST_TEST(r.datagrams[i].payload == payloads[i]);
              BOOST_TEST(r.datagrams[i].frame == i + 1);
              BOOST_TEST((r.datagrams[i].transport == TransportProtocol::Udp));
              BOOST_TEST(r.datagrams[i].source == (i % 2 ? b : a));
              BOOST_TEST(r.datagrams[i].destination == (i % 2 ? a : b));
              BOOST_TEST(std::abs(r.datagrams[i].time - (1700000000.25 + static_cast<double>(i) * 0.020001)) < 2e-6);
            }
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(nanosecond_timestamps_kept) {
  TempDir dir;
  for (const CaptureFormat format : {CaptureFormat::Pcap, CaptureFormat::PcapNg}) {
    {
      CaptureWriter w(dir / "ns.cap", {.format = format, .nanoseconds = true});
      w.write_udp(1000.000000123, kA4, kB4, "a");
    }
    const Read r = read_ok(dir / "ns.cap");
    BOOST_REQUIRE_EQUAL(r.datagrams.size(), 1u);
    BOOST_TEST(std::abs(r.datagrams[0].time - 1000.000000123) < 1e-9);
  }
}

BOOST_AUTO_TEST_CASE(vlan_single_and_stacked) {
  TempDir dir;
  for (const auto& tags : std::vector<std::vector<std::uint16_t>>{{100}, {100, 200}, {10, 20, 30}}) {
    for (const int version : {4, 6}) {
      {
        CaptureWriter w(dir / "vlan.pcap", {.format = CaptureFormat::PcapNg, .vlan_ids = tags});
        w.write_udp(1, version == 4 ? kA4 : kA6, version == 4 ? kB4 : kB6, "tagged");
      }
      const Read r = read_ok(dir / "vlan.pcap");
      BOOST_REQUIRE_EQUAL(r.datagrams.size(), 1u);
      BOOST_TEST(r.datagrams[0].payload == "tagged");
      BOOST_TEST(r.datagrams[0].source == (version == 4 ? kA4 : kA6));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fragments)

BOOST_AUTO_TEST_CASE(in_order_out_of_order_duplicated_overlapping) {
  TempDir dir;
  const std::string big = sip_message("frag", 3000);
  for (const int version : {4, 6}) {
    for (const std::string order : {"in-order", "reversed", "shuffled+duplicate", "overlap"}) {
      BOOST_TEST_CONTEXT("IPv" << version << " " << order) {
        const Endpoint& a = version == 4 ? kA4 : kA6;
        const Endpoint& b = version == 4 ? kB4 : kB6;
        {
          CaptureWriter w(dir / "f.pcap", {.link = CaptureLinkType::Ethernet});
          std::vector<std::string> packets = w.udp_packets(a, b, big, 1000);
          BOOST_REQUIRE_EQUAL(packets.size(), 4u);
          if (order == "reversed") std::reverse(packets.begin(), packets.end());
          if (order == "shuffled+duplicate") {
            std::mt19937 rng(7);
            std::shuffle(packets.begin(), packets.end(), rng);
            packets.insert(packets.begin() + 1, packets[0]);
          }
          if (order == "overlap") {
            // A second fragmentation of the same datagram (same id) with another size, interleaved: overlapping
            // fragments carrying the same bytes.
            std::vector<std::string> other = w.udp_packets(a, b, big, 1600);
            const std::size_t id_at = version == 4 ? 4 : 44;
            for (auto& p : other) p.replace(id_at, version == 4 ? 2 : 4, packets[0], id_at, version == 4 ? 2 : 4);
            packets = {other[1], packets[0], packets[2], packets[1]};
          }
          w.write_udp(0.5, a, b, "before");
          for (const auto& p : packets) w.write_ip(1, p);
          w.write_udp(2, a, b, "after");
        }
        const Read r = read_ok(dir / "f.pcap");
        BOOST_REQUIRE_EQUAL(r.datagrams.size(), 3u);
        BOOST_TEST(r.datagrams[0].payload == "before");
        BOOST_TEST(r.datagrams[1].payload == big);
        BOOST_TEST(r.datagrams[1].source == a);
        BOOST_TEST(r.datagrams[1].destination == b);
        BOOST_TEST(r.datagrams[2].payload == "after");
        BOOST_TEST(r.summary.fragments_expired == 0u);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(mtu_option_fragments_and_incomplete_datagram_expires) {
  TempDir dir;
  const std::string big = pattern(5000);
  {
    CaptureWriter w(dir / "mtu.pcap", {.link = CaptureLinkType::LinuxSll2, .mtu = 1500});
    w.write_udp(1, kA6, kB6, big);
    BOOST_TEST(w.records() == 4u);
    auto packets = w.udp_packets(kA4, kB4, big, 1480);
    packets.pop_back();  // never completes
    for (const auto& p : packets) w.write_ip(2, p);
    // Fragments of one datagram 40 s apart: the first part expired (timeout 30 s by capture time).
    auto late = w.udp_packets(kA4, kB4, "late late late late late late", 8);
    w.write_ip(3, late[0]);
    for (std::size_t i = 1; i < late.size(); ++i) w.write_ip(43, late[i]);
  }
  const Read r = read_ok(dir / "mtu.pcap");
  BOOST_REQUIRE_EQUAL(r.datagrams.size(), 1u);
  BOOST_TEST(r.datagrams[0].payload == big);
  BOOST_TEST(r.datagrams[0].frame == 4u);
  BOOST_TEST(r.summary.fragments_expired == 3u);  // the incomplete one, the late one's start, its rest at the end
}

BOOST_AUTO_TEST_CASE(conflicting_last_fragments_are_dropped) {
  TempDir dir;
  {
    CaptureWriter w(dir / "bad.pcap", {.link = CaptureLinkType::Raw});
    auto packets = w.udp_packets(kA4, kB4, pattern(100), 48);
    auto shorter = packets.back();
    shorter[3] = static_cast<char>(shorter[3] - 8);  // last fragment claims a shorter total
    shorter.resize(shorter.size() - 8);
    w.write_ip(1, packets.back());
    w.write_ip(1, shorter);
    for (const auto& p : packets) w.write_ip(1, p);
  }
  const Read r = read_ok(dir / "bad.pcap");
  BOOST_TEST(r.summary.skipped_malformed >= 1u);
  BOOST_REQUIRE_EQUAL(r.datagrams.size(), 1u);  // the full set that follows still reassembles
  BOOST_TEST(r.datagrams[0].payload == pattern(100));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tcp)

BOOST_AUTO_TEST_CASE(two_messages_in_one_segment_and_one_over_three) {
  TempDir dir;
  const std::string m1 = sip_message("one"), m2 = sip_message("two", 10), m3 = sip_message("three", 200);
  for (const int version : {4, 6}) {
    const Endpoint& a = version == 4 ? kA4 : kA6;
    const Endpoint& b = version == 4 ? kB4 : kB6;
    {
      CaptureWriter w(dir / "tcp.pcapng", {.format = CaptureFormat::PcapNg});
      w.write_tcp_segment(1, a, b, 1000, kTcpSyn, "");
      w.write_tcp_segment(1, b, a, 5000, kTcpSyn | kTcpAck, "", 1001);
      w.write_tcp_segment(1, a, b, 1001, kTcpAck, "", 5001);
      w.write_tcp_segment(2, a, b, 1001, kTcpAck | kTcpPsh, "\r\n\r\n" + m1 + m2);  // keepalive + two messages
      std::uint32_t seq = 1001 + 4 + static_cast<std::uint32_t>(m1.size() + m2.size());
      w.write_tcp_segment(3, a, b, seq, kTcpAck, m3.substr(0, 30));
      w.write_tcp_segment(4, a, b, seq + 30, kTcpAck, m3.substr(30, 100));
      w.write_tcp_segment(5, a, b, seq + 130, kTcpAck | kTcpFin, m3.substr(130));
      w.write_tcp_segment(6, b, a, 5001, kTcpAck, m1);  // the other direction
    }
    const Read r = read_ok(dir / "tcp.pcapng");
    BOOST_REQUIRE_EQUAL(r.datagrams.size(), 4u);
    BOOST_TEST(r.datagrams[0].payload == m1);
    BOOST_TEST(r.datagrams[1].payload == m2);
    BOOST_TEST(r.datagrams[0].frame == 4u);
    BOOST_TEST(r.datagrams[1].frame == 4u);
    BOOST_TEST(r.datagrams[2].payload == m3);
    BOOST_TEST(r.datagrams[2].frame == 7u);
    BOOST_TEST(r.datagrams[2].time == 5.0);
    BOOST_TEST((r.datagrams[2].transport == TransportProtocol::Tcp));
    BOOST_TEST(r.datagrams[2].source == a);
    BOOST_TEST(r.datagrams[3].source == b);
    BOOST_TEST(r.datagrams[3].payload == m1);
    BOOST_TEST(r.summary.tcp_messages == 4u);
    BOOST_TEST(r.summary.warnings.empty());
  }
}

BOOST_AUTO_TEST_CASE(out_of_order_and_retransmitted_segments) {
  TempDir dir;
  const std::string m = sip_message("ooo", 300), n = sip_message("next", 5);
  {
    CaptureWriter w(dir / "ooo.pcap", {.link = CaptureLinkType::LinuxSll});
    const std::uint32_t s = 4294967000u;  // wraps around 2^32 inside the stream
    w.write_tcp_segment(1, kA4, kB4, s - 1, kTcpSyn, "");
    w.write_tcp_segment(1, kA4, kB4, s - 1, kTcpSyn, "");  // retransmitted SYN
    w.write_tcp_segment(2, kA4, kB4, s + 200, kTcpAck, m.substr(200));     // third part first
    w.write_tcp_segment(3, kA4, kB4, s + 100, kTcpAck, m.substr(100, 100));
    w.write_tcp_segment(4, kA4, kB4, s + 100, kTcpAck, m.substr(100, 100));  // retransmission of a held segment
    w.write_tcp_segment(5, kA4, kB4, s, kTcpAck, m.substr(0, 100));           // fills the gap: completes
    w.write_tcp_segment(6, kA4, kB4, s, kTcpAck, m.substr(0, 100));           // retransmission
    w.write_tcp_segment(7, kA4, kB4, s + 50, kTcpAck, m.substr(50) + n.substr(0, 10));  // overlapping retransmission
    w.write_tcp_segment(8, kA4, kB4, s + static_cast<std::uint32_t>(m.size()) + 10, kTcpAck, n.substr(10));
  }
  const Read r = read_ok(dir / "ooo.pcap");
  BOOST_REQUIRE_EQUAL(r.datagrams.size(), 2u);
  BOOST_TEST(r.datagrams[0].payload == m);
  BOOST_TEST(r.datagrams[0].frame == 6u);
  BOOST_TEST(r.datagrams[1].payload == n);
  BOOST_TEST(r.datagrams[1].frame == 9u);
  BOOST_TEST(r.summary.tcp_retransmissions == 3u);
}

BOOST_AUTO_TEST_CASE(non_sip_stream_is_abandoned_quietly_and_rst_resets) {
  TempDir dir;
  const std::string m = sip_message("after-rst");
  {
    CaptureWriter w(dir / "http.pcap");
    w.write_tcp_segment(1, kA4, kB4, 10, kTcpSyn, "");
    w.write_tcp_segment(2, kA4, kB4, 11, kTcpAck, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    w.write_tcp_segment(3, kA4, kB4, 39, kTcpAck, m);  // ignored: the stream was given up
    w.write_tcp_segment(4, kA4, kB4, 100, kTcpRst, "");
    w.write_tcp_segment(5, kA4, kB4, 500, kTcpSyn, "");
    w.write_tcp_segment(6, kA4, kB4, 501, kTcpAck, m);
  }
  const Read r = read_ok(dir / "http.pcap");
  BOOST_REQUIRE_EQUAL(r.datagrams.size(), 1u);
  BOOST_TEST(r.datagrams[0].payload == m);
  BOOST_TEST(r.summary.tcp_streams_abandoned == 1u);
}

BOOST_AUTO_TEST_CASE(stream_joined_in_the_middle_and_gap_bound) {
  TempDir dir;
  const std::string m = sip_message("mid");
  {
    CaptureWriter w(dir / "mid.pcap");
    w.write_tcp_segment(1, kA6, kB6, 777, kTcpAck, m);  // no SYN seen
    for (std::uint32_t i = 0; i < 100; ++i) {           // a gap that never fills: held up to the bound
      w.write_tcp_segment(2, kB6, kA6, 2000 + 10000 * i, kTcpAck, pattern(5000));
    }
  }
  const Read r = read_ok(dir / "mid.pcap", CaptureReadOptions{.max_tcp_out_of_order_segments = 16});
  BOOST_REQUIRE_EQUAL(r.datagrams.size(), 1u);
  BOOST_TEST(r.datagrams[0].payload == m);
  BOOST_TEST(r.summary.tcp_streams_abandoned == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(files)

BOOST_AUTO_TEST_CASE(truncated_file_keeps_what_was_read) {
  TempDir dir;
  for (const CaptureFormat format : {CaptureFormat::Pcap, CaptureFormat::PcapNg}) {
    {
      CaptureWriter w(dir / "cut.cap", {.format = format, .truncate_last_record = true});
      for (int i = 0; i < 5; ++i) w.write_udp(i, kA4, kB4, "datagram " + std::to_string(i));
    }
    const Read r = read_ok(dir / "cut.cap");
    BOOST_TEST(r.summary.truncated);
    BOOST_REQUIRE_EQUAL(r.summary.warnings.size(), 1u);
    BOOST_TEST_MESSAGE("truncated warning: " << r.summary.warnings[0]);
    BOOST_TEST(r.summary.warnings[0].find("ends in the middle of a record") != std::string::npos);
    BOOST_REQUIRE_EQUAL(r.datagrams.size(), 4u);
    BOOST_TEST(r.datagrams[3].payload == "datagram 3");
  }
}

BOOST_AUTO_TEST_CASE(garbage_missing_and_empty_files) {
  TempDir dir;
  std::ofstream(dir / "garbage.pcap") << "this is not a capture file at all\n";
  const std::string garbage = read_error(dir / "garbage.pcap");
  BOOST_TEST_MESSAGE(garbage);
  BOOST_TEST(garbage.find("not a pcap or pcapng capture file") != std::string::npos);
  BOOST_TEST(read_error(dir / "missing.pcap").find("No such file") != std::string::npos);
  std::ofstream(dir / "zero.pcap").close();
  BOOST_TEST(read_error(dir / "zero.pcap").find("empty") != std::string::npos);
  // A pcap magic followed by a cut header: libpcap's message.
  std::ofstream(dir / "short.pcap") << std::string("\xd4\xc3\xb2\xa1\x02\x00", 6);
  BOOST_TEST_MESSAGE(read_error(dir / "short.pcap"));
  for (const CaptureFormat format : {CaptureFormat::Pcap, CaptureFormat::PcapNg}) {
    { CaptureWriter w(dir / "empty.cap", {.format = format}); }
    const Read r = read_ok(dir / "empty.cap");
    BOOST_TEST(r.summary.frames == 0u);
    BOOST_TEST(r.datagrams.empty());
    BOOST_TEST(!r.summary.truncated);
    BOOST_TEST(r.summary.warnings.empty());
  }
}

BOOST_AUTO_TEST_CASE(unsupported_link_type_is_named) {
  TempDir dir;
  { CaptureWriter w(dir / "user0.pcap", {.link = static_cast<CaptureLinkType>(147)}); w.write_frame(1, "abc"); }
  const std::string e = read_error(dir / "user0.pcap");
  BOOST_TEST_MESSAGE(e);
  BOOST_TEST(e.find("unsupported link type") != std::string::npos);
  BOOST_TEST(e.find("147") != std::string::npos);
  { CaptureWriter w(dir / "wifi.pcapng", {.format = CaptureFormat::PcapNg, .link = static_cast<CaptureLinkType>(127)}); }
  BOOST_TEST(read_error(dir / "wifi.pcapng").find("IEEE802_11_RADIO") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(skipped_frames_by_reason) {
  TempDir dir;
  {
    CaptureWriter w(dir / "skip.pcap", {.snaplen = 200});
    w.write_udp(1, kA4, kB4, pattern(1000));                     // cut by the snap length
    w.write_frame(2, std::string(12, '\x02') + "\x08\x06" + std::string(28, '\0'));  // ARP
    w.write_frame(3, std::string(12, '\x02') + std::string("\x08\x00\x45\x00\x00\x10", 6));  // IPv4 header cut short
    std::string icmp = w.udp_packets(kA4, kB4, "x")[0];
    icmp[9] = 1;  // protocol ICMP
    w.write_ip(4, icmp);
    std::string bad_udp = w.udp_packets(kA4, kB4, "abc")[0];
    bad_udp[25] = 100;  // UDP length beyond the packet
    w.write_ip(5, bad_udp);
    w.write_udp(6, kA4, kB4, "fine");
  }
  const Read r = read_ok(dir / "skip.pcap");
  BOOST_TEST(r.summary.frames == 6u);
  BOOST_TEST(r.summary.skipped_truncated == 1u);
  BOOST_TEST(r.summary.skipped_unsupported == 2u);
  BOOST_TEST(r.summary.skipped_malformed == 2u);
  BOOST_REQUIRE_EQUAL(r.datagrams.size(), 1u);
  BOOST_TEST(r.datagrams[0].payload == "fine");
  BOOST_TEST(r.summary.bytes > 0u);
}

BOOST_AUTO_TEST_CASE(loopback_family_in_either_byte_order) {
  TempDir dir;
  {
    CaptureWriter w(dir / "null.pcap", {.link = CaptureLinkType::Null});
    // A DLT_NULL capture from a big-endian machine: the family in network byte order, AF_INET6 = 30 (Darwin).
    std::string ip = w.udp_packets(kA6, kB6, "be")[0];
    w.write_frame(1, std::string("\0\0\0\x1e", 4) + ip);
    w.write_frame(2, std::string("\x63\0\0\0", 4) + ip);  // unknown family
  }
  const Read r = read_ok(dir / "null.pcap");
  BOOST_REQUIRE_EQUAL(r.datagrams.size(), 1u);
  BOOST_TEST(r.datagrams[0].payload == "be");
  BOOST_TEST(r.summary.skipped_unsupported == 1u);
}

// mohq analyze keeps RTP payloads as pointers into the mapped file: classic pcap records are read in place, so an
// unfragmented UDP payload lies in the mapping; a reassembled one, or anything read from pcapng, does not.
BOOST_AUTO_TEST_CASE(mapped_pcap_payloads_point_into_the_file) {
  TempDir dir;
  for (const CaptureFormat format : {CaptureFormat::Pcap, CaptureFormat::PcapNg}) {
    for (const bool nanoseconds : {false, true}) {
      {
        CaptureWriter w(dir / "mapped.cap", {.format = format, .nanoseconds = nanoseconds});
        w.write_udp(1.25, kA4, kB4, "whole datagram");
        w.write_udp(2.5, kA4, kB4, std::string(3000, 'f'), 1480);  // fragmented
      }
      auto mapped = MappedCapture::open(dir / "mapped.cap");
      BOOST_REQUIRE_MESSAGE(mapped.has_value(), (mapped ? "" : mapped.error()));
      std::vector<std::pair<std::string, bool>> got;
      std::vector<double> times;
      auto summary = read_capture(*mapped, [&](const CapturedDatagram& d) {
        got.emplace_back(std::string(d.payload), mapped->contains(d.payload));
        times.push_back(d.time);
      });
      BOOST_REQUIRE(summary.has_value());
      BOOST_REQUIRE_EQUAL(got.size(), 2u);
      BOOST_TEST(got[0].first == "whole datagram");
      BOOST_TEST(got[0].second == (format == CaptureFormat::Pcap));
      BOOST_TEST(got[1].first == std::string(3000, 'f'));
      BOOST_TEST(!got[1].second);
      BOOST_TEST(std::abs(times[0] - 1.25) < 1e-6);
      BOOST_TEST(std::abs(times[1] - 2.5) < 1e-6);
      BOOST_TEST(summary->frames == 4u);  // 3008 bytes of UDP in three 1480-byte fragments
    }
  }
  BOOST_TEST(MappedCapture::open(dir / "missing.pcap").error().find("No such file") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(memory_reader_matches_file_reader) {
  TempDir dir;
  { CaptureWriter w(dir / "m.pcapng", {.format = CaptureFormat::PcapNg}); w.write_udp(1, kA4, kB4, "mem"); }
  std::ifstream in(dir / "m.pcapng", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string got;
  auto s = read_capture_bytes(bytes, [&](const CapturedDatagram& d) { got = d.payload; });
  BOOST_REQUIRE(s.has_value());
  BOOST_TEST(got == "mem");
  BOOST_TEST(!read_capture_bytes("", [](const CapturedDatagram&) {}).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(reference_tools)

// tshark reads what CaptureWriter writes: same frame count, same UDP lengths (fragments reassembled by tshark).
BOOST_AUTO_TEST_CASE(tshark_reads_our_files) {
  if (!have_program("tshark")) {
    BOOST_TEST_MESSAGE("tshark not installed: cross-check skipped");
    return;
  }
  TempDir dir;
  struct Case {
    CaptureWriterOptions options;
    const char* name;
  };
  const std::vector<Case> cases = {
      {{.format = CaptureFormat::PcapNg, .nanoseconds = true, .vlan_ids = {100, 200}}, "pcapng-ns-qinq"},
      {{.format = CaptureFormat::Pcap, .link = CaptureLinkType::LinuxSll2}, "pcap-sll2"},
      {{.format = CaptureFormat::Pcap, .link = CaptureLinkType::Null, .nanoseconds = true}, "pcap-null-ns"},
      {{.format = CaptureFormat::PcapNg, .link = CaptureLinkType::LinuxSll}, "pcapng-sll"},
      {{.format = CaptureFormat::Pcap, .link = CaptureLinkType::Raw}, "pcap-raw"}};
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const fs::path file = dir / (std::string(c.name) + ".cap");
      std::string expected;
      {
        CaptureWriter w(file, c.options);
        w.write_udp(1.5, kA4, kB4, pattern(100));
        w.write_udp(1.6, kA6, kB6, pattern(333));
        w.write_udp(1.7, kB4, kA4, "");
        w.write_udp(1.8, kA4, kB4, pattern(3000), 1480);  // IPv4 fragments, reassembled by tshark
        w.write_udp(1.9, kA6, kB6, pattern(2000), 1232);  // IPv6 fragments
        expected = "108\n341\n8\n3008\n2008\n";
      }
      const std::string out = run_output("tshark -r '" + file.string() + "' -Y udp -T fields -e udp.length 2>/dev/null");
      BOOST_TEST(out == expected);
      // No malformed/checksum complaints from tshark's expert info on our packets.
      const std::string bad = run_output("tshark -r '" + file.string() + "' -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE -Y '_ws.malformed || _ws.expert.severity >= warning' 2>/dev/null");
      BOOST_TEST(bad.empty(), "tshark complains: " << bad);
      const Read r = read_ok(file);
      BOOST_REQUIRE_EQUAL(r.datagrams.size(), 5u);
      BOOST_TEST(r.datagrams[3].payload == pattern(3000));
    }
  }
}

namespace {

// Starts argv, sends UDP datagrams to 127.0.0.1:port for `seconds`, waits (bounded) for it to end.
bool capture_with(const std::vector<std::string>& args, std::uint16_t port, double seconds, int interrupt_after,
                  int& status) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  const int sock = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto start = std::chrono::steady_clock::now();
  int sent = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::duration<double>(seconds)) {
    const std::string msg = "mohq capture probe " + std::to_string(sent++);
    (void)::sendto(sock, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::close(sock);
  for (int i = 0; i < 100; ++i) {  // up to 10 s more
    if (::waitpid(pid, &status, WNOHANG) == pid) return true;
    if (i == interrupt_after) ::kill(pid, SIGINT);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return true;
}

void check_probe_capture(const fs::path& file, std::uint16_t port, const char* tool, int status) {
  std::error_code ec;
  if (!fs::exists(file, ec) || fs::file_size(file, ec) == 0) {
    BOOST_TEST_MESSAGE(tool << " could not capture in this environment (no file written, exit status " << status
                            << "): skipped");
    return;
  }
  const Read r = read_ok(file);
  BOOST_TEST_MESSAGE(tool << ": " << r.summary.format << " " << r.summary.link_type << ", " << r.summary.frames
                          << " frames, " << r.summary.datagrams << " datagrams");
  std::size_t probes = 0;
  for (const auto& d : r.datagrams) {
    if (d.destination.port == port && d.payload.rfind("mohq capture probe ", 0) == 0) {
      ++probes;
      BOOST_TEST(d.destination.ip == "127.0.0.1");
    }
  }
  BOOST_TEST(probes >= 3u, tool << " captured " << probes << " probes");
}

}  // namespace

BOOST_AUTO_TEST_CASE(dumpcap_live_capture_on_loopback) {
  if (!have_program("dumpcap")) {
    BOOST_TEST_MESSAGE("dumpcap not installed: skipped");
    return;
  }
  TempDir dir;
  const fs::path file = dir / "dumpcap.pcapng";
  const std::uint16_t port = static_cast<std::uint16_t>(40000 + ::getpid() % 20000);
  int status = 0;
  BOOST_REQUIRE(capture_with({"dumpcap", "-q", "-i", "lo", "-f", "udp port " + std::to_string(port), "-w",
                              file.string(), "-a", "duration:2", "-n"},
                             port, 2.5, 20, status));
  check_probe_capture(file, port, "dumpcap", status);
}

BOOST_AUTO_TEST_CASE(tcpdump_live_capture_on_any) {
  if (!have_program("tcpdump")) {
    BOOST_TEST_MESSAGE("tcpdump not installed: skipped");
    return;
  }
  TempDir dir;
  const fs::path file = dir / "tcpdump.pcap";
  const std::uint16_t port = static_cast<std::uint16_t>(40001 + ::getpid() % 20000);
  int status = 0;
  // -i any: Linux cooked capture; -U: flushed per packet; stopped with SIGINT by capture_with.
  BOOST_REQUIRE(capture_with({"tcpdump", "-i", "any", "-U", "-w", file.string(), "udp", "port", std::to_string(port)},
                             port, 2.0, 0, status));
  check_probe_capture(file, port, "tcpdump", status);
}

BOOST_AUTO_TEST_SUITE_END()

// Not run by default: ./test_capture --run_test=benchmark. Writes a 600k-packet RTP capture and reads it.
BOOST_AUTO_TEST_CASE(benchmark, *boost::unit_test::disabled()) {
  TempDir dir;
  const fs::path file = dir / "rtp.pcap";
  const std::size_t packets = 600000;
  {
    CaptureWriter w(file);
    std::string rtp = pattern(172);
    for (std::size_t i = 0; i < packets; ++i) {
      w.write_udp(1700000000 + static_cast<double>(i) * 0.02, i % 2 ? kA4 : kB4, i % 2 ? kB4 : kA4, rtp);
    }
  }
  std::size_t total = 0;
  double best = 1e9;
  for (int run = 0; run < 3; ++run) {
    const auto start = std::chrono::steady_clock::now();
    auto s = read_capture(file, [&](const CapturedDatagram& d) { total += d.payload.size(); });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    BOOST_REQUIRE(s.has_value());
    BOOST_REQUIRE_EQUAL(s->datagrams, packets);
    best = std::min(best, seconds);
  }
  BOOST_TEST_MESSAGE("read_capture: " << packets << " UDP packets (" << fs::file_size(file) / 1000000 << " MB) in "
                                      << best << " s = " << static_cast<double>(packets) / best / 1e6
                                      << " M packets/s (best of 3)");
  std::printf("read_capture: %.2f M packets/s\n", static_cast<double>(packets) / best / 1e6);
}

// Not run by default: MOHQ_CORPUS_DIR=fuzz/corpus/pcap ./test_capture --run_test=write_fuzz_corpus
BOOST_AUTO_TEST_CASE(write_fuzz_corpus, *boost::unit_test::disabled()) {
  const char* out = std::getenv("MOHQ_CORPUS_DIR");
  BOOST_REQUIRE(out != nullptr);
  const fs::path dir(out);
  fs::create_directories(dir);
  {
    CaptureWriter w(dir / "eth_vlan_udp_frag.pcap", {.vlan_ids = {7, 8}});
    w.write_udp(1, kA4, kB4, "v=0\r\n");
    w.write_udp(2, kA6, kB6, pattern(40), 16);
  }
  {
    CaptureWriter w(dir / "sll2_tcp_sip.pcapng", {.format = CaptureFormat::PcapNg, .link = CaptureLinkType::LinuxSll2, .nanoseconds = true});
    const std::string m = sip_message("c", 4);
    w.write_tcp_segment(1, kA4, kB4, 1, kTcpSyn, "");
    w.write_tcp_segment(2, kA4, kB4, 2 + 20, kTcpAck, m.substr(20));
    w.write_tcp_segment(3, kA4, kB4, 2, kTcpAck, m.substr(0, 20));
    w.write_tcp_segment(4, kA4, kB4, 2 + static_cast<std::uint32_t>(m.size()), kTcpFin, "");
  }
  {
    CaptureWriter w(dir / "null_v4_frag.pcap", {.link = CaptureLinkType::Null, .nanoseconds = true});
    auto p = w.udp_packets(kA4, kB4, pattern(30), 8);
    std::reverse(p.begin(), p.end());
    for (const auto& x : p) w.write_ip(1, x);
  }
  {
    CaptureWriter w(dir / "sll_v6_tcp.pcap", {.link = CaptureLinkType::LinuxSll});
    w.write_tcp_segment(1, kA6, kB6, 9, kTcpAck, sip_message("d") + "\r\n\r\n");
  }
  {
    CaptureWriter w(dir / "raw_cut.pcapng", {.format = CaptureFormat::PcapNg, .link = CaptureLinkType::Raw, .truncate_last_record = true});
    w.write_udp(1, kA4, kB4, "ab");
    w.write_udp(2, kA6, kB6, "cd");
  }
}
