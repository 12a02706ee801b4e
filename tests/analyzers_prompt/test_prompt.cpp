#define BOOST_TEST_MODULE test_prompt
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzers/prompt/prompt_convert.hpp"
#include "analyzers/prompt/prompt_lint.hpp"
#include "process/temp_dir.hpp"
#include "rtp/g711.hpp"

namespace fs = std::filesystem;
using namespace mohq::analyzers;

namespace {

using Bytes = std::vector<std::uint8_t>;

// The error of an Expected for a failure message (Boost.Test builds the message even when the check passes).
template <class T>
std::string why(const T& expected) {
  return expected ? std::string() : std::string(expected.error());
}

Bytes read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot open " << path);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  BOOST_REQUIRE_MESSAGE(out, "cannot write " << path);
}

std::string quote(const fs::path& path) { return "'" + path.string() + "'"; }

// Runs a shell command; its exit code (-1 when it did not exit).
int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
}

void must(const std::string& command) {
  BOOST_REQUIRE_MESSAGE(shell(command + " >/dev/null 2>&1") == 0, "failed: " << command);
}

fs::path mohq_binary() {
  const char* bin = std::getenv("MOHQ_BIN_DIR");
  BOOST_REQUIRE_MESSAGE(bin != nullptr, "MOHQ_BIN_DIR is not set (run through ctest)");
  return fs::path(bin) / "mohq";
}

int run_mohq(const std::string& args, const fs::path& log) {
  return shell(quote(mohq_binary()) + " " + args + " >" + quote(log) + " 2>&1");
}

bool gst_element_installed(const std::string& name) {
  return shell("gst-inspect-1.0 " + name + " >/dev/null 2>&1") == 0;
}

// The samples of a canonical 16-bit PCM WAV's data chunk.
std::vector<std::int16_t> wav_samples(const Bytes& wav) {
  BOOST_REQUIRE(wav.size() >= 12);
  BOOST_REQUIRE(std::memcmp(wav.data(), "RIFF", 4) == 0 && std::memcmp(wav.data() + 8, "WAVE", 4) == 0);
  std::size_t at = 12;
  while (at + 8 <= wav.size()) {
    std::uint32_t size = 0;
    std::memcpy(&size, wav.data() + at + 4, 4);
    if (std::memcmp(wav.data() + at, "data", 4) == 0) {
      size = static_cast<std::uint32_t>(std::min<std::size_t>(size, wav.size() - at - 8));
      std::vector<std::int16_t> samples(size / 2);
      std::memcpy(samples.data(), wav.data() + at + 8, samples.size() * 2);
      return samples;
    }
    at += 8 + size + (size & 1);
  }
  BOOST_FAIL("no data chunk");
  return {};
}

Bytes wav_data_bytes(const Bytes& wav) {
  const auto samples = wav_samples(wav);
  Bytes bytes(samples.size() * 2);
  std::memcpy(bytes.data(), samples.data(), bytes.size());
  return bytes;
}

Bytes alaw(std::span<const std::int16_t> pcm) {
  Bytes out(pcm.size());
  mohq::rtp::encode_alaw(pcm, out);
  return out;
}

Bytes ulaw(std::span<const std::int16_t> pcm) {
  Bytes out(pcm.size());
  mohq::rtp::encode_ulaw(pcm, out);
  return out;
}

// Real hold music from asterisk-moh-opsound-wav (8 kHz mono 16-bit), the shortest track; otherwise a sox-made
// music-like signal. Either way a 20 s excerpt keeps the suite fast.
struct HoldMusic {
  mohq::process::TempDir dir;
  fs::path wav;        // 8 kHz mono s16 WAV
  std::string origin;
};

