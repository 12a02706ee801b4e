// The G.711 golden data (data/g711_reference.txt, written by make_g711_reference.py from Python's audioop),
// loaded into full tables.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace mohq::rtp::test {

struct LawReference {
  std::array<std::int16_t, 256> decoded{};     // decoded[code]
  std::array<std::uint8_t, 65536> encoded{};   // encoded[sample + 32768]

  std::uint8_t encode(std::int16_t sample) const { return encoded[static_cast<std::size_t>(sample + 32768)]; }
};

struct G711Reference {
  LawReference alaw;
  LawReference ulaw;
};

// Throws std::runtime_error naming the file and line if the file is missing, malformed or incomplete
// (every code decoded exactly once, encode ranges covering -32768..32767 in order without gaps), so a
// truncated file cannot pass as "nothing to compare".
G711Reference load_g711_reference(const std::filesystem::path& file);

}  // namespace mohq::rtp::test
