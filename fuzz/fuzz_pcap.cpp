// libFuzzer target for analyzers/capture: any bytes as a capture file (classic pcap walked in place after libpcap
// checked its header, pcapng through fmemopen and libpcap's reader), then our link layers, IP fragment reassembly
// and TCP/SIP reassembly. The reassembly limits are lowered so that inputs explore eviction and bounds. Every
// delivered payload is read in full so ASan sees a view that outlives its buffer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "analyzers/capture/capture_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mohq::analyzers::CaptureReadOptions options;
  options.max_fragment_reassemblies = 8;
  options.fragment_timeout = 5;
  options.max_tcp_streams = 8;
  options.tcp_idle_timeout = 30;
  options.max_tcp_out_of_order_bytes = 16 * 1024;
  options.max_tcp_out_of_order_segments = 8;
  volatile unsigned sum = 0;
  const auto result = mohq::analyzers::read_capture_bytes(
      std::string_view(reinterpret_cast<const char*>(data), size),
      [&](const mohq::analyzers::CapturedDatagram& d) {
        unsigned s = d.source.port + d.destination.port + static_cast<unsigned>(d.source.ip.size());
        for (const char c : d.payload) s += static_cast<unsigned char>(c);
        sum = sum + s;
      },
      options);
  (void)result;
  return 0;
}
