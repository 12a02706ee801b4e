// `mohq rpc [--address HOST:PORT] METHOD [ARGS...]`: one JSON-RPC call to mohqd (or Kamailio's jsonrpcs over
// xhttp), like `kamcmd METHOD ARGS...`.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mohq::harness {

inline constexpr const char* kDefaultRpcAddress = "127.0.0.1:5062";

// args: what follows "rpc". Prints the result as pretty JSON to out. Returns 0 on a result, 1 on a JSON-RPC
// error (code and message to err), 2 on usage or connection problems.
int run_rpc_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace mohq::harness
