// mohqd's queue engine fed with arbitrary SIP: the input is split into messages at NUL bytes; each one that parses
// goes to the engine (both profiles, alternately by the first byte), rtpproxy answers at once, and the clock jumps
// 10 s between messages so every timer path runs. Nothing may crash, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/queue/queue_engine.hpp"
#include "sip/message.hpp"

namespace {

using namespace mohq;

struct FuzzEnvironment final : sim::QueueEnvironment {
  sip::TimePoint clock{};
  void send_sip(const sim::SipDestination&, const std::string&) override {}
  void send_rtpproxy(const std::string&, const rtpp::Command& command, RtpproxyDone done) override {
    if (std::holds_alternative<rtpp::UpdateCommand>(command))
      done(rtpp::Reply{rtpp::PortReply{40000, "127.0.0.1", false}});
    else
      done(rtpp::Reply{rtpp::NumberReply{0}});
  }
  sim::NodeCapabilities rtpproxy_capabilities(const std::string&) override { return {}; }
  void db_insert(sim_db::CallRow) override {}
  void db_update(const std::string&, sim_db::CallStatus) override {}
  void db_delete(const std::string&) override {}
  std::optional<sim::SipDestination> resolve(const std::string&, std::uint16_t port, bool tcp) override {
    auto address = net::SocketAddress::from_host_port("127.0.0.1", port);
    if (!address) return std::nullopt;
    return sim::SipDestination{tcp, *address, 0};
  }
  std::string sent_by(bool) override { return "127.0.0.1:5060"; }
  std::chrono::system_clock::time_point wall_clock() override { return {}; }
  sip::TimePoint now() override { return clock; }
  void log(sim::LogLevel, const std::string&) override {}
};

std::vector<sim::Queue> fuzz_queues() {
  sim::Queue queue;
  queue.id = 1;
  queue.name = "abc";
  queue.uri = "sip:1008@127.0.0.1:5060";
  queue.mohdir = "/tmp";
  queue.mohfile = "test";
  queue.prompt_types = {0, 8};
  return {queue};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  FuzzEnvironment environment;
  sim::EngineOptions options;
  options.profile = (data[0] & 1) ? sim::Profile::Strict : sim::Profile::Kamailio;
  options.max_calls = 4;
  sim::QueueEngine engine(environment, options, fuzz_queues());
  auto source = net::SocketAddress::from_host_port("127.0.0.1", 5070);
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t start = 0;
  while (start <= input.size()) {
    const std::size_t end = std::min(input.find('\0', start), input.size());
    auto message = sip::parse_message(input.substr(start, end - start));
    if (message) {
      engine.on_message({*message, {false, *source, 0}, "127.0.0.1"}, environment.clock);
      (void)engine.retrieve("abc", "sip:op@127.0.0.1:5080", environment.clock);
      (void)engine.count("abc");
    }
    environment.clock += std::chrono::seconds(10);
    while (auto deadline = engine.next_deadline()) {
      if (*deadline > environment.clock) break;
      engine.on_timer(environment.clock);
    }
    start = end + 1;
  }
  (void)engine.drop_call("abc", "*", environment.clock);
  return 0;
}
