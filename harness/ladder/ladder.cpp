#include "ladder/ladder.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <tuple>

#include "sip/headers.hpp"

namespace mohq::harness {
namespace {

constexpr std::string_view kSeparator = "-----------------------------------------------";

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool icontains(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         }) != haystack.end();
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// Lines of text, each without its line end.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::string top_branch(const sip::Message& message) {
  auto vias = message.header_values("Via");
  if (vias.empty()) return {};
  auto via = sip::parse_via(vias.front());
  return via ? via->branch().value_or("") : std::string();
}

std::string normalize_value(std::string value, const LadderNormalization& n) {
  replace_all(value, n.caller_hostport, "CALLER");
  replace_all(value, n.sut_hostport, "SUT");
  return value;
}

const char* arrow(Direction direction) { return direction == Direction::sent ? "-->" : "<--"; }

}  // namespace

Expected<std::vector<TraceMessage>, std::string> parse_sipp_trace(std::string_view text) {
  std::vector<TraceMessage> messages;
  std::size_t at = text.find(kSeparator);
  std::size_t index = 0;
  while (at != std::string_view::npos) {
    std::size_t line_end = text.find('\n', at);
    if (line_end == std::string_view::npos) break;
    std::string timestamp(trim(text.substr(at + kSeparator.size(), line_end - at - kSeparator.size())));
    std::size_t next = text.find("\n" + std::string(kSeparator), line_end);
    std::string_view block = text.substr(line_end + 1, next == std::string_view::npos ? text.npos : next - line_end);
    at = next == std::string_view::npos ? next : next + 1;
    ++index;

    std::size_t first_end = block.find('\n');
    std::string_view first = trim(block.substr(0, first_end));
    TraceMessage traced;
    traced.timestamp = timestamp;
    if (first.find(" message sent") != std::string_view::npos) {
      traced.direction = Direction::sent;
    } else if (first.find(" message received") != std::string_view::npos) {
      traced.direction = Direction::received;
    } else {
      continue;  // not a message block (SIPp writes nothing else there today)
    }
    std::string_view raw = first_end == std::string_view::npos ? std::string_view() : block.substr(first_end + 1);
    auto parsed = sip::parse_message(raw);
    if (!parsed) {
      return Unexpected{"trace block " + std::to_string(index) + " (" + timestamp + ", " + std::string(first) +
                        "): " + parsed.error().message};
    }
    traced.message = std::move(*parsed);
    messages.push_back(std::move(traced));
  }
  return messages;
}

Ladder make_ladder(const std::vector<TraceMessage>& messages, const LadderNormalization& normalization) {
  Ladder ladder;
  std::set<std::tuple<Direction, std::string, std::string, std::string>> seen;
  std::string rseq;  // the last RSeq received, to recognise it in RAck
  for (const auto& traced : messages) {
    const sip::Message& m = traced.message;
    LadderStep step;
    step.direction = traced.direction;
    std::string start;
    if (const auto* request = m.request()) {
      step.method = request->method;
      start = request->method + " " + request->uri;
    } else {
      step.code = m.status()->code;
      step.reason = m.status()->reason;
      start = std::to_string(step.code);
    }
    std::string cseq_text(m.header("CSeq").value_or(""));
    if (auto cseq = sip::parse_cseq(cseq_text)) {
      step.cseq = cseq->number;
      step.cseq_method = cseq->method;
    }
    if (!seen.emplace(traced.direction, start, cseq_text, top_branch(m)).second) {
      ++ladder.retransmissions;
      continue;
    }
    step.vias = m.header_values("Via").size();
    step.sdp = !trim(m.body).empty() && icontains(m.header("Content-Type").value_or(""), "application/sdp");
    for (std::string_view name : kLadderHeaders) {
      auto lines = m.header_lines(name);
      if (lines.empty()) continue;
      std::string value;
      for (auto line : lines) value += (value.empty() ? "" : ", ") + std::string(line);
      value = normalize_value(std::move(value), normalization);
      if (iequals(name, "RSeq")) {
        rseq = value;
        value = "<rseq>";
      } else if (iequals(name, "RAck") && !rseq.empty() && value.rfind(rseq + " ", 0) == 0) {
        value = "<rseq>" + value.substr(rseq.size());
      }
      step.headers.emplace_back(std::string(name), std::move(value));
    }
    ladder.steps.push_back(std::move(step));
  }
  return ladder;
}

