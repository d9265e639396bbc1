// Nir: the French social security number (NIR) of an insured person, held in
// its canonical 15-character form: 13 characters (sex, birth year and month,
// département, commune, order number) then a 2-digit key. Characters 6-7 may
// be `2A` or `2B` (Corsica); every other character is a digit.
//
// A NIR is personal data: never log it, never echo it in a Status message.
//
// Thread-safety: an immutable value; const methods may be called from any
// number of threads.
#ifndef TPP_SERVICES_COMMON_NIR_H_
#define TPP_SERVICES_COMMON_NIR_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tpp {

class Nir {
 public:
  static constexpr size_t kNirChars = 15;
  static constexpr size_t kNumberChars = 13;
  // Longest accepted input, spaces and dots included.
  static constexpr size_t kNirInputBytesMax = 64;

  // Parses a NIR, ignoring spaces and dots; `2a`/`2b` are accepted and
  // canonicalized to upper case. Fails with INVALID_ARGUMENT saying whether
  // the length, a character or the key is wrong, never echoing the input.
  static absl::StatusOr<Nir> Parse(absl::string_view text);

  // Returns the 2-digit key ("01".."97") of a 13-character number.
  // REQUIRES: `thirteen` is 13 digits, except characters 6-7 which may be
  // `2A`/`2B`. Returns "" otherwise.
  static std::string ComputeKey(absl::string_view thirteen);

  // An empty NIR: a placeholder for a member yet to be assigned; never
  // valid input.
  Nir() = default;

  // The canonical 15-character form, e.g. "253072B07300470".
  const std::string& digits() const { return digits_; }

  friend bool operator==(const Nir& a, const Nir& b) {
    return a.digits_ == b.digits_;
  }
  friend bool operator!=(const Nir& a, const Nir& b) { return !(a == b); }
  friend bool operator<(const Nir& a, const Nir& b) {
    return a.digits_ < b.digits_;
  }

 private:
  explicit Nir(std::string digits) : digits_(std::move(digits)) {}

  std::string digits_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_COMMON_NIR_H_
