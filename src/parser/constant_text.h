// The text of a constant operand as the AST holds it, for the places that evaluate simple
// conditions themselves (the merger's HAVING, the system tables' WHERE).
#pragma once

#include <optional>
#include <string>

#include "parser/ast.h"

namespace shardproxy::parser::ast {

// A number or string literal, or a negated number: true with its text in `out` (nullopt for a
// NULL literal); false for anything else.
inline bool constantText(const Statement& s, ExprId id, std::optional<std::string>& out) {
  const Expr& e = s.expr(id);
  if (e.kind == ExprKind::UnaryOp && e.unaryOp == UnaryOperator::Minus) {
    const Expr& inner = s.expr(e.args[0]);
    if (inner.kind != ExprKind::Literal ||
        (inner.literalType != LiteralType::Integer && inner.literalType != LiteralType::Decimal)) {
      return false;
    }
    out = "-" + inner.value;
    return true;
  }
  if (e.kind != ExprKind::Literal) return false;
  switch (e.literalType) {
    case LiteralType::Integer:
    case LiteralType::Decimal:
    case LiteralType::String:
      out = e.value;
      return true;
    case LiteralType::Null:
      out.reset();
      return true;
    default:
      return false;
  }
}

}  // namespace shardproxy::parser::ast
