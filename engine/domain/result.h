#pragma once
// Result<T>: the return type of every operation that can fail in an expected way.
// Shaped like std::expected<T, Error> (which GCC 12 lacks in C++20 mode).

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sundial {

// Few codes, chosen by what the caller should do next (STYLE.md §4).
enum class ErrorCode {
  InvalidInput,       // do not retry as is
  NotFound,
  Duplicate,          // an idempotency hit, often a success
  Unavailable,        // retry with backoff
  Rejected,           // retry after a configuration change
  ResourceExhausted,  // refuse new work
  Timeout,
  RuleFailed,
  Internal,
};

std::string_view errorCodeName(ErrorCode code);

// Whether retrying the same operation later may succeed without anyone changing anything.
bool isRetryable(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;  // for people
  std::string context;  // which peer, which instance, which file and line

  std::string describe() const;
};

inline Error makeError(ErrorCode code, std::string message, std::string context = {}) {
  return Error{code, std::move(message), std::move(context)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok() && "value() on a failed Result");
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok() && "value() on a failed Result");
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok() && "value() on a failed Result");
    return std::get<0>(std::move(state_));
  }
  const Error& error() const {
    assert(!ok() && "error() on a successful Result");
    return std::get<1>(state_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_ && "error() on a successful Result");
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

inline Result<void> okResult() { return {}; }

}  // namespace sundial
