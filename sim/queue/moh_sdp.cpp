#include "sim/queue/moh_sdp.hpp"

#include <algorithm>
#include <charconv>

#include "sim/queue/queue_list.hpp"

namespace mohq::sim {

namespace {

std::string address_line(const AnswerMedia& media) {
  return std::string(media.ipv6 ? "IN IP6 " : "IN IP4 ") + media.address;
}

std::string payload_list(const std::vector<unsigned>& types) {
  std::string text;
  for (unsigned type : types) text += " " + std::to_string(type);
  return text;
}

std::vector<unsigned> offered_types(const sip::SdpMedia& media) {
  std::vector<unsigned> types;
  for (const auto& format : media.formats) {
    unsigned value = 0;
    const auto* end = format.data() + format.size();
    if (auto [ptr, ec] = std::from_chars(format.data(), end, value); ec == std::errc() && ptr == end)
      types.push_back(value);
  }
  return types;
}

}  // namespace

std::string kamailio_answer_sdp(const AnswerMedia& media) {
  std::string sdp = "v=0\r\no=- 1 1 " + address_line(media) + "\r\ns=Kamailio MOH Queue v1.8\r\nc=" +
                    address_line(media) + "\r\nt=0 0\r\na=sendrecv\r\nm=audio " + std::to_string(media.port) +
                    " RTP/AVP" + payload_list(media.payload_types) + "\r\n";
  for (unsigned type : media.payload_types)
    sdp += "a=rtpmap:" + std::to_string(type) + " " + std::string(moh_encoding(type).value_or("")) + " \r\n";
  sdp += "\r\na=nortpproxy:yes";
  return sdp;
}

std::string strict_answer_sdp(const AnswerMedia& media) {
  const std::string version = std::to_string(media.version);
  std::string sdp = "v=0\r\no=mohqd 1 " + version + " " + address_line(media) + "\r\ns=mohqd\r\nc=" +
                    address_line(media) + "\r\nt=0 0\r\nm=audio " + std::to_string(media.port) + " RTP/AVP" +
                    payload_list(media.payload_types) + "\r\n";
  for (unsigned type : media.payload_types)
    sdp += "a=rtpmap:" + std::to_string(type) + " " + std::string(moh_encoding(type).value_or("")) + "\r\n";
  sdp += "a=ptime:" + std::to_string(media.ptime) + "\r\na=sendonly\r\n";
  return sdp;
}

std::vector<unsigned> answer_payload_types(bool intersect, const std::vector<unsigned>& offered,
                                           const std::vector<unsigned>& prompt_types) {
  if (!intersect) return prompt_types;
  std::vector<unsigned> types;
  for (unsigned type : offered)
    if (std::find(prompt_types.begin(), prompt_types.end(), type) != prompt_types.end() &&
        std::find(types.begin(), types.end(), type) == types.end())
      types.push_back(type);
  return types;
}

unsigned offer_ptime(const sip::SessionDescription& offer) {
  for (const auto& media : offer.media)
    for (const auto& attribute : media.attributes) {
      if (attribute.name != "ptime" || !attribute.value) continue;
      const std::string& text = *attribute.value;
      unsigned value = 0;
      if (text.empty() || text.size() > 3) continue;
      if (auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
          ec == std::errc() && ptr == text.data() + text.size() && value > 0)
        return value;
    }
  return 20;
}

bool offer_puts_on_hold(const sip::SessionDescription& offer, bool kamailio_rules) {
  for (const auto& media : offer.media) {
    if (media.media != "audio") continue;
    if (!kamailio_rules) {
      if (sip::is_hold(offer, media)) return true;
      continue;
    }
    for (const auto& attribute : media.attributes)
      if (attribute.name == "sendonly" || attribute.name == "inactive") return true;
    const auto* connection = sip::connection_of(offer, media);
    if (connection != nullptr && connection->address == "0.0.0.0" && media.port != 9) return true;
  }
  return false;
}

bool offer_matches_prompts(const sip::SessionDescription& offer, const std::vector<unsigned>& prompt_types) {
  for (const auto& media : offer.media) {
    if (media.media != "audio") continue;
    for (unsigned type : offered_types(media))
      if (std::find(prompt_types.begin(), prompt_types.end(), type) != prompt_types.end()) return true;
  }
  return false;
}

}  // namespace mohq::sim
