#include "fake_rtpproxy/control_faults.hpp"

#include <cctype>
#include <charconv>
#include <sstream>

namespace mohq::fake_rtpproxy {
namespace {

template <class Number>
bool parse_number(std::string_view text, Number& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

Expected<Done, std::string> apply_control_fault(ControlFaults& faults, std::string_view key, std::string_view value) {
  auto bad = [&](std::string_view expected) {
    return Unexpected(std::string(key) + ": '" + std::string(value) + "' is not " + std::string(expected));
  };
  if (key == "reset") {
    faults = ControlFaults{};
    return Done{};
  }
  if (key == "reply.delay") {
    int ms = 0;
    if (!parse_number(value, ms) || ms < 0 || ms > 60'000) return bad("a delay in ms from 0 to 60000");
    faults.reply_delay_ms = ms;
    return Done{};
  }
  if (key == "reply.drop") {
    int count = 0;
    if (!parse_number(value, count) || count < 0) return bad("a count of replies");
    faults.drop_next_replies = count;
    return Done{};
  }
  if (key == "reply.drop_rate") {
    double rate = 0;
    if (!parse_number(value, rate) || rate < 0 || rate > 1) return bad("a probability from 0 to 1");
    faults.drop_rate = rate;
    return Done{};
  }
  if (key.starts_with("error.") && key.size() == 7 && std::isalpha(static_cast<unsigned char>(key[6]))) {
    char letter = static_cast<char>(std::toupper(static_cast<unsigned char>(key[6])));
    if (value == "none") {
      faults.forced_errors.erase(letter);
      return Done{};
    }
    int code = 0;
    if (!parse_number(value, code) || code < 0 || code > 99) return bad("an E-code from 0 to 99, or none");
    faults.forced_errors[letter] = code;
    return Done{};
  }
  return Unexpected("unknown fault '" + std::string(key) +
                    "' (control faults: reply.delay, reply.drop, reply.drop_rate, error.<LETTER>, reset)");
}

std::string describe(const ControlFaults& faults) {
  std::ostringstream out;
  const char* separator = "";
  auto item = [&](const std::string& text) {
    out << separator << text;
    separator = " ";
  };
  if (faults.reply_delay_ms) item("reply.delay=" + std::to_string(faults.reply_delay_ms));
  if (faults.drop_next_replies) item("reply.drop=" + std::to_string(faults.drop_next_replies));
  if (faults.drop_rate > 0) {
    std::ostringstream rate;
    rate << faults.drop_rate;
    item("reply.drop_rate=" + rate.str());
  }
  for (const auto& [letter, code] : faults.forced_errors) item(std::string("error.") + letter + "=" + std::to_string(code));
  return out.str();
}

}  // namespace mohq::fake_rtpproxy
