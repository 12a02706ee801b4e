// rtpproxy-like counters (rtpproxy-protocol.md §2.7 G names), reported by I, G and --stats-json.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mohq::fake_rtpproxy {

struct Stats {
  std::uint64_t nsess_created = 0;
  std::uint64_t nsess_destroyed = 0;
  std::uint64_t nsess_timeout = 0;
  std::uint64_t nsess_complete = 0;   // destroyed sessions that had an L
  std::uint64_t nsess_nortp = 0;      // destroyed with no RTP received on either leg
  std::uint64_t nsess_owrtp = 0;      // destroyed with RTP received on one leg only
  std::uint64_t nsess_nortcp = 0;
  std::uint64_t nsess_owrtcp = 0;
  std::uint64_t ncmds_rcvd = 0;
  std::uint64_t ncmds_succd = 0;
  std::uint64_t ncmds_errs = 0;
  std::uint64_t ncmds_repld = 0;
  std::uint64_t ncmds_rcvd_ndups = 0;  // retransmissions answered from the reply cache
  std::uint64_t npkts_rcvd = 0;
  std::uint64_t npkts_relayed = 0;
  std::uint64_t npkts_played = 0;
  std::uint64_t npkts_discard = 0;
  std::uint64_t nplrs_created = 0;
  std::uint64_t nplrs_destroyed = 0;

  // Every counter with its G name, in a stable order.
  std::vector<std::pair<std::string_view, std::uint64_t>> named() const;
  std::optional<std::uint64_t> get(std::string_view name) const;
  std::string to_json(std::uint64_t active_sessions, std::uint64_t active_players) const;
};

}  // namespace mohq::fake_rtpproxy
