#include "analyzers/audio/gst_support.hpp"

#include <mutex>

namespace mohq::analyzers::gst {

Expected<Done, std::string> init() {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    GError* error = nullptr;
    if (!gst_init_check(nullptr, nullptr, &error)) {
      failure = std::string("cannot initialise GStreamer: ") + (error ? error->message : "unknown error");
      if (error) g_error_free(error);
    }
  });
  if (!failure.empty()) return Unexpected(failure);
  return Done{};
}

bool element_available(const char* name) {
  GstElementFactory* factory = gst_element_factory_find(name);
  if (factory == nullptr) return false;
  gst_object_unref(factory);
  return true;
}

std::optional<std::string> bus_error(GstElement* pipeline) {
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* message = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
  gst_object_unref(bus);
  if (message == nullptr) return std::nullopt;
  GError* error = nullptr;
  gchar* debug = nullptr;
  gst_message_parse_error(message, &error, &debug);
  std::string text = error ? error->message : "unknown error";
  if (debug != nullptr && *debug != '\0') text += std::string(" (") + debug + ")";
  if (error) g_error_free(error);
  g_free(debug);
  gst_message_unref(message);
  return text;
}

}  // namespace mohq::analyzers::gst
