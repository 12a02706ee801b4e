// analyzers/audio: the payload classifier calibrated on real hold music and speech (Debian's
// asterisk-moh-opsound-wav and asterisk-core-sounds-en-wav, espeak-ng, sox tones and noise), every audio finding
// raised by a stream built for it and not by clean streams, prompt comparison with loop offsets, WAV writer read
// back with sox.
#define BOOST_TEST_MODULE analyzers_audio
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include "analyzers/audio/audio_checks.hpp"
#include "analyzers/audio/audio_decode.hpp"
#include "analyzers/audio/prompt_compare.hpp"
#include "analyzers/audio/wav_writer.hpp"
#include "analyzers/model/payload_classifier.hpp"
#include "rtp/g711.hpp"

namespace fs = std::filesystem;
using namespace mohq::analyzers;

namespace {

const fs::path kMohDir = "/usr/share/asterisk/moh";
const fs::path kSoundsDir = "/usr/share/asterisk/sounds/en";

std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::vector<std::uint8_t> bytes(fs::exists(path) ? fs::file_size(path) : 0);
  file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

std::uint32_t le32(const std::uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (std::uint32_t{p[3]} << 24); }
std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }

// 8 kHz mono 16-bit PCM WAV samples; empty when the file is anything else.
std::vector<std::int16_t> read_wav(const fs::path& path) {
  const auto bytes = read_bytes(path);
  if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0 || std::memcmp(bytes.data() + 8, "WAVE", 4) != 0)
    return {};
  bool format_ok = false;
  for (std::size_t pos = 12; pos + 8 <= bytes.size();) {
    const std::uint32_t size = le32(&bytes[pos + 4]);
    const std::uint8_t* body = &bytes[pos + 8];
    if (std::memcmp(&bytes[pos], "fmt ", 4) == 0 && size >= 16)
      format_ok = le16(body) == 1 && le16(body + 2) == 1 && le32(body + 4) == 8000 && le16(body + 14) == 16;
    if (std::memcmp(&bytes[pos], "data", 4) == 0 && format_ok) {
      const std::size_t n = std::min<std::size_t>(size, bytes.size() - pos - 8) / 2;
      std::vector<std::int16_t> samples(n);
      for (std::size_t i = 0; i < n; ++i) samples[i] = static_cast<std::int16_t>(le16(body + 2 * i));
      return samples;
    }
    pos += 8 + size + (size & 1);
  }
  return {};
}

std::vector<std::uint8_t> encode(std::span<const std::int16_t> samples, PayloadEncoding encoding) {
  std::vector<std::uint8_t> out;
  if (encoding == PayloadEncoding::Pcma || encoding == PayloadEncoding::Pcmu) {
    out.resize(samples.size());
    if (encoding == PayloadEncoding::Pcma) mohq::rtp::encode_alaw(samples, out);
    else mohq::rtp::encode_ulaw(samples, out);
  } else {
    const bool little = encoding == PayloadEncoding::Linear16Le;
    for (const auto s : samples) {
      const auto u = static_cast<std::uint16_t>(s);
      const auto lo = static_cast<std::uint8_t>(u & 0xff), hi = static_cast<std::uint8_t>(u >> 8);
      out.push_back(little ? lo : hi);
      out.push_back(little ? hi : lo);
    }
  }
  return out;
}

RtpStream make_stream(const std::vector<std::uint8_t>& bytes, unsigned pt, const std::string& prompt = "",
                      std::vector<unsigned> negotiated = {}, std::size_t chunk = 160) {
  RtpStream stream;
  stream.source = {"127.0.0.1", 40000};
  stream.destination = {"127.0.0.1", 6000};
  stream.ssrc = 0x1a2b3c4d;
  stream.expected.prompt = prompt;
  stream.expected.negotiated_types = std::move(negotiated);
  std::uint16_t seq = 0;
  for (std::size_t offset = 0; offset + chunk <= bytes.size(); offset += chunk, ++seq) {
    RtpPacketRecord packet;
    packet.frame = seq + 1u;
    packet.time = seq * 0.02;
    packet.sequence = seq;
    packet.timestamp = static_cast<std::uint32_t>(seq * chunk);
    packet.payload_type = static_cast<std::uint8_t>(pt);
    stream.add_packet(packet, std::span(bytes).subspan(offset, chunk));
  }
  return stream;
}

std::vector<std::string> ids(const Findings& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.id);
  return out;
}
bool has(const Findings& findings, const std::string& id) {
  return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) { return f.id == id; });
}
const Finding* get(const Findings& findings, const std::string& id) {
  for (const auto& f : findings)
    if (f.id == id) return &f;
  return nullptr;
}

