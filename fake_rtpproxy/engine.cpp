#include "fake_rtpproxy/engine.hpp"

#include <arpa/inet.h>
#include <sys/resource.h>

#include <charconv>
#include <chrono>
#include <sstream>
#include <string_view>

#include "rtp/payload_type.hpp"
#include "fake_rtpproxy/log.hpp"
#include "fake_rtpproxy/rtp_faults.hpp"

namespace mohq::fake_rtpproxy {
namespace {

using rtpp::ErrorCode;
using rtpp::ErrorReply;
using rtpp::NumberReply;

constexpr long long kProtocolVersion = 20040107;  // rtpproxy-protocol.md §1.6: never changes

// Capability dates this fake implements (§1.6). 20081224 (timeout notification) is not among them.
constexpr std::string_view kSupportedFeatures[] = {
    "20040107", "20050322", "20060704", "20071116", "20071218", "20080403", "20081102",
    "20090810", "20140323", "20140617", "20141004", "20150330", "20150420",
};

ErrorReply error(ErrorCode code) { return ErrorReply{code}; }

// rtpproxy only takes an SDP address that looks like an IP by length (§2.1), then resolves it numerically.
enum class AddressKind { Ignored, Hold, Usable };
AddressKind classify_address(std::string_view address, bool ipv6) {
  if (address == "0.0.0.0" || address == "::") return AddressKind::Hold;
  if (ipv6 ? (address.size() < 2 || address.size() > 45) : (address.size() < 7 || address.size() > 15))
    return AddressKind::Ignored;
  return AddressKind::Usable;
}

std::string_view kind_of(const Leg& leg, const Session& session) {
  return &leg == &session.legs[1] ? "caller" : "callee";
}

}  // namespace

void Leg::on_playback_finished(PlayerId id) {
  if (player == id) player.reset();  // unmutes the other party's media
}

Engine::Engine(net::EventLoop& loop, EngineConfig config)
    : loop_(loop), config_(std::move(config)), rng_(config_.seed), media_(loop, config_.seed ^ 0x9e3779b97f4a7c15ULL, config_.media_threads, config_.media_nice) {
  if (!config_.ipv4_address.empty()) {
    ipv4_ports_.emplace(config_.ipv4_address, config_.port_min, config_.port_max, config_.sequential_ports, rng_,
                        config_.excluded_ports);
  }
  if (!config_.ipv6_address.empty()) {
    ipv6_ports_.emplace(config_.ipv6_address, config_.port_min, config_.port_max, config_.sequential_ports, rng_,
                        config_.excluded_ports);
  }
  ttl_timer_.arm_every(std::chrono::seconds(1));
  loop_.add(ttl_timer_.fd(), net::kReadable, [this](std::uint32_t) {
    ttl_timer_.acknowledge();
    expire_idle_sessions(net::Clock::now());
  });
}

Engine::~Engine() {
  loop_.remove(ttl_timer_.fd());
  for (Session* session : sessions_.all()) destroy(*session, false);
}

Stats Engine::stats() const {
  Stats snapshot = stats_;
  const PacerCounters media = media_.counters();
  // Packets a loss fault swallowed count as played: the player sent them as far as the session knows.
  snapshot.npkts_played = media.packets_sent + media.packets_dropped_by_fault;
  snapshot.nplrs_created = media.players_created;
  snapshot.nplrs_destroyed = media.players_destroyed;
  return snapshot;
}

rtpp::Reply Engine::execute(const rtpp::Command& command) {
  return std::visit(
      [this](const auto& c) -> rtpp::Reply {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, rtpp::VersionCommand>) {
          return NumberReply{kProtocolVersion};
        } else if constexpr (std::is_same_v<T, rtpp::VersionFeatureCommand>) {
          for (auto date : kSupportedFeatures) {
            if (date == c.date) return NumberReply{1};
          }
          return NumberReply{0};
        } else if constexpr (std::is_same_v<T, rtpp::UpdateCommand>) {
          return update(c);
        } else if constexpr (std::is_same_v<T, rtpp::DeleteCommand>) {
          return remove(c);
        } else if constexpr (std::is_same_v<T, rtpp::PlayCommand>) {
          return play(c);
        } else if constexpr (std::is_same_v<T, rtpp::StopPlayCommand>) {
          return stop_play(c);
        } else if constexpr (std::is_same_v<T, rtpp::QueryCommand>) {
          return query(c);
        } else if constexpr (std::is_same_v<T, rtpp::InfoCommand>) {
          return info(c);
        } else if constexpr (std::is_same_v<T, rtpp::StatsCommand>) {
          return counters(c);
        } else if constexpr (std::is_same_v<T, rtpp::DeleteAllCommand>) {
          for (Session* session : sessions_.all()) destroy(*session, false);
          return NumberReply{0};
        } else if constexpr (std::is_same_v<T, rtpp::RecordCommand>) {
          return record(c);
        } else {
          static_assert(std::is_same_v<T, rtpp::FaultCommand>);
          return fault(c);
        }
      },
      command);
}

