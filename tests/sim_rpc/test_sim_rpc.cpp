// sim/rpc: the HTTP request parser, the JSON-RPC 2.0 layer, the listener on a real event loop (127.0.0.1,
// driven by call_json_rpc and by raw sockets: keep-alive, pipelining, split writes, limits, errors) and the
// `mohq rpc` command's exit codes. Every wait is bounded.
#define BOOST_TEST_MODULE sim_rpc
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "net/event_loop.hpp"
#include "net/fd.hpp"
#include "process/child_process.hpp"
#include "process/temp_dir.hpp"
#include "sim/rpc/http_request.hpp"
#include "sim/rpc/json_rpc_server.hpp"
#include "support/source_tree.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using mohq::sim::HttpNeedMore;
using mohq::sim::HttpParseError;
using mohq::sim::HttpRequest;
using mohq::sim::JsonRpcServer;
using mohq::sim::JsonRpcServerOptions;
using mohq::sim::RpcError;
using mohq::sim::RpcMethodTable;
using mohq::sim::RpcResult;

namespace {

// ---- helpers ---------------------------------------------------------------------------------------------------

int status_of(const mohq::sim::HttpParseResult& result) {
  if (const auto* error = std::get_if<HttpParseError>(&result)) return error->status;
  if (std::holds_alternative<HttpRequest>(result)) return 200;
  return 0;  // need more
}

std::string post(const std::string& body, const std::string& extra_headers = "", const std::string& path = "/RPC") {
  return "POST " + path + " HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string rpc_body(const std::string& method, const json& params, const json& id) {
  return json{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}, {"id", id}}.dump();
}

RpcMethodTable test_methods(std::atomic<int>* notified) {
  RpcMethodTable methods;
  methods["sum"] = [](const json& params) -> RpcResult {
    if (!params.is_array()) return mohq::Unexpected{RpcError{-32602, "Invalid params: expected an array"}};
    long long total = 0;
    for (const auto& value : params) total += value.get<long long>();  // a non-number throws: -32602
    return json(total);
  };
  methods["echo"] = [](const json& params) -> RpcResult { return params; };
  methods["mohqueue.drain_call_queue"] = [](const json& params) -> RpcResult {
    if (!params.is_array() || params.empty()) return mohq::Unexpected{RpcError{400, "Too few parameters!"}};
    return mohq::Unexpected{RpcError{401, "Unknown queue (" + params.at(0).dump() + ")"}};
  };
  methods["throws"] = [](const json&) -> RpcResult { throw std::runtime_error("boom"); };
  methods["notify"] = [notified](const json&) -> RpcResult {
    if (notified != nullptr) ++*notified;
    return json(nullptr);
  };
  return methods;
}

// A server on its own loop thread, 127.0.0.1:0.
struct RunningServer {
  explicit RunningServer(JsonRpcServerOptions options = {}) {
    auto created = JsonRpcServer::create(loop, "127.0.0.1:0", options);
    BOOST_REQUIRE_MESSAGE(created.has_value(), (created ? std::string() : created.error()));
    server = std::move(*created);
    for (auto& [name, method] : test_methods(&notified)) server->add_method(name, method);
    address = server->local_address().to_string();
    thread = std::thread([this] { loop.run(); });
  }
  ~RunningServer() {
    loop.stop();
    thread.join();
    server.reset();
  }
  mohq::net::EventLoop loop;
  std::unique_ptr<JsonRpcServer> server;
  std::atomic<int> notified{0};
  std::string address;
  std::thread thread;
};

