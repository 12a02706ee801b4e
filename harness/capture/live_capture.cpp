#include "capture/live_capture.hpp"

#include <pcap/pcap.h>
#include <poll.h>

namespace mohq::harness {

struct LiveCapture::Handles {
  pcap_t* pcap = nullptr;
  pcap_dumper_t* dumper = nullptr;
  ~Handles() {
    if (dumper != nullptr) pcap_dump_close(dumper);
    if (pcap != nullptr) pcap_close(pcap);
  }
};

Expected<std::unique_ptr<LiveCapture>, std::string> LiveCapture::start(const std::filesystem::path& file,
                                                                      const LiveCaptureOptions& options) {
  char error[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<LiveCapture> capture(new LiveCapture());
  capture->handles_ = std::make_unique<Handles>();
  Handles& h = *capture->handles_;
  h.pcap = pcap_create(options.interface.c_str(), error);
  if (h.pcap == nullptr) return Unexpected("capture on " + options.interface + ": " + error);
  pcap_set_snaplen(h.pcap, options.snaplen);
  pcap_set_promisc(h.pcap, 0);
  pcap_set_buffer_size(h.pcap, options.buffer_bytes);
  // Immediate mode: packets reach us as they come, so stop() right after the last call loses nothing.
  pcap_set_immediate_mode(h.pcap, 1);
  pcap_set_timeout(h.pcap, 50);
  if (pcap_activate(h.pcap) < 0)
    return Unexpected("capture on " + options.interface + ": " + pcap_geterr(h.pcap) +
                      " (capturing needs root or CAP_NET_RAW)");
  if (!options.filter.empty()) {
    bpf_program program{};
    if (pcap_compile(h.pcap, &program, options.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
      return Unexpected("capture filter '" + options.filter + "': " + pcap_geterr(h.pcap));
    const int set = pcap_setfilter(h.pcap, &program);
    pcap_freecode(&program);
    if (set != 0) return Unexpected("capture filter '" + options.filter + "': " + pcap_geterr(h.pcap));
  }
  h.dumper = pcap_dump_open(h.pcap, file.c_str());
  if (h.dumper == nullptr) return Unexpected("capture file " + file.string() + ": " + pcap_geterr(h.pcap));
  capture->thread_ = std::thread([raw = capture.get()] { raw->run(); });
  return capture;
}

void LiveCapture::run() {
  auto on_packet = [](u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
    pcap_dump(user, header, bytes);
  };
  auto* dumper = reinterpret_cast<u_char*>(handles_->dumper);
  // Non-blocking reads behind poll() with a short timeout: pcap_breakloop does not wake a reader blocked in
  // immediate mode on every libpcap, and a quiet interface must not keep stop() waiting.
  const int fd = pcap_get_selectable_fd(handles_->pcap);
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_setnonblock(handles_->pcap, 1, error);
  while (!stopping_.load()) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 50) <= 0) continue;
    const int got = pcap_dispatch(handles_->pcap, -1, on_packet, dumper);
    if (got == PCAP_ERROR || got == PCAP_ERROR_BREAK) break;
    if (got > 0) stats_.packets += static_cast<std::uint64_t>(got);
  }
  // What the kernel still holds (bounded: traffic that keeps coming must not keep us here).
  for (int got = 1, rounds = 0; got > 0 && rounds < 64; ++rounds) {
    got = pcap_dispatch(handles_->pcap, -1, on_packet, dumper);
    if (got > 0) stats_.packets += static_cast<std::uint64_t>(got);
  }
}

LiveCaptureStats LiveCapture::stop() {
  if (stopped_) return stats_;
  stopped_ = true;
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  pcap_stat counters{};
  if (pcap_stats(handles_->pcap, &counters) == 0) {
    stats_.kernel_drops = counters.ps_drop;
    stats_.interface_drops = counters.ps_ifdrop;
  }
  pcap_dump_flush(handles_->dumper);
  handles_.reset();
  return stats_;
}

LiveCapture::~LiveCapture() { stop(); }

}  // namespace mohq::harness
