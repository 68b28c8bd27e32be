#include "admin/system_tables.h"

#include <strings.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>

#include "binder/binder.h"
#include "common/like.h"
#include "merger/compare.h"
#include "merger/merge_spec.h"
#include "merger/streams.h"
#include "parser/constant_text.h"
#include "protocol/charset.h"
#include "protocol/constants.h"

namespace shardproxy::admin {

namespace ast = parser::ast;
namespace colflag = protocol::colflag;
using protocol::ColumnDefinition;
using protocol::ColumnType;

namespace {

constexpr std::string_view kClusterInformation = "cluster_information";
constexpr std::string_view kShardingTableStatistics = "sharding_table_statistics";

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// The column types of ShardingSphere's YAML definitions of the tables (VARCHAR, INTEGER primary
// key, DECIMAL), described as MariaDB describes such columns of a utf8mb4 table.
ColumnDefinition column(std::string_view table, std::string_view name, ColumnType type) {
  ColumnDefinition c;
  c.schema = std::string(binder::kShardingSphereSchema);
  c.table = c.orgTable = std::string(table);
  c.name = c.orgName = std::string(name);
  c.type = type;
  switch (type) {
    case ColumnType::kLong:  // INT NOT NULL PRIMARY KEY
      c.collation = protocol::kBinaryCollation;
      c.length = 11;
      c.flags = colflag::kNotNull | colflag::kPriKey | colflag::kNoDefaultValue | 0x4000;
      break;
    case ColumnType::kNewDecimal:  // DECIMAL(20, 0): TABLE_ROWS and DATA_LENGTH are BIGINT UNSIGNED
      c.collation = protocol::kBinaryCollation;
      c.length = 21;
      break;
    default:  // VARCHAR(64)
      c.collation = protocol::kUtf8mb4GeneralCi;
      c.length = 256;
      break;
  }
  return c;
}

merger::Cell cell(std::string text) { return merger::Cell{false, std::move(text)}; }

// A table's rows, for the merger's streams.
class RowsStream : public merger::RowStream {
 public:
  explicit RowsStream(const std::vector<merger::Row>& rows) : rows_(rows) {}
  awaitable<Result<bool>> next(merger::Row& row) override {
    if (at_ >= rows_.size()) co_return false;
    row = rows_[at_++];
    co_return true;
  }

 private:
  const std::vector<merger::Row>& rows_;
  size_t at_ = 0;
};

Status unsupported(std::string_view what) {
  return Status(er::kNotSupportedYet, "42000",
                "unsupported: " + std::string(what) + " over ShardingSphere's system tables");
}

merger::ColumnInfo infoOf(const ColumnDefinition& c) {
  merger::ColumnInfo info;
  info.label = c.name;
  info.type = static_cast<uint8_t>(c.type);
  info.isUnsigned = (c.flags & colflag::kUnsigned) != 0;
  info.binary = c.collation == protocol::kBinaryCollation;
  info.collation = c.collation;
  info.decimals = c.decimals;
  info.length = c.length;
  return info;
}

class SelectEvaluation {
 public:
  SelectEvaluation(const ast::Statement& s, const SystemTable& table) : s_(s), table_(table) {}

  awaitable<Result<SystemResult>> run() {
    const ast::Select& q = s_.query(s_.select);
    if (q.kind != ast::Select::Kind::Query) co_return unsupported("UNION and other set operations");
    if (!q.with.empty()) co_return unsupported("WITH");
    if (!q.groupBy.empty() || q.having != ast::kNone) co_return unsupported("GROUP BY and HAVING");
    if (q.lock != ast::LockKind::None) co_return unsupported("a locking read");
    if (q.from.empty()) co_return unsupported("a subquery");
    if (q.from.size() != 1) co_return unsupported("a join");
    const ast::TableRef& from = s_.tableRef(q.from.front());
    if (from.kind == ast::TableRef::Kind::Derived) co_return unsupported("a derived table");
    if (from.kind != ast::TableRef::Kind::Table) co_return unsupported("a join");
    tableName_ = from.alias.empty() ? from.name.value : from.alias.value;

    if (Status st = selectList(q); !st) co_return st;
    std::vector<merger::Row> rows;
    if (auto filtered = co_await where(q); !filtered) {
      co_return filtered.status();
    } else {
      rows = std::move(*filtered);
    }
    SystemResult out;
    for (const Item& item : items_) {
      if (item.count) {
        ColumnDefinition c;
        c.name = item.name;
        c.type = ColumnType::kLongLong;
        c.length = 21;
        c.flags = colflag::kNotNull | colflag::kBinary;
        c.collation = protocol::kBinaryCollation;
        out.columns.push_back(std::move(c));
      } else {
        ColumnDefinition c = table_.columns[item.column];
        c.name = item.name;
        c.table = tableName_;
        out.columns.push_back(std::move(c));
      }
    }
    if (counting_) {
      // One row, whatever ORDER BY says; LIMIT still applies.
      merger::Row row;
      for (const Item& item : items_) {
        uint64_t n = 0;
        for (const merger::Row& r : rows) {
          if (item.column == kStar || !r[item.column].null) ++n;
        }
        row.push_back(cell(std::to_string(n)));
      }
      rows.assign(1, std::move(row));
    } else {
      if (Status st = orderBy(q, rows); !st) co_return st;
      for (merger::Row& r : rows) {
        merger::Row projected;
        projected.reserve(items_.size());
        for (const Item& item : items_) projected.push_back(r[item.column]);
        r = std::move(projected);
      }
      if (q.distinct) distinct(out.columns, rows);
    }
    if (Status st = limit(q, rows); !st) co_return st;
    out.rows = std::move(rows);
    co_return out;
  }

