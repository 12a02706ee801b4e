// The rtpproxy commands Kamailio's rtpproxy module sends for mohqueue (mohqueue-behaviour.md §13), built from the
// call's facts. Capabilities come from the node's VF probe: no Z without 20071116, no c<list> without 20081102.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rtpp/command.hpp"

namespace mohq::sim {

struct NodeCapabilities {
  bool repacketization = true;
  bool codec_lists = true;
};

// Offer, one per m-line (medianum 1, 2, ...): U[6][c<pts>] call-id addr port from-tag;n ("r": the SDP address).
rtpp::Command offer_command(const std::string& call_id, const std::string& address, bool ipv6,
                            const std::string& port, const std::vector<int>& offered_types,
                            const std::string& from_tag, int medianum, NodeCapabilities caps);
// Answer: L[Z<ptime>][c<pts>] call-id caller-source-ip 1 from-tag;1 to-tag;1.
rtpp::Command answer_command(const std::string& call_id, const std::string& source_ip, bool ipv6, unsigned ptime,
                             const std::vector<unsigned>& prompt_types, const std::string& from_tag,
                             const std::string& to_tag, NodeCapabilities caps);
// P-1 call-id <mohdir>/<mohfile> session from-tag;1 to-tag;1
rtpp::Command play_command(const std::string& call_id, const std::string& prompt_path, const std::string& from_tag,
                           const std::string& to_tag);
// D call-id from-tag [to-tag]
rtpp::Command delete_command(const std::string& call_id, const std::string& from_tag,
                             const std::optional<std::string>& to_tag);

}  // namespace mohq::sim
