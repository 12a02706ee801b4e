#include "analyzers/prompt/prompt_convert.hpp"

#include "analyzers/audio/gst_support.hpp"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <system_error>

#include "rtp/g711.hpp"

namespace mohq::analyzers {

namespace fs = std::filesystem;

namespace {

// A whole pipeline that stops making progress for this long is stuck (a decoder waiting for a stream that never
// comes); no prompt takes this long to decode on a working machine.
constexpr auto kStallTimeout = std::chrono::seconds(60);



Expected<GstElement*, std::string> parse_pipeline(const std::string& description) {
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(description.c_str(), &error);
  if (error != nullptr) {
    std::string message = error->message;
    g_error_free(error);
    if (pipeline != nullptr) gst_object_unref(pipeline);
    return Unexpected("GStreamer pipeline '" + description + "': " + message);
  }
  return pipeline;
}


// Runs the pipeline to EOS, appending every buffer that reaches appsink "sink" to out.
Expected<Done, std::string> drain_sink(GstElement* pipeline, std::vector<std::uint8_t>& out) {
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  if (sink == nullptr) return Unexpected(std::string("pipeline has no appsink"));
  auto last_progress = std::chrono::steady_clock::now();
  std::optional<std::string> failure;
  for (;;) {
    GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 100 * GST_MSECOND);
    if (sample != nullptr) {
      GstBuffer* buffer = gst_sample_get_buffer(sample);
      GstMapInfo map;
      if (buffer != nullptr && gst_buffer_map(buffer, &map, GST_MAP_READ)) {
        out.insert(out.end(), map.data, map.data + map.size);
        gst_buffer_unmap(buffer, &map);
      }
      gst_sample_unref(sample);
      last_progress = std::chrono::steady_clock::now();
      continue;
    }
    if (gst_app_sink_is_eos(GST_APP_SINK(sink))) break;
    if ((failure = gst::bus_error(pipeline))) break;
    if (std::chrono::steady_clock::now() - last_progress > kStallTimeout) {
      failure = "no data and no end of stream for 60 s";
      break;
    }
  }
  gst_object_unref(sink);
  if (failure) return Unexpected(*failure);
  if (auto late = gst::bus_error(pipeline)) return Unexpected(*late);
  return Done{};
}

Expected<Done, std::string> start(GstElement* pipeline) {
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    auto reason = gst::bus_error(pipeline);
    return Unexpected("cannot start: " + reason.value_or("state change failed"));
  }
  return Done{};
}

struct GstEncoder {
  const char* element;
  const char* debian_package;
  int sample_rate;      // what the element accepts
};

std::optional<GstEncoder> gst_encoder_for(int payload_type) {
  if (payload_type == 9) return GstEncoder{"avenc_g722", "gstreamer1.0-libav", 16000};
  if (payload_type == 3) return GstEncoder{"gsmenc", "gstreamer1.0-plugins-bad", 8000};
  return std::nullopt;
}