 private:
  static constexpr size_t kStar = SIZE_MAX;  // COUNT(*)

  struct Item {
    std::string name;
    size_t column = 0;  // the table's column; kStar for COUNT(*)
    bool count = false;
  };

  // The table column `e` names, or an error.
  Result<size_t> columnOf(const ast::Expr& e, std::string_view clause) const {
    if (e.kind != ast::ExprKind::Column) return unsupported("an expression other than a column");
    bool tableMatches = e.table.empty() || iequals(e.table.value, tableName_);
    bool schemaMatches = e.schema.empty() || binder::isShardingSphereSchema(e.schema.value);
    if (tableMatches && schemaMatches) {
      for (size_t i = 0; i < table_.columns.size(); ++i) {
        if (iequals(table_.columns[i].orgName, e.column.value)) return i;
      }
    }
    return Status(
        1054, "42S22",
        "Unknown column '" + std::string(s_.text(e.span)) + "' in '" + std::string(clause) + "'");
  }

  Status selectList(const ast::Select& q) {
    bool plain = false;
    for (const ast::SelectItem& item : q.items) {
      if (item.kind != ast::SelectItem::Kind::Expr) {
        if (item.kind == ast::SelectItem::Kind::TableStar &&
            !iequals(item.table.value, tableName_)) {
          return Status(1051, "42S02", "Unknown table '" + item.table.value + "'");
        }
        for (size_t i = 0; i < table_.columns.size(); ++i) {
          items_.push_back(Item{table_.columns[i].name, i, false});
        }
        plain = true;
        continue;
      }
      const ast::Expr& e = s_.expr(item.expr);
      std::string name = item.alias.empty() ? std::string(s_.text(item.span)) : item.alias.value;
      if (e.kind == ast::ExprKind::Function && e.aggregate == ast::AggregateKind::Count &&
          !e.over) {
        if (e.distinct) return unsupported("COUNT(DISTINCT ...)");
        size_t counted = kStar;
        if (!e.star) {
          if (e.args.size() != 1) return unsupported("this COUNT");
          const ast::Expr& arg = s_.expr(e.args[0]);
          if (arg.kind == ast::ExprKind::Literal && arg.literalType != ast::LiteralType::Null) {
            counted = kStar;  // COUNT(1): every row
          } else {
            auto c = columnOf(arg, "field list");
            if (!c) return c.status();
            counted = *c;
          }
        }
        items_.push_back(Item{std::move(name), counted, true});
        counting_ = true;
        continue;
      }
      auto c = columnOf(e, "field list");
      if (!c) return c.status();
      // Unaliased, the column is named as written (without quotes), as MySQL names it.
      if (item.alias.empty()) name = e.column.value;
      items_.push_back(Item{std::move(name), *c, false});
      plain = true;
    }
    if (counting_ && plain) return unsupported("COUNT together with columns (no GROUP BY)");
    return Status::ok();
  }

  bool constant(ast::ExprId id, std::optional<std::string>& out) const {
    return ast::constantText(s_, id, out);
  }

