// Builds CallRecords from the SIP messages and rtpproxy control datagrams of a capture, in capture order.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "analyzers/calls/call_record.hpp"
#include "rtpp/command.hpp"
#include "sip/message.hpp"

namespace mohq::analyzers {

class CallTracker {
 public:
  void on_sip(const CapturedDatagram& datagram, const sip::Message& message);
  // A datagram that parsed as an rtpproxy request (with a cookie) or, for a cookie already seen, its reply.
  // true when it was taken as rtpproxy control traffic.
  bool on_rtpproxy_datagram(const CapturedDatagram& datagram);
  // Calls in order of their first message.
  std::vector<CallRecord> calls() const;
  std::size_t rtpproxy_commands() const { return rtpproxy_commands_; }

 private:
  struct Pending {
    std::string call_id;
    std::size_t index = 0;  // into that call's rtpproxy events
  };
  CallRecord& call(const std::string& call_id);
  std::map<std::string, CallRecord> calls_;
  std::vector<std::string> order_;
  std::map<std::string, Pending> by_cookie_;  // "<source>|<cookie>" of requests awaiting a reply
  std::size_t rtpproxy_commands_ = 0;
};

}  // namespace mohq::analyzers
