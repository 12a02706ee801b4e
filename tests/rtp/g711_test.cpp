// G.711 properties worth stating on their own: silence codes, extremes, round trips, bulk forms.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "rtp/g711.hpp"

namespace mohq::rtp {

BOOST_AUTO_TEST_SUITE(g711)

// Silence in a prompt file or a comfort packet is 0xD5 (A-law) and 0xFF (mu-law); players and analyzers
// recognise silence by these bytes.
BOOST_AUTO_TEST_CASE(silence_codes) {
  BOOST_TEST(linear_to_alaw(0) == 0xD5);
  BOOST_TEST(linear_to_ulaw(0) == 0xFF);
  BOOST_TEST(alaw_to_linear(0xD5) == 8);   // A-law has no zero: its smallest step decodes to +/-8
  BOOST_TEST(alaw_to_linear(0x55) == -8);
  BOOST_TEST(ulaw_to_linear(0xFF) == 0);
  BOOST_TEST(ulaw_to_linear(0x7F) == 0);   // mu-law's "negative zero"
}

BOOST_AUTO_TEST_CASE(extremes) {
  BOOST_TEST(linear_to_alaw(32767) == 0xAA);
  BOOST_TEST(linear_to_alaw(-32768) == 0x2A);
  BOOST_TEST(alaw_to_linear(0xAA) == 32256);
  BOOST_TEST(alaw_to_linear(0x2A) == -32256);
  BOOST_TEST(linear_to_ulaw(32767) == 0x80);
  BOOST_TEST(linear_to_ulaw(-32768) == 0x00);
  BOOST_TEST(ulaw_to_linear(0x80) == 32124);
  BOOST_TEST(ulaw_to_linear(0x00) == -32124);
}

// Where the 1994 Sun revision (audioop, us) and the original 16-bit one differ: -1 is 0x7E, not 0x7F.
BOOST_AUTO_TEST_CASE(small_negative_samples_follow_the_1994_reference) {
  BOOST_TEST(linear_to_ulaw(-1) == 0x7E);
  BOOST_TEST(linear_to_ulaw(3) == 0xFF);
  BOOST_TEST(linear_to_ulaw(4) == 0xFE);
  BOOST_TEST(linear_to_alaw(-1) == 0x55);
  BOOST_TEST(linear_to_alaw(-16) == 0x55);
  BOOST_TEST(linear_to_alaw(-17) == 0x54);
}

BOOST_AUTO_TEST_CASE(alaw_decode_then_encode_is_identity_for_every_code) {
  for (unsigned code = 0; code < 256; ++code) {
    const auto byte = static_cast<std::uint8_t>(code);
    BOOST_TEST(linear_to_alaw(alaw_to_linear(byte)) == byte, "code " << code);
  }
}

// Every mu-law code survives decode and encode except 0x7F: it decodes to 0, which the reference (audioop)
// encodes as positive zero 0xFF.
BOOST_AUTO_TEST_CASE(ulaw_decode_then_encode_is_identity_except_negative_zero) {
  for (unsigned code = 0; code < 256; ++code) {
    const auto byte = static_cast<std::uint8_t>(code);
    const std::uint8_t expected = byte == 0x7F ? 0xFF : byte;
    BOOST_TEST(linear_to_ulaw(ulaw_to_linear(byte)) == expected, "code " << code);
  }
}

BOOST_AUTO_TEST_CASE(transcoding_silence_stays_silence) {
  BOOST_TEST(alaw_to_ulaw(0xD5) == 0xFE);  // +8 is one mu-law step above zero
  BOOST_TEST(ulaw_to_alaw(0xFF) == 0xD5);
  BOOST_TEST(ulaw_to_alaw(0x7F) == 0xD5);
}

BOOST_AUTO_TEST_CASE(bulk_forms_match_sample_by_sample) {
  const std::vector<std::int16_t> samples = {0, 1, -1, 100, -100, 1000, -1000, 32767, -32768};
  std::vector<std::uint8_t> alaw(samples.size());
  std::vector<std::uint8_t> ulaw(samples.size());
  encode_alaw(samples, alaw);
  encode_ulaw(samples, ulaw);
  std::vector<std::int16_t> from_alaw(samples.size());
  std::vector<std::int16_t> from_ulaw(samples.size());
  decode_alaw(alaw, from_alaw);
  decode_ulaw(ulaw, from_ulaw);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    BOOST_TEST(alaw[i] == linear_to_alaw(samples[i]));
    BOOST_TEST(ulaw[i] == linear_to_ulaw(samples[i]));
    BOOST_TEST(from_alaw[i] == alaw_to_linear(alaw[i]));
    BOOST_TEST(from_ulaw[i] == ulaw_to_linear(ulaw[i]));
  }
}

BOOST_AUTO_TEST_CASE(bulk_forms_refuse_mismatched_sizes) {
  const std::vector<std::int16_t> samples(4);
  std::vector<std::uint8_t> codes(3);
  std::vector<std::int16_t> decoded(5);
  BOOST_CHECK_THROW(encode_alaw(samples, codes), std::invalid_argument);
  BOOST_CHECK_THROW(encode_ulaw(samples, codes), std::invalid_argument);
  BOOST_CHECK_THROW(decode_alaw(codes, decoded), std::invalid_argument);
  BOOST_CHECK_THROW(decode_ulaw(codes, decoded), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::rtp
