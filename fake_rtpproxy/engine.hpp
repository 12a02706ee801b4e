// The fake rtpproxy minus its control transports: runs parsed commands against the session table, owns the
// media sockets (latching, relaying), the prompt players and the idle timeouts. Single-threaded: everything
// runs on the EventLoop it is given.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "net/event_loop.hpp"
#include "net/timer.hpp"
#include "rtpp/command.hpp"
#include "rtpp/reply.hpp"
#include "fake_rtpproxy/control_faults.hpp"
#include "fake_rtpproxy/media_shards.hpp"
#include "fake_rtpproxy/port_allocator.hpp"
#include "fake_rtpproxy/prompt_store.hpp"
#include "fake_rtpproxy/session_table.hpp"
#include "fake_rtpproxy/stats.hpp"

namespace mohq::fake_rtpproxy {

struct EngineConfig {
  std::string ipv4_address = "127.0.0.1";   // empty: no IPv4 media
  std::string ipv6_address;                  // empty: U6/L6 answered E36
  std::string advertised_address;            // replaces the bound address in U/L replies
  int port_min = 35000;                      // first even RTP port
  int port_max = 65000;                      // last even RTP port
  bool sequential_ports = false;
  bool force_asymmetric = false;
  int session_ttl_s = 60;
  int setup_ttl_s = 60;
  std::vector<int> excluded_ports;           // control ports
  std::uint64_t seed = 0;
  int media_threads = 1;                     // threads sending prompts (MediaShards)
  int media_nice = 0;                        // their niceness (see MediaShards)
};

class Engine {
 public:
  Engine(net::EventLoop& loop, EngineConfig config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  rtpp::Reply execute(const rtpp::Command& command);

  Stats stats() const;                        // counters including the pacer's
  std::size_t active_sessions() const { return sessions_.size(); }
  std::size_t active_players() const { return media_.active_players(); }
  ControlFaults& control_faults() { return control_faults_; }
  // The command counters (ncmds_*) are kept by the control transports, which see every command.
  Stats& control_counters() { return stats_; }
  std::mt19937_64& rng() { return rng_; }
  // Runs the idle-timeout sweep as of now (the engine also runs it every second by itself).
  void expire_idle_sessions(net::TimePoint now);

 private:
  rtpp::Reply update(const rtpp::UpdateCommand& command);
  rtpp::Reply play(const rtpp::PlayCommand& command);
  rtpp::Reply stop_play(const rtpp::StopPlayCommand& command);
  rtpp::Reply remove(const rtpp::DeleteCommand& command);
  rtpp::Reply query(const rtpp::QueryCommand& command);
  rtpp::Reply info(const rtpp::InfoCommand& command);
  rtpp::Reply counters(const rtpp::StatsCommand& command);
  rtpp::Reply record(const rtpp::RecordCommand& command);
  rtpp::Reply fault(const rtpp::FaultCommand& command);

  PortAllocator* allocator_for(bool ipv6);
  bool open_leg(Session& session, Leg& leg, bool ipv6);
  void close_leg(Leg& leg);
  void destroy(Session& session, bool timed_out);
  void stop_player(Leg& leg);
  void start_parked_plays(Session& session);
  void start_player(Leg& leg, const PlaySpec& spec);
  net::TimePoint last_activity(const Session& session, net::TimePoint now = net::Clock::now()) const;
  rtpp::PortReply port_reply(const Session& session, const Leg& leg) const;

  void on_media(Session& session, int leg_index, bool rtcp);

  net::EventLoop& loop_;
  EngineConfig config_;
  std::mt19937_64 rng_;
  std::optional<PortAllocator> ipv4_ports_;
  std::optional<PortAllocator> ipv6_ports_;
  SessionTable sessions_;
  PromptStore prompts_;
  MediaShards media_;
  Stats stats_;
  ControlFaults control_faults_;
  net::Timer ttl_timer_;
  net::TimePoint started_ = net::Clock::now();
};

}  // namespace mohq::fake_rtpproxy