// A blocking client socket with 3 s receive/send timeouts.
mohq::net::Fd connect_to(const std::string& address) {
  auto target = mohq::net::SocketAddress::parse(address);
  BOOST_REQUIRE(target);
  mohq::net::Fd fd(::socket(target->family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  BOOST_REQUIRE(fd.valid());
  timeval limit{3, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  BOOST_REQUIRE_EQUAL(::connect(fd.get(), target->data(), target->size()), 0);
  return fd;
}

void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return;  // the server may close first (413); the test then checks what came back
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// Reads until `count` whole responses arrived, or EOF / the 3 s receive timeout; eof tells which.
struct ReadResult {
  std::vector<Response> responses;
  bool eof = false;
};

ReadResult read_responses(int fd, std::size_t count, bool until_eof = false) {
  ReadResult result;
  std::string data;
  char buffer[8192];
  while (until_eof || result.responses.size() < count) {
    // Parse what is complete.
    while (true) {
      const auto head_end = data.find("\r\n\r\n");
      if (head_end == std::string::npos) break;
      Response response;
      std::istringstream head(data.substr(0, head_end));
      std::string line;
      std::getline(head, line);
      BOOST_REQUIRE_MESSAGE(line.rfind("HTTP/1.1 ", 0) == 0, "status line: " + line);
      response.status = std::stoi(line.substr(9, 3));
      while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        response.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      }
      std::size_t length = 0;
      if (response.headers.count("content-length") != 0) length = std::stoul(response.headers["content-length"]);
      if (data.size() < head_end + 4 + length) break;
      response.body = data.substr(head_end + 4, length);
      data.erase(0, head_end + 4 + length);
      result.responses.push_back(std::move(response));
    }
    if (!until_eof && result.responses.size() >= count) break;
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) {
      result.eof = true;
      break;
    }
    if (n < 0) break;  // timeout
    data.append(buffer, static_cast<std::size_t>(n));
  }
  return result;
}

json body_json(const Response& response) { return json::parse(response.body); }

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

// ---- HTTP request parser -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(http_parser)

BOOST_AUTO_TEST_CASE(complete_request_with_case_insensitive_headers) {
  const std::string text = "POST /RPC HTTP/1.1\r\nhost: x\r\ncOnTeNt-LeNgTh: 4\r\nX-A:  spaced  \r\n\r\nbody";
  auto parsed = mohq::sim::parse_http_request(text);
  BOOST_REQUIRE(std::holds_alternative<HttpRequest>(parsed));
  const auto& request = std::get<HttpRequest>(parsed);
  BOOST_TEST(request.method == "POST");
  BOOST_TEST(request.path() == "/RPC");
  BOOST_TEST(request.body == "body");
  BOOST_TEST(request.consumed == text.size());
  BOOST_TEST(request.keep_alive);
  BOOST_TEST(request.header("CONTENT-LENGTH").value_or("") == "4");
  BOOST_TEST(request.header("x-a").value_or("") == "spaced");
}

BOOST_AUTO_TEST_CASE(every_prefix_needs_more_and_pipelined_requests_are_consumed_one_by_one) {
  const std::string one = post("{\"a\":1}");
  const std::string two = "GET /RPC?x=1 HTTP/1.0\nConnection: Keep-Alive\n\n";
  for (std::size_t i = 0; i < one.size(); ++i) {
    BOOST_TEST_INFO("prefix " << i);
    BOOST_TEST(std::holds_alternative<HttpNeedMore>(mohq::sim::parse_http_request(one.substr(0, i))));
  }
  const std::string both = one + two;
  auto first = mohq::sim::parse_http_request(both);
  BOOST_REQUIRE(std::holds_alternative<HttpRequest>(first));
  BOOST_TEST(std::get<HttpRequest>(first).consumed == one.size());
  auto second = mohq::sim::parse_http_request(std::string_view(both).substr(one.size()));
  BOOST_REQUIRE(std::holds_alternative<HttpRequest>(second));
  BOOST_TEST(std::get<HttpRequest>(second).method == "GET");
  BOOST_TEST(std::get<HttpRequest>(second).minor_version == 0);
  BOOST_TEST(std::get<HttpRequest>(second).keep_alive);  // HTTP/1.0 asked for it, bare LF lines
  BOOST_TEST(std::get<HttpRequest>(second).path() == "/RPC");
}

BOOST_AUTO_TEST_CASE(connection_close_and_http10_default) {
  auto closing = mohq::sim::parse_http_request(post("{}", "Connection: foo, close\r\n"));
  BOOST_REQUIRE(std::holds_alternative<HttpRequest>(closing));
  BOOST_TEST(!std::get<HttpRequest>(closing).keep_alive);
  auto old = mohq::sim::parse_http_request("GET / HTTP/1.0\r\n\r\n");
  BOOST_REQUIRE(std::holds_alternative<HttpRequest>(old));
  BOOST_TEST(!std::get<HttpRequest>(old).keep_alive);
}

BOOST_AUTO_TEST_CASE(errors_carry_the_right_status) {
  using mohq::sim::parse_http_request;
  BOOST_TEST(status_of(parse_http_request("POST /RPC HTTP/1.1\r\nHost: x\r\n\r\n")) == 411);
  BOOST_TEST(status_of(parse_http_request("POST /RPC HTTP/1.1\r\nContent-Length: 1x\r\n\r\n")) == 400);
  BOOST_TEST(status_of(parse_http_request("POST /RPC HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")) == 400);
  BOOST_TEST(status_of(parse_http_request("POST /RPC HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")) == 501);
  BOOST_TEST(status_of(parse_http_request("POST /RPC HTTP/2.0\r\n\r\n")) == 505);
  BOOST_TEST(status_of(parse_http_request("POST /RPC HTTP/1.1x\r\n\r\n")) == 400);
  BOOST_TEST(status_of(parse_http_request("hello\r\n\r\n")) == 400);
  BOOST_TEST(status_of(parse_http_request("POST  HTTP/1.1\r\n\r\n")) == 400);
  BOOST_TEST(status_of(parse_http_request("POST /RPC HTTP/1.1\r\nNo colon here\r\n\r\n")) == 400);
  BOOST_TEST(status_of(parse_http_request("POST /RPC HTTP/1.1\r\nA: b\r\n folded\r\n\r\n")) == 400);
  BOOST_TEST(status_of(parse_http_request("POST /RPC HTTP/1.1\r\nBad Name: b\r\n\r\n")) == 400);
  BOOST_TEST(status_of(parse_http_request("POST /RPC HTTP/1.1\r\nA: b\x01\r\n\r\n")) == 400);
  BOOST_TEST(status_of(parse_http_request(std::string_view("\0\r\n\r\n", 5))) == 400);
  // Size limit: the head alone, the declared body, and a head that never ends.
  BOOST_TEST(status_of(parse_http_request(post(std::string(100, 'x')), 64)) == 413);
  BOOST_TEST(status_of(parse_http_request("POST /RPC HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n")) == 413);
  BOOST_TEST(status_of(parse_http_request(std::string(2000, 'a'), 1000)) == 413);
  BOOST_TEST(status_of(parse_http_request(std::string(999, 'a'), 1000)) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- JSON-RPC layer ------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(json_rpc_layer)

json handle(const std::string& body) {
  static const RpcMethodTable methods = test_methods(nullptr);
  auto answer = mohq::sim::handle_json_rpc_body(methods, body);
  BOOST_REQUIRE_MESSAGE(answer, "no answer for " + body);
  return json::parse(*answer);
}

int error_code(const json& answer) { return answer.at("error").at("code").get<int>(); }

BOOST_AUTO_TEST_CASE(results_and_errors) {
  auto sum = handle(rpc_body("sum", {1, 2, 3}, 7));
  BOOST_TEST(sum.at("result").get<int>() == 6);
  BOOST_TEST(sum.at("id").get<int>() == 7);
  BOOST_TEST(sum.at("jsonrpc") == "2.0");
  BOOST_TEST(handle(rpc_body("echo", {{"queue", "q1"}}, 1)).at("result").at("queue") == "q1");
  BOOST_TEST(error_code(handle("{not json")) == -32700);
  BOOST_TEST(handle("{not json").at("id").is_null());
  BOOST_TEST(error_code(handle(rpc_body("nope", json::array(), 1))) == -32601);
  BOOST_TEST(error_code(handle(rpc_body("sum", {1, "two"}, 1))) == -32602);
  BOOST_TEST(error_code(handle(rpc_body("throws", json::array(), 1))) == -32603);
  BOOST_TEST(error_code(handle(R"({"method":"sum","params":[],"id":1})")) == -32600);               // no jsonrpc
  BOOST_TEST(error_code(handle(R"({"jsonrpc":"2.0","method":1,"id":1})")) == -32600);               // method
  BOOST_TEST(error_code(handle(R"({"jsonrpc":"2.0","method":"sum","params":5,"id":1})")) == -32600);  // params
  BOOST_TEST(error_code(handle(R"({"jsonrpc":"2.0","method":"sum","id":{}})")) == -32600);          // id
  BOOST_TEST(error_code(handle("42")) == -32600);
  BOOST_TEST(error_code(handle("[]")) == -32600);
  BOOST_TEST(error_code(handle(std::string(100000, '[') + std::string(100000, ']'))) == -32600);  // too deep
  auto fault = handle(rpc_body("mohqueue.drain_call_queue", json::array(), "abc"));
  BOOST_TEST(error_code(fault) == 400);
  BOOST_TEST(fault.at("error").at("message") == "Too few parameters!");
  BOOST_TEST(fault.at("id") == "abc");
}

BOOST_AUTO_TEST_CASE(batches_and_notifications) {
  const RpcMethodTable methods = test_methods(nullptr);
  BOOST_TEST(!mohq::sim::handle_json_rpc_body(methods, R"({"jsonrpc":"2.0","method":"sum","params":[1]})"));
  BOOST_TEST(!mohq::sim::handle_json_rpc_body(methods, R"({"jsonrpc":"2.0","method":"unknown"})"));
  BOOST_TEST(!mohq::sim::handle_json_rpc_body(methods, R"([{"jsonrpc":"2.0","method":"notify"}])"));
  auto batch = handle(R"([{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":1},)"
                      R"({"jsonrpc":"2.0","method":"notify"}, 5,)"
                      R"({"jsonrpc":"2.0","method":"missing","id":"m"}])");
  BOOST_REQUIRE(batch.is_array());
  BOOST_REQUIRE_EQUAL(batch.size(), 3u);
  BOOST_TEST(batch[0].at("result").get<int>() == 3);
  BOOST_TEST(error_code(batch[1]) == -32600);
  BOOST_TEST(error_code(batch[2]) == -32601);
  BOOST_TEST(batch[2].at("id") == "m");
}

BOOST_AUTO_TEST_SUITE_END()

// ---- the listener ----------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(server)

BOOST_AUTO_TEST_CASE(call_json_rpc_results_and_faults) {
  RunningServer running;
  auto sum = mohq::sim::call_json_rpc(running.address, "sum", {1, 2, 39});
  BOOST_REQUIRE_MESSAGE(sum.has_value(), (sum ? std::string() : sum.error()));
  BOOST_TEST(sum->get<int>() == 42);
  auto echo = mohq::sim::call_json_rpc(running.address, "echo", {{"k", "v"}});
  BOOST_REQUIRE(echo);
  BOOST_TEST(echo->at("k") == "v");

  auto unknown = mohq::sim::call_json_rpc_detailed(running.address, "no.such.method", json::array());
  BOOST_REQUIRE(!unknown);
  BOOST_REQUIRE(unknown.error().rpc);
  BOOST_TEST(unknown.error().rpc->code == -32601);

  auto fault = mohq::sim::call_json_rpc_detailed(running.address, "mohqueue.drain_call_queue", {"q9"});
  BOOST_REQUIRE(!fault);
  BOOST_REQUIRE(fault.error().rpc);
  BOOST_TEST(fault.error().rpc->code == 401);
  BOOST_TEST(fault.error().rpc->message == "Unknown queue (\"q9\")");
  auto as_text = mohq::sim::call_json_rpc(running.address, "mohqueue.drain_call_queue", json::array());
  BOOST_REQUIRE(!as_text);
  BOOST_TEST(as_text.error() == "error 400: Too few parameters!");
}

BOOST_AUTO_TEST_CASE(call_json_rpc_transport_errors) {
  // A port nobody listens on: bound and released.
  std::string closed_address;
  {
    mohq::net::Fd probe(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE_EQUAL(::bind(probe.get(), reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
    socklen_t length = sizeof any;
    ::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&any), &length);
    closed_address = "127.0.0.1:" + std::to_string(ntohs(any.sin_port));
  }
  auto refused = mohq::sim::call_json_rpc_detailed(closed_address, "sum", json::array(), 2s);
  BOOST_REQUIRE(!refused);
  BOOST_TEST(!refused.error().rpc);
  BOOST_TEST(refused.error().message.find("cannot connect") != std::string::npos, refused.error().message);
  auto bad = mohq::sim::call_json_rpc("localhost", "sum", json::array());
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().find("address") != std::string::npos, bad.error());
}

BOOST_AUTO_TEST_CASE(invalid_json_batch_and_notification_over_http) {
  RunningServer running;
  auto fd = connect_to(running.address);
  send_all(fd.get(), post("{\"jsonrpc\": \"2.0\", \"method\": ") +
                         post(R"([{"jsonrpc":"2.0","method":"sum","params":[2,2],"id":1},)"
                              R"({"jsonrpc":"2.0","method":"notify","params":[]}])") +
                         post(R"({"jsonrpc":"2.0","method":"notify","params":["x"]})"));
  auto read = read_responses(fd.get(), 3);
  BOOST_REQUIRE_EQUAL(read.responses.size(), 3u);
  const auto& parse_error = read.responses[0];
  BOOST_TEST(parse_error.status == 200);
  BOOST_TEST(parse_error.headers.at("content-type") == "application/json");
  BOOST_TEST(body_json(parse_error).at("error").at("code") == -32700);
  const auto batch = body_json(read.responses[1]);
  BOOST_REQUIRE(batch.is_array());
  BOOST_REQUIRE_EQUAL(batch.size(), 1u);
  BOOST_TEST(batch[0].at("result") == 4);
  BOOST_TEST(read.responses[2].status == 204);
  BOOST_TEST(read.responses[2].body.empty());
  BOOST_TEST(running.notified.load() == 2);
}

BOOST_AUTO_TEST_CASE(keep_alive_then_connection_close) {
  RunningServer running;
  auto fd = connect_to(running.address);
  send_all(fd.get(), post(rpc_body("sum", {1}, 1)));
  auto first = read_responses(fd.get(), 1);
  BOOST_REQUIRE_EQUAL(first.responses.size(), 1u);
  BOOST_TEST(body_json(first.responses[0]).at("result") == 1);
  BOOST_TEST(!first.eof);
  send_all(fd.get(), post(rpc_body("sum", {2}, 2), "Connection: close\r\n"));
  auto second = read_responses(fd.get(), 1, /*until_eof=*/true);
  BOOST_REQUIRE_EQUAL(second.responses.size(), 1u);
  BOOST_TEST(body_json(second.responses[0]).at("result") == 2);
  BOOST_TEST(second.responses[0].headers.at("connection") == "close");
  BOOST_TEST(second.eof);
}

BOOST_AUTO_TEST_CASE(pipelined_requests_answer_in_order) {
  RunningServer running;
  auto fd = connect_to(running.address);
  std::string all;
  for (int i = 0; i < 20; ++i) all += post(rpc_body("sum", {i, 1000}, i));
  send_all(fd.get(), all);
  auto read = read_responses(fd.get(), 20);
  BOOST_REQUIRE_EQUAL(read.responses.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    const auto answer = body_json(read.responses[static_cast<std::size_t>(i)]);
    BOOST_TEST(answer.at("id") == i);
    BOOST_TEST(answer.at("result") == i + 1000);
  }
}

BOOST_AUTO_TEST_CASE(request_split_across_writes) {
  RunningServer running;
  auto fd = connect_to(running.address);
  const std::string request = post(rpc_body("sum", {5, 6}, 9));
  send_all(fd.get(), request.substr(0, 3));
  std::this_thread::sleep_for(30ms);
  send_all(fd.get(), request.substr(3, 40));
  std::this_thread::sleep_for(30ms);
  send_all(fd.get(), request.substr(43, request.size() - 43 - 2));
  std::this_thread::sleep_for(30ms);
  send_all(fd.get(), request.substr(request.size() - 2));
  auto read = read_responses(fd.get(), 1);
  BOOST_REQUIRE_EQUAL(read.responses.size(), 1u);
  BOOST_TEST(body_json(read.responses[0]).at("result") == 11);
}

BOOST_AUTO_TEST_CASE(oversized_body_is_413_and_closes) {
  RunningServer running;
  {
    auto fd = connect_to(running.address);
    send_all(fd.get(), "POST /RPC HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n");
    auto read = read_responses(fd.get(), 1, true);
    BOOST_REQUIRE_EQUAL(read.responses.size(), 1u);
    BOOST_TEST(read.responses[0].status == 413);
    BOOST_TEST(read.eof);
  }
  {
    // A client that actually sends 1.5 MiB of body.
    auto fd = connect_to(running.address);
    send_all(fd.get(), post(std::string(1536 * 1024, ' ')));
    auto read = read_responses(fd.get(), 1, true);
    BOOST_REQUIRE_EQUAL(read.responses.size(), 1u);
    BOOST_TEST(read.responses[0].status == 413);
  }
  // The server still works.
  BOOST_TEST(mohq::sim::call_json_rpc(running.address, "sum", {1}).value_or(json(0)) == 1);
}

BOOST_AUTO_TEST_CASE(wrong_path_and_method_keep_the_connection) {
  RunningServer running;
  auto fd = connect_to(running.address);
  send_all(fd.get(), post(rpc_body("sum", {1}, 1), "", "/other") + "GET /RPC HTTP/1.1\r\nHost: x\r\n\r\n" +
                         post(rpc_body("sum", {3}, 3)));
  auto read = read_responses(fd.get(), 3);
  BOOST_REQUIRE_EQUAL(read.responses.size(), 3u);
  BOOST_TEST(read.responses[0].status == 404);
  BOOST_TEST(read.responses[1].status == 405);
  BOOST_TEST(read.responses[1].headers.at("allow") == "POST");
  BOOST_TEST(body_json(read.responses[2]).at("result") == 3);
}

BOOST_AUTO_TEST_CASE(malformed_request_is_400_and_closes) {
  RunningServer running;
  auto fd = connect_to(running.address);
  send_all(fd.get(), "POST /RPC HTTP/1.1\r\nContent-Length: nope\r\n\r\n" + post(rpc_body("sum", {1}, 1)));
  auto read = read_responses(fd.get(), 1, true);
  BOOST_REQUIRE_EQUAL(read.responses.size(), 1u);
  BOOST_TEST(read.responses[0].status == 400);
  BOOST_TEST(read.eof);
  auto binary = connect_to(running.address);
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919) & 0xff);
  send_all(binary.get(), garbage + "\r\n\r\n");
  auto junk = read_responses(binary.get(), 1, true);
  BOOST_REQUIRE_EQUAL(junk.responses.size(), 1u);
  BOOST_TEST(junk.responses[0].status == 400);
  BOOST_TEST(junk.eof);
}

