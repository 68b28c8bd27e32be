#include "protocol/column_definition.h"

#include "protocol/buffer.h"

namespace shardproxy::protocol {

ColumnDefinitionRef refOf(const ColumnDefinition& c) {
  ColumnDefinitionRef r;
  r.catalog = c.catalog;
  r.schema = c.schema;
  r.table = c.table;
  r.orgTable = c.orgTable;
  r.name = c.name;
  r.orgName = c.orgName;
  r.collation = c.collation;
  r.length = c.length;
  r.type = c.type;
  r.flags = c.flags;
  r.decimals = c.decimals;
  if (c.defaultValue) r.defaultValue = *c.defaultValue;
  return r;
}

void encodeColumnCount(std::string& out, uint64_t count) { Writer(out).lenenc(count); }

void encodeColumnDefinition(std::string& out, const ColumnDefinition& c) {
  encodeColumnDefinition(out, refOf(c));
}

void encodeColumnDefinition(std::string& out, const ColumnDefinitionRef& c) {
  Writer w(out);
  w.lenencString(c.catalog);
  w.lenencString(c.schema);
  w.lenencString(c.table);
  w.lenencString(c.orgTable);
  w.lenencString(c.name);
  w.lenencString(c.orgName);
  w.lenenc(0x0c);
  w.u16(c.collation);
  w.u32(c.length);
  w.u8(static_cast<uint8_t>(c.type));
  w.u16(c.flags);
  w.u8(c.decimals);
  w.zeros(2);
  if (c.nullDefault) {
    w.u8(0xfb);
  } else if (c.defaultValue) {
    w.lenencString(*c.defaultValue);
  }
}

std::optional<ColumnDefinition> decodeColumnDefinition(std::string_view payload, bool fieldList) {
  Reader r(payload);
  ColumnDefinition c;
  std::string_view catalog, schema, table, orgTable, name, orgName;
  uint64_t fixedLen;
  uint8_t type;
  if (!r.lenencString(catalog) || !r.lenencString(schema) || !r.lenencString(table) ||
      !r.lenencString(orgTable) || !r.lenencString(name) || !r.lenencString(orgName) ||
      !r.lenenc(fixedLen) || fixedLen != 0x0c || !r.u16(c.collation) || !r.u32(c.length) ||
      !r.u8(type) || !r.u16(c.flags) || !r.u8(c.decimals) || !r.skip(2)) {
    return std::nullopt;
  }
  c.catalog = catalog;
  c.schema = schema;
  c.table = table;
  c.orgTable = orgTable;
  c.name = name;
  c.orgName = orgName;
  c.type = static_cast<ColumnType>(type);
  if (fieldList && !r.atEnd() && r.peek() == 0xfb) {
    r.skip(1);  // NULL default
  } else if (fieldList && !r.atEnd()) {
    std::string_view def;
    if (!r.lenencString(def)) return std::nullopt;
    c.defaultValue = std::string(def);
  }
  if (!r.atEnd()) return std::nullopt;
  return c;
}

void encodeTextRow(std::string& out, const std::vector<TextValue>& values) {
  Writer w(out);
  for (const auto& v : values) {
    if (v) {
      w.lenencString(*v);
    } else {
      w.u8(0xfb);
    }
  }
}

void appendTextNull(std::string& out) { out.push_back(static_cast<char>(0xfb)); }

void appendTextValue(std::string& out, std::string_view value) { Writer(out).lenencString(value); }

std::optional<std::vector<TextValue>> decodeTextRow(std::string_view payload, size_t columns) {
  Reader r(payload);
  std::vector<TextValue> values;
  values.reserve(columns < payload.size() ? columns : payload.size());  // >= 1 byte each
  for (size_t i = 0; i < columns; ++i) {
    if (r.atEnd()) return std::nullopt;
    if (r.peek() == 0xfb) {
      r.skip(1);
      values.emplace_back(std::nullopt);
      continue;
    }
    std::string_view v;
    if (!r.lenencString(v)) return std::nullopt;
    values.emplace_back(v);
  }
  if (!r.atEnd()) return std::nullopt;
  return values;
}

}  // namespace shardproxy::protocol
