#include "sim/queue/profile.hpp"

namespace mohq::sim {

std::optional<Profile> parse_profile(std::string_view name) {
  if (name == "kamailio") return Profile::Kamailio;
  if (name == "strict") return Profile::Strict;
  return std::nullopt;
}

std::string_view profile_name(Profile profile) { return profile == Profile::Kamailio ? "kamailio" : "strict"; }

ProfileRules rules_for(Profile profile) {
  ProfileRules rules;  // the defaults are Kamailio's
  if (profile == Profile::Kamailio) return rules;
  rules.stateless_replies = false;
  rules.silent_drops = false;
  rules.cancel_gets_487 = false;
  rules.refer_failure_deletes = false;
  rules.skip_delete_on_some_teardowns = false;
  rules.copy_caller_vias = false;
  rules.strip_next_hop_params = false;
  rules.kamailio_sdp_template = false;
  rules.reinvite_ok_without_sdp = false;
  rules.reliable_provisional_sent_once = false;
  rules.ignore_rack = false;
  rules.ack_timeout_silent = false;
  rules.first_local_cseq = 1;
  return rules;
}

}  // namespace mohq::sim
