// A small std::expected stand-in: the toolchains here (g++ 12, clang 14 for the fuzzers) do not both offer
// C++23 <expected>, and results at our boundaries (parsers, sockets) are values, not exceptions.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace mohq {

template <class E>
struct Unexpected {
  explicit Unexpected(E value) : error(std::move(value)) {}  // a constructor, so clang 14 can deduce E
  E error;
};
template <class E>
Unexpected(E) -> Unexpected<E>;

// Thrown by Expected::value() on an error: a bug in the caller, who should have checked.
class BadExpectedAccess : public std::logic_error {
 public:
  BadExpectedAccess() : std::logic_error("Expected::value() called on an error") {}
};

template <class T, class E>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <class G>
  Expected(Unexpected<G> err) : state_(std::in_place_index<1>, E(std::move(err.error))) {}  // NOLINT

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { check(); return std::get<0>(state_); }
  const T& value() const& { check(); return std::get<0>(state_); }
  T&& value() && { check(); return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(state_) : static_cast<T>(std::forward<U>(fallback));
  }

  const E& error() const { return std::get<1>(state_); }

 private:
  void check() const {
    if (!has_value()) throw BadExpectedAccess();
  }
  std::variant<T, E> state_;
};

// For operations that produce nothing but can fail.
struct Done {};

}  // namespace mohq