BOOST_AUTO_TEST_CASE(idle_connections_are_closed) {
  JsonRpcServerOptions options;
  options.idle_timeout = 200ms;
  RunningServer running(options);
  auto fd = connect_to(running.address);
  send_all(fd.get(), "POST /RPC HTTP/1.1\r\n");  // and then nothing
  const auto start = std::chrono::steady_clock::now();
  auto read = read_responses(fd.get(), 1, true);
  BOOST_TEST(read.eof);
  BOOST_TEST(read.responses.empty());
  BOOST_TEST((std::chrono::steady_clock::now() - start < 2s));
}

BOOST_AUTO_TEST_CASE(listen_addresses) {
  mohq::net::EventLoop loop;
  for (const char* remote : {"0.0.0.0:0", "192.0.2.1:0", "[::]:0"}) {
    auto refused = JsonRpcServer::create(loop, remote);
    BOOST_REQUIRE(!refused);
    BOOST_TEST(refused.error().find("not a loopback address") != std::string::npos, refused.error());
  }
  auto bad = JsonRpcServer::create(loop, "127.0.0.1");
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().find("port") != std::string::npos, bad.error());
  auto v4 = JsonRpcServer::create(loop, "127.0.0.1:0");
  BOOST_REQUIRE(v4);
  BOOST_TEST((*v4)->local_address().port() != 0);
  auto taken = JsonRpcServer::create(loop, (*v4)->local_address().to_string());
  BOOST_REQUIRE(!taken);
  BOOST_TEST(taken.error().find("cannot listen") != std::string::npos, taken.error());
  // IPv6 loopback, when the machine has it.
  if (auto v6 = JsonRpcServer::create(loop, "[::1]:0")) {
    BOOST_TEST((*v6)->local_address().is_ipv6());
  } else {
    BOOST_TEST_MESSAGE("no IPv6 loopback here: " << v6.error());
  }
}

