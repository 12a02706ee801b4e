// `mohq prompt lint DIR|FILES... [--json OUT]` and `mohq prompt convert INPUT --out DIR/NAME [--codecs 0,8]`:
// checks rtpproxy prompt files and makes correct ones (analyzers/prompt).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mohq::harness {

// args: what follows "prompt". Exit codes: 0 clean (convert: every codec written and lint clean), 1 lint errors
// or a codec that could not be written, 2 bad usage or an unreadable input.
int run_prompt_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace mohq::harness
