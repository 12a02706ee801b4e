// Sessions and their two legs, as rtpproxy models them (rtpproxy-protocol.md §2.0): keyed by Call-ID and the
// tag of the party whose U created them; legs[1] faces that party (the "caller"), legs[0] the other ("callee").
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/socket_address.hpp"
#include "net/timer.hpp"
#include "net/udp_socket.hpp"
#include "fake_rtpproxy/media_shards.hpp"

namespace mohq::fake_rtpproxy {


// The RTP/RTCP port pair a leg listens on (RTP even, RTCP = RTP + 1).
struct LegSockets {
  net::UdpSocket rtp;
  net::UdpSocket rtcp;
  int port() const { return rtp.local_address().port(); }
};

class Leg final : public PlaybackListener {
 public:
  std::unique_ptr<LegSockets> sockets;       // allocated at U (legs[0]) or first L (legs[1])
  std::optional<net::SocketAddress> remote_rtp;   // SDP pre-fill or latched source
  std::optional<net::SocketAddress> remote_rtcp;
  bool latched = false;
  bool asymmetric = false;
  bool on_hold = false;                      // SDP address 0.0.0.0
  std::vector<int> codecs;                   // c list of the party this leg faces
  int ptime_ms = -1;                         // Z stored by the other side's U/L; -1 = none
  std::optional<PlayerId> player;
  net::TimePoint last_update{};              // last U/L that touched the leg (re-latch window)
  std::uint64_t rtp_packets_in = 0;
  std::uint64_t rtcp_packets_in = 0;
  std::uint64_t packets_relayed = 0;
  std::uint64_t packets_dropped = 0;

  bool sendable() const { return sockets && remote_rtp && !on_hold; }

  void on_playback_finished(PlayerId id) override;
};

// A player that could not start yet because its leg was not sendable (§3.5 deferred start).
struct ParkedPlay {
  PlaySpec spec;
};

struct Session {
  std::uint64_t id = 0;
  std::string call_id;
  std::string tag;                           // from_tag of the creating U, with its ";N" medianum
  std::array<Leg, 2> legs;                   // [0] callee side, [1] caller side
  std::array<std::optional<ParkedPlay>, 2> parked;
  bool complete = false;                     // an L has been seen
  bool ipv6 = false;
  net::TimePoint created{};
  net::TimePoint last_activity{};

  Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

}  // namespace mohq::fake_rtpproxy
