// Playable payload types and rtpproxy's packet sizing (rtpproxy-protocol.md §3.3 table, §3.4 chunk size).
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string_view>
#include <vector>

#include "rtp/payload_type.hpp"

namespace mohq::rtp {
namespace {

const PayloadType& payload_type(int number) {
  const PayloadType* type = find_payload_type(number);
  BOOST_TEST_REQUIRE(type != nullptr, "payload type " << number << " is not playable");
  return *type;
}

struct PacketizationCase {
  int payload_type;
  int ptime_ms;
  std::uint32_t frames;
  std::uint32_t payload_bytes;
  std::uint32_t duration_ms;
  std::uint32_t timestamp_step;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(payload_types)

BOOST_AUTO_TEST_CASE(playable_table_is_rfc3551_plus_prompt_frame_sizes) {
  struct Row {
    int number;
    std::string_view encoding;
    std::uint32_t frame_ms;
    std::uint32_t frame_bytes;
  };
  const std::vector<Row> expected = {
      {0, "PCMU", 1, 8}, {3, "GSM", 20, 33}, {4, "G723", 30, 24},
      {8, "PCMA", 1, 8}, {9, "G722", 1, 8},  {18, "G729", 10, 10},
  };
  const auto table = playable_payload_types();
  BOOST_TEST_REQUIRE(table.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    BOOST_TEST_CONTEXT("row " << i) {
      BOOST_TEST(table[i].number == expected[i].number);
      BOOST_TEST(table[i].encoding == expected[i].encoding);
      BOOST_TEST(table[i].clock_rate == 8000u);  // also G.722, RFC 3551 §4.5.2
      BOOST_TEST(table[i].frame_ms == expected[i].frame_ms);
      BOOST_TEST(table[i].frame_bytes == expected[i].frame_bytes);
    }
  }
}

BOOST_AUTO_TEST_CASE(find_returns_table_entries_and_nothing_else) {
  BOOST_TEST(payload_type(8).encoding == "PCMA");
  BOOST_TEST(payload_type(18).encoding == "G729");
  BOOST_TEST(find_payload_type(8) == &playable_payload_types()[3]);
  // Static types the player cannot frame (rtpproxy-protocol.md §3.2 quirk), dynamic ones, nonsense.
  for (int number : {-1, 1, 2, 5, 7, 13, 15, 96, 101, 127, 128}) {
    BOOST_TEST(find_payload_type(number) == nullptr, "payload type " << number);
  }
}

BOOST_AUTO_TEST_CASE(packet_sizes_follow_rtpproxy) {
  const std::vector<PacketizationCase> cases = {
      // pt, ptime -> frames, bytes, ms, ts step
      {8, 20, 20, 160, 20, 160},  // G.711 at 20 ms: 160 B
      {0, 10, 10, 80, 10, 80},    // the player's default 10 ms
      {8, 60, 60, 480, 60, 480},  // Lz60
      {9, 30, 30, 240, 30, 240},  // G.722: 8 B/ms in the file, 8000 Hz RTP clock
      {18, 20, 2, 20, 20, 160},   // G.729: 2 frames of 10 B
      {18, 25, 3, 30, 30, 240},   // rounded up to whole frames
      {3, 10, 1, 33, 20, 160},    // GSM: never less than one 20 ms frame
      {3, 20, 1, 33, 20, 160},
      {3, 30, 2, 66, 40, 320},
      {4, 20, 1, 24, 30, 240},    // G.723.1: one 30 ms frame
      {4, 60, 2, 48, 60, 480},
  };
  for (const PacketizationCase& c : cases) {
    BOOST_TEST_CONTEXT("pt " << c.payload_type << " ptime " << c.ptime_ms) {
      const Packetization got = packetization(payload_type(c.payload_type), c.ptime_ms);
      BOOST_TEST(got.frames == c.frames);
      BOOST_TEST(got.payload_bytes == c.payload_bytes);
      BOOST_TEST(got.duration_ms == c.duration_ms);
      BOOST_TEST(got.timestamp_step == c.timestamp_step);
    }
  }
}

// rtpproxy-protocol.md §3.4/§3.6: no Z (stored as -1) and tiny ptimes play at the 10 ms minimum.
BOOST_AUTO_TEST_CASE(ptime_below_10_ms_counts_as_10) {
  for (int ptime : {-1, 0, 1, 5, 9}) {
    BOOST_TEST_CONTEXT("ptime " << ptime) {
      const Packetization pcma = packetization(payload_type(8), ptime);
      BOOST_TEST(pcma.payload_bytes == 80u);
      BOOST_TEST(pcma.timestamp_step == 80u);
      const Packetization g729 = packetization(payload_type(18), ptime);
      BOOST_TEST(g729.frames == 1u);
      BOOST_TEST(g729.payload_bytes == 10u);
    }
  }
}

// rtpproxy refuses Z >= 1000 with E13, so a larger ptime here is a caller bug.
BOOST_AUTO_TEST_CASE(ptime_above_999_is_refused) {
  BOOST_TEST(packetization(payload_type(8), 999).payload_bytes == 7992u);
  BOOST_CHECK_THROW(packetization(payload_type(8), 1000), std::out_of_range);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::rtp
