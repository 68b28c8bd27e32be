// Collation ids as sent in the handshake, mapped to MySQL names so the proxy can ask a
// backend for the client's character set.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace shardproxy::protocol {

struct Collation {
  uint16_t id;
  std::string_view charset;
  std::string_view name;
};

// nullopt for ids the table does not know.
std::optional<Collation> collationById(uint16_t id);
std::optional<Collation> collationByName(std::string_view name);

// The most bytes one character of `charset` takes (utf8mb4: 4, latin1: 1).
unsigned maxBytesPerChar(std::string_view charset);

inline constexpr uint16_t kUtf8mb4GeneralCi = 45;
inline constexpr uint16_t kBinaryCollation = 63;

}  // namespace shardproxy::protocol
