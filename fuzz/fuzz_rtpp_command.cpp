// libFuzzer target for common/rtpp: any bytes through parse_request (both framings) and parse_response.
// Every request that parses must format to text that parses back to an equal model; a mismatch aborts so
// the fuzzer keeps the input. Sources: this file plus common/rtpp/{parse_request,parse_update,format,
// parse_response}.cpp, include root common/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rtpp/codec.hpp"

namespace {

using namespace mohq::rtpp;

[[noreturn]] void report(const char* what, std::string_view input, const std::string& formatted) {
  std::fprintf(stderr, "%s\n  input:     \"%.*s\"\n  formatted: \"%s\"\n", what, static_cast<int>(input.size()),
               input.data(), formatted.c_str());
  std::abort();
}

void check_request(std::string_view input, Framing framing) {
  const auto parsed = parse_request(input, framing);
  if (!parsed) {
    // An error always carries a code and, in Datagram framing, never a cookie that was not in the input.
    if (parsed.error().cookie && input.find(*parsed.error().cookie) == std::string_view::npos) {
      report("error cookie not taken from the input", input, *parsed.error().cookie);
    }
    return;
  }
  if ((framing == Framing::Datagram) != parsed->cookie.has_value()) report("cookie/framing mismatch", input, "");
  const std::string formatted = format_request(*parsed);
  const auto again = parse_request(formatted, parsed->cookie ? Framing::Datagram : Framing::Stream);
  if (!again) report("formatted request does not parse", input, formatted);
  if (!(*again == *parsed)) report("formatted request parses to a different model", input, formatted);
  if (format_request(*again) != formatted) report("format is not stable", input, formatted);
  (void)command_letter(parsed->command);
}

void check_response(std::string_view input, Framing framing) {
  const auto parsed = parse_response(input, framing);
  if (!parsed) return;
  const std::string formatted = format_response(*parsed);
  if (formatted.empty() || formatted.back() != '\n') report("formatted response lacks its newline", input, formatted);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_request(input, Framing::Stream);
  check_request(input, Framing::Datagram);
  check_response(input, Framing::Stream);
  check_response(input, Framing::Datagram);
  return 0;
}
