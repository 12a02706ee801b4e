// libFuzzer target for sim/rpc: any bytes through parse_http_request (the JSON-RPC listener's framing) and,
// for every request that parses, its body through the JSON-RPC layer. Asserts what the listener relies on:
// a request consumes at least one byte and no more than it was given, the same request parses from exactly its
// own bytes and from its bytes followed by anything, "need more" never comes past the size limit, errors name
// their problem with a status the listener knows, and the JSON-RPC layer always answers valid JSON.
// Sources: this file plus sim/rpc/*.cpp, include root the repository root.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "sim/rpc/http_request.hpp"
#include "sim/rpc/json_rpc_server.hpp"

namespace {

using namespace mohq::sim;

// Small, so the 413 paths are reached as often as the others.
constexpr std::size_t kLimit = 4096;

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_http_request: %s\ninput (%zu bytes): %.*s\n", what, input.size(),
               static_cast<int>(input.size() < 2000 ? input.size() : 2000), input.data());
  std::abort();
}

bool same(const HttpRequest& a, const HttpRequest& b) {
  return a.method == b.method && a.target == b.target && a.minor_version == b.minor_version &&
         a.headers == b.headers && a.body == b.body && a.keep_alive == b.keep_alive && a.consumed == b.consumed;
}

const RpcMethodTable& methods() {
  static const RpcMethodTable table = [] {
    RpcMethodTable t;
    t["echo"] = [](const nlohmann::json& params) -> RpcResult { return params; };
    t["first"] = [](const nlohmann::json& params) -> RpcResult { return nlohmann::json(params.at(0).get<std::string>()); };
    t["fault"] = [](const nlohmann::json&) -> RpcResult { return mohq::Unexpected{RpcError{401, "Unknown queue"}}; };
    return t;
  }();
  return table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_http_request(input, kLimit);
  if (std::holds_alternative<HttpNeedMore>(parsed)) {
    if (input.size() > kLimit) fail("need more past the size limit", input);
    return 0;
  }
  if (const auto* error = std::get_if<HttpParseError>(&parsed)) {
    if (error->reason.empty()) fail("error without a reason", input);
    if (http_reason_phrase(error->status) == "Unknown") fail("error status the listener cannot name", input);
    return 0;
  }
  const auto& request = std::get<HttpRequest>(parsed);
  if (request.consumed == 0 || request.consumed > input.size()) fail("consumed outside the input", input);
  if (request.consumed > kLimit) fail("request past the size limit", input);
  if (request.method.empty() || request.target.empty()) fail("request without method or target", input);
  if (const auto length = request.header("Content-Length"); length && std::to_string(request.body.size()) != *length) {
    // Leading zeros are allowed on the wire; compare numerically.
    if (std::stoull(std::string(*length)) != request.body.size()) fail("body length differs from Content-Length", input);
  }
  const auto own = parse_http_request(input.substr(0, request.consumed), kLimit);
  if (!std::holds_alternative<HttpRequest>(own) || !same(std::get<HttpRequest>(own), request)) {
    fail("the request does not parse the same from its own bytes", input);
  }
  if (request.consumed < kLimit) {
    const std::string longer = std::string(input.substr(0, request.consumed)) + "GET / HTTP/1.1\r\n";
    const auto followed = parse_http_request(longer, kLimit);
    if (!std::holds_alternative<HttpRequest>(followed) || !same(std::get<HttpRequest>(followed), request)) {
      fail("the request parses differently when more bytes follow", input);
    }
  }
  if (const auto answer = handle_json_rpc_body(methods(), request.body)) {
    if (nlohmann::json::parse(*answer, nullptr, false).is_discarded()) fail("JSON-RPC answer is not JSON", input);
  }
  return 0;
}
