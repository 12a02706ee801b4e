// The Pacer on the loopback: real UDP from a leg's socket to a receiver, the event loop run for a bounded time.
// Timing assertions are deliberately generous (counts within a few packets of what the elapsed time allows,
// no gap above 200 ms): they catch a broken pacer, not a busy CI machine.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fake_rtpproxy/pacer.hpp"
#include "net/event_loop.hpp"
#include "net/socket_address.hpp"
#include "net/timer.hpp"
#include "net/udp_socket.hpp"
#include "rtp/payload_type.hpp"
#include "rtp/rtp_header.hpp"

namespace mohq::fake_rtpproxy {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;
using net::Clock;
using net::TimePoint;

constexpr std::int64_t kCountSlack = 3;                     // packets either side of the expected count
constexpr std::chrono::milliseconds kMaxInterval{200};       // no silence longer than this while playing

// ---- vocabulary ----------------------------------------------------------------------------------------------

// The error text of a result, or "" when it holds a value (Boost.Test builds a message even when it passes).
template <class Result>
std::string error_of(const Result& result) {
  return result.has_value() ? std::string() : std::string(result.error());
}

net::UdpSocket bind_loopback() {
  auto socket = net::UdpSocket::bind(net::SocketAddress::parse("127.0.0.1:0").value());
  BOOST_TEST_REQUIRE(socket.has_value(), error_of(socket));
  return std::move(socket).value();
}

struct Arrival {
  TimePoint at;
  net::SocketAddress source;
  rtp::RtpHeader header;
  std::size_t payload_size;
};

// A phone: a UDP socket on the loop that records every RTP packet reaching it.
class Receiver {
 public:
  explicit Receiver(net::EventLoop& loop) : loop_(loop), socket_(bind_loopback()) {
    loop_.add(socket_.fd(), net::kReadable, [this](std::uint32_t) { drain(); });
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;
  ~Receiver() { loop_.remove(socket_.fd()); }

  const net::SocketAddress& address() const { return socket_.local_address(); }
  // Also called after the loop stopped, to collect what was sent just before.
  void drain() {
    while (auto datagram = socket_.receive_from(buffer_)) {
      const auto parsed = rtp::parse_packet(std::span(buffer_).first(datagram->size));
      BOOST_TEST_REQUIRE(parsed.has_value(), error_of(parsed));
      arrivals.push_back(Arrival{Clock::now(), datagram->source, parsed->header, parsed->payload.size()});
    }
  }
  std::vector<Arrival> from(std::uint32_t ssrc) const {
    std::vector<Arrival> out;
    std::copy_if(arrivals.begin(), arrivals.end(), std::back_inserter(out),
                 [ssrc](const Arrival& a) { return a.header.ssrc == ssrc; });
    return out;
  }

  std::vector<Arrival> arrivals;

 private:
  net::EventLoop& loop_;
  net::UdpSocket socket_;
  Bytes buffer_ = Bytes(2048);
};

// A session leg: the socket the prompt leaves from and the (latched) address it goes to.
class Leg : public PlaybackTarget {
 public:
  explicit Leg(const net::SocketAddress& destination) : socket_(bind_loopback()), destination_(destination) {}

  int playback_fd() const override { return socket_.fd(); }
  const net::SocketAddress& playback_destination() const override { return destination_; }
  void on_packets_played(std::size_t count, TimePoint) override { played += count; }
  void on_playback_finished(PlayerId id) override {
    finished.push_back(id);
    finished_at.push_back(Clock::now());
    if (when_finished) when_finished(id);
  }

  void latch_to(const net::SocketAddress& destination) { destination_ = destination; }
  std::uint16_t port() const { return socket_.local_address().port(); }

  std::size_t played = 0;
  std::vector<PlayerId> finished;
  std::vector<TimePoint> finished_at;
  std::function<void(PlayerId)> when_finished;

