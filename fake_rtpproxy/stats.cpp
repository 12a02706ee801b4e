#include "fake_rtpproxy/stats.hpp"

#include <nlohmann/json.hpp>

namespace mohq::fake_rtpproxy {

std::vector<std::pair<std::string_view, std::uint64_t>> Stats::named() const {
  return {
      {"nsess_created", nsess_created},       {"nsess_destroyed", nsess_destroyed},
      {"nsess_timeout", nsess_timeout},       {"nsess_complete", nsess_complete},
      {"nsess_nortp", nsess_nortp},           {"nsess_owrtp", nsess_owrtp},
      {"nsess_nortcp", nsess_nortcp},         {"nsess_owrtcp", nsess_owrtcp},
      {"ncmds_rcvd", ncmds_rcvd},             {"ncmds_succd", ncmds_succd},
      {"ncmds_errs", ncmds_errs},             {"ncmds_repld", ncmds_repld},
      {"ncmds_rcvd_ndups", ncmds_rcvd_ndups}, {"npkts_rcvd", npkts_rcvd},
      {"npkts_relayed", npkts_relayed},       {"npkts_played", npkts_played},
      {"npkts_discard", npkts_discard},       {"nplrs_created", nplrs_created},
      {"nplrs_destroyed", nplrs_destroyed},
  };
}

std::optional<std::uint64_t> Stats::get(std::string_view name) const {
  for (const auto& [counter, value] : named()) {
    if (counter == name) return value;
  }
  return std::nullopt;
}

std::string Stats::to_json(std::uint64_t active_sessions, std::uint64_t active_players) const {
  nlohmann::json counters = nlohmann::json::object();
  for (const auto& [name, value] : named()) counters[std::string(name)] = value;
  nlohmann::json document = {
      {"schema", "mohq.fake-rtpproxy.stats/1"},
      {"counters", counters},
      {"active_sessions", active_sessions},
      {"active_players", active_players},
  };
  return document.dump(2) + "\n";
}

}  // namespace mohq::fake_rtpproxy