PortAllocator* Engine::allocator_for(bool ipv6) {
  auto& allocator = ipv6 ? ipv6_ports_ : ipv4_ports_;
  return allocator ? &*allocator : nullptr;
}

bool Engine::open_leg(Session& session, Leg& leg, bool ipv6) {
  if (leg.sockets) return true;
  PortAllocator* allocator = allocator_for(ipv6);
  if (!allocator) return false;
  auto sockets = allocator->allocate();
  if (!sockets) {
    FRTPP_LOG(Error) << "cannot open a port pair for call " << session.call_id << ": " << sockets.error();
    return false;
  }
  leg.sockets = std::move(*sockets);
  int index = &leg == &session.legs[1] ? 1 : 0;
  loop_.add(leg.sockets->rtp.fd(), net::kReadable, [this, &session, index](std::uint32_t) { on_media(session, index, false); });
  loop_.add(leg.sockets->rtcp.fd(), net::kReadable, [this, &session, index](std::uint32_t) { on_media(session, index, true); });
  return true;
}

void Engine::close_leg(Leg& leg) {
  stop_player(leg);
  if (!leg.sockets) return;
  loop_.remove(leg.sockets->rtp.fd());
  loop_.remove(leg.sockets->rtcp.fd());
  int port = leg.sockets->port();
  bool ipv6 = leg.sockets->rtp.local_address().is_ipv6();
  leg.sockets.reset();
  if (PortAllocator* allocator = allocator_for(ipv6)) allocator->release(port);
}

void Engine::stop_player(Leg& leg) {
  if (leg.player) {
    media_.stop(*leg.player);
    leg.player.reset();
  }
}

void Engine::destroy(Session& session, bool timed_out) {
  FRTPP_LOG(Info) << "session " << session.call_id << " (" << session.tag << ") "
                  << (timed_out ? "timed out" : "deleted");
  for (auto& leg : session.legs) close_leg(leg);
  ++stats_.nsess_destroyed;
  if (timed_out) ++stats_.nsess_timeout;
  if (session.complete) ++stats_.nsess_complete;
  int rtp_legs = (session.legs[0].rtp_packets_in > 0) + (session.legs[1].rtp_packets_in > 0);
  int rtcp_legs = (session.legs[0].rtcp_packets_in > 0) + (session.legs[1].rtcp_packets_in > 0);
  if (rtp_legs == 0) ++stats_.nsess_nortp;
  if (rtp_legs == 1) ++stats_.nsess_owrtp;
  if (rtcp_legs == 0) ++stats_.nsess_nortcp;
  if (rtcp_legs == 1) ++stats_.nsess_owrtcp;
  sessions_.remove(session);
}

rtpp::PortReply Engine::port_reply(const Session& session, const Leg& leg) const {
  rtpp::PortReply reply;
  reply.port = leg.sockets->port();
  reply.address = config_.advertised_address.empty() ? leg.sockets->rtp.local_address().host()
                                                     : config_.advertised_address;
  reply.ipv6 = session.ipv6;
  return reply;
}

