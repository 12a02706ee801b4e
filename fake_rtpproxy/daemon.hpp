// The whole fake-rtpproxy process: event loop, signals, engine and control sockets, built from Options.
#pragma once

#include "fake_rtpproxy/options.hpp"

namespace mohq::fake_rtpproxy {

// Runs until SIGTERM/SIGINT (or the end of stdin with -s stdio:). Returns the process exit code:
// 0 on a clean stop, 1 when a socket could not be opened.
int run_daemon(const Options& options);

}  // namespace mohq::fake_rtpproxy
