#include "analyzers/audio/gst_decode.hpp"
#include "analyzers/audio/gst_support.hpp"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace mohq::analyzers {

namespace {

constexpr unsigned kOutputRate = 8000;
// No sample and no end of stream for this long: the decoder is stuck (decoding is far faster than real time).
constexpr auto kStallTimeout = std::chrono::seconds(10);
// And the whole run may not take longer than this plus the audio's own duration.
constexpr auto kBaseDeadline = std::chrono::seconds(60);





GstClockTime at_sample(std::size_t sample) { return gst_util_uint64_scale(sample, GST_SECOND, kOutputRate); }

}  // namespace

std::optional<GstCodec> gst_codec_for(unsigned payload_type) {
  switch (payload_type) {
    case 9: return GstCodec{9, "G.722", "audio/G722,rate=16000,channels=1", "avdec_g722", "gstreamer1.0-libav", 1, 1};
    case 3: return GstCodec{3, "GSM", "audio/x-gsm,rate=8000,channels=1", "gsmdec", "gstreamer1.0-plugins-bad", 33, 160};
    case 18: return GstCodec{18, "G.729", "audio/G729,rate=8000,channels=1", "avdec_g729", "gstreamer1.0-libav", 10, 80};
    default: return std::nullopt;
  }
}

std::string gst_undecodable_reason(unsigned payload_type) {
  if (payload_type == 4)
    return "G.723.1 (4) is not decoded: Debian's gstreamer1.0-libav has avdec_g723_1 but GStreamer has no caps for "
           "G.723.1 (its pads are unknown/unknown) and it refuses the frames";
  return "payload type " + std::to_string(payload_type) +
         " has no decoder here (decoded: G.711 0/8, GSM 3, G.722 9, G.729 18)";
}

bool gst_decoder_available(const GstCodec& codec) {
  if (!gst::init()) return false;
  return gst::element_available(codec.element);
}

std::size_t gst_expected_samples(const GstCodec& codec, const std::vector<std::span<const std::uint8_t>>& payloads) {
  std::size_t samples = 0;
  for (const auto& payload : payloads) samples += payload.size() / codec.frame_bytes * codec.frame_samples;
  return samples;
}

Expected<std::vector<std::int16_t>, std::string> decode_payloads(
    unsigned payload_type, const std::vector<std::span<const std::uint8_t>>& payloads) {
  const auto codec = gst_codec_for(payload_type);
  if (!codec) return Unexpected(gst_undecodable_reason(payload_type));
  return decode_payloads(*codec, payloads);
}

