#include "sim/queue/sip_text.hpp"

#include <charconv>

#include "sip/headers.hpp"

namespace mohq::sim {

namespace {
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string collapse_spaces(std::string_view text) {
  std::string out;
  bool pending_space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::optional<int> parse_status_line(std::string_view line) {
  if (!line.starts_with("SIP/")) return std::nullopt;
  const auto space = line.find(' ');
  if (space == std::string_view::npos || line.size() < space + 4) return std::nullopt;
  int code = 0;
  const char* begin = line.data() + space + 1;
  if (auto [ptr, ec] = std::from_chars(begin, begin + 3, code); ec != std::errc() || ptr != begin + 3)
    return std::nullopt;
  if (code < 100 || code > 699) return std::nullopt;
  if (line.size() > space + 4 && line[space + 4] != ' ') return std::nullopt;
  return code;
}

void add_received(sip::Message& response, const std::string& source_ip, std::uint16_t source_port) {
  for (auto& header : response.headers) {
    if (!sip::same_header_name(header.name, "Via")) continue;
    // Only the first Via body of the first Via line.
    std::string& value = header.value;
    const std::size_t comma = value.find(',');
    std::string top = value.substr(0, comma);
    std::string rest = comma == std::string::npos ? "" : value.substr(comma);
    const auto via = sip::parse_via(top);
    if (!via) return;
    const bool has_rport = [&] {
      for (const auto& param : via->params)
        if (equals_ignore_case(param.name, "rport")) return !param.value.has_value() || param.value->empty();
      return false;
    }();
    std::string host = via->host;
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    if (has_rport) {
      // ";rport" -> ";rport=<port>" (the parameter may be followed by another or end the body).
      for (std::size_t at = top.find(';'); at != std::string::npos; at = top.find(';', at + 1)) {
        std::size_t name_start = at + 1;
        while (name_start < top.size() && top[name_start] == ' ') ++name_start;
        std::size_t name_end = name_start;
        while (name_end < top.size() && top[name_end] != ';' && top[name_end] != '=' && top[name_end] != ' ')
          ++name_end;
        if (!equals_ignore_case(std::string_view(top).substr(name_start, name_end - name_start), "rport")) continue;
        std::size_t value_end = name_end;
        if (value_end < top.size() && top[value_end] == '=') ++value_end;
        top.replace(name_end, value_end - name_end, "=" + std::to_string(source_port));
        break;
      }
    }
    if (has_rport || host != source_ip) top += ";received=" + source_ip;
    value = top + rest;
    return;
  }
}

}  // namespace mohq::sim