rtpp::Reply Engine::update(const rtpp::UpdateCommand& c) {
  const auto& mods = c.modifiers;
  if (c.notify_socket) return error(ErrorCode::NotifyUnsupported);  // started without -n (§2.1)
  if (!allocator_for(mods.ipv6)) return error(ErrorCode::NoAddressOfFamily);
  if (!mods.interfaces.empty()) {
    return error(mods.interfaces.front() == 'e' || mods.interfaces.front() == 'E' ? ErrorCode::ExternalNotBridged
                                                                                   : ErrorCode::InternalNotBridged);
  }
  auto now = net::Clock::now();
  std::optional<std::string_view> to_tag;
  if (c.to_tag) to_tag = *c.to_tag;
  auto match = sessions_.find(c.call_id, c.from_tag, to_tag);
  if (!match) {
    if (c.lookup) return NumberReply{0};  // §2.2: L for an unknown session is "0", not an error
    Session& created = sessions_.create(c.call_id, c.from_tag);
    created.ipv6 = mods.ipv6;
    created.created = now;
    if (!open_leg(created, created.legs[0], mods.ipv6)) {
      sessions_.remove(created);
      return error(ErrorCode::SessionCreateFailed);
    }
    ++stats_.nsess_created;
    FRTPP_LOG(Info) << "new session " << c.call_id << ", tag " << c.from_tag << ", port "
                    << created.legs[0].sockets->port();
    match = SessionMatch{&created, 0};
  }
  Session& session = *match->session;
  // U carries the from_tag party's SDP, L the to_tag party's (§2.0).
  int sdp_index = c.lookup ? (match->direction == 0 ? 0 : 1) : (match->direction == 0 ? 1 : 0);
  Leg& sdp_leg = session.legs[sdp_index];
  Leg& reply_leg = session.legs[1 - sdp_index];
  if (!open_leg(session, reply_leg, session.ipv6)) return error(ErrorCode::ListenerFailed);

  switch (classify_address(c.address, mods.ipv6)) {
    case AddressKind::Hold:
      sdp_leg.on_hold = true;
      break;
    case AddressKind::Ignored:
      break;
    case AddressKind::Usable: {
      int port = 0;  // rtpproxy reads the port loosely: leading digits, 0 when there are none
      std::from_chars(c.port.data(), c.port.data() + c.port.size(), port);
      auto rtp = net::SocketAddress::from_host_port(c.address, static_cast<std::uint16_t>(port & 0xffff));
      if (!rtp) return error(ErrorCode::AddressUnresolvable);
      sdp_leg.on_hold = false;
      // An address learned from the party's own packets beats what its SDP claims (§4.2).
      if (!sdp_leg.latched && port > 0 && port < 65535) {
        sdp_leg.remote_rtp = *rtp;
        auto rtcp = *rtp;
        rtcp.set_port(static_cast<std::uint16_t>(port + 1));
        sdp_leg.remote_rtcp = rtcp;
        if (sdp_leg.player) media_.set_destination(*sdp_leg.player, *sdp_leg.remote_rtp);
      }
      break;
    }
  }
  sdp_leg.asymmetric = (mods.asymmetric || config_.force_asymmetric) && !mods.symmetric;
  if (!mods.codecs.empty()) sdp_leg.codecs = mods.codecs;
  reply_leg.ptime_ms = mods.ptime_ms.value_or(-1);  // every U/L overwrites it (§2.1)
  sdp_leg.last_update = now;
  session.last_activity = now;
  if (c.lookup && !session.complete) session.complete = true;
  start_parked_plays(session);
  return port_reply(session, reply_leg);
}

net::TimePoint Engine::last_activity(const Session& session, net::TimePoint now) const {
  // A playing prompt is traffic: P-1 keeps a session alive however quiet the caller is (§3.5).
  for (const auto& leg : session.legs) {
    if (leg.player) return now;
  }
  return session.last_activity;
}

void Engine::start_player(Leg& leg, const PlaySpec& spec) {
  leg.player = media_.start(spec, leg.sockets->rtp.fd(), *leg.remote_rtp, leg);
}

