#include "common/instance.h"

#include <string>

namespace shardproxy {
namespace {

// Decimal digits only, without sign or blanks, at most 4 of them (leading zeros allowed, as a
// pod ordinal never has them but a hand-written "007" is harmless).
std::optional<int> smallDecimal(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  size_t first = digits.find_first_not_of('0');
  if (first == std::string_view::npos) return 0;
  if (digits.size() - first > 4) return std::nullopt;
  int value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

Result<int> parseWorkerId(std::string_view text) {
  auto fail = [&] {
    return makeError(er::kWrongArguments,
                     "worker id must be an integer from 0 to " + std::to_string(kMaxWorkerId) +
                         " or a StatefulSet pod name ending in -<ordinal> (such as "
                         "shardproxy-2), got '" +
                         std::string(text) + "'");
  };
  std::optional<int> value;
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    value = smallDecimal(text);
  } else {
    // A pod name: the ordinal after the last '-', with something before it.
    const size_t dash = text.rfind('-');
    if (dash == std::string_view::npos || dash == 0) return fail();
    value = smallDecimal(text.substr(dash + 1));
  }
  if (!value || *value > kMaxWorkerId) return fail();
  return *value;
}

}  // namespace shardproxy