std::vector<std::string> rtpproxy_commands_for(std::string_view log_text, const std::vector<std::string>& call_ids) {
  std::vector<std::string> commands;
  constexpr std::string_view kMarker = "command '";
  for (std::string_view line : split_lines(log_text)) {
    std::size_t at = line.find(kMarker);
    if (at == std::string_view::npos) continue;
    std::string_view command = line.substr(at + kMarker.size());
    command = command.substr(0, command.find('\''));
    std::istringstream words{std::string(command)};
    std::vector<std::string> owned;
    for (std::string word; words >> word;) owned.push_back(word);
    for (std::size_t i = 1; i < owned.size(); ++i) {
      if (std::find(call_ids.begin(), call_ids.end(), owned[i]) != call_ids.end()) {
        commands.push_back(owned[i - 1]);
        break;
      }
    }
  }
  return commands;
}

std::string LadderStep::to_text() const {
  std::ostringstream out;
  out << arrow(direction) << " ";
  if (is_request()) {
    out << method;
  } else {
    out << code;
    if (!reason.empty()) out << " " << reason;
  }
  out << " | CSeq: " << cseq << " " << cseq_method << " | Via: " << vias << " | SDP: " << (sdp ? "yes" : "no");
  for (const auto& [name, value] : headers) out << " | " << name << ": " << value;
  return out.str();
}

std::string to_text(const Ladder& ladder, std::string_view title) {
  std::ostringstream out;
  if (!title.empty()) out << "# " << title << "\n";
  out << "# --> caller to SUT, <-- SUT to caller; retransmissions folded; CALLER/SUT = the two SIP addresses\n";
  for (const auto& step : ladder.steps) out << step.to_text() << "\n";
  for (const auto& command : ladder.rtpproxy) out << "rtpproxy: " << command << "\n";
  return out.str();
}

Expected<Ladder, std::string> parse_ladder(std::string_view text) {
  Ladder ladder;
  std::size_t number = 0;
  for (std::string_view line : split_lines(text)) {
    ++number;
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    auto fail = [&](const std::string& why) {
      return Unexpected{"line " + std::to_string(number) + ": " + why + ": " + std::string(line)};
    };
    if (line.rfind("rtpproxy:", 0) == 0) {
      ladder.rtpproxy.emplace_back(trim(line.substr(9)));
      continue;
    }
    std::vector<std::string_view> fields;
    for (std::size_t at = 0;;) {
      std::size_t bar = line.find(" | ", at);
      fields.push_back(line.substr(at, bar == std::string_view::npos ? line.npos : bar - at));
      if (bar == std::string_view::npos) break;
      at = bar + 3;
    }
    LadderStep step;
    std::string_view head = fields.front();
    if (head.rfind("--> ", 0) == 0) {
      step.direction = Direction::sent;
    } else if (head.rfind("<-- ", 0) == 0) {
      step.direction = Direction::received;
    } else {
      return fail("expected '-->', '<--', 'rtpproxy:' or '#'");
    }
    head.remove_prefix(4);
    if (head.size() >= 3 && std::all_of(head.begin(), head.begin() + 3, [](char c) { return c >= '0' && c <= '9'; }) &&
        (head.size() == 3 || head[3] == ' ')) {
      step.code = std::stoi(std::string(head.substr(0, 3)));
      step.reason = head.size() > 4 ? std::string(head.substr(4)) : std::string();
    } else {
      step.method = std::string(head);
    }
    for (std::size_t i = 1; i < fields.size(); ++i) {
      std::size_t colon = fields[i].find(": ");
      if (colon == std::string_view::npos) return fail("field without ': '");
      std::string name(fields[i].substr(0, colon));
      std::string value(fields[i].substr(colon + 2));
      if (name == "CSeq") {
        auto cseq = sip::parse_cseq(value);
        if (!cseq) return fail("bad CSeq");
        step.cseq = cseq->number;
        step.cseq_method = cseq->method;
      } else if (name == "Via") {
        step.vias = static_cast<std::size_t>(std::stoul(value));
      } else if (name == "SDP") {
        step.sdp = value == "yes";
      } else {
        step.headers.emplace_back(std::move(name), std::move(value));
      }
    }
    ladder.steps.push_back(std::move(step));
  }
  return ladder;
}