// pcm (8 kHz mono) -> appsrc -> resample to the encoder's rate -> encoder -> appsink: the encoded bytes.
Expected<std::vector<std::uint8_t>, std::string> encode_with_gstreamer(std::span<const std::int16_t> pcm,
                                                                       const GstEncoder& encoder) {
  if (auto ready = gst::init(); !ready) return Unexpected(ready.error());
  if (!gst::element_available(encoder.element)) {
    return Unexpected(std::string("the GStreamer element ") + encoder.element +
                      " is missing: install the Debian package " + encoder.debian_package);
  }
  const std::string description =
      "appsrc name=src format=time caps=audio/x-raw,format=S16LE,layout=interleaved,rate=8000,channels=1 "
      "! audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=" +
      std::to_string(encoder.sample_rate) + ",channels=1 ! " + encoder.element + " ! appsink name=sink sync=false";
  auto parsed = parse_pipeline(description);
  if (!parsed) return Unexpected(parsed.error());
  gst::Pipeline pipeline(*parsed);
  if (auto started = start(pipeline.get()); !started) return Unexpected(encoder.element + (": " + started.error()));

  GstElement* source = pipeline.by_name("src");
  const std::size_t bytes = pcm.size() * sizeof(std::int16_t);
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, bytes, nullptr);
  gst_buffer_fill(buffer, 0, pcm.data(), bytes);
  GST_BUFFER_PTS(buffer) = 0;
  GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale(pcm.size(), GST_SECOND, kPromptSampleRate);
  const GstFlowReturn pushed = gst_app_src_push_buffer(GST_APP_SRC(source), buffer);  // takes the buffer
  gst_app_src_end_of_stream(GST_APP_SRC(source));
  gst_object_unref(source);
  if (pushed != GST_FLOW_OK) {
    const auto reason = gst::bus_error(pipeline.get());
    return Unexpected(std::string(encoder.element) + ": " + gst_flow_get_name(pushed) + (reason ? ": " + *reason : ""));
  }
  std::vector<std::uint8_t> out;
  if (auto drained = drain_sink(pipeline.get(), out); !drained) {
    return Unexpected(std::string(encoder.element) + ": " + drained.error());
  }
  return out;
}

Expected<Done, std::string> write_atomically(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  fs::path temporary = path;
  temporary += ".tmp-mohq";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return Unexpected("cannot create " + temporary.string());
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      return Unexpected("cannot write " + temporary.string());
    }
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) {
    fs::remove(temporary, error);
    return Unexpected("cannot rename to " + path.string());
  }
  return Done{};
}

}  // namespace

Expected<std::vector<std::int16_t>, std::string> decode_audio_file(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return Unexpected(path.string() + ": no such file");
  if (auto ready = gst::init(); !ready) return Unexpected(ready.error());
  const fs::path absolute = fs::absolute(path, error);
  GError* uri_error = nullptr;
  gchar* uri = gst_filename_to_uri(absolute.c_str(), &uri_error);
  if (uri == nullptr) {
    std::string message = uri_error ? uri_error->message : "bad file name";
    if (uri_error) g_error_free(uri_error);
    return Unexpected(path.string() + ": " + message);
  }
  // The URI is set as a property, not spliced into the description, so no file name needs quoting.
  auto parsed = parse_pipeline(
      "uridecodebin name=decode ! audioconvert ! audioresample "
      "! audio/x-raw,format=S16LE,layout=interleaved,rate=8000,channels=1 ! appsink name=sink sync=false");
  if (!parsed) {
    g_free(uri);
    return Unexpected(parsed.error());
  }
  gst::Pipeline pipeline(*parsed);
  GstElement* decode = pipeline.by_name("decode");
  g_object_set(decode, "uri", uri, nullptr);
  gst_object_unref(decode);
  g_free(uri);

  std::vector<std::uint8_t> bytes;
  if (auto started = start(pipeline.get()); !started) {
    return Unexpected(path.string() + ": cannot decode: " + started.error());
  }
  if (auto drained = drain_sink(pipeline.get(), bytes); !drained) {
    return Unexpected(path.string() + ": cannot decode: " + drained.error());
  }
  if (bytes.size() < sizeof(std::int16_t)) return Unexpected(path.string() + ": decodes to no audio");
  std::vector<std::int16_t> samples(bytes.size() / sizeof(std::int16_t));
  std::memcpy(samples.data(), bytes.data(), samples.size() * sizeof(std::int16_t));  // S16LE on a LE host
  return samples;
}

Expected<std::vector<int>, std::string> parse_codec_list(const std::string& text) {
  std::vector<int> codecs;
  std::size_t from = 0;
  while (from <= text.size()) {
    const std::size_t comma = std::min(text.find(',', from), text.size());
    const std::string item = text.substr(from, comma - from);
    if (item.empty() || item.size() > 3 || item.find_first_not_of("0123456789") != std::string::npos) {
      return Unexpected("bad codec list '" + text + "': payload type numbers separated by commas, e.g. 0,8,9");
    }
    const int pt = std::stoi(item);
    if (std::find(codecs.begin(), codecs.end(), pt) != codecs.end()) {
      return Unexpected("bad codec list '" + text + "': " + item + " is listed twice");
    }
    codecs.push_back(pt);
    from = comma + 1;
  }
  return codecs;
}

