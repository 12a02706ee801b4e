// mohqd's management interface: JSON-RPC 2.0 over HTTP/1.1 POST /RPC on the event loop, as Kamailio's jsonrpcs
// module serves it through xhttp (what `kamcmd`/`kamctl rpc` talk to). Methods answer with a result or an
// RpcError; Kamailio's fault codes (400 "Too few parameters!", 401 for an unknown queue, ...) pass through as
// they are. Also the blocking client used by `mohq rpc` and the tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/expected.hpp"
#include "net/event_loop.hpp"
#include "net/socket_address.hpp"

namespace mohq::sim {

// The JSON-RPC error object ("code", "message").
struct RpcError {
  int code = 0;
  std::string message;
};

// JSON-RPC 2.0 §5.1 codes the server itself uses; methods may return kInvalidParams too.
inline constexpr int kRpcParseError = -32700;
inline constexpr int kRpcInvalidRequest = -32600;
inline constexpr int kRpcMethodNotFound = -32601;
inline constexpr int kRpcInvalidParams = -32602;
inline constexpr int kRpcInternalError = -32603;

using RpcResult = Expected<nlohmann::json, RpcError>;
// params: the request's array or object, or null when the request had none. A method that throws a
// nlohmann::json::exception (params.at(0).get<int>() on bad params) answers -32602; any other exception -32603.
using RpcMethod = std::function<RpcResult(const nlohmann::json& params)>;
using RpcMethodTable = std::map<std::string, RpcMethod, std::less<>>;

// The JSON-RPC layer alone: one HTTP body in, the response body out (nullopt: nothing to send, the request
// was a notification or a batch of them). Never throws.
std::optional<std::string> handle_json_rpc_body(const RpcMethodTable& methods, std::string_view body);

struct JsonRpcServerOptions {
  bool allow_remote = false;  // listen on a non-loopback address (the interface has no authentication)
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);  // a connection with no traffic is closed
  std::size_t max_request_bytes = 1024 * 1024;                        // request head + body; beyond: 413
  std::size_t max_connections = 128;                                  // more are accepted and closed at once
};

class JsonRpcServer {
 public:
  // listen: "127.0.0.1:5062" or "[::1]:5062", port 0 for any free port (see local_address()). Errors name the
  // address and the reason; a non-loopback address is refused unless allow_remote.
  static Expected<std::unique_ptr<JsonRpcServer>, std::string> create(net::EventLoop& loop, const std::string& listen,
                                                                      bool allow_remote = false);
  static Expected<std::unique_ptr<JsonRpcServer>, std::string> create(net::EventLoop& loop, const std::string& listen,
                                                                      const JsonRpcServerOptions& options);
  JsonRpcServer(const JsonRpcServer&) = delete;
  JsonRpcServer& operator=(const JsonRpcServer&) = delete;
  // Removes its descriptors from the loop and closes every connection: destroy it on the loop's thread, or
  // after that thread has stopped running the loop.
  ~JsonRpcServer();

  // Registers (or replaces) a method. Call it on the loop's thread, or before the loop runs.
  void add_method(std::string name, RpcMethod method);
  net::SocketAddress local_address() const;
  std::size_t connection_count() const;  // open client connections

 private:
  struct Impl;
  explicit JsonRpcServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// How a call failed: rpc is set when the server answered with a JSON-RPC error object; otherwise the call did
// not get that far (address, connection, timeout, HTTP status, unreadable response). message says which.
struct RpcCallError {
  std::optional<RpcError> rpc;
  std::string message;
};

// Blocking client: one POST /RPC on a fresh connection, every step bounded by timeout.
Expected<nlohmann::json, RpcCallError> call_json_rpc_detailed(
    const std::string& address, const std::string& method, const nlohmann::json& params,
    std::chrono::milliseconds timeout = std::chrono::seconds(5));
// The same with the error as text ("error 401: Unknown queue" for an RPC error).
Expected<nlohmann::json, std::string> call_json_rpc(const std::string& address, const std::string& method,
                                                     const nlohmann::json& params,
                                                     std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace mohq::sim
