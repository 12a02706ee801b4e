// Internal to common/rtpp (not a public header): helpers shared by the request and response parsers.
#pragma once

#include <charconv>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "base/expected.hpp"
#include "rtpp/command.hpp"
#include "rtpp/error_code.hpp"

namespace mohq::rtpp::detail {

// A parse failure before the cookie is attached (parse_request adds it).
struct Failure {
  ErrorCode code;
  std::string message;
};

inline Unexpected<Failure> fail(ErrorCode code, std::string message) {
  return Unexpected<Failure>{Failure{code, std::move(message)}};
}

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr char to_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
constexpr char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// The whole of `text` as a decimal integer with an optional '+' or '-' sign (what strtol accepts, checked to
// the end of the text). Unlike strtol, a value outside T's range is rejected instead of clamped or truncated.
template <class T>
std::optional<T> parse_integer(std::string_view text) {
  static_assert(std::numeric_limits<T>::is_signed);
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || !is_digit(text.front())) return std::nullopt;  // from_chars would take a second sign
  unsigned long long magnitude = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, magnitude);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  using U = unsigned long long;
  const U max_positive = static_cast<U>(std::numeric_limits<T>::max());
  if (!negative) {
    if (magnitude > max_positive) return std::nullopt;
    return static_cast<T>(magnitude);
  }
  if (magnitude > max_positive + 1) return std::nullopt;
  if (magnitude == max_positive + 1) return std::numeric_limits<T>::min();
  return static_cast<T>(-static_cast<T>(magnitude));
}

// Only digits, no sign: payload types, ports.
template <class T>
std::optional<T> parse_unsigned_digits(std::string_view text) {
  if (text.empty() || !is_digit(text.front())) return std::nullopt;
  return parse_integer<T>(text);
}

// U and L (rtpproxy-protocol.md §2.1, §2.2); args[0] is the command letter with its modifiers and the
// argument count has already been checked (5-8 for U, 5-6 for L).
Expected<Command, Failure> parse_update(const std::vector<std::string_view>& args);

// P's codec token (§3.2): the leading payload types rtpproxy would try, in order. Items are digit runs
// separated by any single non-digit; the walk stops at the first item that is not a number.
std::vector<int> leading_payload_types(std::string_view codecs);

}  // namespace mohq::rtpp::detail
