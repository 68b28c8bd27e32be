// SELECT: query expressions, query blocks, table references, GROUP BY / ORDER BY / LIMIT.
#include <charconv>

#include "parser/transform.h"

namespace shardproxy::parser::ast {

SelectId Transformer::addSelect(Select s) {
  out_.selects.push_back(std::move(s));
  return static_cast<SelectId>(out_.selects.size() - 1);
}

TableRefId Transformer::addTable(TableRef t) {
  out_.tableRefs.push_back(std::move(t));
  return static_cast<TableRefId>(out_.tableRefs.size() - 1);
}

LockKind Transformer::lockKind(P::LockingClauseContext* ctx) {
  if (ctx->LOCK() != nullptr) {
    return LockKind::LockInShareMode;
  }
  return ctx->UPDATE() != nullptr ? LockKind::ForUpdate : LockKind::ForShare;
}

SelectId Transformer::selectStatement(P::SelectStatementContext* ctx) {
  SelectId id = queryExpression(ctx->queryExpression());
  auto locks = ctx->lockingClause();
  if (!locks.empty()) {
    out_.selects[id].lock = lockKind(locks.front());
  }
  return id;
}

std::vector<Cte> Transformer::withClause(P::WithClauseContext* ctx) {
  std::vector<Cte> ctes;
  for (auto* c : ctx->commonTableExpression()) {
    Cte cte;
    cte.span = span(c);
    cte.name = name(c->identifier());
    if (c->identifierList() != nullptr) {
      for (auto* col : c->identifierList()->identifier()) {
        cte.columns.push_back(name(col));
      }
    }
    cte.query = queryExpression(c->queryExpression());
    ctes.push_back(std::move(cte));
  }
  return ctes;
}

SelectId Transformer::queryExpression(P::QueryExpressionContext* ctx) {
  Guard guard(*this);
  std::vector<Cte> ctes;
  if (ctx->withClause() != nullptr) {
    ctes = withClause(ctx->withClause());
  }
  SelectId id = queryBody(ctx->queryBody());
  bool hasOuter = ctx->orderByClause() != nullptr || ctx->limitClause() != nullptr;
  if (hasOuter || !ctes.empty()) {
    Select* s = &out_.selects[id];
    // A parenthesised query keeps its own ORDER BY / LIMIT: wrap it so the outer ones apply to
    // the result, as for a compound.
    bool innerHasOwn = s->kind != Select::Kind::Compound &&
                       (!s->orderBy.empty() || s->limit.present() || !s->with.empty());
    if (innerHasOwn ||
        (s->kind == Select::Kind::Compound && (!s->orderBy.empty() || s->limit.present()))) {
      Select wrap;
      wrap.kind = Select::Kind::Compound;
      wrap.operands = {id};
      id = addSelect(std::move(wrap));
      s = &out_.selects[id];
    }
    s->span = span(ctx);
    if (ctx->withClause() != nullptr) {
      s->recursive = ctx->withClause()->RECURSIVE() != nullptr;
    }
    s->with = std::move(ctes);
    if (ctx->orderByClause() != nullptr) {
      auto items = orderItems(ctx->orderByClause()->orderItem());
      out_.selects[id].orderBy = std::move(items);
    }
    if (ctx->limitClause() != nullptr) {
      Limit limit = limitClause(ctx->limitClause());
      out_.selects[id].limit = limit;
    }
  }
  return id;
}

SelectId Transformer::queryBody(P::QueryBodyContext* ctx) {
  Guard guard(*this);
  std::vector<P::QueryBodyContext*> spine;
  P::QueryBodyContext* cur = ctx;
  while (cur->queryPrimary() == nullptr) {
    spine.push_back(cur);
    cur = cur->queryBody(0);
  }
  SelectId acc = queryPrimary(cur->queryPrimary());
  SelectId merged = kNone;
  for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
    P::QueryBodyContext* node = *it;
    bool all = node->setQuantifier() != nullptr && node->setQuantifier()->ALL() != nullptr;
    SetOp op = node->INTERSECT() != nullptr ? (all ? SetOp::IntersectAll : SetOp::Intersect)
               : node->EXCEPT() != nullptr  ? (all ? SetOp::ExceptAll : SetOp::Except)
                                            : (all ? SetOp::UnionAll : SetOp::Union);
    SelectId right = queryBody(node->queryBody(1));
    if (merged == kNone) {
      Select compound;
      compound.kind = Select::Kind::Compound;
      compound.operands = {acc};
      merged = addSelect(std::move(compound));
    }
    Select& c = out_.selects[merged];
    c.operands.push_back(right);
    c.setOps.push_back(op);
    c.span = span(node);
    acc = merged;
  }
  return acc;
}

