#include "daemon_fixture.hpp"

#include <unistd.h>

#include <fstream>

#include "fake_rtpproxy/log.hpp"
#include "process/free_port.hpp"
#include <stdexcept>

namespace mohq::test {
namespace {

fake_rtpproxy::EngineConfig config_for(int port_min, int port_max, int ttl_s, int setup_ttl_s) {
  fake_rtpproxy::EngineConfig config;
  config.ipv4_address = "127.0.0.1";
  config.ipv6_address = "::1";
  config.port_min = port_min;
  config.port_max = port_max;
  config.sequential_ports = true;  // like rtpproxy's own tests (-b): replies are predictable
  config.session_ttl_s = ttl_s;
  config.setup_ttl_s = setup_ttl_s;
  config.seed = 1;
  return config;
}

}  // namespace

namespace {

int free_port_block(int pairs) {
  auto base = process::find_free_udp_port_block("127.0.0.1", static_cast<unsigned>(pairs * 2));
  if (!base) throw std::runtime_error("no free port block: " + base.error());
  return *base;
}

}  // namespace

FakeRtpproxyFixture::FakeRtpproxyFixture(int port_pairs, int ttl_s, int setup_ttl_s)
    : port_base(free_port_block(port_pairs)),
      engine(loop, config_for(port_base, port_base + 2 * (port_pairs - 1), ttl_s, setup_ttl_s)) {
  // Error paths are exercised on purpose: their log lines would only bury a real failure's output.
  fake_rtpproxy::set_log_level(fake_rtpproxy::LogLevel::Critical);
  auto server = fake_rtpproxy::ControlServer::open(loop, engine, {});
  if (!server) throw std::runtime_error(server.error());
  control = std::move(*server);
}

std::string FakeRtpproxyFixture::command(const std::string& text) {
  std::string reply = control->handle(text, rtpp::Framing::Stream);
  if (!reply.empty() && reply.back() == '\n') reply.pop_back();
  return reply;
}

std::string FakeRtpproxyFixture::datagram(const std::string& text) {
  std::string reply = control->handle(text, rtpp::Framing::Datagram);
  if (!reply.empty() && reply.back() == '\n') reply.pop_back();
  return reply;
}

void FakeRtpproxyFixture::run_for(std::chrono::milliseconds duration) {
  auto deadline = std::chrono::steady_clock::now() + duration;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    loop.run_once(static_cast<int>(left.count()));
  }
}

PromptDir::PromptDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "mohq-prompts-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path = pattern;
}

PromptDir::~PromptDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path, ignored);
}

std::filesystem::path PromptDir::write(const std::string& name, const std::vector<std::uint8_t>& bytes) const {
  auto file = path / name;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return file;
}

std::vector<std::uint8_t> counting_bytes(std::size_t n) {
  std::vector<std::uint8_t> bytes(n);
  for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<std::uint8_t>((i * 7 + i / 251) & 0xff);
  return bytes;
}

}  // namespace mohq::test