std::vector<std::string> diff_ladders(const Ladder& expected, const Ladder& actual) {
  std::vector<std::string> out;
  const std::size_t common = std::min(expected.steps.size(), actual.steps.size());
  for (std::size_t i = 0; i < common; ++i) {
    const LadderStep& e = expected.steps[i];
    const LadderStep& a = actual.steps[i];
    const std::string where = "step " + std::to_string(i + 1);
    if (e.direction != a.direction || e.method != a.method || e.code != a.code) {
      out.push_back(where + ": expected '" + e.to_text() + "', got '" + a.to_text() + "'");
      continue;  // a different message: its fields say nothing more
    }
    const std::string label = where + " (" + arrow(e.direction) + " " +
                              (e.is_request() ? e.method : std::to_string(e.code)) + ")";
    if (e.reason != a.reason) out.push_back(label + ": reason expected '" + e.reason + "', got '" + a.reason + "'");
    if (e.cseq != a.cseq || e.cseq_method != a.cseq_method) {
      out.push_back(label + ": CSeq expected '" + std::to_string(e.cseq) + " " + e.cseq_method + "', got '" +
                    std::to_string(a.cseq) + " " + a.cseq_method + "'");
    }
    if (e.vias != a.vias) {
      out.push_back(label + ": Via headers expected " + std::to_string(e.vias) + ", got " + std::to_string(a.vias));
    }
    if (e.sdp != a.sdp) {
      out.push_back(label + ": SDP body expected " + (e.sdp ? "yes" : "no") + ", got " + (a.sdp ? "yes" : "no"));
    }
    auto find = [](const LadderStep& step, std::string_view name) -> std::optional<std::string> {
      for (const auto& [n, v] : step.headers) {
        if (iequals(n, name)) return v;
      }
      return std::nullopt;
    };
    for (std::string_view name : kLadderHeaders) {
      auto ev = find(e, name);
      auto av = find(a, name);
      if (ev == av) continue;
      out.push_back(label + ": " + std::string(name) + ": expected " + (ev ? "'" + *ev + "'" : "none") + ", got " +
                    (av ? "'" + *av + "'" : "none"));
    }
  }
  for (std::size_t i = common; i < expected.steps.size(); ++i) {
    out.push_back("missing step " + std::to_string(i + 1) + ": " + expected.steps[i].to_text());
  }
  for (std::size_t i = common; i < actual.steps.size(); ++i) {
    out.push_back("extra step " + std::to_string(i + 1) + ": " + actual.steps[i].to_text());
  }
  if (expected.rtpproxy != actual.rtpproxy) {
    auto join = [](const std::vector<std::string>& list) {
      std::string text;
      for (const auto& item : list) text += (text.empty() ? "" : ", ") + item;
      return "[" + text + "]";
    };
    out.push_back("rtpproxy commands: expected " + join(expected.rtpproxy) + ", got " + join(actual.rtpproxy));
  }
  return out;
}

}  // namespace mohq::harness
