// libFuzzer target for common/sip messages: any bytes through parse_message, the sub-parsers a UAS uses on
// the headers, and frame_stream. Every message that parses must serialize to text that parses back to the
// same model (with_content_length applied); a mismatch aborts so the fuzzer keeps the input.
// Sources: this file plus common/sip/{message,headers,uri}.cpp, include root common/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "round_trip_failure.hpp"
#include "sip/headers.hpp"
#include "sip/message.hpp"
#include "sip/uri.hpp"

namespace {

using namespace mohq::sip;

[[noreturn]] void report(const char* what, std::string_view input, const std::string& written) {
  mohq::fuzz::report_round_trip_failure(what, input, written);
}

void exercise_headers(const Message& m) {
  (void)parse_cseq(m.header("CSeq").value_or(""));
  for (const std::string_view via : m.header_values("Via")) (void)parse_via(via);
  for (const char* name : {"From", "To", "Contact", "Route", "Record-Route", "Refer-To"}) {
    for (const std::string_view value : m.header_values(name)) {
      const auto addr = parse_name_addr(value);
      if (addr) {
        const auto uri = parse_uri(addr->uri);
        if (uri && parse_uri(to_string(*uri)).value_or(SipUri{}) != *uri) report("URI to_string does not round trip", value, to_string(*uri));
      }
    }
  }
  if (const RequestLine* request = m.request()) (void)parse_uri(request->uri);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto frame = frame_stream(input);
  if (frame && frame->length > input.size()) report("frame longer than the buffer", input, "");
  if (frame && frame->status == FrameStatus::Complete && !parse_message(input.substr(0, frame->length))) {
    report("a complete frame does not parse", input, "");
  }

  const auto parsed = parse_message(input);
  if (!parsed) {
    if (parsed.error().message.empty()) report("error without a message", input, "");
    return 0;
  }
  exercise_headers(*parsed);
  const Message expected = with_content_length(*parsed);
  const std::string written = serialize(*parsed);
  // Growing past a limit is the one allowed difference: serialize adds CR before LF and may add a
  // Content-Length header to a message that was at the limits already.
  if (written.size() > kMaxMessageBytes || expected.headers.size() > kMaxHeaders) return 0;
  const auto again = parse_message(written);
  if (!again) report(("written message does not parse: " + again.error().message).c_str(), input, written);
  if (!(*again == expected)) report("written message parses to a different model", input, written);
  if (serialize(*again) != written) report("serialize is not stable", input, written);
  const auto framed = frame_stream(written);
  if (!framed || framed->status != FrameStatus::Complete || framed->length != written.size()) {
    report("written message does not frame as one complete message", input, written);
  }
  return 0;
}
