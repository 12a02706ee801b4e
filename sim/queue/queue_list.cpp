#include "sim/queue/queue_list.hpp"

#include <array>
#include <filesystem>
#include <system_error>

#include "sip/uri.hpp"

namespace mohq::sim {

namespace {

constexpr std::array<MohPayload, 17> kTable{{
    {9, "G722/8000"},   {0, "PCMU/8000"},   {8, "PCMA/8000"},   {18, "G729/8000"}, {3, "GSM/8000"},
    {4, "G723/8000"},   {15, "G728/8000"},  {5, "DVI4/8000"},   {7, "LPC/8000"},   {12, "QCELP/8000"},
    {13, "CN/8000"},    {16, "DVI4/11025"}, {6, "DVI4/16000"},  {17, "DVI4/22050"}, {10, "L16/44100"},
    {11, "L16/44100"},  {14, "MPA/90000"},
}};

bool is_directory(const std::string& path) {
  std::error_code error;
  return !path.empty() && std::filesystem::is_directory(path, error);
}

}  // namespace

std::span<const MohPayload> moh_payload_table() { return kTable; }

std::optional<std::string_view> moh_encoding(unsigned payload_type) {
  for (const auto& entry : kTable)
    if (entry.payload_type == payload_type) return entry.encoding;
  return std::nullopt;
}

QueueList build_queue_list(const std::vector<sim_db::QueueRow>& rows, const std::string& default_mohdir) {
  QueueList list;
  for (const auto& row : rows) {
    if (!sip::parse_uri(row.uri)) {
      list.skipped.push_back("queue " + row.name + ": uri '" + row.uri + "' is not a SIP URI");
      continue;
    }
    Queue queue{row.id, row.name, row.uri, row.mohdir.empty() ? default_mohdir : row.mohdir, row.mohfile,
                row.debug, {}};
    if (!is_directory(queue.mohdir)) {
      list.skipped.push_back("queue " + row.name + ": mohdir '" + queue.mohdir + "' is not a directory");
      continue;
    }
    for (const auto& entry : kTable) {
      std::error_code error;
      if (std::filesystem::is_regular_file(queue.prompt_path() + "." + std::to_string(entry.payload_type), error))
        queue.prompt_types.push_back(entry.payload_type);
    }
    if (queue.prompt_types.empty()) {
      list.skipped.push_back("queue " + row.name + ": no prompt file " + queue.prompt_path() +
                             ".<pt> (queue not activated)");
      continue;
    }
    list.queues.push_back(std::move(queue));
  }
  return list;
}

std::string_view queue_match_key(std::string_view request_uri) {
  return request_uri.substr(0, request_uri.find_first_of(";?"));
}

const Queue* find_queue_by_uri(const std::vector<Queue>& queues, std::string_view request_uri) {
  const auto key = queue_match_key(request_uri);
  for (const auto& queue : queues)
    if (queue.uri == key) return &queue;
  return nullptr;
}

const Queue* find_queue_by_name(const std::vector<Queue>& queues, std::string_view name) {
  for (const auto& queue : queues)
    if (queue.name == name) return &queue;
  return nullptr;
}

}  // namespace mohq::sim