 private:
  net::UdpSocket socket_;
  net::SocketAddress destination_;
};

// Runs the loop for a bounded time, with actions at given offsets from now (stop a player, change faults...).
class Script {
 public:
  explicit Script(net::EventLoop& loop) : loop_(loop) {}
  Script(const Script&) = delete;
  Script& operator=(const Script&) = delete;
  ~Script() {
    for (auto& timer : timers_) loop_.remove(timer->fd());
  }
  void at(std::chrono::milliseconds offset, std::function<void()> action) {
    auto timer = std::make_unique<net::Timer>();
    net::Timer& armed = *timer;
    loop_.add(armed.fd(), net::kReadable, [&armed, action = std::move(action)](std::uint32_t) {
      armed.acknowledge();
      action();
    });
    armed.arm_after(offset);
    timers_.push_back(std::move(timer));
  }
  void run_for(std::chrono::milliseconds duration) {
    at(duration, [this] { loop_.stop(); });
    loop_.run();
  }

 private:
  net::EventLoop& loop_;
  std::vector<std::unique_ptr<net::Timer>> timers_;
};

std::shared_ptr<const Bytes> prompt_of(std::size_t size) {
  std::mt19937 rng(7);
  auto bytes = std::make_shared<Bytes>(size);
  for (auto& byte : *bytes) byte = static_cast<std::uint8_t>(rng());
  return bytes;
}

PlaySpec pcma(int ptime_ms, std::size_t bytes, int count) {
  return PlaySpec{prompt_of(bytes), rtp::find_payload_type(8), ptime_ms, count};
}

// Packets due in [start, end]: the first at start, then one per ptime.
std::int64_t due_between(TimePoint start, TimePoint end, std::chrono::milliseconds ptime) {
  return (end - start) / ptime + 1;
}

std::int64_t ms_between(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

void expect_count_near(std::int64_t actual, std::int64_t expected) {
  BOOST_TEST(actual >= expected - kCountSlack, actual << " packets, expected about " << expected);
  BOOST_TEST(actual <= expected + kCountSlack, actual << " packets, expected about " << expected);
}

void expect_no_long_silence(const std::vector<Arrival>& arrivals) {
  for (std::size_t i = 1; i < arrivals.size(); ++i) {
    const std::int64_t gap = ms_between(arrivals[i - 1].at, arrivals[i].at);
    BOOST_TEST(gap <= kMaxInterval.count(), "packet " << i << " arrived " << gap << " ms after the previous");
  }
}

std::uint16_t seq_distance(const Arrival& from, const Arrival& to) {
  return static_cast<std::uint16_t>(to.header.sequence - from.header.sequence);
}

struct Fixture {
  net::EventLoop loop;
  Pacer pacer{loop, 1234};
  Receiver phone{loop};
  Leg leg{phone.address()};
  Script script{loop};
};

}  // namespace

BOOST_AUTO_TEST_SUITE(pacer)

BOOST_FIXTURE_TEST_CASE(sends_one_packet_per_ptime_from_the_legs_port, Fixture) {
  const TimePoint start = Clock::now();
  const PlayerId id = pacer.start(pcma(20, 48000, -1), leg);
  BOOST_TEST(pacer.playing(id));
  BOOST_TEST(pacer.active_players() == 1u);
  script.run_for(1000ms);
  const TimePoint end = Clock::now();
  phone.drain();

  const auto& got = phone.arrivals;
  expect_count_near(static_cast<std::int64_t>(got.size()), due_between(start, end, 20ms));
  BOOST_TEST_REQUIRE(!got.empty());
  expect_no_long_silence(got);
  for (std::size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST_CONTEXT("packet " << i) {
      BOOST_TEST(got[i].source.port() == leg.port());
      BOOST_TEST(got[i].header.payload_type == 8);
      BOOST_TEST(got[i].payload_size == 160u);
      BOOST_TEST(got[i].header.marker == (i == 0));
      BOOST_TEST(got[i].header.ssrc == got[0].header.ssrc);
      BOOST_TEST(seq_distance(got[0], got[i]) == i);
      BOOST_TEST(got[i].header.timestamp - got[0].header.timestamp == 160u * i);
    }
  }
  BOOST_TEST(pacer.counters().packets_sent == got.size());
  BOOST_TEST(pacer.counters().packets_dropped_by_fault == 0u);
  BOOST_TEST(leg.played == got.size());
  BOOST_TEST(leg.finished.empty());
  BOOST_TEST(pacer.counters().players_created == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_late_loop_catches_up_from_the_absolute_start, Fixture) {
  const TimePoint start = Clock::now();
  pacer.start(pcma(20, 48000, -1), leg);
  std::this_thread::sleep_for(200ms);  // the loop is busy elsewhere: ~10 packets fall due meanwhile
  script.run_for(300ms);
  const TimePoint end = Clock::now();
  phone.drain();
  // The backlog goes out in one burst, then pacing continues on the original grid: no drift, no loss.
  expect_count_near(static_cast<std::int64_t>(phone.arrivals.size()), due_between(start, end, 20ms));
  BOOST_TEST_REQUIRE(phone.arrivals.size() >= 10u);
  BOOST_TEST(ms_between(phone.arrivals[0].at, phone.arrivals[9].at) < 50, "the first ten due packets left together");
}

BOOST_FIXTURE_TEST_CASE(loss_one_sends_nothing_but_counts_every_drop, Fixture) {
  RtpFaults faults;
  faults.loss = 1.0;
  pacer.set_faults(faults);
  const TimePoint start = Clock::now();
  pacer.start(pcma(10, 48000, -1), leg);
  script.run_for(500ms);
  const TimePoint end = Clock::now();
  phone.drain();
  BOOST_TEST(phone.arrivals.empty());
  BOOST_TEST(pacer.counters().packets_sent == 0u);
  expect_count_near(static_cast<std::int64_t>(pacer.counters().packets_dropped_by_fault),
                    due_between(start, end, 10ms));
  BOOST_TEST(leg.played == pacer.counters().packets_dropped_by_fault);  // the session still sees it playing
}

BOOST_FIXTURE_TEST_CASE(loss_is_read_per_packet_and_dropped_packets_leave_a_gap, Fixture) {
  pacer.start(pcma(10, 48000, -1), leg);
  RtpFaults lossy;
  lossy.loss = 1.0;
  script.at(200ms, [&] { pacer.set_faults(lossy); });
  script.at(400ms, [&] { pacer.set_faults(RtpFaults{}); });
  script.run_for(600ms);
  phone.drain();
  const auto& got = phone.arrivals;
  BOOST_TEST_REQUIRE(got.size() >= 2u);
  std::size_t gaps = 0;
  std::size_t missing = 0;
  for (std::size_t i = 1; i < got.size(); ++i) {
    const std::uint16_t step = seq_distance(got[i - 1], got[i]);
    BOOST_TEST(step >= 1u);
    BOOST_TEST(got[i].header.timestamp - got[i - 1].header.timestamp == 80u * step);  // ts moved on too
    if (step > 1) {
      ++gaps;
      missing += step - 1u;
    }
  }
  BOOST_TEST(gaps == 1u);
  BOOST_TEST(missing == pacer.counters().packets_dropped_by_fault);
  expect_count_near(static_cast<std::int64_t>(missing), 20);
}

BOOST_FIXTURE_TEST_CASE(burst_drops_n_out_of_every_m_packets, Fixture) {
  RtpFaults faults;
  faults.burst_length = 2;
  faults.burst_period = 5;
  pacer.set_faults(faults);
  pacer.start(pcma(10, 48000, -1), leg);
  script.run_for(500ms);
  phone.drain();
  const auto& got = phone.arrivals;
  BOOST_TEST_REQUIRE(got.size() >= 6u);
  // Packets 0 and 1 of every 5 are dropped: the first to arrive is packet 2 (so no marker is ever seen),
  // then runs of 3 separated by gaps of 2.
  for (std::size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST_CONTEXT("packet " << i) {
      const std::uint16_t index = static_cast<std::uint16_t>(seq_distance(got[0], got[i]) + 2);
      BOOST_TEST(index % 5 >= 2);
      BOOST_TEST(!got[i].header.marker);
    }
  }
  const std::uint64_t played = leg.played;
  const std::uint64_t dropped = 2 * (played / 5) + std::min<std::uint64_t>(played % 5, 2);
  BOOST_TEST(pacer.counters().packets_dropped_by_fault == dropped);
  BOOST_TEST(pacer.counters().packets_sent == played - dropped);
  BOOST_TEST(got.size() == played - dropped);
}

BOOST_FIXTURE_TEST_CASE(jitter_delays_packets_but_keeps_their_order, Fixture) {
  RtpFaults faults;
  faults.jitter_ms = 30;
  pacer.set_faults(faults);
  const TimePoint start = Clock::now();
  pacer.start(pcma(10, 48000, -1), leg);
  script.run_for(1000ms);
  const TimePoint end = Clock::now();
  phone.drain();
  const auto& got = phone.arrivals;
  BOOST_TEST_REQUIRE(!got.empty());
  for (std::size_t i = 0; i < got.size(); ++i) BOOST_TEST(seq_distance(got[0], got[i]) == i);
  // Up to 30 ms late: up to 3 fewer packets than the grid allows by the end.
  const std::int64_t count = static_cast<std::int64_t>(got.size());
  const std::int64_t due = due_between(start, end, 10ms);
  BOOST_TEST(count <= due + kCountSlack);
  BOOST_TEST(count >= due - 3 - kCountSlack);
  expect_no_long_silence(got);
}

BOOST_FIXTURE_TEST_CASE(stop_ends_the_stream_without_the_finished_callback, Fixture) {
  const PlayerId id = pacer.start(pcma(20, 48000, -1), leg);
  std::uint64_t sent_at_stop = 0;
  script.at(300ms, [&] {
    pacer.stop(id);
    sent_at_stop = pacer.counters().packets_sent;
  });
  script.run_for(600ms);
  phone.drain();
  BOOST_TEST(sent_at_stop > 0u);
  BOOST_TEST(pacer.counters().packets_sent == sent_at_stop);
  BOOST_TEST(phone.arrivals.size() == sent_at_stop);
  BOOST_TEST(!pacer.playing(id));
  BOOST_TEST(pacer.active_players() == 0u);
  BOOST_TEST(leg.finished.empty());
  BOOST_TEST(pacer.counters().players_destroyed == 1u);
  pacer.stop(id);  // stopping twice is harmless
  BOOST_TEST(pacer.counters().players_destroyed == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_finished_player_calls_back_exactly_once, Fixture) {
  // 1600 bytes at 160 per packet, twice: 20 packets, 400 ms of audio.
  const TimePoint start = Clock::now();
  const PlayerId id = pacer.start(pcma(20, 1600, 2), leg);
  script.run_for(800ms);
  phone.drain();
  BOOST_TEST(phone.arrivals.size() == 20u);
  BOOST_TEST_REQUIRE(leg.finished.size() == 1u);
  BOOST_TEST(leg.finished[0] == id);
  // Finished when the last packet's audio has played out, at start + 20 * 20 ms.
  BOOST_TEST(ms_between(start, leg.finished_at[0]) >= 400);
  BOOST_TEST(ms_between(start, leg.finished_at[0]) < 600);
  BOOST_TEST(!pacer.playing(id));
  BOOST_TEST(pacer.active_players() == 0u);
  BOOST_TEST(leg.played == 20u);
  BOOST_TEST(pacer.counters().players_destroyed == 1u);
}

BOOST_FIXTURE_TEST_CASE(the_finished_callback_may_start_the_next_prompt, Fixture) {
  std::vector<PlayerId> started;
  started.push_back(pacer.start(pcma(20, 800, 1), leg));  // 5 packets
  leg.when_finished = [&](PlayerId finished) {
    BOOST_TEST(!pacer.playing(finished));
    pacer.stop(finished);  // already gone: a no-op
    if (started.size() < 3) started.push_back(pacer.start(pcma(20, 480, 1), leg));  // 3 packets each
  };
  script.run_for(800ms);
  phone.drain();
  BOOST_TEST(leg.finished == started, "each player finished once, in order");
  BOOST_TEST(phone.arrivals.size() == 11u);
  BOOST_TEST(pacer.active_players() == 0u);
  BOOST_TEST(pacer.counters().players_created == 3u);
  BOOST_TEST(pacer.counters().players_destroyed == 3u);
  // Three streams, each with its own SSRC and a marker on its first packet.
  std::size_t markers = 0;
  for (const Arrival& arrival : phone.arrivals) markers += arrival.header.marker ? 1 : 0;
  BOOST_TEST(markers == 3u);
  BOOST_TEST(phone.from(phone.arrivals[0].header.ssrc).size() == 5u);
  BOOST_TEST(phone.from(phone.arrivals.back().header.ssrc).size() == 3u);
}

BOOST_FIXTURE_TEST_CASE(a_prompt_without_a_whole_chunk_finishes_without_sending, Fixture) {
  const PlayerId id = pacer.start(pcma(20, 100, -1), leg);
  script.run_for(200ms);
  phone.drain();
  BOOST_TEST(phone.arrivals.empty());
  BOOST_TEST(leg.finished == std::vector<PlayerId>{id});
  BOOST_TEST(leg.played == 0u);
}

BOOST_FIXTURE_TEST_CASE(packets_follow_the_leg_when_it_latches_elsewhere, Fixture) {
  Receiver other_phone(loop);
  pacer.start(pcma(20, 48000, -1), leg);
  script.at(300ms, [&] { leg.latch_to(other_phone.address()); });
  script.run_for(600ms);
  phone.drain();
  other_phone.drain();
  BOOST_TEST(phone.arrivals.size() >= 10u);
  BOOST_TEST(other_phone.arrivals.size() >= 10u);
  BOOST_TEST_REQUIRE(!other_phone.arrivals.empty());
  // One stream, continued: the first packet at the new address follows the last at the old one.
  BOOST_TEST(seq_distance(phone.arrivals.back(), other_phone.arrivals.front()) == 1u);
}

BOOST_FIXTURE_TEST_CASE(many_streams_share_one_timer, Fixture) {
  constexpr std::size_t kStreams = 100;
  std::vector<std::unique_ptr<Leg>> legs;
  std::vector<TimePoint> starts;
  for (std::size_t i = 0; i < kStreams; ++i) {
    legs.push_back(std::make_unique<Leg>(phone.address()));
    starts.push_back(Clock::now());
    pacer.start(pcma(i % 2 == 0 ? 20 : 30, 48000, -1), *legs.back());
  }
  script.run_for(1000ms);
  const TimePoint end = Clock::now();
  phone.drain();
  BOOST_TEST(pacer.active_players() == kStreams);
  for (std::size_t i = 0; i < kStreams; ++i) {
    BOOST_TEST_CONTEXT("stream " << i) {
      const std::int64_t due = due_between(starts[i], end, i % 2 == 0 ? 20ms : 30ms);
      expect_count_near(static_cast<std::int64_t>(legs[i]->played), due);
    }
  }
  // One receiving socket for 100 streams can overflow on a loaded machine; the counts above are the check.
  BOOST_TEST(phone.arrivals.size() <= pacer.counters().packets_sent);
  BOOST_TEST(phone.arrivals.size() >= pacer.counters().packets_sent * 9 / 10);
  pacer.stop(0);  // an id never handed out is ignored
  BOOST_TEST(pacer.active_players() == kStreams);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace mohq::fake_rtpproxy
