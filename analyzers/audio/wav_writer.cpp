#include "analyzers/audio/wav_writer.hpp"

#include <fstream>

namespace mohq::analyzers {
namespace {

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}
void put_u16(std::vector<std::uint8_t>& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value & 0xff));
  out.push_back(static_cast<std::uint8_t>(value >> 8));
}
void put_tag(std::vector<std::uint8_t>& out, const char (&tag)[5]) {
  for (std::size_t i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(tag[i]));
}

}  // namespace

std::vector<std::uint8_t> wav_bytes(std::span<const std::int16_t> samples, unsigned sample_rate) {
  constexpr std::uint16_t kChannels = 1, kBits = 16, kFormatPcm = 1;
  const auto data_size = static_cast<std::uint32_t>(samples.size() * 2);
  std::vector<std::uint8_t> out;
  out.reserve(44 + data_size);
  put_tag(out, "RIFF");
  put_u32(out, 36 + data_size);
  put_tag(out, "WAVE");
  put_tag(out, "fmt ");
  put_u32(out, 16);
  put_u16(out, kFormatPcm);
  put_u16(out, kChannels);
  put_u32(out, sample_rate);
  put_u32(out, sample_rate * kChannels * kBits / 8);  // byte rate
  put_u16(out, kChannels * kBits / 8);                 // block align
  put_u16(out, kBits);
  put_tag(out, "data");
  put_u32(out, data_size);
  for (const auto s : samples) put_u16(out, static_cast<std::uint16_t>(s));
  return out;
}

bool write_wav(const std::filesystem::path& path, std::span<const std::int16_t> samples, unsigned sample_rate) {
  const auto bytes = wav_bytes(samples, sample_rate);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return false;
  file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(file);
}

}  // namespace mohq::analyzers
