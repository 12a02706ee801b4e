#include "sim/queue/rtpproxy_commands.hpp"

namespace mohq::sim {

rtpp::Command offer_command(const std::string& call_id, const std::string& address, bool ipv6,
                            const std::string& port, const std::vector<int>& offered_types,
                            const std::string& from_tag, int medianum, NodeCapabilities caps) {
  rtpp::UpdateCommand command;
  command.lookup = false;
  command.modifiers.ipv6 = ipv6;
  if (caps.codec_lists) command.modifiers.codecs = offered_types;
  command.call_id = call_id;
  command.address = address;
  command.port = port;
  command.from_tag = from_tag + ";" + std::to_string(medianum);
  return command;
}

rtpp::Command answer_command(const std::string& call_id, const std::string& source_ip, bool ipv6, unsigned ptime,
                             const std::vector<unsigned>& prompt_types, const std::string& from_tag,
                             const std::string& to_tag, NodeCapabilities caps) {
  rtpp::UpdateCommand command;
  command.lookup = true;
  command.modifiers.ipv6 = ipv6;
  if (caps.repacketization) command.modifiers.ptime_ms = static_cast<int>(ptime);
  if (caps.codec_lists)
    for (unsigned type : prompt_types) command.modifiers.codecs.push_back(static_cast<int>(type));
  command.call_id = call_id;
  command.address = source_ip;
  command.port = "1";
  command.from_tag = from_tag + ";1";
  command.to_tag = to_tag + ";1";
  return command;
}

rtpp::Command play_command(const std::string& call_id, const std::string& prompt_path, const std::string& from_tag,
                           const std::string& to_tag) {
  rtpp::PlayCommand command;
  command.count = -1;
  command.call_id = call_id;
  command.prompt = prompt_path;
  command.session_codecs = true;
  command.codecs_text = "session";
  command.from_tag = from_tag + ";1";
  command.to_tag = to_tag + ";1";
  return command;
}

rtpp::Command delete_command(const std::string& call_id, const std::string& from_tag,
                             const std::optional<std::string>& to_tag) {
  return rtpp::DeleteCommand{false, call_id, from_tag, to_tag};
}

}  // namespace mohq::sim
