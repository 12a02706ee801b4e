#include "harness/prompt_source.hpp"

#include <cmath>
#include <fstream>
#include <iterator>
#include <numbers>

#include "process/child_process.hpp"
#include "process/temp_dir.hpp"
#include "rtp/g711.hpp"

namespace mohq::harness {

LinearAudio synthesized_music(double seconds) {
  // A slow arpeggio over a sustained chord with a soft attack per note: tonal, with level changes, so an
  // encoder or law mix-up shows as a payload difference and no sample clips. A deterministic noise floor keeps
  // any two 20 ms chunks different, so a skipped, repeated or reordered packet cannot hide.
  constexpr double kRate = 8000;
  const double notes[] = {261.63, 329.63, 392.00, 523.25, 392.00, 329.63};
  LinearAudio audio{{}, "synthesized"};
  auto count = static_cast<std::size_t>(seconds * kRate);
  audio.samples.resize(count);
  std::uint32_t noise = 12345;
  for (std::size_t i = 0; i < count; ++i) {
    noise = noise * 1664525u + 1013904223u;  // a linear congruential generator: the same hiss every run
    double t = static_cast<double>(i) / kRate;
    double note_time = std::fmod(t, 0.25);
    double note = notes[static_cast<std::size_t>(t / 0.25) % std::size(notes)];
    double envelope = std::min(1.0, note_time / 0.02) * std::exp(-3.0 * note_time);
    double value = 0.25 * std::sin(2 * std::numbers::pi * 130.81 * t) +
                   0.35 * envelope * std::sin(2 * std::numbers::pi * note * t);
    double hiss = (static_cast<double>(noise >> 16) / 65536.0 - 0.5) * 0.02;
    audio.samples[i] = static_cast<std::int16_t>(std::lround((value + hiss) * 20000));
  }
  return audio;
}

LinearAudio hold_music(double seconds) {
  const char* tracks[] = {"/usr/share/asterisk/moh/macroform-cold_day.wav", "/usr/share/asterisk/moh/reno_project-system.wav"};
  for (const char* track : tracks) {
    if (!std::filesystem::exists(track)) continue;
    auto dir = process::make_temp_dir("mohq-music-");
    if (!dir) break;
    auto raw = dir->path() / "music.s16";
    process::SpawnOptions sox;
    sox.argv = {"sox", track, "-t", "raw", "-r", "8000", "-c", "1", "-e", "signed-integer", "-b", "16", "-L",
                raw.string(), "trim", "0", std::to_string(seconds)};
    sox.stderr_path = dir->path() / "sox.log";
    auto child = process::ChildProcess::spawn(sox);
    if (!child) break;
    auto status = child->wait_for(std::chrono::seconds(30));
    if (!status || !status->success()) break;
    auto bytes = read_file_bytes(raw);
    LinearAudio audio{std::vector<std::int16_t>(bytes.size() / 2), track};
    for (std::size_t i = 0; i < audio.samples.size(); ++i) {
      audio.samples[i] = static_cast<std::int16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
    }
    if (!audio.samples.empty()) return audio;
  }
  return synthesized_music(seconds);
}

Expected<std::filesystem::path, std::string> write_g711_prompts(const LinearAudio& audio, const std::filesystem::path& dir,
                                                                const std::string& name, const std::vector<int>& pts) {
  std::vector<std::uint8_t> encoded(audio.samples.size());
  for (int pt : pts) {
    if (pt == 8) {
      rtp::encode_alaw(audio.samples, encoded);
    } else if (pt == 0) {
      rtp::encode_ulaw(audio.samples, encoded);
    } else {
      return Unexpected("payload type " + std::to_string(pt) + " cannot be encoded here (G.711 only)");
    }
    auto path = dir / (name + "." + std::to_string(pt));
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(encoded.data()), static_cast<std::streamsize>(encoded.size()));
    if (!out) return Unexpected("cannot write " + path.string());
  }
  return dir / name;
}

std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace mohq::harness
