// mohq::rtp's G.711 against Python audioop's output for every input: 2 x 65536 encodes, 2 x 256 decodes.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include "g711_reference.hpp"
#include "rtp/g711.hpp"
#include "test_data.hpp"

namespace mohq::rtp::test {
namespace {

const G711Reference& reference() {
  static const G711Reference loaded = load_g711_reference(data_file("g711_reference.txt"));
  return loaded;
}

std::string hex(unsigned value) {
  std::ostringstream text;
  text << "0x" << std::hex << std::uppercase << std::setw(2) << std::setfill('0') << value;
  return text.str();
}

// Collects mismatches so that a broken codec reports the count and a few examples, not 65536 lines.
class MismatchLog {
 public:
  void add(const std::string& what) {
    if (examples_.size() < 8) examples_.push_back(what);
    ++count_;
  }
  void report(const std::string& comparison) const {
    std::string text;
    for (const std::string& example : examples_) text += "\n  " + example;
    BOOST_TEST(count_ == 0, comparison << ": " << count_ << " mismatches" << text);
  }

 private:
  std::vector<std::string> examples_;
  long count_ = 0;
};

void check_every_encode(const LawReference& expected, std::uint8_t (*encode)(std::int16_t), const char* name) {
  MismatchLog mismatches;
  for (int sample = -32768; sample <= 32767; ++sample) {
    const auto linear = static_cast<std::int16_t>(sample);
    const std::uint8_t got = encode(linear);
    if (got != expected.encode(linear)) {
      mismatches.add(std::to_string(sample) + " -> " + hex(got) + ", audioop gives " + hex(expected.encode(linear)));
    }
  }
  mismatches.report(std::string(name) + " over all 65536 samples");
}

void check_every_decode(const LawReference& expected, std::int16_t (*decode)(std::uint8_t), const char* name) {
  MismatchLog mismatches;
  for (unsigned code = 0; code < 256; ++code) {
    const std::int16_t got = decode(static_cast<std::uint8_t>(code));
    if (got != expected.decoded[code]) {
      mismatches.add(hex(code) + " -> " + std::to_string(got) + ", audioop gives " +
                     std::to_string(expected.decoded[code]));
    }
  }
  mismatches.report(std::string(name) + " over all 256 codes");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(g711_golden)

BOOST_AUTO_TEST_CASE(golden_data_loads_completely) {
  BOOST_REQUIRE_NO_THROW(reference());
}

BOOST_AUTO_TEST_CASE(alaw_encode_matches_audioop_for_every_sample) {
  check_every_encode(reference().alaw, linear_to_alaw, "linear_to_alaw");
}

BOOST_AUTO_TEST_CASE(ulaw_encode_matches_audioop_for_every_sample) {
  check_every_encode(reference().ulaw, linear_to_ulaw, "linear_to_ulaw");
}

BOOST_AUTO_TEST_CASE(alaw_decode_matches_audioop_for_every_code) {
  check_every_decode(reference().alaw, alaw_to_linear, "alaw_to_linear");
}

BOOST_AUTO_TEST_CASE(ulaw_decode_matches_audioop_for_every_code) {
  check_every_decode(reference().ulaw, ulaw_to_linear, "ulaw_to_linear");
}

// The transcoders are defined as decode-then-encode (g711.cpp), so audioop's tables predict them exactly.
BOOST_AUTO_TEST_CASE(transcoders_match_audioop_decode_then_encode) {
  const G711Reference& ref = reference();
  MismatchLog mismatches;
  for (unsigned code = 0; code < 256; ++code) {
    const auto byte = static_cast<std::uint8_t>(code);
    const std::uint8_t want_ulaw = ref.ulaw.encode(ref.alaw.decoded[code]);
    const std::uint8_t want_alaw = ref.alaw.encode(ref.ulaw.decoded[code]);
    if (alaw_to_ulaw(byte) != want_ulaw) mismatches.add("alaw_to_ulaw(" + hex(code) + ") != " + hex(want_ulaw));
    if (ulaw_to_alaw(byte) != want_alaw) mismatches.add("ulaw_to_alaw(" + hex(code) + ") != " + hex(want_alaw));
  }
  mismatches.report("transcoding over all 256 codes");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::rtp::test