SelectId Transformer::queryPrimary(P::QueryPrimaryContext* ctx) {
  if (ctx->querySpecification() != nullptr) {
    return querySpecification(ctx->querySpecification());
  }
  if (ctx->queryExpression() != nullptr) {
    SelectId id = queryExpression(ctx->queryExpression());
    auto locks = ctx->lockingClause();
    if (!locks.empty()) {
      out_.selects[id].lock = lockKind(locks.front());
    }
    return id;
  }
  Select s;
  s.span = span(ctx);
  if (ctx->TABLE() != nullptr) {
    s.kind = Select::Kind::Table;
    s.table = tableName(ctx->tableName(), nullptr);
  } else {
    s.kind = Select::Kind::Values;
    for (auto* row : ctx->rowConstructor()) {
      Expr e;
      e.kind = ExprKind::Row;
      e.span = span(row);
      if (row->exprList() != nullptr) {
        for (auto* item : row->exprList()->expr()) {
          e.args.push_back(expr(item));
        }
      }
      s.rows.push_back(add(std::move(e)));
    }
  }
  return addSelect(std::move(s));
}

SelectId Transformer::querySpecification(P::QuerySpecificationContext* ctx) {
  Select s;
  s.kind = Select::Kind::Query;
  s.span = span(ctx);
  // One pass over the children (the generated accessors each rescan them with dynamic_cast).
  P::SelectItemsContext* items = nullptr;
  P::FromClauseContext* from = nullptr;
  P::WhereClauseContext* where = nullptr;
  P::GroupByClauseContext* groupBy = nullptr;
  P::HavingClauseContext* having = nullptr;
  for (auto* child : ctx->children) {
    auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(child);
    if (rule == nullptr) {
      continue;
    }
    switch (rule->getRuleIndex()) {
      case P::RuleSelectOption: {
        size_t type = rule->getStart()->getType();
        if (type == gen::MySqlLexer::DISTINCT || type == gen::MySqlLexer::DISTINCTROW) {
          s.distinct = true;
        }
        break;
      }
      case P::RuleSelectItems:
        items = static_cast<P::SelectItemsContext*>(rule);
        break;
      case P::RuleFromClause:
        from = static_cast<P::FromClauseContext*>(rule);
        break;
      case P::RuleWhereClause:
        where = static_cast<P::WhereClauseContext*>(rule);
        break;
      case P::RuleGroupByClause:
        groupBy = static_cast<P::GroupByClauseContext*>(rule);
        break;
      case P::RuleHavingClause:
        having = static_cast<P::HavingClauseContext*>(rule);
        break;
      default:
        break;  // INTO, WINDOW
    }
  }
  for (auto* item : items->selectItem()) {
    SelectItem si;
    si.span = span(item);
    if (dynamic_cast<P::AllColumnsContext*>(item) != nullptr) {
      si.kind = SelectItem::Kind::Star;
    } else if (auto* tw = dynamic_cast<P::TableWildcardContext*>(item)) {
      si.kind = SelectItem::Kind::TableStar;
      if (tw->identifierAfterDot() != nullptr) {
        si.schema = name(tw->identifier());
        si.table = name(tw->identifierAfterDot());
      } else {
        si.table = name(tw->identifier());
      }
    } else {
      auto* ei = static_cast<P::SelectExprItemContext*>(item);
      si.kind = SelectItem::Kind::Expr;
      si.expr = expr(static_cast<P::ExprContext*>(ei->children[0]));
      if (ei->children.size() > 1) {
        si.alias = name(static_cast<antlr4::ParserRuleContext*>(ei->children.back()));
      }
    }
    s.items.push_back(std::move(si));
  }
  if (from != nullptr && from->tableReferences() != nullptr) {
    s.from = tableReferences(from->tableReferences());
  }
  if (where != nullptr) {
    s.where = expr(static_cast<P::ExprContext*>(where->children[1]));
  }
  if (groupBy != nullptr) {
    s.groupBy = orderItems(groupBy->orderItem());
    s.withRollup = groupBy->ROLLUP() != nullptr;
  }
  if (having != nullptr) {
    s.having = expr(static_cast<P::ExprContext*>(having->children[1]));
  }
  return addSelect(std::move(s));
}

std::vector<OrderItem> Transformer::orderItems(const std::vector<P::OrderItemContext*>& items) {
  std::vector<OrderItem> out;
  out.reserve(items.size());
  for (auto* item : items) {
    OrderItem o;
    o.span = span(item);
    o.expr = expr(item->expr());
    o.desc = item->DESC() != nullptr;
    o.explicitDirection = o.desc || item->ASC() != nullptr;
    const Expr& e = out_.exprs[o.expr];
    if (e.kind == ExprKind::Literal && e.literalType == LiteralType::Integer) {
      uint32_t position = 0;
      auto [ptr, ec] = std::from_chars(e.value.data(), e.value.data() + e.value.size(), position);
      if (ec == std::errc() && ptr == e.value.data() + e.value.size()) {
        o.position = position;
      }
    }
    out.push_back(o);
  }
  return out;
}

