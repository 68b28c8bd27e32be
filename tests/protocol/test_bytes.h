// Helpers for the codec tests: byte fixtures are written as hex so every field of a message can
// carry its own comment, and failures print bytes rather than mojibake.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace shardproxy::protocol::test {

// "0a 38 2e" -> bytes. Whitespace is ignored; anything else that is not a hex digit is a bug in
// the fixture, so the test binary aborts rather than testing the wrong bytes.
inline std::string fromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  int high = -1;
  for (char c : hex) {
    if (c == ' ' || c == '\n' || c == '\t') continue;
    int v = nibble(c);
    if (v < 0) std::abort();
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<char>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) std::abort();
  return out;
}

inline std::string toHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    auto b = static_cast<uint8_t>(c);
    if (!out.empty()) out.push_back(' ');
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

// Compares byte strings and prints both as hex on mismatch.
#define EXPECT_BYTES_EQ(expected, actual)                  \
  EXPECT_EQ(::shardproxy::protocol::test::toHex(expected), \
            ::shardproxy::protocol::test::toHex(actual))

// Deterministic filler so that a payload shifted or reordered by a codec is noticed.
inline std::string patternBytes(size_t n, uint32_t seed = 0) {
  std::string out(n, '\0');
  uint32_t x = seed * 2654435761u + 12345u;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    out[i] = static_cast<char>(x >> 16);
  }
  return out;
}

// Every strict prefix of `message` must be rejected by `decode` (which returns something
// testable as bool). Reports the first accepted prefix length.
template <typename Decode>
void expectEveryPrefixRejected(std::string_view message, Decode decode) {
  for (size_t n = 0; n < message.size(); ++n) {
    // An exactly sized heap copy, so that AddressSanitizer sees a read past the prefix.
    std::unique_ptr<char[]> copy(new char[n]);
    std::copy_n(message.data(), n, copy.get());
    EXPECT_FALSE(decode(std::string_view(copy.get(), n))) << "prefix of " << n << " bytes accepted";
  }
}

}  // namespace shardproxy::protocol::test
