#include "harness/load/media_sinks.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <sys/uio.h>

#include "net/socket_address.hpp"
#include "process/free_port.hpp"

namespace mohq::harness {

Expected<std::unique_ptr<MediaSinks>, std::string> MediaSinks::open(const std::string& host, unsigned count) {
  std::unique_ptr<MediaSinks> sinks(new MediaSinks());
  for (unsigned i = 0; i < count; ++i) {
    // Even ports from a block, as SDP's m= line wants for RTP (RTCP would be the odd one above).
    auto port = process::find_free_udp_port_block(host, 2);
    if (!port) return Unexpected("media sink: " + port.error());
    auto address = net::SocketAddress::from_host_port(host, *port);
    if (!address) return Unexpected("media sink: " + address.error());
    auto socket = net::UdpSocket::bind(*address);
    if (!socket) return Unexpected("media sink: " + socket.error());
    // 5,000 calls at 50 packets/s reach one socket: a large buffer keeps the counts honest between polls.
    int size = 8 * 1024 * 1024;
    ::setsockopt(socket->fd(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    sinks->sockets_.push_back(std::move(*socket));
  }
  sinks->thread_ = std::thread([raw = sinks.get()] { raw->drain(); });
  return sinks;
}

MediaSinks::~MediaSinks() { stop(); }

void MediaSinks::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void MediaSinks::drain() {
  std::vector<pollfd> fds;
  for (const auto& socket : sockets_) fds.push_back({socket.fd(), POLLIN, 0});
  // 5,000 callers send 250,000 packets/s here: recvmmsg takes them 64 at a time, not one syscall each.
  constexpr unsigned kBatch = 64;
  static thread_local std::array<std::array<std::uint8_t, 2048>, kBatch> buffers{};
  std::array<iovec, kBatch> vectors{};
  std::array<mmsghdr, kBatch> messages{};
  for (unsigned i = 0; i < kBatch; ++i) {
    vectors[i] = {buffers[i].data(), buffers[i].size()};
    messages[i].msg_hdr.msg_iov = &vectors[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  while (!stopping_) {
    if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if ((fds[i].revents & POLLIN) == 0) continue;
      // A bounded number of batches per socket, so one busy sink cannot starve the stop flag.
      for (int round = 0; round < 64; ++round) {
        const int got = ::recvmmsg(fds[i].fd, messages.data(), kBatch, MSG_DONTWAIT, nullptr);
        if (got <= 0) break;
        std::uint64_t bytes = 0;
        for (int m = 0; m < got; ++m) bytes += messages[m].msg_len;
        packets_.fetch_add(static_cast<std::uint64_t>(got), std::memory_order_relaxed);
        bytes_.fetch_add(bytes, std::memory_order_relaxed);
        if (static_cast<unsigned>(got) < kBatch) break;
      }
    }
  }
}

}  // namespace mohq::harness