void Engine::start_parked_plays(Session& session) {
  for (int index = 0; index < 2; ++index) {
    Leg& leg = session.legs[index];
    auto& parked = session.parked[index];
    if (parked && leg.sendable()) {
      start_player(leg, parked->spec);
      parked.reset();
    }
  }
}

rtpp::Reply Engine::play(const rtpp::PlayCommand& c) {
  std::optional<std::string_view> to_tag;
  if (c.to_tag) to_tag = *c.to_tag;
  auto match = sessions_.find(c.call_id, c.from_tag, to_tag);
  if (!match) return error(ErrorCode::SessionNotFound);
  Session& session = *match->session;
  int index = match->direction == 0 ? 1 : 0;  // P plays to the from_tag party (§2.0)
  Leg& leg = session.legs[index];
  stop_player(leg);  // a new P replaces the current prompt (§3.2)
  session.parked[index].reset();
  if (c.count == 0) return NumberReply{0};

  const std::vector<int>& codecs = c.session_codecs ? leg.codecs : c.codecs;
  if (c.session_codecs && codecs.empty()) return error(ErrorCode::BadUpdateModifier);  // §3.2: E35
  if (codecs.empty()) return error(ErrorCode::PlayFailed);

  PlaySpec spec;
  spec.count = c.count;
  spec.ptime_ms = (c.session_codecs && leg.ptime_ms > 0) ? leg.ptime_ms : 10;
  for (int pt : codecs) {
    // Deviation (documented): rtpproxy accepts a file for a type it cannot packetize and then plays nothing;
    // we go on to the next type, which is what an operator wants to happen.
    const rtp::PayloadType* type = rtp::find_payload_type(pt);
    if (!type) continue;
    std::string path = c.prompt + "." + std::to_string(pt);
    auto prompt = prompts_.load(path);
    if (!prompt) {
      FRTPP_LOG(Debug) << "no prompt " << path << ": " << prompt.error();
      continue;
    }
    spec.prompt = *prompt;
    spec.type = type;
    FRTPP_LOG(Info) << "playing " << path << " as codec " << pt << ", " << spec.ptime_ms << " ms, to the "
                    << kind_of(leg, session) << " of " << c.call_id;
    break;
  }
  if (!spec.type) {
    FRTPP_LOG(Error) << "can't create player: no " << c.prompt << ".<pt> for " << c.codecs_text
                     << (c.session_codecs ? " (session codecs)" : "");
    return error(ErrorCode::PlayFailed);
  }
  if (leg.sendable()) {
    start_player(leg, spec);
  } else {
    session.parked[index] = ParkedPlay{spec};  // §3.5: starts when the leg can send
  }
  return NumberReply{0};
}

rtpp::Reply Engine::stop_play(const rtpp::StopPlayCommand& c) {
  std::optional<std::string_view> to_tag;
  if (c.to_tag) to_tag = *c.to_tag;
  auto match = sessions_.find(c.call_id, c.from_tag, to_tag);
  if (!match) return error(ErrorCode::SessionNotFound);
  int index = match->direction == 0 ? 1 : 0;
  stop_player(match->session->legs[index]);
  match->session->parked[index].reset();
  return NumberReply{0};
}

rtpp::Reply Engine::remove(const rtpp::DeleteCommand& c) {
  std::optional<std::string_view> to_tag;
  if (c.to_tag) to_tag = *c.to_tag;
  auto found = sessions_.find_for_delete(c.call_id, c.from_tag, to_tag);
  if (found.empty()) return error(ErrorCode::SessionNotFound);
  for (Session* session : found) destroy(*session, false);
  return NumberReply{0};
}

