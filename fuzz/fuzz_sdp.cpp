// libFuzzer target for common/sip SDP: any bytes through parse_sdp and the helpers. Every description that
// parses must serialize to text that parses back to an equal model; a mismatch aborts.
// Sources: this file plus common/sip/sdp.cpp, include root common/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "round_trip_failure.hpp"
#include "sip/sdp.hpp"

namespace {

using namespace mohq::sip;

[[noreturn]] void report(const char* what, std::string_view input, const std::string& written) {
  mohq::fuzz::report_round_trip_failure(what, input, written);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_sdp(input);
  if (!parsed) {
    if (parsed.error().message.empty()) report("error without a message", input, "");
    return 0;
  }
  for (const SdpMedia& media : parsed->media) {
    (void)connection_of(*parsed, media);
    (void)rtpmaps(media);
    (void)ptime(*parsed, media);
    (void)direction(*parsed, media);
    (void)is_hold(*parsed, media);
  }
  (void)audio_payload_types(*parsed);
  (void)is_hold(*parsed);
  const std::string written = serialize(*parsed);
  if (written.size() > kMaxSdpBytes) return 0;  // CRLF line ends may grow a description past the limit
  const auto again = parse_sdp(written);
  if (!again) report(("written description does not parse: " + again.error().message).c_str(), input, written);
  if (!(*again == *parsed)) report("written description parses to a different model", input, written);
  if (serialize(*again) != written) report("serialize is not stable", input, written);
  return 0;
}
