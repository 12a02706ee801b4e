#include "kamailio/mohq_control.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>

#include "kamailio/connected_udp.hpp"

namespace mohq::kamailio {
namespace {

// One MESSAGE to sip:<control_user>@<listen>, the answer's status code and text. Only a final answer with this
// request's Call-ID counts (a late answer to an earlier request on a reused port must not).
struct ControlAnswer {
  int status = 0;
  std::string text;
};

Expected<ControlAnswer, std::string> control_request(const KamailioConfig& config, const std::string& headers,
                                                     std::chrono::milliseconds timeout) {
  static std::atomic<unsigned> sequence{0};
  auto socket = detail::ConnectedUdpSocket::connect(config.listen_host, config.sip_port);
  if (!socket) return Unexpected{socket.error()};
  const std::string host = detail::bracket_ipv6(config.listen_host);
  const std::string target = "sip:" + config.control_user + "@" + host + ":" + std::to_string(config.sip_port);
  const std::string me = host + ":" + std::to_string(socket->local_port());
  const std::string id = std::to_string(::getpid()) + "-" + std::to_string(++sequence);
  const std::string call_id = "mohq-ctl-" + id + "@" + host;
  const std::string request = "MESSAGE " + target + " SIP/2.0\r\n" +
                              "Via: SIP/2.0/UDP " + me + ";branch=z9hG4bK-mohq-ctl-" + id + ";rport\r\n" +
                              "From: <sip:mohq-harness@" + me + ">;tag=ctl" + id + "\r\n" +
                              "To: <" + target + ">\r\n" +
                              "Call-ID: " + call_id + "\r\n" +
                              "CSeq: 1 MESSAGE\r\n"
                              "Max-Forwards: 70\r\n" +
                              headers + "Content-Length: 0\r\n\r\n";
  if (!socket->send(request)) return Unexpected{"cannot send the control MESSAGE to " + target};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto reply = socket->receive(std::max(left, std::chrono::milliseconds(1)));
    if (!reply) break;  // timeout, or ICMP port unreachable: nobody listens
    if (reply->rfind("SIP/2.0 ", 0) != 0 || reply->find("Call-ID: " + call_id) == std::string::npos) continue;
    ControlAnswer answer;
    std::from_chars(reply->data() + 8, reply->data() + std::min<std::size_t>(reply->size(), 11), answer.status);
    if (answer.status < 200) continue;
    answer.text = std::move(*reply);
    return answer;
  }
  return Unexpected{"no answer from Kamailio's control route " + target + " within " +
                    std::to_string(timeout.count()) + " ms"};
}

std::string status_line(const std::string& text) { return text.substr(0, text.find("\r\n")); }

}  // namespace

Expected<bool, std::string> control_retrieve(const KamailioConfig& config, const std::string& queue,
                                             const std::string& refer_to, std::chrono::milliseconds timeout) {
  auto answer = control_request(
      config, "X-Mohq-Action: retrieve\r\nX-Mohq-Queue: " + queue + "\r\nX-Mohq-Refer-To: " + refer_to + "\r\n",
      timeout);
  if (!answer) return Unexpected{answer.error()};
  if (answer->status == 200) return true;
  if (answer->status == 404) return false;
  return Unexpected{"mohq_retrieve: " + status_line(answer->text)};
}

Expected<std::size_t, std::string> control_count(const KamailioConfig& config, const std::string& queue,
                                                 std::chrono::milliseconds timeout) {
  auto answer = control_request(config, "X-Mohq-Action: count\r\nX-Mohq-Queue: " + queue + "\r\n", timeout);
  if (!answer) return Unexpected{answer.error()};
  const std::string header = "X-Mohq-Count: ";
  const auto at = answer->text.find(header);
  std::size_t count = 0;
  if (answer->status != 200 || at == std::string::npos ||
      std::from_chars(answer->text.data() + at + header.size(), answer->text.data() + answer->text.size(), count).ec !=
          std::errc())
    return Unexpected{"mohq_count: " + status_line(answer->text)};
  return count;
}

}  // namespace mohq::kamailio
