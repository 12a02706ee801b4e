// analyzers/audio gst_decode: G.722 and GSM payloads made from real hold music with the prompt converter's own
// GStreamer encoders (encode_prompt: avenc_g722, gsmenc), cut into 20 ms RTP payloads and decoded back: duration,
// level and correlation with the source; check_audio judges the decoded G.722 music (no warnings) and G.722
// silence (audio.silence); G.729 (no free encoder in Debian) only for decoder presence and frame accounting;
// G.723.1, unknown types and a missing decoder element give errors that say why.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "analyzers/audio/audio_checks.hpp"
#include "analyzers/audio/audio_decode.hpp"
#include "analyzers/audio/gst_decode.hpp"
#include "analyzers/prompt/prompt_convert.hpp"

using namespace mohq::analyzers;

namespace {

const std::filesystem::path kTrack = "/usr/share/asterisk/moh/macroform-cold_day.wav";

// `seconds` of 8 kHz audio: Debian's hold music from 20 s on (asterisk-moh-opsound-wav), or, without that package,
// a synthesized chord with a slow tremolo so the source is never a plain tone.
std::vector<std::int16_t> source_audio(double seconds) {
  const auto n = static_cast<std::size_t>(seconds * 8000);
  if (std::filesystem::exists(kTrack)) {
    auto music = decode_audio_file(kTrack);
    BOOST_REQUIRE_MESSAGE(music, (music ? std::string() : music.error()));
    BOOST_REQUIRE(music->size() >= 20 * 8000 + n);
    return {music->begin() + 20 * 8000, music->begin() + 20 * 8000 + static_cast<long>(n)};
  }
  BOOST_TEST_MESSAGE("asterisk-moh-opsound-wav missing: synthesized chord instead of music");
  std::vector<std::int16_t> out(n);
  const double pi = 3.14159265358979;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / 8000;
    const double v = std::sin(2 * pi * 220 * t) + 0.7 * std::sin(2 * pi * 277.2 * t) + 0.5 * std::sin(2 * pi * 329.6 * t) +
                     0.3 * std::sin(2 * pi * 880 * t + std::sin(2 * pi * 3 * t));
    out[i] = static_cast<std::int16_t>(3000 * v * (0.75 + 0.25 * std::sin(2 * pi * 0.5 * t)));
  }
  return out;
}

std::vector<std::span<const std::uint8_t>> cut(const std::vector<std::uint8_t>& bytes, std::size_t size) {
  std::vector<std::span<const std::uint8_t>> payloads;
  for (std::size_t offset = 0; offset + size <= bytes.size(); offset += size)
    payloads.push_back(std::span(bytes).subspan(offset, size));
  return payloads;
}

double rms_dbfs(std::span<const std::int16_t> samples) {
  double energy = 0;
  for (const auto s : samples) energy += static_cast<double>(s) * s;
  return 20 * std::log10(std::sqrt(energy / static_cast<double>(std::max<std::size_t>(samples.size(), 1))) / 32768 + 1e-12);
}

struct Alignment {
  long lag = 0;            // decoded[i + lag] matches source[i]
  double correlation = 0;  // normalized, at that lag
};
// Best normalized cross-correlation of 5 s from the middle of the source against the decoded audio, lags +-50 ms.
Alignment align(const std::vector<std::int16_t>& source, const std::vector<std::int16_t>& decoded) {
  const long max_lag = 400;
  const long from = static_cast<long>(source.size()) / 2 - 20000, length = 40000;
  Alignment best{0, -1};
  for (long lag = -max_lag; lag <= max_lag; ++lag) {
    double xy = 0, xx = 0, yy = 0;
    for (long i = from; i < from + length; ++i) {
      const double x = source[static_cast<std::size_t>(i)], y = decoded[static_cast<std::size_t>(i + lag)];
      xy += x * y;
      xx += x * x;
      yy += y * y;
    }
    const double c = xx > 0 && yy > 0 ? xy / std::sqrt(xx * yy) : 0;
    if (c > best.correlation) best = {lag, c};
  }
  return best;
}