HoldMusic make_hold_music() {
  auto dir = mohq::process::make_temp_dir("mohq-prompt-");
  BOOST_REQUIRE_MESSAGE(dir, why(dir));
  HoldMusic music{std::move(*dir), {}, {}};
  fs::path source;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/usr/share/asterisk/moh", error)) {
    if (entry.path().extension() == ".wav" && (source.empty() || entry.file_size() < fs::file_size(source))) {
      source = entry.path();
    }
  }
  music.wav = music.dir / "hold.wav";
  if (!source.empty()) {
    must("sox " + quote(source) + " " + quote(music.wav) + " trim 10 20.0125");  // 160100 samples: not whole 20 ms
    music.origin = source.string();
  } else {
    must("sox -n -r 8000 -c 1 -b 16 " + quote(music.wav) +
         " synth 20.0125 sine 220-880 sine 330 tremolo 3 40 vol 0.4");
    music.origin = "sox synth";
  }
  BOOST_TEST_MESSAGE("hold music: " << music.origin);
  return music;
}

HoldMusic& hold_music() {
  static HoldMusic music = make_hold_music();
  return music;
}

std::set<std::string> finding_ids(const PromptLintReport& report, const std::string& file) {
  std::set<std::string> ids;
  for (const auto& finding : report.findings) {
    if (finding.file == file) ids.insert(finding.id);
  }
  return ids;
}

PromptLintReport lint_dir(const fs::path& dir) {
  auto files = collect_prompt_files({dir});
  BOOST_REQUIRE_MESSAGE(files, why(files));
  auto report = lint_prompt_files(*files);
  BOOST_REQUIRE_MESSAGE(report, why(report));
  BOOST_TEST_MESSAGE(report->to_text());
  return *report;
}

