// A canonical 44-byte RIFF/WAVE header (PCM, 16-bit, mono) written by this code, followed by the samples.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace mohq::analyzers {

std::vector<std::uint8_t> wav_bytes(std::span<const std::int16_t> samples, unsigned sample_rate = 8000);
// false when the file cannot be written.
bool write_wav(const std::filesystem::path& path, std::span<const std::int16_t> samples, unsigned sample_rate = 8000);

}  // namespace mohq::analyzers
