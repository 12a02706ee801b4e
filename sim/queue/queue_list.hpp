// The queues mohqd serves: rows of mohqueues made usable (mohqueue-behaviour.md §2.1) and matched to a
// Request-URI (§2.2), plus the prompt files each queue can play, in mohqueue's payload preference (§5.3).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/db/mohqueue_schema.hpp"

namespace mohq::sim {

// One entry of mohqueue's built-in payload table (mohq_funcs.c prtpmap), in its preference order.
struct MohPayload {
  unsigned payload_type;
  std::string_view encoding;  // the rtpmap text, e.g. "PCMU/8000"
};
std::span<const MohPayload> moh_payload_table();
std::optional<std::string_view> moh_encoding(unsigned payload_type);

struct Queue {
  std::int64_t id = 0;
  std::string name;
  std::string uri;
  std::string mohdir;   // resolved: the row's, or the daemon's --mohdir
  std::string mohfile;
  bool debug = false;
  std::vector<unsigned> prompt_types;  // <mohdir>/<mohfile>.<pt> exists, in moh_payload_table() order

  // What rtpproxy's P command gets: the path without the ".<pt>" suffix.
  std::string prompt_path() const { return mohdir + "/" + mohfile; }
};

struct QueueList {
  std::vector<Queue> queues;
  std::vector<std::string> skipped;  // one line per row not activated, with the reason (the module logs these)
};

// Validates rows as update_mohq_lst does: a SIP URI, an existing mohdir, at least one prompt file.
QueueList build_queue_list(const std::vector<sim_db::QueueRow>& rows, const std::string& default_mohdir);

// The part of a Request-URI compared with a queue's uri: everything before the first ';' or '?'. The comparison
// is byte-exact and case-sensitive, as in find_queue (quirk Q3), in both profiles.
std::string_view queue_match_key(std::string_view request_uri);
const Queue* find_queue_by_uri(const std::vector<Queue>& queues, std::string_view request_uri);
const Queue* find_queue_by_name(const std::vector<Queue>& queues, std::string_view name);

}  // namespace mohq::sim