std::string describe(const PromptLintReport& report) { return report.to_text(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(convert)

BOOST_AUTO_TEST_CASE(decoding_an_8khz_mono_wav_gives_its_samples_unchanged) {
  const auto& music = hold_music();
  auto decoded = decode_audio_file(music.wav);
  BOOST_REQUIRE_MESSAGE(decoded, why(decoded));
  const auto expected = wav_samples(read_bytes(music.wav));
  BOOST_REQUIRE_EQUAL(decoded->size(), expected.size());
  BOOST_TEST((*decoded == expected));
}

BOOST_AUTO_TEST_CASE(real_hold_music_wav_to_pcmu_and_pcma_is_g711_of_the_decoded_audio_and_lints_clean) {
  const auto& music = hold_music();
  auto decoded = decode_audio_file(music.wav);
  BOOST_REQUIRE_MESSAGE(decoded, why(decoded));
  auto out = mohq::process::make_temp_dir("mohq-prompt-");
  BOOST_REQUIRE(out);
  auto result = convert_prompt(music.wav, *out / "moh" / "hold", {0, 8});
  BOOST_REQUIRE_MESSAGE(result, why(result));
  BOOST_REQUIRE(result->all_written());
  BOOST_TEST(result->samples == decoded->size());

  const auto padded = pad_to_whole_frames(*decoded);
  BOOST_TEST(padded.size() % 160 == 0u);
  BOOST_TEST(padded.size() >= decoded->size());
  BOOST_TEST(padded.size() < decoded->size() + 160);
  const Bytes pcmu = read_bytes(*out / "moh" / "hold.0");
  const Bytes pcma = read_bytes(*out / "moh" / "hold.8");
  BOOST_TEST((pcmu == ulaw(padded)));
  BOOST_TEST((pcma == alaw(padded)));
  // The padding is silence in each law.
  BOOST_TEST(pcma.back() == 0xD5);
  BOOST_TEST(pcmu.back() == 0xFF);

  const auto report = lint_dir(*out / "moh");
  BOOST_TEST(report.findings.empty(), describe(report));
  BOOST_REQUIRE_EQUAL(report.groups.size(), 1u);
  BOOST_TEST(report.groups[0].caller_file == (*out / "moh" / "hold.8").string());
  BOOST_TEST(report.groups[0].caller_payload_type == 8);
  for (const auto& file : report.files) {
    BOOST_REQUIRE(file.content.has_value());
    BOOST_TEST((file.content->encoding == (file.payload_type == 8 ? PayloadEncoding::Pcma : PayloadEncoding::Pcmu)),
               file.path << " classified " << encoding_name(file.content->encoding));
  }
}

BOOST_AUTO_TEST_CASE(mp3_flac_and_ogg_at_44k1_stereo_decode_to_8khz_mono_and_convert_bit_exact) {
  const auto& music = hold_music();
  auto dir = mohq::process::make_temp_dir("mohq-prompt-");
  BOOST_REQUIRE(dir);
  // 5 s of the hold music at CD rate, stereo, then compressed three ways.
  const fs::path cd = *dir / "cd.wav";
  must("sox " + quote(music.wav) + " -r 44100 -c 2 " + quote(cd) + " trim 0 5");
  const fs::path flac = *dir / "hold.flac";
  const fs::path ogg = *dir / "hold.ogg";
  const fs::path mp3 = *dir / "hold.mp3";
  must("sox " + quote(cd) + " " + quote(flac));
  must("sox " + quote(cd) + " " + quote(ogg));
  must("gst-launch-1.0 -q filesrc location=" + quote(cd) + " ! wavparse ! audioconvert ! lamemp3enc ! id3v2mux ! "
       "filesink location=" + quote(mp3) + " || gst-launch-1.0 -q filesrc location=" + quote(cd) +
       " ! wavparse ! audioconvert ! lamemp3enc ! filesink location=" + quote(mp3));
  for (const fs::path& input : {flac, ogg, mp3}) {
    BOOST_TEST_CONTEXT(input.extension()) {
      auto decoded = decode_audio_file(input);
      BOOST_REQUIRE_MESSAGE(decoded, why(decoded));
      // 5 s at 8 kHz; MP3 adds encoder delay and padding (a frame or two of 1152 samples at 44.1 kHz).
      const double tolerance = input == mp3 ? 600 : 4;
      BOOST_TEST(std::abs(static_cast<double>(decoded->size()) - 40000.0) <= tolerance, "samples " << decoded->size());
      const fs::path base = *dir / ("out" + input.extension().string()) / "hold";
      auto result = convert_prompt(input, base, {8, 0});
      BOOST_REQUIRE_MESSAGE(result, why(result));
      BOOST_REQUIRE(result->all_written());
      const auto padded = pad_to_whole_frames(*decoded);
      BOOST_TEST((read_bytes(base.string() + ".8") == alaw(padded)));
      BOOST_TEST((read_bytes(base.string() + ".0") == ulaw(padded)));
      // The converted 8 kHz mono audio still follows the source (not noise): close to the WAV's samples.
      const auto reference = wav_samples(read_bytes(music.wav));
      double error = 0;
      double energy = 0;
      const std::size_t n = std::min<std::size_t>(decoded->size(), 40000);
      if (input != mp3) {  // MP3's encoder delay shifts it; FLAC and Vorbis are aligned
        for (std::size_t i = 0; i < n; ++i) {
          const double d = static_cast<double>((*decoded)[i]) - reference[i];
          error += d * d;
          energy += static_cast<double>(reference[i]) * reference[i];
        }
        BOOST_TEST(error < 0.1 * energy, "error/energy " << error / energy);
      }
      const auto report = lint_dir(base.parent_path());
      BOOST_TEST(report.findings.empty(), describe(report));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_44k1_stereo_tone_resamples_to_8khz_mono_of_the_right_length_and_pitch) {
  auto dir = mohq::process::make_temp_dir("mohq-prompt-");
  BOOST_REQUIRE(dir);
  const fs::path tone = *dir / "tone.wav";
  must("sox -n -r 44100 -c 2 -b 16 " + quote(tone) + " synth 3 sine 440 vol 0.5");
  auto decoded = decode_audio_file(tone);
  BOOST_REQUIRE_MESSAGE(decoded, why(decoded));
  BOOST_TEST(std::abs(static_cast<long>(decoded->size()) - 24000L) <= 4, "samples " << decoded->size());
  // 440 Hz stays 440 Hz (wrong rate handling would shift it): count sign changes in the middle 2 s.
  int crossings = 0;
  for (std::size_t i = 4000; i < 20000; ++i) {
    if (((*decoded)[i - 1] < 0) != ((*decoded)[i] < 0)) ++crossings;
  }
  BOOST_TEST(std::abs(crossings / 2.0 / 2.0 - 440.0) <= 3.0, "crossings " << crossings);
  // Both channels carried the tone at -6 dBFS; the mono mix keeps it (not one channel's half, not a sum).
  const auto peak = *std::max_element(decoded->begin(), decoded->end());
  BOOST_TEST(peak > 14000);
  BOOST_TEST(peak < 18000);
}

BOOST_AUTO_TEST_CASE(g722_and_gsm_are_written_when_their_gstreamer_encoders_are_installed) {
  const auto& music = hold_music();
  auto decoded = decode_audio_file(music.wav);
  BOOST_REQUIRE_MESSAGE(decoded, why(decoded));
  const auto padded = pad_to_whole_frames(*decoded);
  auto dir = mohq::process::make_temp_dir("mohq-prompt-");
  BOOST_REQUIRE(dir);

  auto g722 = encode_prompt(padded, 9);
  if (gst_element_installed("avenc_g722")) {
    BOOST_REQUIRE_MESSAGE(g722, why(g722));
    BOOST_TEST(g722->size() == padded.size());  // 64 kbit/s: 8000 bytes per second
    BOOST_TEST(std::set<std::uint8_t>(g722->begin(), g722->end()).size() > 100u);  // not silence or a constant
  } else {
    BOOST_REQUIRE(!g722);
    BOOST_TEST(g722.error().find("gstreamer1.0-libav") != std::string::npos, g722.error());
  }

  auto gsm = encode_prompt(padded, 3);
  if (gst_element_installed("gsmenc")) {
    BOOST_REQUIRE_MESSAGE(gsm, why(gsm));
    BOOST_TEST(gsm->size() == padded.size() / 160 * 33);
    // rtpproxy-protocol.md §6.2: sox's GSM is byte-identical to makeann's (both libgsm); so must ours be.
    const fs::path raw = *dir / "hold.raw";
    const fs::path sox_gsm = *dir / "hold.gsm";
    Bytes raw_bytes(padded.size() * 2);
    std::memcpy(raw_bytes.data(), padded.data(), raw_bytes.size());
    write_bytes(raw, raw_bytes);
    must("sox -t raw -r 8000 -e signed-integer -b 16 -c 1 -L " + quote(raw) + " -t gsm " + quote(sox_gsm));
    BOOST_TEST((*gsm == read_bytes(sox_gsm)));
  } else {
    BOOST_REQUIRE(!gsm);
    BOOST_TEST(gsm.error().find("gstreamer1.0-plugins-bad") != std::string::npos, gsm.error());
  }
  if (g722 && gsm) {
    auto result = convert_prompt(music.wav, *dir / "set" / "hold", {9, 3, 0, 8});
    BOOST_REQUIRE_MESSAGE(result, why(result));
    BOOST_TEST(result->all_written());
    const auto report = lint_dir(*dir / "set");
    BOOST_TEST(report.findings.empty(), describe(report));
  }
}

BOOST_AUTO_TEST_CASE(g729_g723_and_unplayable_types_are_refused_with_a_reason) {
  const std::vector<std::int16_t> pcm(1600, 0);
  auto g729 = encode_prompt(pcm, 18);
  BOOST_REQUIRE(!g729);
  BOOST_TEST(g729.error().find("G.729") != std::string::npos);
  BOOST_TEST(g729.error().find("bcg729") != std::string::npos);
  auto g723 = encode_prompt(pcm, 4);
  BOOST_REQUIRE(!g723);
  BOOST_TEST(g723.error().find("G.723.1") != std::string::npos);
  auto dtmf = encode_prompt(pcm, 101);
  BOOST_REQUIRE(!dtmf);
  BOOST_TEST(dtmf.error().find("cannot play") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(codec_lists) {
  auto list = parse_codec_list("0,8,9");
  BOOST_REQUIRE(list);
  BOOST_TEST((*list == std::vector<int>{0, 8, 9}));
  BOOST_TEST(!parse_codec_list(""));
  BOOST_TEST(!parse_codec_list("0,,8"));
  BOOST_TEST(!parse_codec_list("8,"));
  BOOST_TEST(!parse_codec_list("pcma"));
  BOOST_TEST(!parse_codec_list("8,8"));
}

BOOST_AUTO_TEST_CASE(an_unreadable_or_non_audio_input_is_an_error_naming_the_file) {
  auto dir = mohq::process::make_temp_dir("mohq-prompt-");
  BOOST_REQUIRE(dir);
  auto missing = decode_audio_file(*dir / "missing.wav");
  BOOST_REQUIRE(!missing);
  BOOST_TEST(missing.error().find("missing.wav") != std::string::npos);
  write_bytes(*dir / "notes.txt", Bytes(4000, 'x'));
  auto text = decode_audio_file(*dir / "notes.txt");
  BOOST_REQUIRE(!text);
  BOOST_TEST(text.error().find("notes.txt") != std::string::npos, text.error());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(lint)

BOOST_AUTO_TEST_CASE(prompt_names) {
  auto name = split_prompt_name("/moh/test.pcm.8");
  BOOST_REQUIRE(name);
  BOOST_TEST(name->name == "/moh/test.pcm");
  BOOST_TEST(name->payload_type == 8);
  BOOST_TEST(split_prompt_name("hold.19")->payload_type == 19);
  BOOST_TEST(!split_prompt_name("/moh/hold.wav"));
  BOOST_TEST(!split_prompt_name("/moh.8/hold"));
  BOOST_TEST(!split_prompt_name("/moh/.8"));
  BOOST_TEST(!split_prompt_name("hold"));
}

// Each crafted file raises its finding; the untouched converted files beside them raise none.
BOOST_AUTO_TEST_CASE(each_finding_is_raised_by_a_file_made_for_it) {
  const auto& music = hold_music();
  const Bytes wav = read_bytes(music.wav);
  auto decoded = decode_audio_file(music.wav);
  BOOST_REQUIRE_MESSAGE(decoded, why(decoded));
  const auto padded = pad_to_whole_frames(*decoded);
  const Bytes pcma = alaw(padded);
  const Bytes pcmu = ulaw(padded);
  auto dir = mohq::process::make_temp_dir("mohq-prompt-");
  BOOST_REQUIRE(dir);
  const fs::path d = dir->path();
  auto path = [&](const std::string& name) { return (d / name).string(); };

  write_bytes(d / "good.8", pcma);
  write_bytes(d / "good.0", pcmu);
  // The incident: the WAV's raw 16-bit data named .8.
  write_bytes(d / "test.pcm.8", wav_data_bytes(wav));
  // The whole WAV, header and all, as PCMU.
  write_bytes(d / "wav.0", wav);
  // mu-law bytes under the A-law suffix.
  write_bytes(d / "swapped.8", pcmu);
  // kamailio #1273: one file under many payload types.
  for (int pt : {0, 3, 8, 9, 18, 19}) write_bytes(d / ("copied." + std::to_string(pt)), pcma);
  // A type rtpproxy opens but cannot frame.
  write_bytes(d / "cn.13", Bytes(pcma.begin(), pcma.begin() + 16000));
  // G.711 with a 50-byte tail after the last 20 ms; GSM that is not whole 33-byte frames (WAV49's 65).
  write_bytes(d / "tail.8", Bytes(pcma.begin(), pcma.begin() + 16050));
  write_bytes(d / "wav49.3", Bytes(65 * 100, 0x5a));
  // 0.5 s.
  write_bytes(d / "short.8", Bytes(pcma.begin(), pcma.begin() + 4000));
  write_bytes(d / "empty.8", {});
  // Only G.722: a caller offering 8 0 101 gets nothing.
  write_bytes(d / "wideband.9", Bytes(pcma.begin(), pcma.begin() + 16000));

  const auto report = lint_dir(d);
  using Ids = std::set<std::string>;
  BOOST_TEST(finding_ids(report, path("good.8")).empty());
  BOOST_TEST(finding_ids(report, path("good.0")).empty());
  // (and a 40-byte tail: 20.0125 s is not whole 20 ms packets)
  BOOST_TEST((finding_ids(report, path("test.pcm.8")) == Ids{"prompt.wrong_encoding", "prompt.partial_frame"}));
  BOOST_TEST(finding_ids(report, path("wav.0")).count("prompt.container_header") == 1u);
  BOOST_TEST((finding_ids(report, path("swapped.8")) == Ids{"prompt.wrong_encoding"}));
  BOOST_TEST(finding_ids(report, path("copied.0")).count("prompt.same_bytes_many_types") == 1u);
  BOOST_TEST(finding_ids(report, path("copied.19")).count("prompt.unplayable_type") == 1u);
  BOOST_TEST((finding_ids(report, path("cn.13")) == Ids{"prompt.unplayable_type"}));
  BOOST_TEST((finding_ids(report, path("tail.8")) == Ids{"prompt.partial_frame"}));
  BOOST_TEST((finding_ids(report, path("wav49.3")) == Ids{"prompt.partial_frame"}));
  BOOST_TEST((finding_ids(report, path("short.8")) == Ids{"prompt.too_short"}));
  BOOST_TEST((finding_ids(report, path("empty.8")) == Ids{"prompt.empty"}));
  BOOST_TEST((finding_ids(report, path("wideband")) == Ids{"prompt.caller_gets_nothing"}));
  BOOST_TEST(finding_ids(report, path("wideband.9")).empty());

  for (const auto& finding : report.findings) {
    BOOST_TEST(!finding.message.empty());
    BOOST_TEST(!finding.fix.empty());
    if (finding.file == path("test.pcm.8") && finding.id == "prompt.wrong_encoding") {
      BOOST_TEST((finding.severity == Severity::Error));
      BOOST_TEST(finding.message.find("16-bit linear PCM") != std::string::npos, finding.message);
    }
    if (finding.file == path("swapped.8")) {
      BOOST_TEST(finding.message.find("mu-law bytes in a PCMA file") != std::string::npos, finding.message);
    }
    if (finding.id == "prompt.same_bytes_many_types") {
      BOOST_TEST(finding.evidence["files"].size() == 6u);
      BOOST_TEST((finding.severity == Severity::Error));
    }
    if (finding.id == "prompt.partial_frame" && finding.file == path("tail.8")) {
      BOOST_TEST((finding.severity == Severity::Warning));
      BOOST_TEST(finding.evidence["tail_bytes"] == 50);
    }
  }
  // What a caller offering 8 0 101 gets, per name.
  for (const auto& group : report.groups) {
    if (group.name == path("good")) BOOST_TEST(group.caller_file == path("good.8"));
    if (group.name == path("wav")) BOOST_TEST(group.caller_file == path("wav.0"));
    if (group.name == path("wideband")) BOOST_TEST(group.caller_file.empty());
  }
  BOOST_TEST(report.has_errors());
}

BOOST_AUTO_TEST_CASE(issue_1273_one_file_as_hold_0_to_hold_19) {
  auto dir = mohq::process::make_temp_dir("mohq-prompt-");
  BOOST_REQUIRE(dir);
  const Bytes wav = read_bytes(hold_music().wav);
  for (int pt = 0; pt <= 19; ++pt) write_bytes(*dir / ("hold." + std::to_string(pt)), wav);
  const auto report = lint_dir(dir->path());
  int same = 0;
  int unplayable = 0;
  for (const auto& finding : report.findings) {
    if (finding.id == "prompt.same_bytes_many_types") {
      ++same;
      BOOST_TEST(finding.evidence["files"].size() == 20u);
    }
    if (finding.id == "prompt.unplayable_type") ++unplayable;
  }
  BOOST_TEST(same == 1);
  BOOST_TEST(unplayable == 14);  // 20 types, 6 of them playable
  BOOST_REQUIRE_EQUAL(report.groups.size(), 1u);
  BOOST_TEST(report.groups[0].caller_file == (*dir / "hold.8").string());
}

BOOST_AUTO_TEST_CASE(mohq_binary_exit_codes_and_json_report) {
  const auto& music = hold_music();
  auto dir = mohq::process::make_temp_dir("mohq-prompt-");
  BOOST_REQUIRE(dir);
  const fs::path log = *dir / "log.txt";
  const fs::path clean = *dir / "clean";
  BOOST_TEST(run_mohq("prompt convert " + quote(music.wav) + " --out " + quote(clean / "hold") + " --codecs 0,8",
                      log) == 0);
  BOOST_TEST(fs::file_size(clean / "hold.8") > 0u);
  BOOST_TEST(run_mohq("prompt lint " + quote(clean), log) == 0);
  BOOST_TEST(run_mohq("prompt lint " + quote(clean / "hold.0") + " " + quote(clean / "hold.8"), log) == 0);

  // The incident file next to the clean ones: errors, and the JSON names it.
  write_bytes(clean / "test.pcm.8", wav_data_bytes(read_bytes(music.wav)));
  const fs::path json_path = *dir / "lint.json";
  BOOST_TEST(run_mohq("prompt lint --json " + quote(json_path) + " " + quote(clean), log) == 1);
  std::ifstream json_in(json_path);
  const auto json = nlohmann::json::parse(json_in);
  BOOST_TEST(json["schema"] == "mohq.prompt.lint/1");
  BOOST_TEST(json["files"].size() == 3u);
  BOOST_TEST(json["summary"]["errors"].get<int>() >= 1);
  bool named = false;
  for (const auto& finding : json["findings"]) {
    BOOST_TEST(finding.contains("severity"));
    BOOST_TEST(finding.contains("message"));
    BOOST_TEST(finding.contains("fix"));
    if (finding["id"] == "prompt.wrong_encoding" && finding["file"] == (clean / "test.pcm.8").string()) named = true;
  }
  BOOST_TEST(named);
  for (const auto& group : json["groups"]) {
    if (group["name"] == (clean / "hold").string()) BOOST_TEST(group["caller_gets"] == (clean / "hold.8").string());
  }

  // Usage and unreadable input: 2.
  BOOST_TEST(run_mohq("prompt", log) == 2);
  BOOST_TEST(run_mohq("prompt lint", log) == 2);
  BOOST_TEST(run_mohq("prompt lint " + quote(*dir / "nowhere"), log) == 2);
  BOOST_TEST(run_mohq("prompt lint " + quote(music.wav), log) == 2);  // not NAME.<pt>
  BOOST_TEST(run_mohq("prompt convert " + quote(music.wav), log) == 2);  // no --out
  BOOST_TEST(run_mohq("prompt convert " + quote(music.wav) + " --out " + quote(*dir / "x") + " --codecs pcma",
                      log) == 2);
  BOOST_TEST(run_mohq("prompt convert " + quote(*dir / "nowhere.wav") + " --out " + quote(*dir / "x"), log) == 2);
  // A codec that cannot be written: 1, the others still written.
  BOOST_TEST(run_mohq("prompt convert " + quote(music.wav) + " --out " + quote(*dir / "g729" / "hold") +
                          " --codecs 8,18",
                      log) == 1);
  BOOST_TEST(fs::exists(*dir / "g729" / "hold.8"));
  BOOST_TEST(!fs::exists(*dir / "g729" / "hold.18"));
  std::ifstream log_in(log);
  const std::string text((std::istreambuf_iterator<char>(log_in)), std::istreambuf_iterator<char>());
  BOOST_TEST(text.find("G.729") != std::string::npos, text);
}

BOOST_AUTO_TEST_SUITE_END()
