#include "fake_rtpproxy/session_table.hpp"

namespace mohq::fake_rtpproxy {

std::string_view strip_medianum(std::string_view tag) {
  auto semicolon = tag.find(';');
  return semicolon == std::string_view::npos ? tag : tag.substr(0, semicolon);
}

std::string_view medianum(std::string_view tag) {
  auto semicolon = tag.find(';');
  return semicolon == std::string_view::npos ? std::string_view{} : tag.substr(semicolon + 1);
}

namespace {

// The to_tag names the creating party exactly, or by its bare tag when the medianums of from_tag and the
// stored tag agree (a second m-line of the same dialog).
bool to_tag_matches(std::string_view stored, std::string_view from_tag, std::string_view to_tag) {
  if (to_tag == stored) return true;
  return to_tag == strip_medianum(stored) && !medianum(stored).empty() && medianum(from_tag) == medianum(stored);
}

// D: "tag" also matches "tag;N".
bool prefix_matches(std::string_view stored, std::string_view tag) {
  if (stored == tag) return true;
  return stored.size() > tag.size() && stored.substr(0, tag.size()) == tag && stored[tag.size()] == ';';
}

}  // namespace

std::optional<SessionMatch> SessionTable::find(std::string_view call_id, std::string_view from_tag,
                                               std::optional<std::string_view> to_tag) const {
  auto [begin, end] = sessions_.equal_range(std::string(call_id));
  for (auto it = begin; it != end; ++it) {
    Session& session = *it->second;
    if (session.tag == from_tag) return SessionMatch{&session, 0};
    if (to_tag && to_tag_matches(session.tag, from_tag, *to_tag)) return SessionMatch{&session, 1};
  }
  return std::nullopt;
}

std::vector<Session*> SessionTable::find_for_delete(std::string_view call_id, std::string_view from_tag,
                                                    std::optional<std::string_view> to_tag) const {
  std::vector<Session*> found;
  auto [begin, end] = sessions_.equal_range(std::string(call_id));
  for (auto it = begin; it != end; ++it) {
    Session& session = *it->second;
    if (prefix_matches(session.tag, from_tag) || (to_tag && prefix_matches(session.tag, *to_tag))) {
      found.push_back(&session);
    }
  }
  return found;
}

Session& SessionTable::create(std::string call_id, std::string tag) {
  auto session = std::make_unique<Session>();
  session->id = next_id_++;
  session->call_id = call_id;
  session->tag = std::move(tag);
  Session& ref = *session;
  sessions_.emplace(std::move(call_id), std::move(session));
  return ref;
}

std::unique_ptr<Session> SessionTable::remove(Session& session) {
  auto [begin, end] = sessions_.equal_range(session.call_id);
  for (auto it = begin; it != end; ++it) {
    if (it->second.get() == &session) {
      auto owned = std::move(it->second);
      sessions_.erase(it);
      return owned;
    }
  }
  return nullptr;
}

void SessionTable::for_each(const std::function<void(Session&)>& visit) const {
  for (const auto& [call_id, session] : sessions_) visit(*session);
}

std::vector<Session*> SessionTable::all() const {
  std::vector<Session*> list;
  list.reserve(sessions_.size());
  for (const auto& [call_id, session] : sessions_) list.push_back(session.get());
  return list;
}

}  // namespace mohq::fake_rtpproxy
