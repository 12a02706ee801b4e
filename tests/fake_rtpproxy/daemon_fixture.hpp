// A fake rtpproxy in the test process: engine + control server on an event loop, no control sockets, so
// commands go straight into ControlServer::handle and RTP goes to sockets the test opens.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fake_rtpproxy/control_server.hpp"
#include "fake_rtpproxy/engine.hpp"
#include "net/event_loop.hpp"

namespace mohq::test {

struct FakeRtpproxyFixture {
  // port_pairs RTP/RTCP pairs from a block of ports free on 127.0.0.1, handed out in order (-b).
  explicit FakeRtpproxyFixture(int port_pairs = 2, int ttl_s = 60, int setup_ttl_s = 60);

  // Runs one command as a stream transport would (no cookie) and returns the reply without its '\n'.
  std::string command(const std::string& text);
  // The same as a datagram with a cookie: returns the whole reply line.
  std::string datagram(const std::string& text);
  // Turns the loop for `duration` (handlers run: timers, players, media).
  void run_for(std::chrono::milliseconds duration);

  int port_base;  // the first RTP port
  net::EventLoop loop;
  fake_rtpproxy::Engine engine;
  std::unique_ptr<fake_rtpproxy::ControlServer> control;
};

// A directory for prompt files, removed at the end of the test.
struct PromptDir {
  PromptDir();
  ~PromptDir();
  std::filesystem::path write(const std::string& name, const std::vector<std::uint8_t>& bytes) const;
  std::filesystem::path path;
};

// n bytes that differ from chunk to chunk, so a payload from the wrong offset is caught.
std::vector<std::uint8_t> counting_bytes(std::size_t n);

}  // namespace mohq::test
