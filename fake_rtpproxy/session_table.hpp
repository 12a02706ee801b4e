// Finding sessions by Call-ID and tags with rtpproxy's rules (rtpproxy-protocol.md §2.0).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fake_rtpproxy/session.hpp"

namespace mohq::fake_rtpproxy {

struct SessionMatch {
  Session* session;
  int direction;  // 0: from_tag is the creating party (acts on legs[1]); 1: to_tag is (acts on legs[0])
};

class SessionTable {
 public:
  // Exact tag resolution used by U, L, P, S, Q.
  std::optional<SessionMatch> find(std::string_view call_id, std::string_view from_tag,
                                   std::optional<std::string_view> to_tag) const;
  // D's resolution: a tag without ";N" also matches every "tag;N" session of the call.
  std::vector<Session*> find_for_delete(std::string_view call_id, std::string_view from_tag,
                                        std::optional<std::string_view> to_tag) const;

  Session& create(std::string call_id, std::string tag);
  std::unique_ptr<Session> remove(Session& session);
  std::size_t size() const { return sessions_.size(); }
  void for_each(const std::function<void(Session&)>& visit) const;
  std::vector<Session*> all() const;

 private:
  std::uint64_t next_id_ = 1;
  std::unordered_multimap<std::string, std::unique_ptr<Session>> sessions_;
};

// "abc;2" -> "abc"; a tag without a medianum is returned as is.
std::string_view strip_medianum(std::string_view tag);
std::string_view medianum(std::string_view tag);  // "abc;2" -> "2", "" when none

}  // namespace mohq::fake_rtpproxy
