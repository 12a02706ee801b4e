// The GStreamer plumbing shared by the decoders here (gst_decode) and the prompt converter (analyzers/prompt):
// one initialisation, element lookup, and a pipeline owner that stops and releases it on every path.
#pragma once

#include <gst/gst.h>

#include <optional>
#include <string>

#include "base/expected.hpp"

namespace mohq::analyzers::gst {

// gst_init_check once per process; the failure (no plugins, no registry) is remembered and returned every time.
Expected<Done, std::string> init();
// Is an element factory of that name installed (e.g. "avdec_g722")?
bool element_available(const char* name);
// The first ERROR on the pipeline's bus, if any: "reason (debug detail)".
std::optional<std::string> bus_error(GstElement* pipeline);

class Pipeline {
 public:
  explicit Pipeline(GstElement* element) : element_(element) {}
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;
  ~Pipeline() {
    if (element_ == nullptr) return;
    gst_element_set_state(element_, GST_STATE_NULL);
    gst_object_unref(element_);
  }
  GstElement* get() const { return element_; }
  GstElement* by_name(const char* name) const { return gst_bin_get_by_name(GST_BIN(element_), name); }

 private:
  GstElement* element_;
};

}  // namespace mohq::analyzers::gst