Expected<std::vector<std::int16_t>, std::string> decode_payloads(
    const GstCodec& codec, const std::vector<std::span<const std::uint8_t>>& payloads) {
  const std::string what = std::string(codec.name) + " (" + std::to_string(codec.payload_type) + "): ";
  if (auto ready = gst::init(); !ready) return Unexpected(what + ready.error());
  if (!gst::element_available(codec.element)) {
    return Unexpected(what + "the GStreamer decoder " + codec.element + " is missing: install the Debian package " +
                      codec.debian_package);
  }
  const std::size_t expected = gst_expected_samples(codec, payloads);
  if (expected == 0) return std::vector<std::int16_t>{};

  const std::string description = std::string("appsrc name=src format=time max-bytes=0 caps=") + codec.caps + " ! " +
                                  codec.element +
                                  " ! audioconvert ! audioresample "
                                  "! audio/x-raw,format=S16LE,layout=interleaved,rate=8000,channels=1 "
                                  "! appsink name=sink sync=false";
  GError* parse_error = nullptr;
  GstElement* parsed = gst_parse_launch(description.c_str(), &parse_error);
  if (parse_error != nullptr) {
    std::string message = parse_error->message;
    g_error_free(parse_error);
    if (parsed != nullptr) gst_object_unref(parsed);
    return Unexpected(what + "GStreamer pipeline '" + description + "': " + message);
  }
  gst::Pipeline pipeline(parsed);
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    return Unexpected(what + codec.element + ": cannot start: " + gst::bus_error(pipeline.get()).value_or("state change failed"));
  }

  // One buffer per frame (per payload for G.722), timestamped on the 8 kHz output clock.
  GstElement* source = pipeline.by_name("src");
  std::size_t position = 0;
  GstFlowReturn pushed = GST_FLOW_OK;
  for (const auto& payload : payloads) {
    const std::size_t frames = payload.size() / codec.frame_bytes;
    const std::size_t chunk = codec.frame_bytes == 1 ? payload.size() : codec.frame_bytes;
    const std::size_t chunk_samples = codec.frame_bytes == 1 ? payload.size() : codec.frame_samples;
    const std::size_t chunks = codec.frame_bytes == 1 ? (payload.empty() ? 0 : 1) : frames;
    for (std::size_t i = 0; i < chunks && pushed == GST_FLOW_OK; ++i) {
      GstBuffer* buffer = gst_buffer_new_allocate(nullptr, chunk, nullptr);
      gst_buffer_fill(buffer, 0, payload.data() + i * chunk, chunk);
      GST_BUFFER_PTS(buffer) = at_sample(position);
      GST_BUFFER_DURATION(buffer) = at_sample(position + chunk_samples) - at_sample(position);
      position += chunk_samples;
      pushed = gst_app_src_push_buffer(GST_APP_SRC(source), buffer);  // takes the buffer
    }
    if (pushed != GST_FLOW_OK) break;
  }
  gst_app_src_end_of_stream(GST_APP_SRC(source));
  gst_object_unref(source);
  if (pushed != GST_FLOW_OK) {
    const auto reason = gst::bus_error(pipeline.get());
    return Unexpected(what + codec.element + ": " + gst_flow_get_name(pushed) + (reason ? ": " + *reason : ""));
  }

  // Pull every sample until EOS; an error on the bus, a stall or the deadline ends it.
  GstElement* sink = pipeline.by_name("sink");
  std::vector<std::uint8_t> bytes;
  bytes.reserve(expected * sizeof(std::int16_t));
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + kBaseDeadline + std::chrono::seconds(expected / kOutputRate);
  auto last_progress = started;
  std::optional<std::string> failure;
  for (;;) {
    GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 100 * GST_MSECOND);
    const auto now = std::chrono::steady_clock::now();
    if (sample != nullptr) {
      GstBuffer* buffer = gst_sample_get_buffer(sample);
      GstMapInfo map;
      if (buffer != nullptr && gst_buffer_map(buffer, &map, GST_MAP_READ)) {
        bytes.insert(bytes.end(), map.data, map.data + map.size);
        gst_buffer_unmap(buffer, &map);
      }
      gst_sample_unref(sample);
      last_progress = now;
    } else if (gst_app_sink_is_eos(GST_APP_SINK(sink))) {
      break;
    } else if ((failure = gst::bus_error(pipeline.get()))) {
      break;
    } else if (now - last_progress > kStallTimeout) {
      failure = "no audio and no end of stream for 10 s";
      break;
    }
    if (now > deadline) {
      failure = "decoding took longer than the deadline";
      break;
    }
  }
  gst_object_unref(sink);
  if (!failure) failure = gst::bus_error(pipeline.get());
  if (failure) return Unexpected(what + codec.element + ": " + *failure);

  std::vector<std::int16_t> samples(bytes.size() / sizeof(std::int16_t));
  std::memcpy(samples.data(), bytes.data(), samples.size() * sizeof(std::int16_t));  // S16LE on a LE host
  // Resampler and decoder edges may add or drop a few samples; the length is the payloads' own duration.
  const std::size_t tolerance = std::max<std::size_t>(160, expected / 50);
  const std::size_t difference = samples.size() > expected ? samples.size() - expected : expected - samples.size();
  if (difference > tolerance) {
    return Unexpected(what + codec.element + " produced " + std::to_string(samples.size()) + " samples for " +
                      std::to_string(expected) + " expected");
  }
  samples.resize(expected, 0);
  return samples;
}

}  // namespace mohq::analyzers