  // WHERE as the merger's predicate tree (HavingStream evaluates it with MySQL's three-valued
  // logic), `node` its root.
  Status predicate(ast::ExprId id, std::vector<merger::HavingStream::Node>& nodes, int depth) {
    using Node = merger::MergeSpec::HavingNode;
    if (depth > 64) return unsupported("a WHERE this deep");
    const ast::Expr& e = s_.expr(id);
    size_t at = nodes.size();
    nodes.emplace_back();
    if (e.kind == ast::ExprKind::BinaryOp &&
        (e.binaryOp == ast::BinaryOperator::And || e.binaryOp == ast::BinaryOperator::Or)) {
      nodes[at].spec.kind =
          e.binaryOp == ast::BinaryOperator::And ? Node::Kind::And : Node::Kind::Or;
      for (ast::ExprId arg : e.args) {
        uint32_t child = static_cast<uint32_t>(nodes.size());
        if (Status st = predicate(arg, nodes, depth + 1); !st) return st;
        nodes[at].spec.children.push_back(child);
      }
      return Status::ok();
    }
    if (e.kind == ast::ExprKind::UnaryOp && e.unaryOp == ast::UnaryOperator::Not) {
      nodes[at].spec.kind = Node::Kind::Not;
      uint32_t child = static_cast<uint32_t>(nodes.size());
      if (Status st = predicate(e.args[0], nodes, depth + 1); !st) return st;
      nodes[at].spec.children.push_back(child);
      return Status::ok();
    }
    merger::HavingStream::Node node;
    ast::ExprId operand = ast::kNone;
    if (e.kind == ast::ExprKind::BinaryOp && e.args.size() == 2 &&
        e.quantifier == ast::Quantifier::None) {
      static constexpr std::pair<ast::BinaryOperator, merger::CompareOp> kOps[] = {
          {ast::BinaryOperator::Eq, merger::CompareOp::Eq},
          {ast::BinaryOperator::NullSafeEq, merger::CompareOp::NullSafeEq},
          {ast::BinaryOperator::Ne, merger::CompareOp::Ne},
          {ast::BinaryOperator::Lt, merger::CompareOp::Lt},
          {ast::BinaryOperator::Le, merger::CompareOp::Le},
          {ast::BinaryOperator::Gt, merger::CompareOp::Gt},
          {ast::BinaryOperator::Ge, merger::CompareOp::Ge},
      };
      auto found = std::find_if(std::begin(kOps), std::end(kOps),
                                [&](const auto& op) { return op.first == e.binaryOp; });
      if (found == std::end(kOps)) return unsupported("this operator in WHERE");
      merger::CompareOp op = found->second;
      std::optional<std::string> value;
      operand = e.args[0];
      if (!constant(e.args[1], value)) {
        if (!constant(e.args[0], value)) return unsupported("a comparison of two expressions");
        operand = e.args[1];
        // 5 < x is x > 5.
        switch (op) {
          case merger::CompareOp::Lt:
            op = merger::CompareOp::Gt;
            break;
          case merger::CompareOp::Le:
            op = merger::CompareOp::Ge;
            break;
          case merger::CompareOp::Gt:
            op = merger::CompareOp::Lt;
            break;
          case merger::CompareOp::Ge:
            op = merger::CompareOp::Le;
            break;
          default:
            break;
        }
      }
      node.spec.kind = Node::Kind::Compare;
      node.spec.op = op;
      node.spec.constants.push_back(std::move(value));
    } else if (e.kind == ast::ExprKind::Between && e.args.size() == 3) {
      node.spec.kind = Node::Kind::Between;
      node.spec.negated = e.negated;
      operand = e.args[0];
      for (size_t i = 1; i < 3; ++i) {
        std::optional<std::string> value;
        if (!constant(e.args[i], value)) return unsupported("BETWEEN of expressions");
        node.spec.constants.push_back(std::move(value));
      }
    } else if (e.kind == ast::ExprKind::In && e.subquery == ast::kNone && e.args.size() >= 2) {
      node.spec.kind = Node::Kind::In;
      node.spec.negated = e.negated;
      operand = e.args[0];
      for (size_t i = 1; i < e.args.size(); ++i) {
        std::optional<std::string> value;
        if (!constant(e.args[i], value)) return unsupported("IN of expressions");
        node.spec.constants.push_back(std::move(value));
      }
    } else if (e.kind == ast::ExprKind::Is && e.isTest == ast::IsTest::Null) {
      node.spec.kind = Node::Kind::IsNull;
      node.spec.negated = e.negated;
      operand = e.args[0];
    } else {
      return unsupported("this condition in WHERE");
    }
    auto c = columnOf(s_.expr(operand), "where clause");
    if (!c) return c.status();
    node.column = *c;
    node.spec.column.label = table_.columns[*c].orgName;
    node.comparator = merger::ColumnComparator(infoOf(table_.columns[*c]));
    nodes[at] = std::move(node);
    return Status::ok();
  }

