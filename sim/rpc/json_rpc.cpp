// The JSON-RPC 2.0 layer: request validation, dispatch, batches and notifications (JSON-RPC 2.0 §4-§6).
#include <exception>
#include <string>
#include <vector>

#include "sim/rpc/json_rpc_server.hpp"

namespace mohq::sim {

namespace {

using nlohmann::json;

// Deeper arrays/objects are refused before parsing: the tree and whatever walks it later stay shallow.
constexpr std::size_t kMaxNesting = 256;

bool nesting_within_limit(std::string_view text) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxNesting) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

json error_response(const json& id, int code, std::string message) {
  return json{{"jsonrpc", "2.0"}, {"error", {{"code", code}, {"message", std::move(message)}}}, {"id", id}};
}

// One request object; nullopt for a notification (no answer, even on error).
std::optional<json> handle_one(const RpcMethodTable& methods, const json& request) {
  if (!request.is_object()) return error_response(nullptr, kRpcInvalidRequest, "Invalid Request: not an object");
  const auto id_it = request.find("id");
  const bool notification = id_it == request.end();
  json id = nullptr;
  if (!notification) {
    if (!id_it->is_string() && !id_it->is_number() && !id_it->is_null()) {
      return error_response(nullptr, kRpcInvalidRequest, "Invalid Request: id must be a string, number or null");
    }
    id = *id_it;
  }
  const auto version = request.find("jsonrpc");
  if (version == request.end() || !version->is_string() || version->get_ref<const std::string&>() != "2.0") {
    return error_response(id, kRpcInvalidRequest, "Invalid Request: \"jsonrpc\" must be \"2.0\"");
  }
  const auto method_it = request.find("method");
  if (method_it == request.end() || !method_it->is_string()) {
    return error_response(id, kRpcInvalidRequest, "Invalid Request: \"method\" must be a string");
  }
  json params = nullptr;
  if (const auto params_it = request.find("params"); params_it != request.end()) {
    if (!params_it->is_array() && !params_it->is_object()) {
      return error_response(id, kRpcInvalidRequest, "Invalid Request: \"params\" must be an array or an object");
    }
    params = *params_it;
  }
  const auto& name = method_it->get_ref<const std::string&>();
  const auto found = methods.find(name);
  if (found == methods.end()) {
    if (notification) return std::nullopt;
    return error_response(id, kRpcMethodNotFound, "Method not found: " + name);
  }
  json answer;
  try {
    auto result = found->second(params);
    if (result) {
      answer = json{{"jsonrpc", "2.0"}, {"result", std::move(*result)}, {"id", id}};
    } else {
      answer = error_response(id, result.error().code, result.error().message);
    }
  } catch (const json::exception& e) {
    answer = error_response(id, kRpcInvalidParams, std::string("Invalid params: ") + e.what());
  } catch (const std::exception& e) {
    answer = error_response(id, kRpcInternalError, std::string("Internal error: ") + e.what());
  } catch (...) {
    answer = error_response(id, kRpcInternalError, "Internal error");
  }
  if (notification) return std::nullopt;
  return answer;
}

std::string serialize(const json& value) {
  // A method's string that is not UTF-8 is replaced (U+FFFD) rather than failing the whole answer.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::optional<std::string> handle_json_rpc_body(const RpcMethodTable& methods, std::string_view body) {
  try {
    if (!nesting_within_limit(body)) {
      return serialize(error_response(nullptr, kRpcInvalidRequest,
                                      "Invalid Request: nested deeper than " + std::to_string(kMaxNesting)));
    }
    const json request = json::parse(body, nullptr, false);
    if (request.is_discarded()) return serialize(error_response(nullptr, kRpcParseError, "Parse error"));
    if (!request.is_array()) {
      auto answer = handle_one(methods, request);
      if (!answer) return std::nullopt;
      return serialize(*answer);
    }
    if (request.empty()) return serialize(error_response(nullptr, kRpcInvalidRequest, "Invalid Request: empty batch"));
    json answers = json::array();
    for (const auto& element : request) {
      if (auto answer = handle_one(methods, element)) answers.push_back(std::move(*answer));
    }
    if (answers.empty()) return std::nullopt;
    return serialize(answers);
  } catch (const std::exception& e) {
    // Only memory exhaustion and the like end up here; the client still gets an answer.
    return serialize(error_response(nullptr, kRpcInternalError, std::string("Internal error: ") + e.what()));
  }
}

}  // namespace mohq::sim
