#include "executor/result_columns.h"

#include <algorithm>

#include "protocol/charset.h"
#include "protocol/constants.h"

namespace shardproxy::executor {

namespace ast = parser::ast;
namespace flag = protocol::colflag;

// As MariaDB describes a table's column (its table.cc and field.cc): every part of any key is
// PART_KEY, of the primary key PRI_KEY; the first part of another key is UNIQUE_KEY when the key
// is unique with one part, else MULTIPLE_KEY. Temporal types and binary strings are BINARY,
// YEAR is UNSIGNED ZEROFILL, BIT and TIMESTAMP are UNSIGNED.
uint16_t columnFlags(const metadata::ColumnSchema& c, const metadata::TableSchema& table) {
  uint16_t f = 0;
  const std::string name = router::lowerAscii(c.name);
  if (!c.nullable) f |= flag::kNotNull;
  for (const metadata::IndexSchema& index : table.indexes) {
    bool primary = router::lowerAscii(index.name) == "primary";
    for (size_t i = 0; i < index.columns.size(); ++i) {
      if (router::lowerAscii(index.columns[i]) != name) continue;
      f |= flag::kPartKey;
      if (primary) {
        f |= flag::kPriKey;
      } else if (i == 0) {
        f |= index.unique && index.columns.size() == 1 ? flag::kUniqueKey : flag::kMultipleKey;
      }
    }
  }
  const std::string type = router::lowerAscii(c.columnType);
  const std::string& t = c.dataType;
  using metadata::TypeFamily;
  if (type.find("unsigned") != std::string::npos || t == "year" || t == "bit" ||
      t == "timestamp") {
    f |= flag::kUnsigned;
  }
  if (type.find("zerofill") != std::string::npos || t == "year") f |= flag::kZerofill;
  bool blob = t == "tinyblob" || t == "blob" || t == "mediumblob" || t == "longblob" ||
              t == "tinytext" || t == "text" || t == "mediumtext" || t == "longtext" ||
              t == "json";
  if (blob) f |= flag::kBlob;
  if (c.family == TypeFamily::Binary || c.family == TypeFamily::Date ||
      c.family == TypeFamily::DateTime || c.family == TypeFamily::Time || t == "json" ||
      c.collation.ends_with("_bin")) {
    f |= flag::kBinary;
  }
  if (t == "enum") f |= flag::kEnum;
  if (t == "set") f |= flag::kSet;
  if (c.autoIncrement) f |= flag::kAutoIncrement;
  if (t == "timestamp") f |= flag::kTimestamp;
  if (!c.nullable && !c.defaultValue && !c.autoIncrement) f |= flag::kNoDefaultValue;
  if (c.onUpdateNow) f |= flag::kOnUpdateNow;
  return f;
}

ResultColumns::ResultColumns(const ast::Statement& s, const std::vector<router::RouteUnit>& units,
                             std::string logicalDatabase, const metadata::DatabaseSchema* schema,
                             bool unionAll)
    : database_(std::move(logicalDatabase)) {
  for (const router::RouteUnit& unit : units) {
    for (const router::TableMapping& m : unit.tables) logicalNames_[m.actualTable] = m.logicTable;
  }
  if (!unionAll || !schema || s.kind != ast::StatementKind::Select || s.select == ast::kNone ||
      s.tableRefs.size() != 1) {
    return;
  }
  const ast::TableRef& ref = s.tableRefs.front();
  auto it = schema->find(router::lowerAscii(ref.name.value));
  if (ref.kind != ast::TableRef::Kind::Table || it == schema->end()) return;
  const metadata::TableSchema& table = *it->second;
  std::string_view label = ref.alias.empty() ? std::string_view(ref.name.value) : ref.alias.value;
  auto source = [&](const metadata::ColumnSchema& c) {
    return Source{label, &table, &c, columnFlags(c, table)};
  };
  for (const ast::SelectItem& item : s.query(s.select).items) {
    if (item.kind != ast::SelectItem::Kind::Expr) {
      for (const metadata::ColumnSchema& c : table.columns) sources_.push_back(source(c));
      continue;
    }
    const ast::Expr& e = s.expr(item.expr);
    const metadata::ColumnSchema* c =
        e.kind == ast::ExprKind::Column ? table.column(e.column.value) : nullptr;
    if (c) {
      sources_.push_back(source(*c));
    } else {
      sources_.push_back(std::nullopt);
    }
  }
}

void ResultColumns::apply(unsigned index, protocol::ColumnDefinitionRef& c) const {
  if (auto it = logicalNames_.find(c.table); it != logicalNames_.end()) c.table = it->second;
  if (auto it = logicalNames_.find(c.orgTable); it != logicalNames_.end()) c.orgTable = it->second;
  if (index >= sources_.size() || !sources_[index]) return;
  const Source& s = *sources_[index];
  c.schema = database_;
  c.table = s.label;
  c.orgTable = s.table->name;
  c.orgName = s.column->name;
  c.flags = s.flags;
  // A derived result marks character columns NOT_FIXED_DEC (39); a table's column has none.
  if (s.column->family == metadata::TypeFamily::String ||
      s.column->family == metadata::TypeFamily::Binary) {
    c.decimals = 0;
  }
  // It also widens TEXT and BLOB: a table's column is a BLOB of its own maximum length, in the
  // result's character set.
  const std::string& t = s.column->dataType;
  if (t.ends_with("text") || t.ends_with("blob")) {
    uint64_t perChar = 1;
    if (auto collation = protocol::collationById(c.collation)) {
      perChar = protocol::maxBytesPerChar(collation->charset);
    }
    c.type = protocol::ColumnType::kBlob;
    c.length = static_cast<uint32_t>(
        std::min<uint64_t>(s.column->maxLength * perChar, UINT32_MAX));
  }
}

}  // namespace shardproxy::executor