  struct Like {
    size_t column = 0;
    std::string pattern;
    bool negated = false;
  };

  // The conjuncts of `id` that are [NOT] LIKE of a column and a constant pattern go to `likes`;
  // the others to `rest`.
  Status conjuncts(ast::ExprId id, std::vector<Like>& likes, std::vector<ast::ExprId>& rest) {
    const ast::Expr& e = s_.expr(id);
    if (e.kind == ast::ExprKind::BinaryOp && e.binaryOp == ast::BinaryOperator::And) {
      for (ast::ExprId arg : e.args) {
        if (Status st = conjuncts(arg, likes, rest); !st) return st;
      }
      return Status::ok();
    }
    if (e.kind == ast::ExprKind::BinaryOp && e.binaryOp == ast::BinaryOperator::Like) {
      std::optional<std::string> pattern;
      if (e.escape != ast::kNone || e.args.size() != 2 || !constant(e.args[1], pattern)) {
        return unsupported("this LIKE");
      }
      auto c = columnOf(s_.expr(e.args[0]), "where clause");
      if (!c) return c.status();
      // LIKE NULL is unknown: no row.
      likes.push_back(Like{*c, pattern.value_or(std::string()), e.negated});
      if (!pattern) likes.back().column = kStar;
      return Status::ok();
    }
    rest.push_back(id);
    return Status::ok();
  }

  awaitable<Result<std::vector<merger::Row>>> where(const ast::Select& q) {
    std::vector<merger::Row> rows;
    if (q.where == ast::kNone) co_return table_.rows;
    std::vector<Like> likes;
    std::vector<ast::ExprId> rest;
    if (Status st = conjuncts(q.where, likes, rest); !st) co_return st;
    std::vector<merger::HavingStream::Node> nodes;
    if (!rest.empty()) {
      // The remaining conjuncts under one AND (or alone).
      if (rest.size() > 1) {
        nodes.emplace_back();
        nodes[0].spec.kind = merger::MergeSpec::HavingNode::Kind::And;
      }
      for (ast::ExprId id : rest) {
        uint32_t child = static_cast<uint32_t>(nodes.size());
        if (Status st = predicate(id, nodes, 1); !st) co_return st;
        if (rest.size() > 1) nodes[0].spec.children.push_back(child);
      }
    }
    std::unique_ptr<merger::RowStream> stream = std::make_unique<RowsStream>(table_.rows);
    if (!nodes.empty()) {
      stream = std::make_unique<merger::HavingStream>(std::move(stream), std::move(nodes));
    }
    merger::Row row;
    for (;;) {
      auto more = co_await stream->next(row);
      if (!more) co_return more.status();
      if (!*more) break;
      bool kept = true;
      for (const Like& like : likes) {
        if (like.column == kStar || row[like.column].null) {
          kept = false;
          break;
        }
        bool caseInsensitive = table_.columns[like.column].collation != protocol::kBinaryCollation;
        if (likeMatch(row[like.column].text, like.pattern, caseInsensitive) == like.negated) {
          kept = false;
          break;
        }
      }
      if (kept) rows.push_back(row);
    }
    co_return rows;
  }

  // The table column an ORDER BY item sorts by: a position or alias of the select list, or a
  // column of the table.
  Result<size_t> orderColumn(const ast::OrderItem& item) const {
    if (item.position > 0) {
      if (item.position > items_.size()) {
        return Status(1054, "42S22",
                      "Unknown column '" + std::to_string(item.position) + "' in 'order clause'");
      }
      return items_[item.position - 1].column;
    }
    const ast::Expr& e = s_.expr(item.expr);
    if (e.kind == ast::ExprKind::Column && e.table.empty()) {
      for (const Item& selected : items_) {
        if (iequals(selected.name, e.column.value)) return selected.column;
      }
    }
    return columnOf(e, "order clause");
  }

  Status orderBy(const ast::Select& q, std::vector<merger::Row>& rows) const {
    if (q.orderBy.empty()) return Status::ok();
    std::vector<merger::SortKey> keys;
    for (const ast::OrderItem& item : q.orderBy) {
      auto c = orderColumn(item);
      if (!c) return c.status();
      keys.push_back(
          merger::SortKey{*c, item.desc, merger::ColumnComparator(infoOf(table_.columns[*c]))});
    }
    merger::RowComparator order(std::move(keys));
    std::stable_sort(rows.begin(), rows.end(), merger::RowLess{&order});
    return Status::ok();
  }