rtpp::Reply Engine::query(const rtpp::QueryCommand& c) {
  std::optional<std::string_view> to_tag;
  if (c.to_tag) to_tag = *c.to_tag;
  auto match = sessions_.find(c.call_id, c.from_tag, to_tag);
  if (!match) return error(ErrorCode::SessionNotFound);
  const Session& session = *match->session;
  const Leg& own = session.legs[match->direction == 0 ? 1 : 0];
  const Leg& other = session.legs[match->direction == 0 ? 0 : 1];
  auto ttl_s = session.complete ? config_.session_ttl_s : config_.setup_ttl_s;
  auto idle = std::chrono::duration_cast<std::chrono::seconds>(net::Clock::now() - last_activity(session)).count();
  std::vector<std::pair<std::string, std::uint64_t>> all = {
      {"ttl", static_cast<std::uint64_t>(std::max<long long>(0, ttl_s - idle))},
      {"npkts_ina", own.rtp_packets_in},
      {"npkts_ino", other.rtp_packets_in},
      {"nrelayed", own.packets_relayed + other.packets_relayed},
      {"ndropped", own.packets_dropped + other.packets_dropped},
  };
  std::vector<std::pair<std::string, std::uint64_t>> chosen;
  if (c.counters.empty()) {
    chosen = all;
  } else {
    for (const auto& name : c.counters) {
      auto it = std::find_if(all.begin(), all.end(), [&](const auto& item) { return item.first == name; });
      if (it == all.end()) return error(ErrorCode::UnknownQueryCounter);
      chosen.push_back(*it);
    }
  }
  std::ostringstream out;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (i) out << ' ';
    if (c.verbose) out << chosen[i].first << '=';
    out << chosen[i].second;
  }
  return rtpp::TextReply{out.str()};
}

rtpp::Reply Engine::info(const rtpp::InfoCommand& c) {
  std::size_t streams = 0;
  sessions_.for_each([&](Session& session) {
    for (const auto& leg : session.legs) streams += leg.sockets ? 1 : 0;
  });
  std::ostringstream out;
  out << "sessions created: " << stats_.nsess_created << "\n"
      << "active sessions: " << sessions_.size() << "\n"
      << "active streams: " << streams << "\n"
      << "packets received: " << stats_.npkts_rcvd << "\n"
      << "packets transmitted: " << stats_.npkts_relayed + stats().npkts_played;
  if (c.load) {
    // The process's own CPU share since it started: the closest thing to rtpproxy's load figure.
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                 static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    double wall = std::chrono::duration<double>(net::Clock::now() - started_).count();
    out << "\naverage load: " << (wall > 0 ? cpu / wall : 0.0);
  }
  return rtpp::TextReply{out.str()};
}

rtpp::Reply Engine::counters(const rtpp::StatsCommand& c) {
  Stats snapshot = stats();
  std::ostringstream out;
  if (c.names.empty()) {
    const char* separator = "";
    for (const auto& [name, value] : snapshot.named()) {
      out << separator << name << '=' << value;
      separator = " ";
    }
    return rtpp::TextReply{out.str()};
  }
  for (std::size_t i = 0; i < c.names.size(); ++i) {
    auto value = snapshot.get(c.names[i]);
    if (!value) return error(ErrorCode::UnknownStatsCounter);
    if (i) out << ' ';
    if (c.verbose) out << c.names[i] << '=';
    out << *value;
  }
  return rtpp::TextReply{out.str()};
}

rtpp::Reply Engine::record(const rtpp::RecordCommand& c) {
  // The fake records nothing: R and C fail as rtpproxy does without a recording directory; N (stop
  // recording) has nothing to stop and succeeds for a known session.
  if (c.verb != 'N') return error(ErrorCode::RecordFailed);
  if (c.arguments.size() < 2) return error(ErrorCode::ArgumentCount);
  std::optional<std::string_view> to_tag;
  if (c.arguments.size() > 2) to_tag = c.arguments[2];
  if (!sessions_.find(c.arguments[0], c.arguments[1], to_tag)) return error(ErrorCode::SessionNotFound);
  return NumberReply{0};
}

