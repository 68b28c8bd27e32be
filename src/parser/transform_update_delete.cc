// UPDATE and DELETE, single- and multi-table.
#include "parser/transform.h"

namespace shardproxy::parser::ast {

void Transformer::updateStatement(P::UpdateStatementContext* ctx) {
  out_.kind = StatementKind::Update;
  out_.update.ignore = ctx->IGNORE() != nullptr;
  auto tables = tableReferences(ctx->tableReferences());
  out_.update.tables = std::move(tables);
  auto set = assignments(ctx->assignmentList());
  out_.update.set = std::move(set);
  if (ctx->whereClause() != nullptr) {
    ExprId where = expr(ctx->whereClause()->expr());
    out_.update.where = where;
  }
  if (ctx->orderByClause() != nullptr) {
    auto items = orderItems(ctx->orderByClause()->orderItem());
    out_.update.orderBy = std::move(items);
  }
  if (ctx->limitClause() != nullptr) {
    Limit limit = limitClause(ctx->limitClause());
    out_.update.limit = limit;
  }
}

void Transformer::deleteStatement(P::DeleteStatementContext* ctx) {
  out_.kind = StatementKind::Delete;
  for (auto* option : ctx->getRuleContexts<P::DeleteOptionContext>()) {
    if (option->IGNORE() != nullptr) {
      out_.del.ignore = true;
    }
  }
  P::WhereClauseContext* where = nullptr;
  if (auto* single = dynamic_cast<P::SingleTableDeleteContext*>(ctx)) {
    TableRefId t = tableName(single->tableName(), single->alias());
    out_.del.tables.push_back(t);
    where = single->whereClause();
    if (single->orderByClause() != nullptr) {
      auto items = orderItems(single->orderByClause()->orderItem());
      out_.del.orderBy = std::move(items);
    }
    if (single->limitClause() != nullptr) {
      Limit limit = limitClause(single->limitClause());
      out_.del.limit = limit;
    }
    if (where != nullptr) {
      ExprId w = expr(where->expr());
      out_.del.where = w;
    }
    return;
  }
  out_.del.multiTable = true;
  std::vector<P::DeleteTargetContext*> targets;
  P::TableReferencesContext* refs = nullptr;
  if (auto* multi = dynamic_cast<P::MultiTableDeleteContext*>(ctx)) {
    targets = multi->deleteTarget();
    refs = multi->tableReferences();
    where = multi->whereClause();
  } else {
    auto* using_ = static_cast<P::MultiTableDeleteUsingContext*>(ctx);
    targets = using_->deleteTarget();
    refs = using_->tableReferences();
    where = using_->whereClause();
  }
  for (auto* target : targets) {
    TableRef t;
    t.kind = TableRef::Kind::Table;
    t.span = span(target);
    if (target->identifierAfterDot() != nullptr) {
      t.schema = name(target->identifier());
      t.name = name(target->identifierAfterDot());
    } else {
      t.name = name(target->identifier());
    }
    TableRefId id = addTable(std::move(t));
    out_.del.targets.push_back(id);
  }
  auto tables = tableReferences(refs);
  out_.del.tables = std::move(tables);
  if (where != nullptr) {
    ExprId w = expr(where->expr());
    out_.del.where = w;
  }
}

}  // namespace shardproxy::parser::ast
