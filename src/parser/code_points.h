// Statement text as ANTLR reads it: code points, decoded here rather than by the runtime, whose
// own UTF-8 conversion throws on invalid input while clients may send any bytes. Shared by the
// MySQL parser and the DistSQL parser (admin/distsql/).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shardproxy::parser {

// Decodes `sql`. Invalid UTF-8 bytes become the Latin-1 code point of the byte, so the text still
// lexes and every code point maps back to one byte offset. Fills `byteOffset` (code point index
// -> byte offset, plus an end sentinel) only when the text is not plain ASCII.
std::u32string decodeCodePoints(std::string_view sql, std::vector<uint32_t>& byteOffset);

// The byte offset of the code point at `index` (ANTLR token offsets count code points) in a text
// of `size` bytes that decodeCodePoints() gave `byteOffset`; `size` past the end.
inline size_t byteOffsetOf(size_t index, const std::vector<uint32_t>& byteOffset, size_t size) {
  if (byteOffset.empty()) return index < size ? index : size;
  return index < byteOffset.size() ? byteOffset[index] : size;
}

}  // namespace shardproxy::parser
