// RTP fixed header writing and packet parsing (RFC 3550 §5.1, §5.3.1). Packets are literal bytes.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "rtp/rtp_header.hpp"

namespace mohq::rtp {
namespace {

using Bytes = std::vector<std::uint8_t>;

// A packet followed by spare zero bytes that are not part of it: if a bounds check were missing, the parser
// would read these instead of crashing, and the test fails on its assertion with a readable message.
class Packet {
 public:
  Packet(std::initializer_list<std::uint8_t> bytes) : storage_(bytes), size_(bytes.size()) {
    storage_.resize(size_ + 64, 0x00);
  }
  std::span<const std::uint8_t> bytes() const { return {storage_.data(), size_}; }

 private:
  Bytes storage_;
  std::size_t size_;
};

// Fixed header: V=2 with the given P/X/CC bits, PT 8, seq 1, ts 2, SSRC 0x11223300.
#define RTP_FIXED(first_byte) first_byte, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x11, 0x22, 0x33, 0x00

std::string parse_error(const Packet& packet) {
  const auto parsed = parse_packet(packet.bytes());
  BOOST_TEST_REQUIRE(!parsed.has_value(), "packet parsed, expected an error");
  return parsed.error();
}

Bytes payload_of(const Packet& packet) {
  const auto parsed = parse_packet(packet.bytes());
  BOOST_TEST_REQUIRE(parsed.has_value(), "parse failed: " << (parsed ? "" : parsed.error()));
  return Bytes(parsed->payload.begin(), parsed->payload.end());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rtp_header)

BOOST_AUTO_TEST_CASE(writes_fixed_header_in_network_order) {
  RtpHeader header;
  header.marker = true;
  header.payload_type = 8;
  header.sequence = 0xABCD;
  header.timestamp = 0x01020304;
  header.ssrc = 0xDEADBEEF;
  Bytes out(14, 0xEE);
  write_fixed_header(header, out);
  const Bytes expected = {0x80, 0x88, 0xAB, 0xCD, 0x01, 0x02, 0x03, 0x04, 0xDE, 0xAD, 0xBE, 0xEF, 0xEE, 0xEE};
  BOOST_TEST(out == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(writes_flags_and_counts_but_no_csrcs) {
  RtpHeader header;
  header.padding = true;
  header.extension = true;
  header.csrc_count = 3;
  header.payload_type = 0xFF;  // only 7 bits fit; the 8th must not leak into the marker
  Bytes out(kFixedHeaderSize);
  write_fixed_header(header, out);
  BOOST_TEST(out[0] == 0xB3);  // V=2, P, X, CC=3
  BOOST_TEST(out[1] == 0x7F);  // M=0, PT=127
}

BOOST_AUTO_TEST_CASE(write_refuses_a_short_buffer) {
  Bytes out(kFixedHeaderSize - 1);
  BOOST_CHECK_THROW(write_fixed_header(RtpHeader{}, out), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(round_trip) {
  RtpHeader header;
  header.marker = true;
  header.payload_type = 18;
  header.sequence = 65535;
  header.timestamp = 0xFFFFFFF0;
  header.ssrc = 0x80000001;
  Bytes packet(kFixedHeaderSize + 3);
  write_fixed_header(header, packet);
  packet[12] = 0xA1;
  packet[13] = 0xA2;
  packet[14] = 0xA3;

  const auto parsed = parse_packet(packet);
  BOOST_TEST_REQUIRE(parsed.has_value());
  BOOST_TEST(parsed->header.padding == false);
  BOOST_TEST(parsed->header.extension == false);
  BOOST_TEST(parsed->header.csrc_count == 0);
  BOOST_TEST(parsed->header.marker == true);
  BOOST_TEST(parsed->header.payload_type == 18);
  BOOST_TEST(parsed->header.sequence == 65535);
  BOOST_TEST(parsed->header.timestamp == 0xFFFFFFF0u);
  BOOST_TEST(parsed->header.ssrc == 0x80000001u);
  BOOST_TEST(Bytes(parsed->payload.begin(), parsed->payload.end()) == (Bytes{0xA1, 0xA2, 0xA3}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(payload_skips_csrcs_and_extension_and_drops_padding) {
  const Packet packet = {RTP_FIXED(0xB2),                // V=2, P, X, CC=2
                         0xC1, 0xC1, 0xC1, 0xC1,         // CSRC 1
                         0xC2, 0xC2, 0xC2, 0xC2,         // CSRC 2
                         0xBE, 0xDE, 0x00, 0x01,         // extension header: 1 word follows
                         0xE1, 0xE1, 0xE1, 0xE1,         // extension word
                         0xA1, 0xA2, 0xA3,               // payload
                         0x00, 0x02};                    // padding, count 2
  const auto parsed = parse_packet(packet.bytes());
  BOOST_TEST_REQUIRE(parsed.has_value());
  BOOST_TEST(parsed->header.padding);
  BOOST_TEST(parsed->header.extension);
  BOOST_TEST(parsed->header.csrc_count == 2);
  BOOST_TEST(payload_of(packet) == (Bytes{0xA1, 0xA2, 0xA3}), boost::test_tools::per_element());
}

// Exact fits: each length check must be "needs more than there is", not "needs at least as much".
BOOST_AUTO_TEST_CASE(exact_fits_parse_with_empty_payload) {
  BOOST_TEST(payload_of(Packet{RTP_FIXED(0x80)}).empty());
  BOOST_TEST(payload_of(Packet{RTP_FIXED(0x81), 0xC1, 0xC1, 0xC1, 0xC1}).empty());
  BOOST_TEST(payload_of(Packet{RTP_FIXED(0x90), 0xBE, 0xDE, 0x00, 0x00}).empty());
  BOOST_TEST(payload_of(Packet{RTP_FIXED(0x90), 0xBE, 0xDE, 0x00, 0x01, 0xE1, 0xE1, 0xE1, 0xE1}).empty());
  BOOST_TEST(payload_of(Packet{RTP_FIXED(0xA0), 0x00, 0x00, 0x03}).empty());  // padding is all there is
  BOOST_TEST(payload_of(Packet{RTP_FIXED(0xA0), 0x01}).empty());              // the count byte alone
}

BOOST_AUTO_TEST_CASE(error_shorter_than_fixed_header) {
  BOOST_TEST(parse_error(Packet{}) == "RTP packet too short for fixed header: needs 12 bytes, has 0");
  BOOST_TEST(parse_error(Packet{0x80, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x11, 0x22, 0x33}) ==
             "RTP packet too short for fixed header: needs 12 bytes, has 11");
}

BOOST_AUTO_TEST_CASE(error_version_not_2) {
  BOOST_TEST(parse_error(Packet{RTP_FIXED(0x40)}) == "RTP version is 1, expected 2");
  BOOST_TEST(parse_error(Packet{RTP_FIXED(0x00)}) == "RTP version is 0, expected 2");
  BOOST_TEST(parse_error(Packet{RTP_FIXED(0xC0)}) == "RTP version is 3, expected 2");
}

BOOST_AUTO_TEST_CASE(error_csrc_list_past_the_end) {
  BOOST_TEST(parse_error(Packet{RTP_FIXED(0x82), 0xC1, 0xC1, 0xC1, 0xC1, 0xC2, 0xC2, 0xC2}) ==
             "RTP packet too short for CSRC list: needs 20 bytes, has 19");
  BOOST_TEST(parse_error(Packet{RTP_FIXED(0x8F)}) == "RTP packet too short for CSRC list: needs 72 bytes, has 12");
}

BOOST_AUTO_TEST_CASE(error_extension_header_past_the_end) {
  BOOST_TEST(parse_error(Packet{RTP_FIXED(0x90), 0xBE, 0xDE, 0x00}) ==
             "RTP packet too short for header extension header: needs 16 bytes, has 15");
  // After a CSRC: the extension header starts at 16, not 12.
  BOOST_TEST(parse_error(Packet{RTP_FIXED(0x91), 0xC1, 0xC1, 0xC1, 0xC1}) ==
             "RTP packet too short for header extension header: needs 20 bytes, has 16");
}

BOOST_AUTO_TEST_CASE(error_extension_words_past_the_end) {
  BOOST_TEST(parse_error(Packet{RTP_FIXED(0x90), 0xBE, 0xDE, 0x00, 0x02, 0xE1, 0xE1, 0xE1, 0xE1, 0xE2, 0xE2,
                                0xE2}) == "RTP packet too short for header extension: needs 24 bytes, has 23");
  // The length is 16 bits: 0xFFFF words must not wrap or be truncated.
  BOOST_TEST(parse_error(Packet{RTP_FIXED(0x90), 0xBE, 0xDE, 0xFF, 0xFF}) ==
             "RTP packet too short for header extension: needs 262156 bytes, has 16");
}

BOOST_AUTO_TEST_CASE(error_padding_without_room_for_its_count) {
  BOOST_TEST(parse_error(Packet{RTP_FIXED(0xA0)}) == "RTP packet too short for padding count: needs 13 bytes, has 12");
}

BOOST_AUTO_TEST_CASE(error_padding_count_zero) {
  BOOST_TEST(parse_error(Packet{RTP_FIXED(0xA0), 0xA1, 0xA2, 0x00}) == "RTP padding bit set but padding count is 0");
}

BOOST_AUTO_TEST_CASE(error_padding_larger_than_what_follows_the_headers) {
  BOOST_TEST(parse_error(Packet{RTP_FIXED(0xA0), 0xA1, 0xA2, 0x04}) ==
             "RTP padding count 4 exceeds the 3 bytes after the headers");
  // Padding may not reach back into the header extension either.
  BOOST_TEST(parse_error(Packet{RTP_FIXED(0xB0), 0xBE, 0xDE, 0x00, 0x01, 0xE1, 0xE1, 0xE1, 0xE1, 0xA1, 0x03}) ==
             "RTP padding count 3 exceeds the 2 bytes after the headers");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::rtp

#undef RTP_FIXED
