// mohqd: the reference MOH queue. Runs until SIGTERM or SIGINT; exit 2 on a bad configuration.
#include <sys/epoll.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "net/event_loop.hpp"
#include "net/signals.hpp"
#include "sim/mohqd/mohqd_daemon.hpp"
#include "sim/mohqd/mohqd_options.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  for (const auto& argument : arguments)
    if (argument == "--help" || argument == "-h") {
      std::fputs(mohq::sim::mohqd_usage().c_str(), stdout);
      return 0;
    }
  auto options = mohq::sim::parse_mohqd_options(arguments);
  if (!options) {
    std::fprintf(stderr, "mohqd: %s\n", options.error().c_str());
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  mohq::net::EventLoop loop;
  mohq::net::SignalSet signals{SIGTERM, SIGINT};
  auto daemon = mohq::sim::MohqdDaemon::create(loop, std::move(*options));
  if (!daemon) {
    std::fprintf(stderr, "mohqd: %s\n", daemon.error().c_str());
    return 2;
  }
  loop.add(signals.fd(), EPOLLIN, [&](std::uint32_t) {
    while (signals.next()) loop.stop();
  });
  loop.run();
  (*daemon)->shutdown();
  loop.remove(signals.fd());
  return 0;
}
