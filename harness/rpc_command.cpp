#include "harness/rpc_command.hpp"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <ostream>

#include <nlohmann/json.hpp>

#include "sim/rpc/json_rpc_server.hpp"

namespace mohq::harness {

namespace {

constexpr const char* kUsage =
    "usage: mohq rpc [--address HOST:PORT] [--timeout-ms N] METHOD [ARGS...]\n"
    "  one JSON-RPC 2.0 call (POST /RPC) to mohqd or Kamailio's jsonrpcs; default address 127.0.0.1:5062.\n"
    "  ARGS that are decimal integers are sent as numbers, the others as strings; s:ARG forces a string (as kamcmd).\n"
    "  exit 0: result printed as JSON; 1: the method answered with an error; 2: usage or connection problem\n";

// "-12", "7": a JSON number (when it fits in 64 bits); anything else, "+5" and "1.5" included, a string. As with
// kamcmd, "s:123" forces the string "123".
nlohmann::json argument(const std::string& text) {
  if (text.rfind("s:", 0) == 0) return text.substr(2);
  const std::size_t digits_from = (!text.empty() && text[0] == '-') ? 1 : 0;
  if (text.size() > digits_from && text.find_first_not_of("0123456789", digits_from) == std::string::npos) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) return value;
  }
  return text;
}

}  // namespace

int run_rpc_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string address = kDefaultRpcAddress;
  std::chrono::milliseconds timeout(5000);
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      out << kUsage;
      return 0;
    }
    if (arg == "--address" || arg == "--timeout-ms") {
      if (i + 1 >= args.size()) {
        err << "mohq rpc: " << arg << " needs a value\n" << kUsage;
        return 2;
      }
      const std::string& value = args[++i];
      if (arg == "--address") {
        address = value;
      } else {
        long long ms = 0;
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), ms);
        if (error != std::errc() || end != value.data() + value.size() || ms <= 0) {
          err << "mohq rpc: --timeout-ms takes a positive number of milliseconds\n";
          return 2;
        }
        timeout = std::chrono::milliseconds(ms);
      }
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-' && arg != "--") {
      err << "mohq rpc: unknown option '" << arg << "'\n" << kUsage;
      return 2;
    }
    if (arg == "--") ++i;
    break;
  }
  if (i >= args.size()) {
    err << "mohq rpc: which method? (e.g. mohq rpc mohqueue.drain_call_queue QUEUE)\n" << kUsage;
    return 2;
  }
  const std::string& method = args[i];
  nlohmann::json params = nlohmann::json::array();
  for (++i; i < args.size(); ++i) params.push_back(argument(args[i]));

  auto result = sim::call_json_rpc_detailed(address, method, params, timeout);
  if (result) {
    out << result->dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  if (result.error().rpc) {
    err << "mohq rpc: " << method << ": error " << result.error().rpc->code << ": " << result.error().rpc->message
        << "\n";
    return 1;
  }
  err << "mohq rpc: " << result.error().message << "\n"
      << "  is mohqd (or Kamailio with jsonrpcs/xhttp) running and serving JSON-RPC at " << address
      << "? Pass its address with --address HOST:PORT.\n";
  return 2;
}

}  // namespace mohq::harness
