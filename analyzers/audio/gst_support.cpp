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

}  // namespace mohq::analyzers::gst
