#include "analyzers/calls/call_tracker.hpp"

#include <charconv>

#include "rtpp/codec.hpp"
#include "sip/headers.hpp"
#include "sip/sdp.hpp"

namespace mohq::analyzers {

namespace {

std::string tag_of(const sip::Message& message, std::string_view header) {
  const auto value = message.header(header);
  if (!value) return {};
  const auto address = sip::parse_name_addr(*value);
  return address ? address->tag().value_or("") : std::string{};
}

std::optional<MediaOffer> media_of(const sip::Message& message) {
  const auto type = message.header("Content-Type");
  if (message.body.empty() || !type || type->find("application/sdp") == std::string_view::npos) return std::nullopt;
  const auto sdp = sip::parse_sdp(message.body);
  if (!sdp) return std::nullopt;
  const auto* audio = sip::first_audio(*sdp);
  if (audio == nullptr) return std::nullopt;
  MediaOffer offer;
  const auto* connection = sip::connection_of(*sdp, *audio);
  offer.endpoint = {connection ? connection->address : std::string(), audio->port};
  offer.payload_types = sip::audio_payload_types(*sdp);
  offer.ptime_ms = sip::ptime(*sdp, *audio);
  offer.hold = sip::is_hold(*sdp, *audio);
  return offer;
}

std::string call_id_of(const rtpp::Command& command) {
  return std::visit(
      [](const auto& c) -> std::string {
        if constexpr (requires { c.call_id; })
          return c.call_id;
        else
          return {};
      },
      command);
}

std::string trim_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

CallRecord& CallTracker::call(const std::string& call_id) {
  auto [it, inserted] = calls_.try_emplace(call_id);
  if (inserted) {
    it->second.call_id = call_id;
    order_.push_back(call_id);
  }
  return it->second;
}

void CallTracker::on_sip(const CapturedDatagram& datagram, const sip::Message& message) {
  const auto call_id = message.header("Call-ID");
  if (!call_id) return;
  CallRecord& record = call(std::string(*call_id));
  SipEvent event;
  event.frame = datagram.frame;
  event.time = datagram.time;
  event.source = datagram.source;
  event.destination = datagram.destination;
  event.transport = datagram.transport;
  if (const auto* line = message.request()) {
    event.method = line->method;
  } else {
    event.code = message.status()->code;
    event.reason = message.status()->reason;
  }
  if (const auto cseq = message.header("CSeq"))
    if (auto parsed = sip::parse_cseq(*cseq)) {
      event.cseq = parsed->number;
      event.cseq_method = parsed->method;
    }
  for (auto via : message.header_values("Via")) {
    auto parsed = sip::parse_via(via);
    event.via_branches.push_back(parsed ? parsed->branch().value_or("") : std::string());
  }
  event.from_tag = tag_of(message, "From");
  event.to_tag = tag_of(message, "To");
  const auto type = message.header("Content-Type");
  event.sdp = !message.body.empty() && type && type->find("application/sdp") != std::string_view::npos;
  if (event.method == "NOTIFY" && type && type->find("message/sipfrag") != std::string_view::npos)
    event.sipfrag = trim_line(std::string_view(message.body).substr(0, message.body.find_first_of("\r\n")));

  // The first INVITE without a To-tag opens the call; its SDP is the offer, its first 2xx's SDP the answer.
  if (event.method == "INVITE" && event.to_tag.empty() && !record.offer && record.caller.port == 0) {
    record.caller = datagram.source;
    record.callee = datagram.destination;
    record.offer = media_of(message);
  }
  if (event.code >= 200 && event.code < 300 && event.cseq_method == "INVITE" && !record.answer &&
      datagram.destination == record.caller)
    record.answer = media_of(message);
  record.events.push_back(std::move(event));
}

bool CallTracker::on_rtpproxy_datagram(const CapturedDatagram& datagram) {
  const std::string_view payload = datagram.payload;
  // A reply: "<cookie> <reply>" from the node a request went to.
  const auto space = payload.find(' ');
  if (space != std::string_view::npos) {
    const std::string key = datagram.source.to_string() + "|" + datagram.destination.to_string() + "|" +
                            std::string(payload.substr(0, space));
    if (const auto pending = by_cookie_.find(key); pending != by_cookie_.end()) {
      auto& events = call(pending->second.call_id).rtpproxy;
      if (pending->second.index < events.size())
        events[pending->second.index].reply = trim_line(payload.substr(space + 1));
      by_cookie_.erase(pending);
      return true;
    }
  }
  auto request = rtpp::parse_request(payload, rtpp::Framing::Datagram);
  if (!request || !request->cookie) return false;
  ++rtpproxy_commands_;
  const std::string call_id = call_id_of(request->command);
  if (call_id.empty()) return true;  // V, VF, I, G...: control traffic of no call
  CallRecord& record = call(call_id);
  RtpproxyEvent event;
  event.frame = datagram.frame;
  event.time = datagram.time;
  event.command = trim_line(payload.substr(request->cookie->size() + 1));
  event.verb = event.command.substr(0, event.command.find(' '));
  if (const auto* update = std::get_if<rtpp::UpdateCommand>(&request->command)) {
    if (!update->lookup && !update->modifiers.codecs.empty()) record.rtpproxy_offered_types = update->modifiers.codecs;
    if (update->lookup && update->modifiers.ptime_ms && *update->modifiers.ptime_ms > 0)
      record.rtpproxy_ptime = static_cast<unsigned>(*update->modifiers.ptime_ms);
  } else if (const auto* play = std::get_if<rtpp::PlayCommand>(&request->command)) {
    record.prompt = play->prompt;
  }
  record.rtpproxy.push_back(std::move(event));
  by_cookie_[datagram.destination.to_string() + "|" + datagram.source.to_string() + "|" + *request->cookie] = {
      call_id, record.rtpproxy.size() - 1};
  return true;
}

std::vector<CallRecord> CallTracker::calls() const {
  std::vector<CallRecord> out;
  out.reserve(order_.size());
  for (const auto& id : order_) out.push_back(calls_.at(id));
  return out;
}

CallTiming call_timing(const CallRecord& call, double capture_end) {
  CallTiming timing;
  std::optional<double> invite_at, ack_at, refer_at, bye_at;
  std::string bye_from;
  for (const auto& event : call.events) {
    if (event.method == "INVITE" && event.to_tag.empty() && !invite_at) invite_at = event.time;
    if (!event.is_request() && event.cseq_method == "INVITE" && event.code >= 200 && !timing.final_code &&
        event.destination == call.caller) {
      timing.final_code = event.code;
      if (invite_at) timing.setup_seconds = event.time - *invite_at;
    }
    if (event.method == "ACK" && timing.final_code && *timing.final_code < 300 && !ack_at) ack_at = event.time;
    if (event.method == "REFER" && !refer_at) refer_at = event.time;
    if (!event.is_request() && event.cseq_method == "REFER" && event.code >= 200 && !timing.refer_code)
      timing.refer_code = event.code;
    if (event.method == "NOTIFY" && !event.sipfrag.empty()) {
      const auto space = event.sipfrag.find(' ');
      int code = 0;
      if (space != std::string::npos)
        std::from_chars(event.sipfrag.data() + space + 1, event.sipfrag.data() + event.sipfrag.size(), code);
      if (code > 0) timing.transfer_status = code;
    }
    if (event.method == "BYE" && !bye_at) {
      bye_at = event.time;
      bye_from = event.source == call.caller ? "caller" : "queue";
    }
  }
  if (ack_at) timing.queue_seconds = (refer_at ? *refer_at : bye_at ? *bye_at : capture_end) - *ack_at;
  if (!timing.final_code)
    timing.outcome = "no final response";
  else if (*timing.final_code >= 300)
    timing.outcome = "rejected " + std::to_string(*timing.final_code);
  else if (timing.transfer_status && *timing.transfer_status < 300 && *timing.transfer_status >= 200)
    timing.outcome = "transferred";
  else if (timing.refer_code || timing.transfer_status)
    timing.outcome = "transfer failed";
  else if (bye_at)
    timing.outcome = bye_from == "caller" ? "caller hung up" : "queue hung up";
  else
    timing.outcome = "in queue at the end of the capture";
  return timing;
}

}  // namespace mohq::analyzers