Limit Transformer::limitClause(P::LimitClauseContext* ctx) {
  Limit limit;
  limit.span = span(ctx);
  auto value = [&](P::LimitValueContext* v) -> ExprId {
    if (v->DECIMAL_LITERAL() != nullptr) {
      return integerLiteral(v->DECIMAL_LITERAL());
    }
    if (v->PARAM_MARKER() != nullptr) {
      return paramMarker(v->PARAM_MARKER());
    }
    Expr e;
    e.kind = ExprKind::Column;
    e.span = span(v);
    e.column = name(v->identifier());
    return add(std::move(e));
  };
  auto values = ctx->limitValue();
  ExprId first = value(values[0]);
  if (values.size() == 1) {
    limit.count = first;
  } else if (ctx->COMMA() != nullptr) {  // LIMIT offset, count
    limit.offset = first;
    limit.count = value(values[1]);
  } else {  // LIMIT count OFFSET offset
    limit.count = first;
    limit.offset = value(values[1]);
  }
  return limit;
}

std::vector<TableRefId> Transformer::tableReferences(P::TableReferencesContext* ctx) {
  std::vector<TableRefId> out;
  for (auto* ref : ctx->tableReference()) {
    out.push_back(tableReference(ref));
  }
  return out;
}

TableRefId Transformer::tableReference(P::TableReferenceContext* ctx) {
  Guard guard(*this);
  if (ctx->tableFactor() == nullptr) {  // ODBC { OJ ... }
    TableRef t;
    t.kind = TableRef::Kind::Other;
    t.span = span(ctx);
    t.members = {tableReference(ctx->tableReference())};
    return addTable(std::move(t));
  }
  TableRefId acc = tableFactor(ctx->tableFactor());
  for (auto* j : ctx->joinedTable()) {
    TableRef t;
    t.kind = TableRef::Kind::Join;
    t.span = Span{out_.tableRefs[acc].span.begin, span(j).end};
    t.left = acc;
    t.right = tableFactor(j->tableFactor());
    if (j->NATURAL() != nullptr) {
      t.joinType = j->LEFT() != nullptr    ? JoinType::NaturalLeft
                   : j->RIGHT() != nullptr ? JoinType::NaturalRight
                                           : JoinType::Natural;
    } else if (j->STRAIGHT_JOIN() != nullptr) {
      t.joinType = JoinType::Straight;
    } else if (j->LEFT() != nullptr) {
      t.joinType = JoinType::Left;
    } else if (j->RIGHT() != nullptr) {
      t.joinType = JoinType::Right;
    } else if (j->CROSS() != nullptr) {
      t.joinType = JoinType::Cross;
    }
    if (j->expr() != nullptr) {
      t.on = expr(j->expr());
    } else if (auto* spec = j->joinSpecification()) {
      if (spec->expr() != nullptr) {
        t.on = expr(spec->expr());
      } else {
        for (auto* col : spec->identifierList()->identifier()) {
          t.usingColumns.push_back(name(col));
        }
      }
    }
    acc = addTable(std::move(t));
  }
  return acc;
}

TableRefId Transformer::tableName(P::TableNameContext* ctx, P::AliasContext* alias) {
  TableRef t;
  t.kind = TableRef::Kind::Table;
  t.span = span(ctx);
  // identifier (DOT identifierAfterDot)?
  const auto& c = ctx->children;
  if (c.size() == 3) {
    t.schema = name(static_cast<antlr4::ParserRuleContext*>(c[0]));
    t.name = name(static_cast<antlr4::ParserRuleContext*>(c[2]));
  } else {
    t.name = name(static_cast<antlr4::ParserRuleContext*>(c[0]));
  }
  if (alias != nullptr) {
    t.alias = name(alias);
  }
  return addTable(std::move(t));
}

TableRefId Transformer::tableFactor(P::TableFactorContext* ctx) {
  Guard guard(*this);
  auto* first = dynamic_cast<P::TableNameContext*>(ctx->children[0]);
  if (first != nullptr) {
    // tableName partitionNames? (AS? alias)? indexHint*
    P::AliasContext* alias = nullptr;
    for (size_t i = 1; i < ctx->children.size(); ++i) {
      auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(ctx->children[i]);
      if (rule != nullptr && rule->getRuleIndex() == P::RuleAlias) {
        alias = static_cast<P::AliasContext*>(rule);
      }
    }
    TableRefId id = tableName(first, alias);
    out_.tableRefs[id].span = span(ctx);
    return id;
  }
  TableRef t;
  t.span = span(ctx);
  if (ctx->queryExpression() != nullptr) {
    t.kind = TableRef::Kind::Derived;
    t.lateral = ctx->LATERAL() != nullptr;
    t.subquery = queryExpression(ctx->queryExpression());
    if (ctx->alias() != nullptr) {
      t.alias = name(ctx->alias());
    }
  } else if (ctx->tableReferences() != nullptr) {
    t.kind = TableRef::Kind::Other;
    t.members = tableReferences(ctx->tableReferences());
  } else {
    t.kind = TableRef::Kind::Other;  // JSON_TABLE
    if (ctx->alias() != nullptr) {
      t.alias = name(ctx->alias());
    }
  }
  return addTable(std::move(t));
}

}  // namespace shardproxy::parser::ast