std::vector<std::int16_t> pad_to_whole_frames(std::span<const std::int16_t> pcm) {
  std::vector<std::int16_t> padded(pcm.begin(), pcm.end());
  padded.resize((pcm.size() + kPromptPadSamples - 1) / kPromptPadSamples * kPromptPadSamples, 0);
  return padded;
}

Expected<std::vector<std::uint8_t>, std::string> encode_prompt(std::span<const std::int16_t> pcm, int payload_type) {
  std::vector<std::uint8_t> out;
  switch (payload_type) {
    case 0:
      out.resize(pcm.size());
      rtp::encode_ulaw(pcm, out);
      return out;
    case 8:
      out.resize(pcm.size());
      rtp::encode_alaw(pcm, out);
      return out;
    case 18:
      return Unexpected(std::string(
          "G.729 (18): Debian has no free G.729 encoder; build rtpproxy's makeann with bcg729 and run "
          "makeann on the 8 kHz S16 audio"));
    case 4:
      return Unexpected(std::string("G.723.1 (4): Debian has no G.723.1 encoder"));
    default:
      break;
  }
  auto encoder = gst_encoder_for(payload_type);
  if (!encoder) {
    return Unexpected("payload type " + std::to_string(payload_type) +
                      ": rtpproxy cannot play it (only 0, 3, 4, 8, 9, 18)");
  }
  // Both encoders get 40 ms of extra silence so resampler and encoder delay cannot cut the end short; the
  // output is then cut to the exact size the input implies.
  std::vector<std::int16_t> input(pcm.begin(), pcm.end());
  input.resize(input.size() + 320, 0);
  auto encoded = encode_with_gstreamer(input, *encoder);
  if (!encoded) return Unexpected((payload_type == 9 ? "G.722 (9): " : "GSM (3): ") + encoded.error());
  const std::size_t expected = payload_type == 9 ? pcm.size() : pcm.size() / 160 * 33;
  if (encoded->size() < expected) {
    return Unexpected(std::string(encoder->element) + " produced " + std::to_string(encoded->size()) +
                      " bytes, expected at least " + std::to_string(expected));
  }
  encoded->resize(expected);
  return encoded;
}

bool ConvertResult::all_written() const {
  for (const ConvertedPrompt& prompt : prompts) {
    if (!prompt.error.empty()) return false;
  }
  return true;
}

Expected<ConvertResult, std::string> convert_prompt(const fs::path& input, const fs::path& out_base,
                                                    const std::vector<int>& codecs) {
  auto decoded = decode_audio_file(input);
  if (!decoded) return Unexpected(decoded.error());
  ConvertResult result;
  result.samples = decoded->size();
  const std::vector<std::int16_t> pcm = pad_to_whole_frames(*decoded);
  if (out_base.has_parent_path()) {
    std::error_code error;
    fs::create_directories(out_base.parent_path(), error);
    if (error) return Unexpected("cannot create " + out_base.parent_path().string() + ": " + error.message());
  }
  for (int pt : codecs) {
    ConvertedPrompt prompt{pt, {}, 0, {}};
    auto bytes = encode_prompt(pcm, pt);
    if (!bytes) {
      prompt.error = bytes.error();
    } else {
      fs::path path = out_base;
      path += "." + std::to_string(pt);
      if (auto written = write_atomically(path, *bytes); !written) {
        prompt.error = written.error();
      } else {
        prompt.path = path;
        prompt.bytes = bytes->size();
      }
    }
    result.prompts.push_back(std::move(prompt));
  }
  return result;
}

}  // namespace mohq::analyzers
