// The prompt player without a clock (rtpproxy-protocol.md §3.1, §3.3, §3.4), its payload faults, the fault
// settings that configure them, and the prompt file cache. This file defines the test module.
#define BOOST_TEST_MODULE fake_rtpproxy
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fake_rtpproxy/player.hpp"
#include "fake_rtpproxy/prompt_store.hpp"
#include "fake_rtpproxy/rtp_faults.hpp"
#include "rtp/g711.hpp"
#include "rtp/payload_type.hpp"
#include "rtp/rtp_header.hpp"

namespace mohq::fake_rtpproxy {
namespace {

using Bytes = std::vector<std::uint8_t>;

// ---- vocabulary ----------------------------------------------------------------------------------------------

// The error text of a result, or "" when it holds a value (Boost.Test builds a message even when it passes).
template <class Result>
std::string error_of(const Result& result) {
  return result.has_value() ? std::string() : std::string(result.error());
}

struct Packet {
  rtp::RtpHeader header;
  Bytes payload;
};

// A prompt of `size` bytes whose content differs from chunk to chunk, so misplaced bytes show.
std::shared_ptr<const Bytes> prompt_of(std::size_t size, std::uint32_t seed = 1) {
  std::mt19937 rng(seed);
  auto bytes = std::make_shared<Bytes>(size);
  for (auto& byte : *bytes) byte = static_cast<std::uint8_t>(rng());
  return bytes;
}

const rtp::PayloadType& pt(int number) {
  const rtp::PayloadType* type = rtp::find_payload_type(number);
  BOOST_TEST_REQUIRE(type != nullptr, "payload type " << number << " is not playable");
  return *type;
}

PlaySpec spec(int payload_type, int ptime_ms, std::shared_ptr<const Bytes> prompt, int count = 1) {
  return PlaySpec{std::move(prompt), &pt(payload_type), ptime_ms, count};
}

constexpr RtpStart kStart{0x11223344u, 1000, 5000};

// Every packet the player produces, up to limit (for players that loop for ever).
std::vector<Packet> play(Player& player, std::size_t limit = 100'000) {
  std::vector<Packet> packets;
  Bytes buffer(player.max_packet_size());
  while (packets.size() < limit) {
    const std::size_t size = player.next_packet(buffer);
    if (size == 0) break;
    auto parsed = rtp::parse_packet(std::span(buffer).first(size));
    BOOST_TEST_REQUIRE(parsed.has_value(), "packet " << packets.size() << " does not parse: " << error_of(parsed));
    packets.push_back(Packet{parsed->header, Bytes(parsed->payload.begin(), parsed->payload.end())});
  }
  return packets;
}

std::vector<Packet> play(const PlaySpec& play_spec, const RtpFaults& faults = {}, std::size_t limit = 100'000) {
  Player player(play_spec, faults, kStart);
  return play(player, limit);
}

Bytes concat(const std::vector<Packet>& packets, std::size_t first = 0, std::size_t count = SIZE_MAX) {
  Bytes out;
  for (std::size_t i = first; i < packets.size() && i - first < count; ++i) {
    out.insert(out.end(), packets[i].payload.begin(), packets[i].payload.end());
  }
  return out;
}

Bytes slice(const Bytes& bytes, std::size_t from, std::size_t to) {
  return Bytes(bytes.begin() + static_cast<std::ptrdiff_t>(from), bytes.begin() + static_cast<std::ptrdiff_t>(to));
}

// The header rules of §3.4 over a run of packets: V2 PT, one SSRC, marker on the first only, +1 seq, +step ts.
void expect_stream(const std::vector<Packet>& packets, int payload_type, std::uint32_t ts_step,
                   RtpStart start = kStart) {
  for (std::size_t i = 0; i < packets.size(); ++i) {
    BOOST_TEST_CONTEXT("packet " << i) {
      const rtp::RtpHeader& header = packets[i].header;
      BOOST_TEST(header.payload_type == payload_type);
      BOOST_TEST(header.ssrc == start.ssrc);
      BOOST_TEST(header.marker == (i == 0));
      BOOST_TEST(!header.padding);
      BOOST_TEST(!header.extension);
      BOOST_TEST(header.csrc_count == 0);
      BOOST_TEST(header.sequence == static_cast<std::uint16_t>(start.sequence + i));
      BOOST_TEST(header.timestamp == static_cast<std::uint32_t>(start.timestamp + i * ts_step));
    }
  }
}

}  // namespace

// ---- packetization: counts, sizes, steps ---------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(player)

BOOST_AUTO_TEST_CASE(six_second_prompts_give_rtpproxys_packet_counts) {
  // A 6 s prompt in each codec's file rate (§6.2: 8000 B/s for 0/8/9, 1000 B/s for 18, 1650 B/s for 3,
  // 800 B/s for 4), played once at each ptime. chunk = ceil(ptime / frame_ms) frames (§3.4).
  struct Case {
    int pt;
    int ptime_ms;
    std::size_t file_bytes;
    std::size_t packets;
    std::size_t payload_bytes;
    std::uint32_t ts_step;
    std::chrono::milliseconds duration;
  };
  using std::chrono::milliseconds;
  const std::vector<Case> cases = {
      {0, 10, 48000, 600, 80, 80, milliseconds(10)},     {0, 20, 48000, 300, 160, 160, milliseconds(20)},
      {0, 30, 48000, 200, 240, 240, milliseconds(30)},   {0, 60, 48000, 100, 480, 480, milliseconds(60)},
      {8, 10, 48000, 600, 80, 80, milliseconds(10)},     {8, 20, 48000, 300, 160, 160, milliseconds(20)},
      {8, 30, 48000, 200, 240, 240, milliseconds(30)},   {8, 60, 48000, 100, 480, 480, milliseconds(60)},
      {9, 10, 48000, 600, 80, 80, milliseconds(10)},     {9, 20, 48000, 300, 160, 160, milliseconds(20)},
      {9, 30, 48000, 200, 240, 240, milliseconds(30)},   {9, 60, 48000, 100, 480, 480, milliseconds(60)},
      {18, 10, 6000, 600, 10, 80, milliseconds(10)},     {18, 20, 6000, 300, 20, 160, milliseconds(20)},
      {18, 30, 6000, 200, 30, 240, milliseconds(30)},    {18, 60, 6000, 100, 60, 480, milliseconds(60)},
      {3, 10, 9900, 300, 33, 160, milliseconds(20)},     {3, 20, 9900, 300, 33, 160, milliseconds(20)},
      {3, 30, 9900, 150, 66, 320, milliseconds(40)},     {3, 60, 9900, 100, 99, 480, milliseconds(60)},
      {4, 10, 4800, 200, 24, 240, milliseconds(30)},     {4, 20, 4800, 200, 24, 240, milliseconds(30)},
      {4, 30, 4800, 200, 24, 240, milliseconds(30)},     {4, 60, 4800, 100, 48, 480, milliseconds(60)},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT("PT " << c.pt << " ptime " << c.ptime_ms) {
      const auto file = prompt_of(c.file_bytes, static_cast<std::uint32_t>(c.pt));
      Player player(spec(c.pt, c.ptime_ms, file), {}, kStart);
      BOOST_TEST(player.max_packet_size() == 12 + c.payload_bytes);
      BOOST_TEST(player.packet_duration().count() == c.duration.count());
      const auto packets = play(player);
      BOOST_TEST(packets.size() == c.packets);
      BOOST_TEST(player.finished());
      BOOST_TEST(player.packets_generated() == c.packets);
      for (const Packet& packet : packets) BOOST_TEST_REQUIRE(packet.payload.size() == c.payload_bytes);
      expect_stream(packets, c.pt, c.ts_step);
      BOOST_TEST(concat(packets) == *file);  // every byte, in order
    }
  }
}

BOOST_AUTO_TEST_CASE(ptime_below_ten_ms_is_ten_ms) {
  const auto packets = play(spec(8, -1, prompt_of(800)));  // "no Z" is stored as -1
  BOOST_TEST(packets.size() == 10u);
  BOOST_TEST(packets.front().payload.size() == 80u);
}

BOOST_AUTO_TEST_CASE(sequence_and_timestamp_wrap_at_16_and_32_bits) {
  const RtpStart near_wrap{0xCAFEBABEu, 0xFFFE, 0xFFFFFF60u};  // ts wraps after 2 packets of 80
  Player player(spec(0, 10, prompt_of(400)), {}, near_wrap);
  const auto packets = play(player);
  BOOST_TEST_REQUIRE(packets.size() == 5u);
  const std::vector<std::uint16_t> sequences = {0xFFFE, 0xFFFF, 0x0000, 0x0001, 0x0002};
  const std::vector<std::uint32_t> timestamps = {0xFFFFFF60u, 0xFFFFFFB0u, 0x00000000u, 0x00000050u, 0x000000A0u};
  for (std::size_t i = 0; i < packets.size(); ++i) {
    BOOST_TEST(packets[i].header.sequence == sequences[i]);
    BOOST_TEST(packets[i].header.timestamp == timestamps[i]);
  }
  expect_stream(packets, 0, 80, near_wrap);
}

BOOST_AUTO_TEST_CASE(random_start_has_an_even_timestamp_and_differs_between_players) {
  std::mt19937_64 rng(42);
  std::vector<RtpStart> starts;
  for (int i = 0; i < 64; ++i) starts.push_back(RtpStart::random(rng));
  for (const RtpStart& start : starts) BOOST_TEST(start.timestamp % 2 == 0u);
  bool ssrc_varies = false;
  bool sequence_varies = false;
  bool timestamp_varies = false;
  for (const RtpStart& start : starts) {
    ssrc_varies |= start.ssrc != starts.front().ssrc;
    sequence_varies |= start.sequence != starts.front().sequence;
    timestamp_varies |= start.timestamp != starts.front().timestamp;
  }
  BOOST_TEST(ssrc_varies);
  BOOST_TEST(sequence_varies);
  BOOST_TEST(timestamp_varies);
}

// ---- count and looping (§3.1, §3.4 "End of file") ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(count_one_plays_once_then_reports_done) {
  const auto file = prompt_of(1600);
  Player player(spec(8, 20, file, 1), {}, kStart);
  Bytes buffer(player.max_packet_size());
  for (int i = 0; i < 10; ++i) BOOST_TEST_REQUIRE(player.next_packet(buffer) == 172u);
  BOOST_TEST(!player.finished());  // the end is found by the read after the last packet, as in rtpproxy
  BOOST_TEST(player.next_packet(buffer) == 0u);
  BOOST_TEST(player.finished());
  BOOST_TEST(player.next_packet(buffer) == 0u);  // and stays done
  BOOST_TEST(player.packets_generated() == 10u);
}