std::string capture(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    std::array<char, 256> buffer{};
    while (fgets(buffer.data(), buffer.size(), pipe)) out += buffer.data();
    pclose(pipe);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

fs::path temp_dir() {
  static const fs::path dir = [] {
    auto d = fs::temp_directory_path() / ("mohq_audio_test_" + std::to_string(getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

// Removes the scratch directory (sox/espeak-ng output, written WAVs) when the module ends.
struct ScratchCleanup {
  ScratchCleanup() = default;
  ~ScratchCleanup() {
    std::error_code ignored;
    fs::remove_all(temp_dir(), ignored);
  }
};

struct Source {
  std::string group;  // music, speech, espeak, synthetic
  std::string name;
  std::vector<std::int16_t> samples;
};

bool packages_present() { return fs::exists(kMohDir / "macroform-cold_day.wav") && fs::exists(kSoundsDir); }

std::vector<std::int16_t> track(const std::string& file) { return read_wav(kMohDir / file); }

const std::vector<std::string> kTracks = {"macroform-cold_day.wav", "macroform-robot_dity.wav",
                                          "macroform-the_simplicity.wav", "manolo_camp-morning_coffee.wav",
                                          "reno_project-system.wav"};

// sox/espeak-ng output converted to 8 kHz s16 mono WAV.
std::vector<std::int16_t> via_sox(const std::string& name, const std::string& input, const std::string& effects = "") {
  const fs::path out = temp_dir() / (name + ".wav");
  const std::string command =
      "sox " + input + " -r 8000 -b 16 -c 1 -e signed-integer " + out.string() + " " + effects + " 2>/dev/null";
  if (std::system(command.c_str()) != 0) return {};
  return read_wav(out);
}

std::vector<Source> calibration_sources() {
  std::vector<Source> sources;
  for (const auto& file : kTracks) sources.push_back({"music", file, track(file)});
  std::vector<fs::path> speech;
  for (const auto& entry : fs::directory_iterator(kSoundsDir))
    if (entry.path().extension() == ".wav") speech.push_back(entry.path());
  std::sort(speech.begin(), speech.end());
  for (std::size_t i = 0; i < speech.size(); ++i)
    if (i % 4 == 0 || speech[i].filename() == "queue-periodic-announce.wav")
      sources.push_back({"speech", speech[i].filename().string(), read_wav(speech[i])});
  const fs::path espeak = temp_dir() / "espeak.wav";
  const std::string text =
      "Thank you for holding. All of our agents are busy helping other callers. Your call is important to us; "
      "please stay on the line and the next available representative will be with you shortly. "
      "You are caller number three in the queue. The estimated waiting time is four minutes.";
  for (const std::string voice : {"en", "en-us+f3"}) {
    const std::string command = "espeak-ng -v " + voice + " -w " + espeak.string() + " \"" + text + "\" 2>/dev/null";
    if (std::system(command.c_str()) == 0) sources.push_back({"espeak", voice, via_sox("espeak_" + voice, espeak.string())});
  }
  sources.push_back({"synthetic", "sine 440 Hz", via_sox("sine", "-n", "synth 20 sine 440 vol 0.5")});
  sources.push_back({"synthetic", "sweep 100-3500 Hz", via_sox("sweep", "-n", "synth 20 sine 100-3500 vol 0.5")});
  sources.push_back({"synthetic", "chord", via_sox("chord", "-n", "synth 20 pluck C3 pluck E3 pluck G3 vol 0.3")});
  sources.push_back({"synthetic", "pink noise", via_sox("pink", "-n", "synth 20 pinknoise vol 0.3")});
  sources.push_back({"synthetic", "brown noise", via_sox("brown", "-n", "synth 20 brownnoise vol 0.3")});
  sources.push_back({"synthetic", "white noise -30 dB", via_sox("white", "-n", "synth 20 whitenoise vol 0.03")});
  return sources;
}

constexpr std::array<PayloadEncoding, 4> kEncodings = {PayloadEncoding::Pcmu, PayloadEncoding::Pcma,
                                                       PayloadEncoding::Linear16Le, PayloadEncoding::Linear16Be};
constexpr std::size_t kWindowBytes = 8000;      // 1 s of G.711 (0.5 s of s16)
constexpr double kActiveDbfs = -50.0;           // windows quieter than this are not scored (Silence is right)

double window_dbfs(std::span<const std::int16_t> samples) {
  double acc = 0;
  for (const auto s : samples) acc += static_cast<double>(s) * s;
  const double rms = std::sqrt(acc / static_cast<double>(std::max<std::size_t>(samples.size(), 1)));
  return rms <= 0 ? -120 : 20 * std::log10(rms / 32768);
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(ScratchCleanup);

BOOST_AUTO_TEST_CASE(classifier_calibration_on_real_music_and_speech) {
  if (!packages_present()) {
    BOOST_TEST_MESSAGE("SKIPPED: asterisk-moh-opsound-wav / asterisk-core-sounds-en-wav not installed");
    return;
  }
  const auto sources = calibration_sources();
  // counts[group][true encoding][guess]
  std::map<std::string, std::map<PayloadEncoding, std::map<PayloadEncoding, std::size_t>>> counts;
  std::map<std::string, std::size_t> quiet;
  double total_seconds = 0;
  for (const auto& source : sources) {
    BOOST_TEST_REQUIRE(!source.samples.empty(), source.name << " could not be read");
    total_seconds += static_cast<double>(source.samples.size()) / 8000;
    for (const auto encoding : kEncodings) {
      const std::size_t per_window = (encoding == PayloadEncoding::Pcma || encoding == PayloadEncoding::Pcmu) ? 8000 : 4000;
      for (std::size_t start = 0; start + per_window <= source.samples.size(); start += per_window) {
        const auto window = std::span(source.samples).subspan(start, per_window);
        if (window_dbfs(window) < kActiveDbfs) {
          ++quiet[source.group];
          continue;
        }
        const auto bytes = encode(window, encoding);
        BOOST_REQUIRE_EQUAL(bytes.size(), kWindowBytes);
        ++counts[source.group][encoding][classify_payload(bytes).encoding];
      }
    }
  }
  BOOST_TEST_MESSAGE("calibration: " << sources.size() << " sources, " << static_cast<int>(total_seconds) << " s of audio");
  std::map<PayloadEncoding, std::array<std::size_t, 2>> real;  // [detected, total] over music+speech+espeak
  std::array<std::size_t, 2> false_positive{0, 0};              // correct G.711 named as another encoding
  std::array<std::size_t, 2> synthetic_false_positive{0, 0};
  for (const auto& [group, by_truth] : counts) {
    for (const auto& [truth, guesses] : by_truth) {
      std::size_t total = 0;
      std::string line;
      for (const auto& [guess, count] : guesses) {
        total += count;
        line += " " + std::string(encoding_name(guess)) + "=" + std::to_string(count);
      }
      const std::size_t right = guesses.count(truth) ? guesses.at(truth) : 0;
      BOOST_TEST_MESSAGE(group << " " << encoding_name(truth) << ": " << right << "/" << total << " ("
                               << 100.0 * static_cast<double>(right) / static_cast<double>(total) << " %)" << line);
      std::size_t wrong_named = 0;
      for (const auto& [guess, count] : guesses)
        if (guess != truth && guess != PayloadEncoding::Silence && guess != PayloadEncoding::Unknown) wrong_named += count;
      const bool g711 = truth == PayloadEncoding::Pcma || truth == PayloadEncoding::Pcmu;
      if (group == "synthetic") {
        if (g711) {
          synthetic_false_positive[0] += wrong_named;
          synthetic_false_positive[1] += total;
        }
        continue;
      }
      real[truth][0] += right;
      real[truth][1] += total;
      if (g711) {
        false_positive[0] += wrong_named;
        false_positive[1] += total;
      }
    }
  }
  for (const auto& [group, n] : quiet) BOOST_TEST_MESSAGE(group << ": " << n << " windows below " << kActiveDbfs << " dBFS not scored");
  // Detection per defect class: s16le / s16be sent as G.711 named as s16 of that order; one law's bytes sent
  // under the other's type named as their true law (the same numbers as "correct G.711 recognized").
  for (const auto& [truth, counts_of] : real) {
    const double rate = static_cast<double>(counts_of[0]) / static_cast<double>(counts_of[1]);
    BOOST_TEST_MESSAGE("music+speech " << encoding_name(truth) << " detected " << counts_of[0] << "/" << counts_of[1]
                                       << " = " << 100 * rate << " %");
    BOOST_TEST(counts_of[1] >= 1000u);
    BOOST_TEST(rate >= 0.99, encoding_name(truth) << " detection " << 100 * rate << " % < 99 %");
  }
  const double fp = static_cast<double>(false_positive[0]) / static_cast<double>(false_positive[1]);
  const double synthetic_fp =
      static_cast<double>(synthetic_false_positive[0]) / static_cast<double>(std::max<std::size_t>(synthetic_false_positive[1], 1));
  BOOST_TEST_MESSAGE("false positives on correct G.711: music+speech " << false_positive[0] << "/" << false_positive[1]
                                                                       << ", synthetic " << synthetic_false_positive[0] << "/"
                                                                       << synthetic_false_positive[1]);
  BOOST_TEST(fp <= 0.01);
  BOOST_TEST(synthetic_fp <= 0.01);
}

namespace {

// The first `seconds` of a Debian MOH track (or the whole track for seconds <= 0).
std::vector<std::int16_t> music(std::size_t index, double seconds = 0) {
  auto samples = track(kTracks.at(index));
  if (seconds > 0) samples.resize(std::min(samples.size(), static_cast<std::size_t>(seconds * 8000)));
  return samples;
}

std::vector<std::uint8_t> alaw(std::span<const std::int16_t> samples) { return encode(samples, PayloadEncoding::Pcma); }

}  // namespace

// Every finding's thresholds against the real music: five tracks, both laws, whole length; nothing is raised.
BOOST_AUTO_TEST_CASE(clean_music_raises_nothing) {
  if (!packages_present()) {
    BOOST_TEST_MESSAGE("SKIPPED: asterisk-moh-opsound-wav not installed");
    return;
  }
  for (std::size_t t = 0; t < kTracks.size(); ++t) {
    const auto samples = music(t);
    for (const auto law : {PayloadEncoding::Pcma, PayloadEncoding::Pcmu}) {
      const unsigned pt = law == PayloadEncoding::Pcma ? 8 : 0;
      const auto report = check_audio(make_stream(encode(samples, law), pt, "/var/lib/moh/" + kTracks[t], {0, 8}));
      const auto& m = report.measures;
      BOOST_TEST_MESSAGE(kTracks[t] << " pt " << pt << ": " << m.seconds << " s, rms " << m.rms_dbfs << " dBFS, peak "
                                    << m.peak_dbfs << ", longest idle " << m.longest_silence_seconds << " s, max jump ratio "
                                    << m.max_click_ratio << ", d-kurtosis " << m.difference_kurtosis << ", clipped runs "
                                    << m.clipped_runs << ", clicks " << m.click_seconds.size());
      BOOST_TEST(report.content_checked);
      BOOST_TEST(report.findings.empty(), kTracks[t] << " pt " << pt << " raised " << nlohmann::json(ids(report.findings)).dump());
    }
  }
}

BOOST_AUTO_TEST_CASE(payload_mismatch_s16_as_alaw_names_the_prompt) {
  if (!packages_present()) return;
  const auto samples = music(0, 20);
  const auto report = check_audio(make_stream(encode(samples, PayloadEncoding::Linear16Le), 8, "/var/lib/moh/test"));
  const auto* finding = get(report.findings, "codec.payload_mismatch");
  BOOST_REQUIRE(finding);
  BOOST_TEST((finding->severity == Severity::Error));
  BOOST_TEST(finding->message == "the prompt /var/lib/moh/test.8 holds 16-bit linear PCM, not A-law");
  BOOST_TEST(finding->fix == "convert it: mohq prompt convert INPUT --out /var/lib/moh/test --codecs 8");
  BOOST_TEST(finding->evidence["claimed_payload_type"] == 8);
  BOOST_TEST(finding->evidence["guessed_encoding"] == "s16le");
  BOOST_TEST(finding->evidence["as_claimed"]["zero_crossing_rate"].get<double>() > 0.3);
  BOOST_TEST(!report.content_checked);
  // Big-endian s16 under mu-law, and the laws swapped both ways.
  BOOST_TEST(get(audio_findings(make_stream(encode(samples, PayloadEncoding::Linear16Be), 0)), "codec.payload_mismatch")
                 ->evidence["guessed_encoding"] == "s16be");
  const auto swapped = audio_findings(make_stream(encode(samples, PayloadEncoding::Pcmu), 8, "/moh/x"));
  BOOST_REQUIRE(has(swapped, "codec.payload_mismatch"));
  BOOST_TEST(get(swapped, "codec.payload_mismatch")->message == "the prompt /moh/x.8 holds mu-law, not A-law");
  BOOST_TEST(has(audio_findings(make_stream(encode(samples, PayloadEncoding::Pcma), 0)), "codec.payload_mismatch"));
  BOOST_TEST(!has(audio_findings(make_stream(encode(samples, PayloadEncoding::Pcma), 8)), "codec.payload_mismatch"));
}

BOOST_AUTO_TEST_CASE(container_header_once_per_loop_and_its_click) {
  if (!packages_present()) return;
  // A WAV (A-law data, format 6 would be the honest header; any RIFF/WAVE header is the defect) looped 3 times.
  const auto samples = music(1, 10);
  auto file = wav_bytes(std::vector<std::int16_t>{});  // a 44-byte header
  const auto data = alaw(samples);
  file.insert(file.end(), data.begin(), data.end());
  std::vector<std::uint8_t> played;
  for (int loop = 0; loop < 3; ++loop) {
    const std::size_t whole = file.size() / 160 * 160;  // rtpproxy drops the partial tail
    played.insert(played.end(), file.begin(), file.begin() + static_cast<long>(whole));
  }
  const auto report = check_audio(make_stream(played, 8, "/moh/hold"));
  const auto* header = get(report.findings, "codec.container_header");
  BOOST_REQUIRE(header);
  BOOST_TEST(header->evidence["format"] == "wav");
  BOOST_TEST(header->evidence["occurrences"] == 3);
  BOOST_TEST(std::abs(header->evidence["interval_seconds"].get<double>() - 10.0) < 0.05);
  BOOST_TEST_MESSAGE("WAV header loop: max jump ratio " << report.measures.max_click_ratio << ", d-kurtosis "
                                                     << report.measures.difference_kurtosis);
  const auto* click = get(report.findings, "audio.click");
  // The header that starts the stream is a click; the ones at later loop points, inside the music, are 44 samples
  // of garbage about as sharp as the percussion of macroform-the_simplicity (README.md): codec.container_header
  // is what catches every loop.
  BOOST_REQUIRE(click);
  BOOST_TEST(click->evidence["clicks"].get<std::size_t>() >= 1u);
  BOOST_TEST(click->evidence["positions_seconds"][0].get<double>() < 0.01);
  BOOST_TEST(!has(report.findings, "codec.payload_mismatch"));
  // Other containers are recognized.
  const std::vector<std::pair<std::string, std::vector<std::uint8_t>>> magics = {
      {"au", {'.', 's', 'n', 'd', 0, 0, 0, 24}}, {"id3", {'I', 'D', '3', 3, 0}}, {"ogg", {'O', 'g', 'g', 'S', 0}},
      {"flac", {'f', 'L', 'a', 'C'}}};
  for (const auto& [format, magic] : magics) {
    auto bytes = alaw(music(1, 2));
    std::copy(magic.begin(), magic.end(), bytes.begin() + 1000);
    const auto found = find_container_header(bytes);
    BOOST_REQUIRE(found);
    BOOST_TEST(found->format == format);
    BOOST_TEST(found->offset == 1000u);
  }
  BOOST_TEST(!find_container_header(alaw(music(2, 30))));
}

BOOST_AUTO_TEST_CASE(pt_not_negotiated_and_non_g711_skipped) {
  if (!packages_present()) return;
  const auto bytes = alaw(music(3, 5));
  BOOST_TEST(has(audio_findings(make_stream(bytes, 8, "", {0})), "codec.pt_not_negotiated"));
  BOOST_TEST(!has(audio_findings(make_stream(bytes, 8, "", {0, 8})), "codec.pt_not_negotiated"));
  BOOST_TEST(!has(audio_findings(make_stream(bytes, 8)), "codec.pt_not_negotiated"));  // nothing known
  const auto report = check_audio(make_stream(bytes, 96, "", {96}));
  BOOST_TEST(!report.content_checked);
  BOOST_TEST(report.content_note.find("not G.711") != std::string::npos);
  BOOST_TEST(ids(report.findings) == std::vector<std::string>{"audio.unchecked"});
}

BOOST_AUTO_TEST_CASE(clicks_clipping_silence_level) {
  if (!packages_present()) return;
  const auto base = music(4, 30);
  // Clicks: a 3-sample spike every 5 s.
  auto clicked = base;
  for (std::size_t s = 5; s < 30; s += 5)
    for (std::size_t i = 0; i < 3; ++i) clicked[s * 8000 + i] = static_cast<std::int16_t>(i == 1 ? -24000 : 24000);
  const auto clicks = check_audio(make_stream(alaw(clicked), 8));
  BOOST_TEST_MESSAGE("spikes: max jump ratio " << clicks.measures.max_click_ratio << ", d-kurtosis "
                                              << clicks.measures.difference_kurtosis);
  BOOST_REQUIRE(has(clicks.findings, "audio.click"));
  const auto positions = get(clicks.findings, "audio.click")->evidence["positions_seconds"].get<std::vector<double>>();
  BOOST_TEST(positions.size() == 5u);
  for (std::size_t k = 0; k < positions.size(); ++k) BOOST_TEST(std::abs(positions[k] - 5.0 * static_cast<double>(k + 1)) < 0.01);
  BOOST_TEST(!has(clicks.findings, "audio.clipping"));

  // Clipping: the music 4x louder, saturated.
  auto loud = base;
  for (auto& s : loud) s = static_cast<std::int16_t>(std::clamp(s * 4, -32768, 32767));
  BOOST_TEST(has(audio_findings(make_stream(alaw(loud), 8)), "audio.clipping"));

  // Silence: all idle codes (whole stream, error), and 15 s of silence inside the music (warning).
  const auto idle = audio_findings(make_stream(std::vector<std::uint8_t>(8000 * 10, 0xD5), 8));
  BOOST_REQUIRE(has(idle, "audio.silence"));
  BOOST_TEST((get(idle, "audio.silence")->severity == Severity::Error));
  BOOST_TEST(!has(idle, "audio.level"));
  const auto idle_mu = audio_findings(make_stream(std::vector<std::uint8_t>(8000 * 10, 0xFF), 0));
  BOOST_TEST(has(idle_mu, "audio.silence"));
  BOOST_TEST(!has(idle_mu, "codec.payload_mismatch"));
  auto gap = base;
  std::fill(gap.begin() + 8000 * 8, gap.begin() + 8000 * 23, std::int16_t{0});
  const auto gapped = audio_findings(make_stream(alaw(gap), 8));
  BOOST_REQUIRE(has(gapped, "audio.silence"));
  BOOST_TEST((get(gapped, "audio.silence")->severity == Severity::Warning));

  // Level: the music 40 dB down.
  auto quiet = base;
  for (auto& s : quiet) s = static_cast<std::int16_t>(s / 100);
  const auto low = audio_findings(make_stream(alaw(quiet), 8));
  BOOST_TEST(has(low, "audio.level"), nlohmann::json(ids(low)).dump());
  BOOST_TEST(!has(low, "codec.payload_mismatch"));
  BOOST_TEST(!has(audio_findings(make_stream(alaw(base), 8)), "audio.level"));
}

namespace {

// measure_audio's definitions sample by sample, the obvious way: the reference its block/SIMD implementation must
// equal exactly (level and silence per 1 s window, clipped runs, isolated jumps against their context's RMS).
AudioMeasures reference_measures(const std::vector<std::int16_t>& x) {
  AudioMeasures m;
  const std::size_t n = x.size();
  m.seconds = static_cast<double>(n) / 8000;
  if (n == 0) return m;
  double active = 0, all = 0, run = 0;
  std::size_t active_n = 0;
  int peak = 0;
  for (std::size_t start = 0; start < n; start += 8000) {
    const std::size_t len = std::min<std::size_t>(8000, n - start);
    std::int64_t sum = 0;
    for (std::size_t i = start; i < start + len; ++i) {
      sum += std::int64_t{x[i]} * x[i];
      peak = std::max(peak, std::abs(int{x[i]}));
    }
    all += static_cast<double>(sum);
    const double rms = std::sqrt(static_cast<double>(sum) / static_cast<double>(len));
    if ((rms <= 0 ? -120.0 : std::max(-120.0, 20 * std::log10(rms / 32768))) < -60) {
      m.silent_seconds += static_cast<double>(len) / 8000;
      run += static_cast<double>(len) / 8000;
      m.longest_silence_seconds = std::max(m.longest_silence_seconds, run);
    } else {
      run = 0;
      active += static_cast<double>(sum);
      active_n += len;
    }
  }
  auto dbfs = [](double r) { return r <= 0 ? -120.0 : std::max(-120.0, 20 * std::log10(r / 32768)); };
  m.rms_dbfs = active_n ? dbfs(std::sqrt(active / static_cast<double>(active_n))) : dbfs(std::sqrt(all / static_cast<double>(n)));
  m.peak_dbfs = dbfs(peak);
  std::size_t clip = 0;
  for (std::size_t i = 0; i <= n; ++i) {
    if (i < n && (x[i] >= 32000 || x[i] <= -32000)) {
      ++clip;
      continue;
    }
    if (clip >= 3) {
      ++m.clipped_runs;
      m.clipped_samples += clip;
    }
    clip = 0;
  }
  if (n < 2) return m;
  auto band = [&](std::size_t from, std::size_t to) {
    from = std::min(from, n);
    to = std::min(to, n);
    if (to <= from) return 0.0;
    std::int64_t sum = 0;
    for (std::size_t j = std::max<std::size_t>(from, 1); j < to; ++j) sum += std::int64_t{x[j] - x[j - 1]} * (x[j] - x[j - 1]);
    return std::sqrt(static_cast<double>(sum) / static_cast<double>(to - from));
  };
  std::optional<std::size_t> last;
  for (std::size_t i = 1; i < n; ++i) {
    const int step = x[i] - x[i - 1];
    if (std::abs(step) < 4000) continue;
    const double before = i > 64 ? band(i > 512 ? i - 512 : 0, i - 64) : 0.0;
    const double ratio = std::abs(static_cast<double>(step)) / std::max({before, band(i + 64, i + 512), 50.0});
    m.max_click_ratio = std::max(m.max_click_ratio, ratio);
    if (ratio < 45) continue;
    if (!last || i - *last > 80) m.click_seconds.push_back(static_cast<double>(i) / 8000);
    last = i;
  }
  return m;
}

}  // namespace

BOOST_AUTO_TEST_CASE(measure_audio_equals_its_sample_by_sample_definition) {
  std::vector<std::vector<std::int16_t>> signals;
  std::mt19937 random(11);
  for (const std::size_t n : {0, 1, 2, 63, 64, 65, 577, 7999, 8000, 8001, 24065, 100003}) {
    std::vector<std::int16_t> noise(n), spiky(n), clipped(n);
    for (std::size_t i = 0; i < n; ++i) {
      noise[i] = static_cast<std::int16_t>(static_cast<int>(random() % 65536) - 32768);
      spiky[i] = static_cast<std::int16_t>(i % 997 == 500 ? 20000 : static_cast<int>(random() % 61) - 30);
      clipped[i] = static_cast<std::int16_t>(i % 41 < 6 ? (i & 1 ? 32767 : -32768) : static_cast<int>(random() % 3001) - 1500);
    }
    signals.push_back(noise);
    signals.push_back(spiky);
    signals.push_back(clipped);
  }
  if (packages_present())
    for (std::size_t t = 0; t < kTracks.size(); ++t) {
      auto samples = music(t, 40);
      auto loud = samples;
      for (auto& s : loud) s = static_cast<std::int16_t>(std::clamp(s * 4, -32768, 32767));
      std::fill(samples.begin() + 8000 * 3, samples.begin() + 8000 * 15, std::int16_t{0});
      for (std::size_t s = 20; s < 40; s += 5) samples[s * 8000] = 24000;
      signals.push_back(samples);
      signals.push_back(loud);
    }
  for (std::size_t k = 0; k < signals.size(); ++k) {
    const auto a = reference_measures(signals[k]);
    const auto b = measure_audio(signals[k]);
    BOOST_TEST_CONTEXT("signal " << k << " (" << signals[k].size() << " samples)") {
      BOOST_TEST(a.rms_dbfs == b.rms_dbfs);
      BOOST_TEST(a.peak_dbfs == b.peak_dbfs);
      BOOST_TEST(a.silent_seconds == b.silent_seconds);
      BOOST_TEST(a.longest_silence_seconds == b.longest_silence_seconds);
      BOOST_TEST(a.clipped_runs == b.clipped_runs);
      BOOST_TEST(a.clipped_samples == b.clipped_samples);
      BOOST_TEST(a.max_click_ratio == b.max_click_ratio);
      BOOST_TEST(a.click_seconds == b.click_seconds, boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(prompt_compare_loops_offsets_mismatch_and_transcoding) {
  if (!packages_present()) return;
  const auto samples = music(2, 10.05);  // 80400 bytes: 502 chunks and an 80-byte tail rtpproxy drops
  const auto prompt = alaw(samples);
  const std::size_t chunks = prompt.size() / 160;
  BOOST_REQUIRE_EQUAL(chunks, 502u);
  const std::size_t first_chunk = 37, packets = 1500;
  std::vector<std::uint8_t> played;
  for (std::size_t p = 0, c = first_chunk; p < packets; ++p, c = (c + 1) % chunks)
    played.insert(played.end(), prompt.begin() + static_cast<long>(c * 160), prompt.begin() + static_cast<long>(c * 160 + 160));
  const auto stream = make_stream(played, 8);
  const auto exact = compare_with_prompt(stream, prompt, PayloadEncoding::Pcma);
  BOOST_TEST(exact.byte_exact());
  BOOST_TEST(exact.matched_packets == packets);
  BOOST_TEST(*exact.start_offset == first_chunk * 160);
  BOOST_TEST(exact.start_on_chunk_boundary);
  BOOST_TEST(exact.loops == (first_chunk + packets - 1) / chunks);  // 3 wraps
  BOOST_TEST(!exact.snr_db);

  auto damaged_bytes = played;
  damaged_bytes[700 * 160 + 5] ^= 0x01;  // one step of one sample
  const auto damaged = make_stream(damaged_bytes, 8);
  const auto one_bad = compare_with_prompt(damaged, prompt, PayloadEncoding::Pcma);
  BOOST_TEST(!one_bad.byte_exact());
  BOOST_TEST(*one_bad.first_mismatch_packet == 700u);
  BOOST_TEST(one_bad.matched_packets == packets - 1);
  BOOST_REQUIRE(one_bad.snr_db);
  BOOST_TEST(*one_bad.snr_db > 60.0);

  // Transcoded path: the same audio re-encoded as mu-law, PT 0: no byte match, aligned by correlation.
  const auto decoded = decode_g711(played, PayloadEncoding::Pcma);
  const auto transcoded = compare_with_prompt(make_stream(encode(decoded, PayloadEncoding::Pcmu), 0), prompt,
                                              PayloadEncoding::Pcma);
  BOOST_TEST(transcoded.matched_packets == 0u);
  BOOST_REQUIRE(transcoded.lag_samples);
  BOOST_TEST(*transcoded.lag_samples == static_cast<long>(first_chunk * 160));
  BOOST_TEST(*transcoded.correlation > 0.99);
  BOOST_TEST(*transcoded.snr_db > 30.0);

  // The wrong file: low correlation, no SNR to speak of.
  const auto wrong = compare_with_prompt(make_stream(alaw(music(3, 10)), 8), prompt, PayloadEncoding::Pcma);
  BOOST_TEST(wrong.matched_packets == 0u);
  BOOST_REQUIRE(wrong.snr_db);
  BOOST_TEST(*wrong.snr_db < 3.0);
  BOOST_TEST(to_json(exact)["byte_exact"] == true);
}

BOOST_AUTO_TEST_CASE(wav_writer_read_back_with_sox) {
  std::vector<std::int16_t> samples(12345);
  for (std::size_t i = 0; i < samples.size(); ++i)
    samples[i] = static_cast<std::int16_t>(12000 * std::sin(2 * 3.14159265358979 * 440 * static_cast<double>(i) / 8000) +
                                           static_cast<double>(i % 7));
  const fs::path path = temp_dir() / "written.wav";
  BOOST_REQUIRE(write_wav(path, samples));
  BOOST_TEST(fs::file_size(path) == 44u + 2 * samples.size());
  BOOST_TEST(capture("soxi -r " + path.string()) == "8000");
  BOOST_TEST(capture("soxi -c " + path.string()) == "1");
  BOOST_TEST(capture("soxi -b " + path.string()) == "16");
  BOOST_TEST(capture("soxi -s " + path.string()) == std::to_string(samples.size()));
  BOOST_TEST(capture("soxi -e " + path.string()) == "Signed Integer PCM");
  const fs::path raw = temp_dir() / "written.raw";
  BOOST_REQUIRE(std::system(("sox " + path.string() + " -t raw -e signed-integer -b 16 -L " + raw.string()).c_str()) == 0);
  BOOST_TEST(read_bytes(raw) == encode(samples, PayloadEncoding::Linear16Le));
  BOOST_TEST(!write_wav("/nonexistent-dir/x.wav", samples));
}

BOOST_AUTO_TEST_CASE(decode_spectrogram_envelope) {
  std::vector<std::int16_t> tone(8000 * 4);
  for (std::size_t i = 0; i < tone.size(); ++i)
    tone[i] = static_cast<std::int16_t>(16000 * std::sin(2 * 3.14159265358979 * 1000 * static_cast<double>(i) / 8000));
  auto stream = make_stream(encode(tone, PayloadEncoding::Pcmu), 0);
  stream.packets.back().payload_type = 13;  // a comfort-noise packet is skipped
  const auto audio = decode_stream(stream);
  BOOST_TEST(audio.packets_skipped == 1u);
  BOOST_TEST(audio.samples.size() == tone.size() - 160);
  const auto spectrogram = spectrogram_data(audio.samples, 50, 32);
  BOOST_TEST(spectrogram.db.size() <= 50u);
  BOOST_TEST(spectrogram.db.size() >= 40u);
  BOOST_REQUIRE(spectrogram.db.front().size() == 32u);
  const auto& column = spectrogram.db[10];
  const auto peak = static_cast<std::size_t>(std::max_element(column.begin(), column.end()) - column.begin());
  BOOST_TEST(peak == static_cast<std::size_t>(1000 / spectrogram.hz_per_row));
  BOOST_TEST(column[peak] > -12.0f);  // a -6 dBFS sine, spread over a 4-bin row
  BOOST_TEST(column[peak] - column[28] > 40.0f);
  const auto envelope = waveform_envelope(audio.samples, 100);
  BOOST_TEST(envelope.min.size() <= 100u);
  BOOST_TEST(*std::max_element(envelope.max.begin(), envelope.max.end()) > 15000);
  BOOST_TEST(*std::min_element(envelope.min.begin(), envelope.min.end()) < -15000);
  BOOST_TEST(to_json(spectrogram)["db"].size() == spectrogram.db.size());
  BOOST_TEST(to_json(envelope)["min"].size() == envelope.min.size());
}