rtpp::Reply Engine::fault(const rtpp::FaultCommand& c) {
  if (c.settings.empty()) {
    std::string rtp_part = describe(media_.current_faults());
    std::string control_part = describe(control_faults_);
    std::string all = rtp_part + (rtp_part.empty() || control_part.empty() ? "" : " ") + control_part;
    return rtpp::TextReply{all.empty() ? "none" : all};
  }
  RtpFaults rtp_faults = media_.current_faults();
  ControlFaults control_faults = control_faults_;
  for (const auto& [key, value] : c.settings) {
    Expected<Done, std::string> applied = Done{};
    if (key == "reset") {
      rtp_faults = RtpFaults{};
      control_faults = ControlFaults{};
    } else if (key.starts_with("rtp.")) {
      applied = apply_fault_setting(rtp_faults, key, value);
    } else {
      applied = apply_control_fault(control_faults, key, value);
    }
    if (!applied) {
      FRTPP_LOG(Warning) << "F: " << applied.error();
      return error(ErrorCode::Syntax);  // nothing applied: the command is all or nothing
    }
  }
  media_.set_faults(rtp_faults);
  control_faults_ = control_faults;
  FRTPP_LOG(Info) << "faults now: " << describe(rtp_faults) << " " << describe(control_faults);
  return NumberReply{0};
}

void Engine::expire_idle_sessions(net::TimePoint now) {
  for (Session* session : sessions_.all()) {
    int ttl_s = session->complete ? config_.session_ttl_s : config_.setup_ttl_s;
    if (now - last_activity(*session, now) >= std::chrono::seconds(ttl_s)) destroy(*session, true);
  }
}

void Engine::on_media(Session& session, int leg_index, bool rtcp) {
  // rtpproxy-protocol.md §4.2: symmetric legs latch to the first source, asymmetric ones trust the SDP host.
  constexpr auto kRelatchWindow = std::chrono::seconds(10);
  Leg& leg = session.legs[leg_index];
  Leg& other = session.legs[1 - leg_index];
  std::array<std::uint8_t, 2048> buffer;
  for (int budget = 64; budget > 0 && leg.sockets; --budget) {
    const net::UdpSocket& socket = rtcp ? leg.sockets->rtcp : leg.sockets->rtp;
    auto datagram = socket.receive_from(buffer);
    if (!datagram) break;
    auto now = net::Clock::now();
    ++stats_.npkts_rcvd;
    (rtcp ? leg.rtcp_packets_in : leg.rtp_packets_in)++;
    auto& remote = rtcp ? leg.remote_rtcp : leg.remote_rtp;
    bool accepted = true;
    if (leg.asymmetric) {
      accepted = remote && remote->host() == datagram->source.host();
    } else if (!remote || !leg.latched || now - leg.last_update < kRelatchWindow) {
      if (!remote || !(*remote == datagram->source)) {
        FRTPP_LOG(Info) << kind_of(leg, session) << "'s " << (rtcp ? "RTCP" : "RTP") << " address latched in: "
                        << datagram->source.to_string() << " (" << session.call_id << ")";
      }
      const bool moved = !remote || !(*remote == datagram->source);
      remote = datagram->source;
      if (!rtcp) leg.latched = true;
      if (moved && !rtcp && leg.player) media_.set_destination(*leg.player, *remote);
    } else {
      accepted = *remote == datagram->source;
    }
    session.last_activity = now;
    if (!accepted) {
      ++leg.packets_dropped;
      ++stats_.npkts_discard;
      continue;
    }
    // While the other party hears a prompt, this party's media towards it is replaced, not mixed (§3.5).
    const auto& destination = rtcp ? other.remote_rtcp : other.remote_rtp;
    if (other.player || !other.sockets || !destination || other.on_hold) {
      ++leg.packets_dropped;
      ++stats_.npkts_discard;
      continue;
    }
    const net::UdpSocket& out = rtcp ? other.sockets->rtcp : other.sockets->rtp;
    if (out.send_to(std::span<const std::uint8_t>(buffer.data(), datagram->size), *destination)) {
      ++leg.packets_relayed;
      ++stats_.npkts_relayed;
    }
  }
  start_parked_plays(session);  // a latched address can make a parked player's leg sendable
}

}  // namespace mohq::fake_rtpproxy
