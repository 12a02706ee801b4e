// Prompt files for runs and tests: real hold music when Debian's asterisk-moh-opsound-wav and sox are
// installed, else a synthesized music-like signal; encoded to raw G.711 with common/rtp (bit-exact G.711).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/expected.hpp"

namespace mohq::harness {

struct LinearAudio {
  std::vector<std::int16_t> samples;  // 8 kHz mono
  std::string origin;                 // the file it came from, or "synthesized"
};

// seconds of 8 kHz audio: the first Debian MOH track found (converted with sox), or a synthesized chord.
LinearAudio hold_music(double seconds);
LinearAudio synthesized_music(double seconds);

// Writes dir/name.<pt> for each of pts (0 = mu-law, 8 = A-law) and returns the path without suffix.
Expected<std::filesystem::path, std::string> write_g711_prompts(const LinearAudio& audio, const std::filesystem::path& dir,
                                                                const std::string& name, const std::vector<int>& pts);

std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path);

}  // namespace mohq::harness
