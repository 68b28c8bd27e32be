// INSERT and REPLACE: table, column list, VALUES rows (with their offsets, for splitting rows per
// shard), SET form, SELECT source, ON DUPLICATE KEY UPDATE.
#include "parser/transform.h"

namespace shardproxy::parser::ast {

std::vector<Assignment> Transformer::assignments(P::AssignmentListContext* ctx) {
  std::vector<Assignment> out;
  for (auto* a : ctx->assignment()) {
    Assignment assignment;
    assignment.span = span(a);
    assignment.column = columnRef(a->columnRef());
    assignment.value = expr(a->expr());
    out.push_back(assignment);
  }
  return out;
}

void Transformer::insertSource(P::InsertSourceContext* ctx) {
  InsertStatement& insert = out_.insert;
  if (auto* cols = ctx->columnRefList()) {
    insert.columnsSpan = span(cols);
    for (auto* col : cols->columnRef()) {
      ExprId id = columnRef(col);
      out_.insert.columns.push_back(id);
    }
  }
  if (ctx->rowValues() != nullptr) {
    out_.insert.source = InsertStatement::Source::Values;
    out_.insert.valuesSpan = span(ctx->rowValues());
    for (auto* row : ctx->rowValues()->rowValue()) {
      ValueRow values;
      values.span = span(row);
      for (auto* item : row->expr()) {
        values.values.push_back(expr(item));
      }
      out_.insert.rows.push_back(std::move(values));
    }
  } else if (ctx->assignmentList() != nullptr) {
    out_.insert.source = InsertStatement::Source::Set;
    auto set = assignments(ctx->assignmentList());
    out_.insert.set = std::move(set);
  } else {
    out_.insert.source = InsertStatement::Source::Select;
    SelectId id = queryExpression(ctx->queryExpression());
    out_.insert.select = id;
  }
}

void Transformer::insertStatement(P::InsertStatementContext* ctx) {
  out_.kind = StatementKind::Insert;
  out_.insert.ignore = ctx->IGNORE() != nullptr;
  out_.insert.table = tableName(ctx->tableName(), nullptr);
  insertSource(ctx->insertSource());
  if (auto* dup = ctx->onDuplicateKeyUpdate()) {
    out_.insert.onDuplicateSpan = span(dup);
    auto set = assignments(dup->assignmentList());
    out_.insert.onDuplicate = std::move(set);
  }
}

void Transformer::replaceStatement(P::ReplaceStatementContext* ctx) {
  out_.kind = StatementKind::Replace;
  out_.insert.table = tableName(ctx->tableName(), nullptr);
  insertSource(ctx->insertSource());
}

}  // namespace shardproxy::parser::ast