RtpStream stream_of(const std::vector<std::uint8_t>& bytes, unsigned pt, std::size_t chunk) {
  RtpStream stream;
  stream.source = {"127.0.0.1", 40000};
  stream.destination = {"127.0.0.1", 6000};
  stream.ssrc = 0x0722;
  std::uint16_t seq = 0;
  for (std::size_t offset = 0; offset + chunk <= bytes.size(); offset += chunk, ++seq) {
    RtpPacketRecord packet;
    packet.frame = seq + 1u;
    packet.time = seq * 0.02;
    packet.sequence = seq;
    packet.timestamp = static_cast<std::uint32_t>(seq * 160);
    packet.payload_type = static_cast<std::uint8_t>(pt);
    stream.add_packet(packet, std::span(bytes).subspan(offset, chunk));
  }
  return stream;
}

bool has(const Findings& findings, const std::string& id) {
  return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) { return f.id == id; });
}

// Encodes with the prompt converter, cuts 20 ms payloads, decodes, and checks duration, level and correlation.
void round_trip(unsigned pt, std::size_t payload_bytes, double max_level_error_db, double min_correlation) {
  const auto source = source_audio(30);
  const auto encoded = encode_prompt(source, static_cast<int>(pt));
  BOOST_REQUIRE_MESSAGE(encoded, (encoded ? std::string() : encoded.error()));
  const auto payloads = cut(*encoded, payload_bytes);
  BOOST_REQUIRE(payloads.size() == 1500u);  // 30 s of 20 ms packets
  const auto decoded = decode_payloads(pt, payloads);
  BOOST_REQUIRE_MESSAGE(decoded, (decoded ? std::string() : decoded.error()));
  BOOST_TEST(decoded->size() == payloads.size() * 20 * 8);  // packets x ptime x 8
  const double source_db = rms_dbfs(source), decoded_db = rms_dbfs(*decoded);
  const auto alignment = align(source, *decoded);
  BOOST_TEST_MESSAGE("PT " << pt << ": source " << source_db << " dBFS, decoded " << decoded_db << " dBFS, lag "
                           << alignment.lag << " samples, correlation " << alignment.correlation);
  BOOST_TEST(std::abs(decoded_db - source_db) < max_level_error_db);
  BOOST_TEST(alignment.correlation > min_correlation);
  BOOST_TEST(std::abs(alignment.lag) < 200);  // codec + resampler delay, not a lost or added packet's worth
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gst_decode)

BOOST_AUTO_TEST_CASE(codec_table) {
  BOOST_REQUIRE(gst_codec_for(9));
  BOOST_TEST(std::string(gst_codec_for(9)->element) == "avdec_g722");
  BOOST_TEST(std::string(gst_codec_for(3)->element) == "gsmdec");
  BOOST_TEST(std::string(gst_codec_for(18)->element) == "avdec_g729");
  BOOST_TEST(!gst_codec_for(0));
  BOOST_TEST(!gst_codec_for(8));
  BOOST_TEST(!gst_codec_for(4));
  BOOST_TEST(!gst_codec_for(96));
  // Debian's GStreamer (gstreamer1.0-libav, -plugins-bad) has all three decoders.
  for (const unsigned pt : {3u, 9u, 18u}) BOOST_TEST(gst_decoder_available(*gst_codec_for(pt)), "PT " << pt);
}

BOOST_AUTO_TEST_CASE(g722_music_round_trip) { round_trip(9, 160, 2.0, 0.9); }

BOOST_AUTO_TEST_CASE(gsm_music_round_trip) { round_trip(3, 33, 3.0, 0.8); }

// No free G.729 encoder in Debian, so no real G.729 audio: random 10-byte frames still decode to 80 samples each,
// two frames per 20 ms packet, and a trailing 2-byte Annex B SID frame is left out.
BOOST_AUTO_TEST_CASE(g729_frames_decode_to_their_duration) {
  std::vector<std::uint8_t> bytes(50 * 22);
  std::uint32_t state = 12345;
  for (auto& b : bytes) {
    state = state * 1103515245u + 12345u;
    b = static_cast<std::uint8_t>(state >> 16);
  }
  std::vector<std::span<const std::uint8_t>> payloads;
  for (std::size_t i = 0; i < 50; ++i) payloads.push_back(std::span(bytes).subspan(i * 22, i % 2 ? 22 : 20));
  BOOST_TEST(gst_expected_samples(*gst_codec_for(18), payloads) == 50u * 160);
  const auto decoded = decode_payloads(18, payloads);
  BOOST_REQUIRE_MESSAGE(decoded, (decoded ? std::string() : decoded.error()));
  BOOST_TEST(decoded->size() == 50u * 160);
}