BOOST_AUTO_TEST_CASE(count_two_loops_seamlessly_and_drops_the_partial_tail) {
  // 1650 bytes at 160 B per packet: 10 whole chunks, 50 bytes of tail that never play.
  const auto file = prompt_of(1650);
  const auto packets = play(spec(0, 20, file, 2));
  BOOST_TEST_REQUIRE(packets.size() == 20u);
  expect_stream(packets, 0, 160);  // seq/ts continue over the loop, one SSRC, no second marker
  const Bytes pass = slice(*file, 0, 1600);
  BOOST_TEST(concat(packets, 0, 10) == pass);
  BOOST_TEST(concat(packets, 10, 10) == pass);
  BOOST_TEST(packets[10].payload == slice(*file, 0, 160));  // read from offset 0 again
}

BOOST_AUTO_TEST_CASE(count_n_plays_n_passes) {
  BOOST_TEST(play(spec(18, 20, prompt_of(200), 7)).size() == 70u);
}

BOOST_AUTO_TEST_CASE(negative_count_loops_for_ever) {
  const auto file = prompt_of(800);
  for (const int count : {-1, -5}) {
    Player player(spec(8, 10, file, count), {}, kStart);
    const auto packets = play(player, 10'000);  // 1000 passes
    BOOST_TEST(packets.size() == 10'000u);
    BOOST_TEST(!player.finished());
    expect_stream(packets, 8, 80);
    BOOST_TEST(concat(packets, 9'990, 10) == *file);
  }
}

BOOST_AUTO_TEST_CASE(prompt_without_one_whole_chunk_plays_nothing) {
  for (const int count : {1, 3, -1}) {
    Player player(spec(8, 20, prompt_of(159), count), {}, kStart);
    BOOST_TEST(player.finished());
    BOOST_TEST(play(player).empty());
  }
  BOOST_TEST(play(spec(3, 20, prompt_of(32))).empty());                     // one GSM frame is 33 bytes
  BOOST_TEST(play(spec(8, 20, std::make_shared<const Bytes>())).empty());  // empty file
  BOOST_TEST(play(spec(8, 20, nullptr)).empty());                          // no file at all
}

BOOST_AUTO_TEST_CASE(count_zero_plays_nothing) {
  // P0 only stops the current player and never creates one (§3.1); a zero count is nothing to play.
  BOOST_TEST(play(spec(8, 20, prompt_of(1600), 0)).empty());
}

BOOST_AUTO_TEST_CASE(players_share_the_file_unless_a_fault_changes_it) {
  const auto file = prompt_of(48000);
  const Player plain(spec(8, 20, file), {}, kStart);
  BOOST_TEST(file.use_count() == 2);  // no copy of the prompt per player
  RtpFaults faults;
  faults.law_swap = true;
  const Player swapped(spec(8, 20, file), faults, kStart);
  BOOST_TEST(file.use_count() == 2);  // its own transformed copy
}

BOOST_AUTO_TEST_CASE(small_buffer_and_missing_type_are_caller_bugs) {
  Player player(spec(8, 20, prompt_of(1600)), {}, kStart);
  Bytes small(player.max_packet_size() - 1);
  BOOST_CHECK_THROW(player.next_packet(small), std::invalid_argument);
  PlaySpec no_type = spec(8, 20, prompt_of(1600));
  no_type.type = nullptr;
  BOOST_CHECK_THROW(Player(no_type, {}, kStart), std::invalid_argument);
}

// ---- payload faults, applied once when the player is built ---------------------------------------------------

BOOST_AUTO_TEST_CASE(prepend_appears_at_the_start_of_every_pass) {
  RtpFaults faults;
  faults.prepend = {0xDE, 0xAD, 0xBE, 0xEF};
  const auto file = prompt_of(1596);  // 4 + 1596 = 1600: ten 160-byte packets per pass
  const auto packets = play(spec(8, 20, file, 3), faults);
  BOOST_TEST_REQUIRE(packets.size() == 30u);
  Bytes pass = faults.prepend;
  pass.insert(pass.end(), file->begin(), file->end());
  for (std::size_t first : {0u, 10u, 20u}) {
    BOOST_TEST_CONTEXT("pass starting at packet " << first) {
      BOOST_TEST(slice(packets[first].payload, 0, 4) == faults.prepend);
      BOOST_TEST(concat(packets, first, 10) == pass);
    }
  }
  expect_stream(packets, 8, 160);
}

BOOST_AUTO_TEST_CASE(prepended_wav_header_is_44_bytes_of_riff) {
  RtpFaults faults;
  BOOST_TEST_REQUIRE(apply_fault_setting(faults, "rtp.prepend", "wav").has_value());
  const auto file = prompt_of(1600);
  const auto packets = play(spec(0, 10, file), faults);
  BOOST_TEST(packets.size() == 20u);  // 1644 bytes: 20 packets of 80, tail of 44 dropped
  const Bytes head = concat(packets, 0, 1);
  BOOST_TEST(std::string(head.begin(), head.begin() + 4) == "RIFF");
  BOOST_TEST(std::string(head.begin() + 8, head.begin() + 16) == "WAVEfmt ");
  BOOST_TEST(slice(concat(packets), 44, 1600) == slice(*file, 0, 1556));
}

BOOST_AUTO_TEST_CASE(law_swap_sends_the_other_laws_codes) {
  RtpFaults faults;
  faults.law_swap = true;
  const auto file = prompt_of(1600);
  {
    const auto packets = play(spec(8, 20, file), faults);
    Bytes expected;
    for (const std::uint8_t code : *file) expected.push_back(rtp::alaw_to_ulaw(code));
    BOOST_TEST(concat(packets) == expected);
    expect_stream(packets, 8, 160);  // still labelled PCMA
  }
  {
    const auto packets = play(spec(0, 20, file), faults);
    Bytes expected;
    for (const std::uint8_t code : *file) expected.push_back(rtp::ulaw_to_alaw(code));
    BOOST_TEST(concat(packets) == expected);
    expect_stream(packets, 0, 160);
  }
  BOOST_TEST(concat(play(spec(18, 20, prompt_of(200)), faults)) == *prompt_of(200));  // not G.711: untouched
}

BOOST_AUTO_TEST_CASE(linear16_plays_the_decoded_file_at_half_speed) {
  RtpFaults faults;
  faults.linear16 = true;
  const auto file = prompt_of(1600);
  for (const int payload_type : {8, 0}) {
    BOOST_TEST_CONTEXT("PT " << payload_type) {
      Bytes expected;
      for (const std::uint8_t code : *file) {
        const auto sample = static_cast<std::uint16_t>(payload_type == 8 ? rtp::alaw_to_linear(code)
                                                                         : rtp::ulaw_to_linear(code));
        expected.push_back(static_cast<std::uint8_t>(sample & 0xFF));  // little-endian
        expected.push_back(static_cast<std::uint8_t>(sample >> 8));
      }
      const auto packets = play(spec(payload_type, 20, file), faults);
      BOOST_TEST(packets.size() == 20u);  // twice the bytes, same 160-byte chunks: twice the packets
      BOOST_TEST(packets.front().payload.size() == 160u);
      BOOST_TEST(concat(packets) == expected);
      expect_stream(packets, payload_type, 160);
    }
  }
}

BOOST_AUTO_TEST_CASE(payload_type_override_changes_only_the_header) {
  RtpFaults faults;
  faults.payload_type = 96;
  const auto file = prompt_of(1600);
  const auto packets = play(spec(8, 20, file), faults);
  BOOST_TEST(packets.size() == 10u);
  expect_stream(packets, 96, 160);
  BOOST_TEST(concat(packets) == *file);
}

BOOST_AUTO_TEST_CASE(ptime_override_replaces_the_negotiated_ptime) {
  RtpFaults faults;
  faults.ptime_ms = 30;
  const auto file = prompt_of(4800);
  Player player(spec(8, 10, file), faults, kStart);
  BOOST_TEST(player.packet_duration().count() == 30);
  const auto packets = play(player);
  BOOST_TEST(packets.size() == 20u);
  BOOST_TEST(packets.front().payload.size() == 240u);
  expect_stream(packets, 8, 240);
}

BOOST_AUTO_TEST_CASE(faults_combine_transform_then_prepend) {
  RtpFaults faults;
  faults.prepend = {0x01, 0x02};
  faults.law_swap = true;
  faults.payload_type = 0;
  const auto file = prompt_of(158);
  const auto packets = play(spec(8, 20, file), faults);
  BOOST_TEST_REQUIRE(packets.size() == 1u);
  Bytes expected = {0x01, 0x02};  // prepended bytes are literal, not transcoded
  for (const std::uint8_t code : *file) expected.push_back(rtp::alaw_to_ulaw(code));
  BOOST_TEST(packets.front().payload == expected);
  BOOST_TEST(packets.front().header.payload_type == 0);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- fault settings ------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(rtp_fault_settings)

namespace {
RtpFaults applied(std::string_view key, std::string_view value) {
  RtpFaults faults;
  const auto result = apply_fault_setting(faults, key, value);
  BOOST_TEST_REQUIRE(result.has_value(), key << "=" << value << ": " << error_of(result));
  return faults;
}

std::string refused(std::string_view key, std::string_view value) {
  RtpFaults faults;
  faults.jitter_ms = 7;  // a refused setting leaves the rest untouched
  const auto result = apply_fault_setting(faults, key, value);
  BOOST_TEST_REQUIRE(!result.has_value(), key << "=" << value << " was accepted");
  BOOST_TEST(faults.jitter_ms == 7);
  return result.error();
}
}  // namespace

BOOST_AUTO_TEST_CASE(each_key_sets_its_field) {
  BOOST_TEST(applied("rtp.loss", "0.05").loss == 0.05);
  BOOST_TEST(applied("rtp.loss", "1").loss == 1.0);
  BOOST_TEST(applied("rtp.burst", "2/5").burst_length == 2);
  BOOST_TEST(applied("rtp.burst", "2/5").burst_period == 5);
  BOOST_TEST(applied("rtp.jitter", "40").jitter_ms == 40);
  BOOST_TEST(*applied("rtp.ptime", "30").ptime_ms == 30);
  BOOST_TEST(*applied("rtp.pt", "0").payload_type == 0);
  BOOST_TEST(*applied("rtp.pt", "127").payload_type == 127);
  BOOST_TEST(applied("rtp.prepend", "hex:0011aAfF").prepend == (Bytes{0x00, 0x11, 0xAA, 0xFF}));
  BOOST_TEST(applied("rtp.law_swap", "1").law_swap);
  BOOST_TEST(applied("rtp.law_swap", "true").law_swap);
  BOOST_TEST(applied("rtp.linear16", "1").linear16);
}

BOOST_AUTO_TEST_CASE(wav_prepend_is_a_canonical_alaw_header) {
  const Bytes header = applied("rtp.prepend", "wav").prepend;
  const Bytes expected = {
      'R', 'I', 'F', 'F', 36, 0, 0, 0, 'W', 'A', 'V', 'E',  // RIFF size = 36 + data size (0)
      'f', 'm', 't', ' ', 16, 0, 0, 0,                      // PCM-style 16-byte fmt chunk
      6, 0, 1, 0,                                           // format 6 = A-law, mono
      0x40, 0x1F, 0, 0, 0x40, 0x1F, 0, 0,                   // 8000 Hz, 8000 B/s
      1, 0, 8, 0,                                           // block align 1, 8 bits
      'd', 'a', 't', 'a', 0, 0, 0, 0,
  };
  BOOST_TEST(header == expected);
}

BOOST_AUTO_TEST_CASE(none_and_false_and_reset_clear) {
  RtpFaults faults;
  for (const auto& [key, value] : std::vector<std::pair<std::string_view, std::string_view>>{
           {"rtp.loss", "0.5"}, {"rtp.burst", "1/3"}, {"rtp.jitter", "5"}, {"rtp.ptime", "20"}, {"rtp.pt", "9"},
           {"rtp.prepend", "wav"}, {"rtp.law_swap", "1"}, {"rtp.linear16", "true"}}) {
    BOOST_TEST_REQUIRE(apply_fault_setting(faults, key, value).has_value());
  }
  BOOST_TEST(!(faults == RtpFaults{}));
  RtpFaults cleared = faults;
  for (const auto& [key, value] : std::vector<std::pair<std::string_view, std::string_view>>{
           {"rtp.loss", "0"}, {"rtp.burst", "none"}, {"rtp.jitter", "0"}, {"rtp.ptime", "none"}, {"rtp.pt", "none"},
           {"rtp.prepend", "none"}, {"rtp.law_swap", "0"}, {"rtp.linear16", "false"}}) {
    BOOST_TEST_REQUIRE(apply_fault_setting(cleared, key, value).has_value());
  }
  BOOST_TEST((cleared == RtpFaults{}));
  BOOST_TEST_REQUIRE(apply_fault_setting(faults, "reset", "").has_value());
  BOOST_TEST((faults == RtpFaults{}));
}

BOOST_AUTO_TEST_CASE(out_of_range_and_malformed_values_are_refused) {
  BOOST_TEST(refused("rtp.loss", "1.5").find("probability from 0 to 1") != std::string::npos);
  refused("rtp.loss", "-0.1");
  refused("rtp.loss", "nan");
  refused("rtp.loss", "0.1x");
  refused("rtp.loss", "");
  refused("rtp.burst", "5/5");
  refused("rtp.burst", "0/5");
  refused("rtp.burst", "3");
  refused("rtp.burst", "2/x");
  refused("rtp.jitter", "1001");
  refused("rtp.jitter", "-1");
  refused("rtp.ptime", "0");
  refused("rtp.ptime", "1000");
  refused("rtp.pt", "128");
  refused("rtp.pt", "-1");
  refused("rtp.prepend", "hex:");
  refused("rtp.prepend", "hex:ABC");
  refused("rtp.prepend", "hex:GG");
  refused("rtp.prepend", "riff");
  refused("rtp.law_swap", "yes");
  refused("rtp.linear16", "2");
}

BOOST_AUTO_TEST_CASE(unknown_key_names_the_valid_ones) {
  const std::string error = refused("rtp.lost", "0.1");
  BOOST_TEST(error.find("rtp.lost") != std::string::npos);
  for (const char* key : {"rtp.loss", "rtp.burst", "rtp.jitter", "rtp.ptime", "rtp.pt", "rtp.prepend",
                          "rtp.law_swap", "rtp.linear16", "reset"}) {
    BOOST_TEST(error.find(key) != std::string::npos, "error does not name " << key << ": " << error);
  }
}

BOOST_AUTO_TEST_CASE(describe_lists_active_faults_as_settings) {
  BOOST_TEST(describe(RtpFaults{}) == "");
  RtpFaults faults;
  faults.loss = 0.05;
  faults.payload_type = 0;
  BOOST_TEST(describe(faults) == "rtp.loss=0.05 rtp.pt=0");
  BOOST_TEST(describe(applied("rtp.prepend", "wav")) == "rtp.prepend=wav");
  BOOST_TEST(describe(applied("rtp.prepend", "hex:00ff")) == "rtp.prepend=hex:00FF");
}

BOOST_AUTO_TEST_CASE(describe_round_trips_through_apply) {
  RtpFaults faults;
  for (const auto& [key, value] : std::vector<std::pair<std::string_view, std::string_view>>{
           {"rtp.loss", "0.125"}, {"rtp.burst", "2/7"}, {"rtp.jitter", "15"}, {"rtp.ptime", "20"}, {"rtp.pt", "8"},
           {"rtp.prepend", "hex:0102"}, {"rtp.law_swap", "1"}, {"rtp.linear16", "1"}}) {
    BOOST_TEST_REQUIRE(apply_fault_setting(faults, key, value).has_value());
  }
  const std::string text = describe(faults);
  BOOST_TEST(text == "rtp.loss=0.125 rtp.burst=2/7 rtp.jitter=15 rtp.ptime=20 rtp.pt=8 rtp.prepend=hex:0102 "
                     "rtp.law_swap=1 rtp.linear16=1");
  RtpFaults again;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    const std::string_view setting = rest.substr(0, space);
    const auto equals = setting.find('=');
    BOOST_TEST_REQUIRE(apply_fault_setting(again, setting.substr(0, equals), setting.substr(equals + 1)).has_value());
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  }
  BOOST_TEST((again == faults));
}

BOOST_AUTO_TEST_SUITE_END()

// ---- prompt files --------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(prompt_store)

namespace {
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mohq-prompts-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  ~ScratchDirectory() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct NotRoot {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    boost::test_tools::assertion_result result(::geteuid() != 0);
    result.message() << "root can read a file without read permission";
    return result;
  }
};

void write_file(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  BOOST_TEST_REQUIRE(out.good(), "cannot write " << path);
}
}  // namespace

BOOST_AUTO_TEST_CASE(loads_a_file_once_and_shares_it) {
  ScratchDirectory dir;
  const std::string path = dir.file("hold.8");
  write_file(path, *prompt_of(1600));
  PromptStore store;
  BOOST_TEST(store.exists(path));
  const auto first = store.load(path);
  BOOST_TEST_REQUIRE(first.has_value(), error_of(first));
  BOOST_TEST(**first == *prompt_of(1600));
  const auto second = store.load(path);
  BOOST_TEST_REQUIRE(second.has_value());
  BOOST_TEST(first->get() == second->get());  // same cached bytes, not a second read
  BOOST_TEST(store.cached_files() == 1u);
}

BOOST_AUTO_TEST_CASE(a_changed_file_is_read_again) {
  ScratchDirectory dir;
  const std::string path = dir.file("hold.0");
  write_file(path, *prompt_of(1600, 1));
  PromptStore store;
  const auto before = store.load(path);
  BOOST_TEST_REQUIRE(before.has_value());
  write_file(path, *prompt_of(3200, 2));  // new size
  const auto after = store.load(path);
  BOOST_TEST_REQUIRE(after.has_value());
  BOOST_TEST(**after == *prompt_of(3200, 2));
  BOOST_TEST(**before == *prompt_of(1600, 1));  // players holding the old bytes keep them

  // Same size, new content: the modification time tells.
  write_file(path, *prompt_of(3200, 3));
  const timespec times[2] = {{0, UTIME_OMIT}, {1'000'000'000, 0}};
  BOOST_TEST_REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
  const auto touched = store.load(path);
  BOOST_TEST_REQUIRE(touched.has_value());
  BOOST_TEST(**touched == *prompt_of(3200, 3));
}

BOOST_AUTO_TEST_CASE(missing_files_and_directories_are_errors) {
  ScratchDirectory dir;
  PromptStore store;
  const auto missing = store.load(dir.file("hold.18"));
  BOOST_TEST_REQUIRE(!missing.has_value());
  BOOST_TEST(missing.error().find("hold.18") != std::string::npos);
  BOOST_TEST(missing.error().find("does not exist") != std::string::npos);
  BOOST_TEST(!store.exists(dir.file("hold.18")));
  BOOST_TEST(!store.exists(dir.file("")));  // the directory itself
  const auto directory = store.load(dir.file(""));
  BOOST_TEST_REQUIRE(!directory.has_value());
  BOOST_TEST(directory.error().find("not a regular file") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_removed_file_is_no_longer_served_from_the_cache) {
  ScratchDirectory dir;
  const std::string path = dir.file("hold.8");
  write_file(path, *prompt_of(160));
  PromptStore store;
  BOOST_TEST_REQUIRE(store.load(path).has_value());
  std::filesystem::remove(path);
  BOOST_TEST(!store.load(path).has_value());
  BOOST_TEST(store.cached_files() == 0u);
}

BOOST_AUTO_TEST_CASE(an_unreadable_file_is_an_error_naming_the_reason, *boost::unit_test::precondition(NotRoot())) {
  ScratchDirectory dir;
  const std::string path = dir.file("hold.8");
  write_file(path, *prompt_of(160));
  BOOST_TEST_REQUIRE(::chmod(path.c_str(), 0) == 0);
  PromptStore store;
  BOOST_TEST(store.exists(path));
  const auto result = store.load(path);
  BOOST_TEST_REQUIRE(!result.has_value());
  BOOST_TEST(result.error().find("Permission denied") != std::string::npos, result.error());
}

BOOST_AUTO_TEST_CASE(an_empty_file_loads_as_no_bytes) {
  ScratchDirectory dir;
  const std::string path = dir.file("hold.8");
  write_file(path, {});
  PromptStore store;
  const auto result = store.load(path);
  BOOST_TEST_REQUIRE(result.has_value());
  BOOST_TEST((*result)->empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::fake_rtpproxy