BOOST_AUTO_TEST_SUITE_END()

// ---- mohq rpc --------------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(mohq_rpc_command)

struct CommandRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

CommandRun run_mohq(const std::vector<std::string>& args) {
  auto dir = mohq::process::make_temp_dir("mohq-rpc-");
  BOOST_REQUIRE(dir);
  mohq::process::SpawnOptions options;
  options.argv = {(mohq::test::binary_dir() / "mohq").string(), "rpc"};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.stdout_path = *dir / "out";
  options.stderr_path = *dir / "err";
  auto child = mohq::process::ChildProcess::spawn(options);
  BOOST_REQUIRE_MESSAGE(child.has_value(), (child ? std::string() : child.error()));
  auto status = child->wait_for(15s);
  BOOST_REQUIRE_MESSAGE(status, "mohq rpc did not finish");
  BOOST_REQUIRE_MESSAGE(status->kind == mohq::process::ExitStatus::Kind::exited, status->describe());
  return CommandRun{status->value, read_file(*dir / "out"), read_file(*dir / "err")};
}

BOOST_AUTO_TEST_CASE(exit_codes) {
  RunningServer running;
  auto sum = run_mohq({"--address", running.address, "sum", "1", "2", "-3", "40"});
  BOOST_TEST(sum.exit_code == 0, sum.err);
  BOOST_TEST(json::parse(sum.out) == 40);

  auto echo = run_mohq({"--address", running.address, "echo", "q1", "7", "1.5", "+5", "-", "s:12"});
  BOOST_TEST(echo.exit_code == 0, echo.err);
  BOOST_TEST(json::parse(echo.out) == json({"q1", 7, "1.5", "+5", "-", "12"}));

  auto fault = run_mohq({"--address", running.address, "mohqueue.drain_call_queue", "nosuchq"});
  BOOST_TEST(fault.exit_code == 1);
  BOOST_TEST(fault.out.empty());
  BOOST_TEST(fault.err.find("401") != std::string::npos, fault.err);
  BOOST_TEST(fault.err.find("Unknown queue") != std::string::npos, fault.err);

  auto unknown = run_mohq({"--address", running.address, "no.such.method"});
  BOOST_TEST(unknown.exit_code == 1);
  BOOST_TEST(unknown.err.find("-32601") != std::string::npos, unknown.err);

  auto no_method = run_mohq({"--address", running.address});
  BOOST_TEST(no_method.exit_code == 2);
  BOOST_TEST(no_method.err.find("usage") != std::string::npos, no_method.err);
  auto bad_option = run_mohq({"--bogus", "sum"});
  BOOST_TEST(bad_option.exit_code == 2);
  auto bad_address = run_mohq({"--address", "nowhere", "sum"});
  BOOST_TEST(bad_address.exit_code == 2);
  BOOST_TEST(bad_address.err.find("--address") != std::string::npos, bad_address.err);
}

BOOST_AUTO_TEST_CASE(nothing_listening_is_exit_2) {
  std::string address;
  {
    RunningServer running;
    address = running.address;
  }  // gone
  auto down = run_mohq({"--address", address, "sum", "1"});
  BOOST_TEST(down.exit_code == 2);
  BOOST_TEST(down.err.find("cannot connect") != std::string::npos, down.err);
  BOOST_TEST(down.err.find("--address") != std::string::npos, down.err);
}

BOOST_AUTO_TEST_SUITE_END()
