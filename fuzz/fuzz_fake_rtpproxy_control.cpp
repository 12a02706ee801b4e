// Feeds untrusted control traffic through fake-rtpproxy's command handling: each input is split into lines,
// each line run as a unix-socket command and as a udp datagram, then every session is deleted so inputs do
// not depend on each other. Finds crashes and sanitizer reports in the engine's state handling, not only the
// parser.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "fake_rtpproxy/control_server.hpp"
#include "fake_rtpproxy/engine.hpp"
#include "fake_rtpproxy/log.hpp"
#include "net/event_loop.hpp"

namespace {

struct Daemon {
  Daemon() : engine(loop, config()) {
    mohq::fake_rtpproxy::set_log_level(mohq::fake_rtpproxy::LogLevel::Critical);
    control = std::move(*mohq::fake_rtpproxy::ControlServer::open(loop, engine, {}));
  }
  static mohq::fake_rtpproxy::EngineConfig config() {
    mohq::fake_rtpproxy::EngineConfig c;
    c.ipv4_address = "127.0.0.1";
    c.ipv6_address = "::1";
    c.port_min = 47000;
    c.port_max = 47006;  // four pairs: enough for every path, including exhaustion
    c.sequential_ports = true;
    c.seed = 1;
    return c;
  }
  mohq::net::EventLoop loop;
  mohq::fake_rtpproxy::Engine engine;
  std::unique_ptr<mohq::fake_rtpproxy::ControlServer> control;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Daemon daemon;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  while (!input.empty()) {
    auto end = input.find('\n');
    std::string_view line = input.substr(0, end);
    daemon.control->handle(line, mohq::rtpp::Framing::Stream);
    daemon.control->handle(line, mohq::rtpp::Framing::Datagram);
    daemon.loop.run_once(0);  // let players and media handlers run on what the commands set up
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  daemon.control->handle("X", mohq::rtpp::Framing::Stream);
  daemon.control->handle("F reset=1", mohq::rtpp::Framing::Stream);
  return 0;
}
