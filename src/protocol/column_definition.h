// Result set messages: column count, ColumnDefinition41 and text rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/constants.h"

namespace shardproxy::protocol {

struct ColumnDefinition {
  std::string catalog = "def";
  std::string schema;
  std::string table;
  std::string orgTable;
  std::string name;
  std::string orgName;
  uint16_t collation = 0;
  uint32_t length = 0;
  ColumnType type = ColumnType::kVarString;
  uint16_t flags = 0;
  uint8_t decimals = 0;
  // Only in COM_FIELD_LIST responses.
  std::optional<std::string> defaultValue;
};

// The same fields as views, for encoding straight from a backend's metadata without copies.
struct ColumnDefinitionRef {
  std::string_view catalog = "def";
  std::string_view schema;
  std::string_view table;
  std::string_view orgTable;
  std::string_view name;
  std::string_view orgName;
  uint16_t collation = 0;
  uint32_t length = 0;
  ColumnType type = ColumnType::kVarString;
  uint16_t flags = 0;
  uint8_t decimals = 0;
  std::optional<std::string_view> defaultValue;
  bool nullDefault = false;  // COM_FIELD_LIST: the default is NULL (sent as 0xfb)
};

// Views of `c`'s fields (valid while `c` is).
ColumnDefinitionRef refOf(const ColumnDefinition& c);

void encodeColumnCount(std::string& out, uint64_t count);
void encodeColumnDefinition(std::string& out, const ColumnDefinitionRef& c);
void encodeColumnDefinition(std::string& out, const ColumnDefinition& c);
std::optional<ColumnDefinition> decodeColumnDefinition(std::string_view payload,
                                                       bool fieldList = false);

// One text-protocol row; a nullopt value is SQL NULL.
using TextValue = std::optional<std::string_view>;
void encodeTextRow(std::string& out, const std::vector<TextValue>& values);
// A text row written value by value: NULL is 0xfb, anything else a length-encoded string.
void appendTextNull(std::string& out);
void appendTextValue(std::string& out, std::string_view value);
// Values decoded from a text row; string_views point into `payload`.
std::optional<std::vector<TextValue>> decodeTextRow(std::string_view payload, size_t columns);

}  // namespace shardproxy::protocol
