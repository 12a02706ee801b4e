// Ctrl-C during `mohq run`. The first SIGINT (or SIGTERM) only raises a flag: every wait of the suites polls
// interrupted(), so the running case winds down, its children are stopped by their pids (RAII), and the reports
// of what ran are still written. A second signal restores the default action and ends mohq at once; children
// were spawned with PR_SET_PDEATHSIG (common/process), so they are terminated with it.
#pragma once

namespace mohq::harness {

void install_interrupt_handler();
bool interrupted();

}  // namespace mohq::harness
