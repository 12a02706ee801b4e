// fake-rtpproxy: rtpproxy's command line and control protocol, streaming prompt files over RTP.
#include <iostream>
#include <string_view>
#include <vector>

#include "fake_rtpproxy/daemon.hpp"
#include "fake_rtpproxy/options.hpp"

int main(int argc, char** argv) {
  using namespace mohq::fake_rtpproxy;
  std::vector<std::string_view> arguments(argv + 1, argv + argc);
  auto command_line = parse_command_line(arguments);
  if (!command_line) {
    std::cerr << "fake-rtpproxy: " << command_line.error() << "\n";
    return 2;
  }
  switch (command_line->action) {
    case CommandLine::Action::Help:
      std::cout << usage_text();
      return 0;
    case CommandLine::Action::Version:
      std::cout << "fake-rtpproxy (mohq) 0.1.0, control protocol 20040107\n";
      return 0;
    case CommandLine::Action::Run:
      break;
  }
  try {
    return run_daemon(command_line->options);
  } catch (const std::exception& failure) {
    std::cerr << "fake-rtpproxy: " << failure.what() << "\n";
    return 1;
  }
}