  static void distinct(const std::vector<ColumnDefinition>& columns,
                       std::vector<merger::Row>& rows) {
    std::vector<merger::SortKey> keys;
    for (size_t i = 0; i < columns.size(); ++i) {
      keys.push_back(merger::SortKey{i, false, merger::ColumnComparator(infoOf(columns[i]))});
    }
    merger::RowComparator key(std::move(keys));
    std::set<merger::Row, merger::RowLess> seen(merger::RowLess{&key});
    std::vector<merger::Row> kept;
    for (merger::Row& r : rows) {
      if (seen.insert(r).second) kept.push_back(std::move(r));
    }
    rows = std::move(kept);
  }

  Result<uint64_t> limitValue(ast::ExprId id) const {
    const ast::Expr& e = s_.expr(id);
    uint64_t v = 0;
    if (e.kind != ast::ExprKind::Literal || e.literalType != ast::LiteralType::Integer) {
      return unsupported("this LIMIT");
    }
    auto [end, ec] = std::from_chars(e.value.data(), e.value.data() + e.value.size(), v);
    if (ec != std::errc() || end != e.value.data() + e.value.size()) v = UINT64_MAX;
    return v;
  }

  Status limit(const ast::Select& q, std::vector<merger::Row>& rows) const {
    if (!q.limit.present()) return Status::ok();
    auto count = limitValue(q.limit.count);
    if (!count) return count.status();
    uint64_t offset = 0;
    if (q.limit.offset != ast::kNone) {
      auto o = limitValue(q.limit.offset);
      if (!o) return o.status();
      offset = *o;
    }
    if (offset >= rows.size()) {
      rows.clear();
      return Status::ok();
    }
    rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(offset));
    if (*count < rows.size()) rows.resize(*count);
    return Status::ok();
  }

  const ast::Statement& s_;
  const SystemTable& table_;
  std::string tableName_;
  std::vector<Item> items_;
  bool counting_ = false;
};

}  // namespace

const std::vector<std::string>& systemTableNames() {
  static const std::vector<std::string> kNames = {std::string(kClusterInformation),
                                                  std::string(kShardingTableStatistics)};
  return kNames;
}

SystemTable systemTable(std::string_view name, std::string_view version,
                        const std::vector<ShardingTableStatistics>& statistics,
                        const std::function<bool(std::string_view)>& visible) {
  SystemTable t;
  if (iequals(name, kClusterInformation)) {
    t.name = std::string(kClusterInformation);
    t.columns.push_back(column(kClusterInformation, "version", ColumnType::kVarString));
    t.rows.push_back({cell(std::string(version))});
    return t;
  }
  t.name = std::string(kShardingTableStatistics);
  auto text = [](std::string_view c) {
    return column(kShardingTableStatistics, c, ColumnType::kVarString);
  };
  t.columns = {column(kShardingTableStatistics, "id", ColumnType::kLong),
               text("logic_database_name"),
               text("logic_table_name"),
               text("actual_database_name"),
               text("actual_table_name"),
               column(kShardingTableStatistics, "row_count", ColumnType::kNewDecimal),
               column(kShardingTableStatistics, "size", ColumnType::kNewDecimal)};
  for (const ShardingTableStatistics& r : statistics) {
    if (!visible(r.logicDatabase)) continue;
    t.rows.push_back({cell(std::to_string(r.id)), cell(r.logicDatabase), cell(r.logicTable),
                      cell(r.actualDatabase), cell(r.actualTable), cell(std::to_string(r.rowCount)),
                      cell(std::to_string(r.size))});
  }
  return t;
}

std::string selectedSystemTable(const ast::Statement& s) {
  if (s.kind != ast::StatementKind::Select) return {};
  const ast::Select& q = s.query(s.select);
  if (q.kind != ast::Select::Kind::Query) {
    // A set operation over them is refused by the evaluation: name any table it reads.
    for (const ast::ObjectName& o : s.objects) {
      if (o.kind == ast::ObjectName::Kind::Table) return o.name.value;
    }
    return {};
  }
  for (ast::TableRefId id : q.from) {
    const ast::TableRef& ref = s.tableRef(id);
    if (ref.kind == ast::TableRef::Kind::Table) return ref.name.value;
  }
  for (const ast::ObjectName& o : s.objects) {
    if (o.kind == ast::ObjectName::Kind::Table) return o.name.value;
  }
  return {};
}

awaitable<Result<SystemResult>> selectSystemTable(const ast::Statement& s,
                                                  const SystemTable& table) {
  SelectEvaluation evaluation(s, table);
  co_return co_await evaluation.run();
}

}  // namespace shardproxy::admin
