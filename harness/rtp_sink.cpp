#include "harness/rtp_sink.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include <array>
#include <cstring>

namespace mohq::harness {

Expected<RtpSink, std::string> RtpSink::open(const std::string& host, std::uint16_t port) {
  auto address = net::SocketAddress::from_host_port(host, port);
  if (!address) return Unexpected(address.error());
  auto socket = net::UdpSocket::bind(*address);
  if (!socket) return Unexpected(socket.error());
  // Kernel arrival stamps: what the network delivered, not when this process got round to reading it.
  int on = 1;
  ::setsockopt(socket->fd(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  return RtpSink(std::move(*socket));
}

std::size_t RtpSink::collect(std::chrono::milliseconds duration, std::size_t max_packets) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + duration;
  std::size_t received = 0;
  std::array<std::uint8_t, 2048> buffer;
  while (received < max_packets) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    pollfd waiting{socket_.fd(), POLLIN, 0};
    if (::poll(&waiting, 1, static_cast<int>(left)) <= 0) continue;
    while (received < max_packets) {
      net::SocketAddress source;
      iovec data{buffer.data(), buffer.size()};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
      msghdr message{};
      message.msg_name = source.data();
      message.msg_namelen = source.capacity();
      message.msg_iov = &data;
      message.msg_iovlen = 1;
      message.msg_control = control;
      message.msg_controllen = sizeof control;
      ssize_t size = ::recvmsg(socket_.fd(), &message, MSG_DONTWAIT);
      if (size < 0) break;
      source.set_size(message.msg_namelen);
      auto arrival = Clock::now();
      for (cmsghdr* header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_TIMESTAMPNS) {
          timespec stamp{};
          std::memcpy(&stamp, CMSG_DATA(header), sizeof stamp);
          timespec now{};
          ::clock_gettime(CLOCK_REALTIME, &now);
          auto age = std::chrono::seconds(now.tv_sec - stamp.tv_sec) + std::chrono::nanoseconds(now.tv_nsec - stamp.tv_nsec);
          arrival -= std::chrono::duration_cast<Clock::duration>(age);
        }
      }
      if (first_source_.empty()) first_source_ = source.to_string();
      packets_.push_back({arrival, std::vector<std::uint8_t>(buffer.begin(), buffer.begin() + size), source.port()});
      ++received;
    }
  }
  return received;
}

}  // namespace mohq::harness