BOOST_AUTO_TEST_CASE(errors_say_why) {
  const std::vector<std::uint8_t> bytes(240, 0);
  const auto payloads = cut(bytes, 24);
  const auto g723 = decode_payloads(4, payloads);
  BOOST_REQUIRE(!g723);
  BOOST_TEST(g723.error().find("G.723.1") != std::string::npos);
  const auto dynamic = decode_payloads(96, payloads);
  BOOST_REQUIRE(!dynamic);
  BOOST_TEST(dynamic.error().find("payload type 96 has no decoder") != std::string::npos);

  // A decoder element that is not installed: the error names the element and the Debian package.
  GstCodec missing = *gst_codec_for(9);
  missing.element = "avdec_mohq_not_installed";
  missing.debian_package = "gstreamer1.0-mohq-test";
  BOOST_TEST(!gst_decoder_available(missing));
  const auto failed = decode_payloads(missing, payloads);
  BOOST_REQUIRE(!failed);
  BOOST_TEST(failed.error() == "G.722 (9): the GStreamer decoder avdec_mohq_not_installed is missing: install the "
                               "Debian package gstreamer1.0-mohq-test");

  // check_audio keeps audio.unchecked, with the reason, for what cannot be decoded.
  const auto report = check_audio(stream_of(bytes, 4, 24));
  BOOST_TEST(!report.content_checked);
  BOOST_REQUIRE(report.findings.size() == 1u);
  BOOST_TEST(report.findings[0].id == "audio.unchecked");
  BOOST_TEST(report.findings[0].evidence.at("reason").get<std::string>().find("G.723.1") != std::string::npos);
  const auto decoded = decode_stream(stream_of(bytes, 4, 24));
  BOOST_TEST(decoded.samples.empty());
  BOOST_TEST(decoded.packets_skipped == 10u);
  BOOST_REQUIRE(decoded.errors.size() == 1u);
  BOOST_TEST(decoded.errors[0].find("G.723.1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(check_audio_on_g722_music_and_silence) {
  const auto source = source_audio(30);
  const auto encoded = encode_prompt(source, 9);
  BOOST_REQUIRE(encoded);
  const auto report = check_audio(stream_of(*encoded, 9, 160));
  BOOST_TEST(report.content_checked);
  BOOST_TEST(report.content_note.find("G.722") != std::string::npos);
  BOOST_TEST(report.windows.empty());  // the G.711 byte classifier is not run on G.722 bytes
  for (const auto& finding : report.findings)
    BOOST_TEST((finding.severity != Severity::Warning && finding.severity != Severity::Error), finding.id << ": " << finding.message);
  BOOST_TEST(!has(report.findings, "audio.unchecked"));
  BOOST_TEST(report.measures.seconds == 30.0);
  BOOST_TEST(std::abs(report.measures.rms_dbfs - rms_dbfs(source)) < 2.0);

  // 12 s of G.722-encoded silence: the checks run and say so.
  const auto quiet = encode_prompt(std::vector<std::int16_t>(12 * 8000, 0), 9);
  BOOST_REQUIRE(quiet);
  BOOST_TEST(has(check_audio(stream_of(*quiet, 9, 160)).findings, "audio.silence"));
}

BOOST_AUTO_TEST_CASE(decode_stream_g722_and_gsm) {
  const auto source = source_audio(4);
  for (const auto& [pt, chunk] : {std::pair{9u, std::size_t{160}}, std::pair{3u, std::size_t{33}}}) {
    const auto encoded = encode_prompt(source, static_cast<int>(pt));
    BOOST_REQUIRE(encoded);
    auto stream = stream_of(*encoded, pt, chunk);
    BOOST_REQUIRE(stream.packets.size() == 200u);
    stream.packets.back().payload_type = 13;  // a comfort-noise packet is skipped
    const auto audio = decode_stream(stream);
    BOOST_TEST(audio.packets_decoded == 199u, "PT " << pt);
    BOOST_TEST(audio.packets_skipped == 1u);
    BOOST_TEST(audio.skipped_types == std::vector<unsigned>{13u});
    BOOST_TEST(audio.samples.size() == 199u * 160, "PT " << pt);
    BOOST_TEST(std::abs(rms_dbfs(audio.samples) - rms_dbfs(source)) < 3.0, "PT " << pt);
  }
}

BOOST_AUTO_TEST_SUITE_END()
