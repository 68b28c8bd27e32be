// Expressions: parse tree -> ast::Expr. Left-recursive operator rules (expr, boolPrimary,
// bitExpr, simpleExpr's COLLATE / -> chains) are walked iteratively down their left spine, so a
// 100,000-term `a + a + ...` costs no recursion; runs of the same operator become one n-ary node.
#include <algorithm>
#include <cctype>
#include <typeinfo>

#include "parser/literals.h"
#include "parser/transform.h"

namespace shardproxy::parser::ast {
namespace {

using L = gen::MySqlLexer;

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

BinaryOperator comparisonOp(size_t tokenType) {
  switch (tokenType) {
    case L::EQ:
      return BinaryOperator::Eq;
    case L::NULL_SAFE_EQ:
      return BinaryOperator::NullSafeEq;
    case L::GE:
      return BinaryOperator::Ge;
    case L::GT:
      return BinaryOperator::Gt;
    case L::LE:
      return BinaryOperator::Le;
    case L::LT:
      return BinaryOperator::Lt;
    default:
      return BinaryOperator::Ne;  // NE, NE2
  }
}

BinaryOperator bitOp(size_t tokenType) {
  switch (tokenType) {
    case L::BIT_XOR:
      return BinaryOperator::BitXor;
    case L::STAR:
      return BinaryOperator::Mul;
    case L::SLASH:
      return BinaryOperator::Div;
    case L::DIV:
      return BinaryOperator::IntDiv;
    case L::PERCENT:
    case L::MOD:
      return BinaryOperator::Mod;
    case L::PLUS:
      return BinaryOperator::Add;
    case L::MINUS:
      return BinaryOperator::Sub;
    case L::SHIFT_LEFT:
      return BinaryOperator::ShiftLeft;
    case L::SHIFT_RIGHT:
      return BinaryOperator::ShiftRight;
    case L::BIT_AND:
      return BinaryOperator::BitAnd;
    default:
      return BinaryOperator::BitOr;
  }
}

// Exact-type test for the generated contexts of labelled alternatives (leaf classes only, never
// a base such as ExprContext). Compares type_info addresses: the generated classes have a key
// function (defined in MySqlParser.cpp, linked once), so each has exactly one type_info object.
// dynamic_cast (and type_info::operator==, which strcmp's names when they differ) dominated the
// build time.
template <typename T>
T* as(antlr4::tree::ParseTree* tree) {
  return tree != nullptr && &typeid(*tree) == &typeid(T) ? static_cast<T*>(tree) : nullptr;
}

size_t tokenTypeAt(antlr4::ParserRuleContext* ctx, size_t child) {
  auto* node = dynamic_cast<antlr4::tree::TerminalNode*>(ctx->children[child]);
  return node != nullptr ? node->getSymbol()->getType() : 0;
}

AggregateKind aggregateKind(std::string_view name) {
  static const std::pair<const char*, AggregateKind> kAggregates[] = {
      {"COUNT", AggregateKind::Count},
      {"SUM", AggregateKind::Sum},
      {"MIN", AggregateKind::Min},
      {"MAX", AggregateKind::Max},
      {"AVG", AggregateKind::Avg},
      {"GROUP_CONCAT", AggregateKind::GroupConcat},
      {"BIT_AND", AggregateKind::BitAnd},
      {"BIT_OR", AggregateKind::BitOr},
      {"BIT_XOR", AggregateKind::BitXor},
      {"STD", AggregateKind::Std},
      {"STDDEV", AggregateKind::Stddev},
      {"STDDEV_POP", AggregateKind::StddevPop},
      {"STDDEV_SAMP", AggregateKind::StddevSamp},
      {"VARIANCE", AggregateKind::Variance},
      {"VAR_POP", AggregateKind::VarPop},
      {"VAR_SAMP", AggregateKind::VarSamp},
      {"JSON_ARRAYAGG", AggregateKind::JsonArrayAgg},
      {"JSON_OBJECTAGG", AggregateKind::JsonObjectAgg},
  };
  if (name.size() > 14) {
    return AggregateKind::None;
  }
  std::string up = upper(name);
  for (const auto& [n, kind] : kAggregates) {
    if (up == n) {
      return kind;
    }
  }
  return AggregateKind::None;
}

}  // namespace

Status tooComplex() { return makeError(er::kUnknownError, "statement too complex"); }

Transformer::Guard::Guard(Transformer& t) : t_(t) {
  if (++t_.recursion_ > kMaxBuildRecursion) {
    --t_.recursion_;
    throw BuildError{tooComplex()};
  }
}

ExprId Transformer::add(Expr e) {
  uint32_t depth = 0;
  for (ExprId a : e.args) {
    depth = std::max(depth, out_.exprs[a].depth);
  }
  if (e.escape != kNone) {
    depth = std::max(depth, out_.exprs[e.escape].depth);
  }
  e.depth = depth + 1;
  if (e.depth > kMaxExprDepth) {
    throw BuildError{tooComplex()};
  }
  out_.exprs.push_back(std::move(e));
  return static_cast<ExprId>(out_.exprs.size() - 1);
}

ExprId Transformer::other(antlr4::ParserRuleContext* ctx) {
  Expr e;
  e.kind = ExprKind::Other;
  e.span = span(ctx);
  return add(std::move(e));
}

// Folds `right` into `acc` with `op`: appends to the node made by the previous step when it has
// the same operator, otherwise makes a new node. `merged` is the node this fold made last.
static ExprId foldBinary(Transformer& t, Statement& out, ExprId acc, ExprId& merged,
                         BinaryOperator op, ExprId right, Span whole) {
  if (merged != kNone && merged == acc && out.exprs[acc].binaryOp == op &&
      out.exprs[acc].kind == ExprKind::BinaryOp && out.exprs[acc].quantifier == Quantifier::None) {
    Expr& node = out.exprs[acc];
    node.args.push_back(right);
    node.span.end = whole.end;
    node.depth = std::max(node.depth, out.exprs[right].depth + 1);
    if (node.depth > kMaxExprDepth) {
      throw BuildError{tooComplex()};
    }
    return acc;
  }
  Expr e;
  e.kind = ExprKind::BinaryOp;
  e.binaryOp = op;
  e.span = whole;
  e.args = {acc, right};
  merged = t.add(std::move(e));
  return merged;
}

ExprId Transformer::expr(P::ExprContext* ctx) {
  Guard guard(*this);
  std::vector<P::ExprContext*> spine;
  P::ExprContext* cur = ctx;
  while (as<P::AndExprContext>(cur) != nullptr || as<P::XorExprContext>(cur) != nullptr ||
         as<P::OrExprContext>(cur) != nullptr) {
    spine.push_back(cur);
    cur = static_cast<P::ExprContext*>(cur->children[0]);
  }
  ExprId acc;
  if (auto* n = as<P::NotExprContext>(cur)) {
    Expr e;
    e.kind = ExprKind::UnaryOp;
    e.unaryOp = UnaryOperator::Not;
    e.span = span(n);
    e.args = {expr(n->expr())};
    acc = add(std::move(e));
  } else {
    acc = boolPrimary(static_cast<P::BoolPrimaryContext*>(cur->children[0]));
  }
  ExprId merged = kNone;
  for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
    P::ExprContext* node = *it;
    BinaryOperator op = as<P::AndExprContext>(node) != nullptr   ? BinaryOperator::And
                        : as<P::XorExprContext>(node) != nullptr ? BinaryOperator::Xor
                                                                 : BinaryOperator::Or;
    ExprId right = expr(static_cast<P::ExprContext*>(node->children[2]));
    acc = foldBinary(*this, out_, acc, merged, op, right, span(node));
  }
  return acc;
}

ExprId Transformer::boolPrimary(P::BoolPrimaryContext* ctx) {
  Guard guard(*this);
  std::vector<P::BoolPrimaryContext*> spine;
  P::BoolPrimaryContext* cur = ctx;
  while (as<P::PredicatePrimaryContext>(cur) == nullptr) {
    spine.push_back(cur);
    cur = static_cast<P::BoolPrimaryContext*>(cur->children[0]);
  }
  ExprId acc = predicate(static_cast<P::PredicateContext*>(cur->children[0]));
  ExprId merged = kNone;
  for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
    if (auto* is = as<P::IsPrimaryContext>(*it)) {
      Expr e;
      e.kind = ExprKind::Is;
      e.span = span(is);
      e.negated = is->NOT() != nullptr;
      e.isTest = is->NULL_SYM() != nullptr    ? IsTest::Null
                 : is->TRUE_SYM() != nullptr  ? IsTest::True
                 : is->FALSE_SYM() != nullptr ? IsTest::False
                                              : IsTest::Unknown;
      e.args = {acc};
      acc = add(std::move(e));
    } else if (auto* q = as<P::QuantifiedComparisonContext>(*it)) {
      Expr e;
      e.kind = ExprKind::BinaryOp;
      e.binaryOp = comparisonOp(q->comparisonOperator()->getStart()->getType());
      e.quantifier = q->ALL() != nullptr ? Quantifier::All : Quantifier::Any;
      e.span = span(q);
      e.args = {acc, subquery(q->queryExpression(),
                              span(q->LPAREN()->getSymbol(), q->RPAREN()->getSymbol()))};
      acc = add(std::move(e));
    } else {
      // boolPrimary comparisonOperator predicate
      auto* c = *it;
      ExprId right = predicate(static_cast<P::PredicateContext*>(c->children[2]));
      acc = foldBinary(
          *this, out_, acc, merged,
          comparisonOp(
              static_cast<antlr4::ParserRuleContext*>(c->children[1])->getStart()->getType()),
          right, span(c));
    }
  }
  return acc;
}

ExprId Transformer::predicate(P::PredicateContext* ctx) {
  Guard guard(*this);
  ExprId x = bitExpr(static_cast<P::BitExprContext*>(ctx->children[0]));
  if (ctx->children.size() < 2) {
    return x;
  }
  auto* op = static_cast<P::PredicateOperationContext*>(ctx->children[1]);
  Expr e;
  e.span = span(ctx);
  if (auto* in = as<P::InPredicateContext>(op)) {
    e.kind = ExprKind::In;
    e.negated = in->NOT() != nullptr;
    e.args = {x};
    if (in->queryExpression() != nullptr) {
      e.subquery = queryExpression(in->queryExpression());
    } else {
      for (auto* item : in->exprList()->expr()) {
        e.args.push_back(expr(item));
      }
    }
  } else if (auto* between = as<P::BetweenPredicateContext>(op)) {
    e.kind = ExprKind::Between;
    e.negated = between->NOT() != nullptr;
    e.args = {x, bitExpr(between->bitExpr()), predicate(between->predicate())};
  } else if (auto* sounds = as<P::SoundsLikePredicateContext>(op)) {
    e.kind = ExprKind::BinaryOp;
    e.binaryOp = BinaryOperator::SoundsLike;
    e.args = {x, bitExpr(sounds->bitExpr())};
  } else if (auto* like = as<P::LikePredicateContext>(op)) {
    e.kind = ExprKind::BinaryOp;
    e.binaryOp = BinaryOperator::Like;
    e.negated = like->NOT() != nullptr;
    e.args = {x, bitExpr(like->bitExpr())};
    if (like->simpleExpr() != nullptr) {
      e.escape = simpleExpr(like->simpleExpr());
    }
  } else if (auto* regexp = as<P::RegexpPredicateContext>(op)) {
    e.kind = ExprKind::BinaryOp;
    e.binaryOp = BinaryOperator::Regexp;
    e.negated = regexp->NOT() != nullptr;
    e.args = {x, bitExpr(regexp->bitExpr())};
  } else {  // MEMBER OF
    e.kind = ExprKind::Other;
    e.args = {x};
  }
  return add(std::move(e));
}

ExprId Transformer::bitExpr(P::BitExprContext* ctx) {
  Guard guard(*this);
  std::vector<P::BitExprContext*> spine;
  P::BitExprContext* cur = ctx;
  while (as<P::SimpleBitExprContext>(cur) == nullptr) {
    spine.push_back(cur);
    cur = static_cast<P::BitExprContext*>(cur->children[0]);
  }
  ExprId acc = simpleExpr(static_cast<P::SimpleExprContext*>(cur->children[0]));
  ExprId merged = kNone;
  for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
    P::BitExprContext* node = *it;
    BinaryOperator op = bitOp(tokenTypeAt(node, 1));
    ExprId right;
    if (auto* interval = as<P::IntervalAddExprContext>(node)) {
      Expr iv;
      iv.kind = ExprKind::Interval;
      iv.span = span(interval->INTERVAL()->getSymbol(), interval->intervalUnit()->getStop());
      iv.name = upper(textOf(interval->intervalUnit()));
      iv.args = {expr(interval->expr())};
      right = add(std::move(iv));
    } else {
      right = bitExpr(static_cast<P::BitExprContext*>(node->children[2]));
    }
    acc = foldBinary(*this, out_, acc, merged, op, right, span(node));
  }
  return acc;
}

ExprId Transformer::subquery(P::QueryExpressionContext* ctx, Span parenthesised) {
  Expr e;
  e.kind = ExprKind::Subquery;
  e.span = parenthesised;
  e.subquery = queryExpression(ctx);
  return add(std::move(e));
}

ExprId Transformer::simpleExpr(P::SimpleExprContext* ctx) {
  Guard guard(*this);
  // Left-recursive postfix forms: `x COLLATE c`, `x -> '$.a'`.
  std::vector<P::SimpleExprContext*> spine;
  P::SimpleExprContext* cur = ctx;
  while (as<P::CollateExprContext>(cur) != nullptr ||
         as<P::JsonExtractExprContext>(cur) != nullptr) {
    spine.push_back(cur);
    cur = static_cast<P::SimpleExprContext*>(cur->children[0]);
  }
  ExprId acc = kNone;
  Expr e;
  e.span = span(cur);
  if (auto* lit = as<P::LiteralExprContext>(cur)) {
    acc = literal(lit->literal());
  } else if (auto* pm = as<P::ParamMarkerExprContext>(cur)) {
    acc = paramMarker(pm->PARAM_MARKER());
  } else if (auto* assign = as<P::AssignExprContext>(cur)) {
    Expr var;
    var.kind = ExprKind::Variable;
    var.span = span(assign->USER_VARIABLE());
    var.name = assign->USER_VARIABLE()->getText();
    ExprId v = add(std::move(var));
    e.kind = ExprKind::BinaryOp;
    e.binaryOp = BinaryOperator::Assign;
    e.args = {v, expr(assign->expr())};
    acc = add(std::move(e));
  } else if (auto* var = as<P::VariableExprContext>(cur)) {
    e.kind = ExprKind::Variable;
    e.name = var->getText();
    e.systemVariable = var->variable()->SYSTEM_VARIABLE() != nullptr;
    acc = add(std::move(e));
  } else if (auto* fn = as<P::FunctionCallExprContext>(cur)) {
    acc = functionCall(fn->functionCall());
  } else if (auto* col = as<P::ColumnRefExprContext>(cur)) {
    acc = columnRef(col->columnRef());
  } else if (auto* unary = as<P::UnaryExprContext>(cur)) {
    e.kind = ExprKind::UnaryOp;
    size_t type = tokenTypeAt(unary, 0);
    e.unaryOp = type == L::MINUS  ? UnaryOperator::Minus
                : type == L::PLUS ? UnaryOperator::Plus
                                  : UnaryOperator::BitNot;
    e.args = {simpleExpr(unary->simpleExpr())};
    acc = add(std::move(e));
  } else if (auto* lnot = as<P::LogicalNotExprContext>(cur)) {
    e.kind = ExprKind::UnaryOp;
    e.unaryOp = UnaryOperator::Not;
    e.args = {simpleExpr(lnot->simpleExpr())};
    acc = add(std::move(e));
  } else if (auto* bin = as<P::BinaryExprContext>(cur)) {
    e.kind = ExprKind::UnaryOp;
    e.unaryOp = UnaryOperator::Binary;
    e.args = {simpleExpr(bin->simpleExpr())};
    acc = add(std::move(e));
  } else if (auto* row = as<P::RowExprContext>(cur)) {
    e.kind = ExprKind::Row;
    for (auto* item : row->expr()) {
      e.args.push_back(expr(item));
    }
    acc = add(std::move(e));
  } else if (auto* sub = as<P::SubqueryExprContext>(cur)) {
    acc = subquery(sub->queryExpression(), span(sub));
  } else if (auto* paren = as<P::ParenExprContext>(cur)) {
    auto items = paren->expr();
    if (items.size() == 1) {
      acc = expr(items[0]);  // the node keeps its own span, without the parentheses
    } else {
      e.kind = ExprKind::Row;
      for (auto* item : items) {
        e.args.push_back(expr(item));
      }
      acc = add(std::move(e));
    }
  } else if (auto* exists = as<P::ExistsExprContext>(cur)) {
    e.kind = ExprKind::Exists;
    e.subquery = queryExpression(exists->queryExpression());
    acc = add(std::move(e));
  } else if (auto* cs = as<P::CaseExprContext>(cur)) {
    P::CaseExpressionContext* c = cs->caseExpression();
    e.kind = ExprKind::Case;
    e.hasOperand = tokenTypeAt(c, 1) != L::WHEN;
    e.hasElse = c->ELSE() != nullptr;
    for (auto* item : c->expr()) {
      e.args.push_back(expr(item));
    }
    acc = add(std::move(e));
  } else if (auto* iv = as<P::IntervalExprContext>(cur)) {
    // INTERVAL e unit + x
    Expr interval;
    interval.kind = ExprKind::Interval;
    interval.span = span(iv->INTERVAL()->getSymbol(), iv->intervalUnit()->getStop());
    interval.name = upper(textOf(iv->intervalUnit()));
    interval.args = {expr(iv->expr())};
    ExprId left = add(std::move(interval));
    e.kind = ExprKind::BinaryOp;
    e.binaryOp = BinaryOperator::Add;
    e.args = {left, bitExpr(iv->bitExpr())};
    acc = add(std::move(e));
  } else if (auto* def = as<P::DefaultExprContext>(cur)) {
    e.kind = ExprKind::Default;
    if (def->columnRef() != nullptr) {
      e.args = {columnRef(def->columnRef())};
    }
    acc = add(std::move(e));
  } else {
    acc = other(cur);  // ODBC {}, MATCH ... AGAINST, NEXT VALUE FOR
  }
  for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
    Expr post;
    post.span = span(*it);
    if (auto* collate = as<P::CollateExprContext>(*it)) {
      post.kind = ExprKind::Collate;
      post.name = collate->collationName()->textString() != nullptr
                      ? unquote(textOf(collate->collationName()))
                      : textOf(collate->collationName());
      if (collate->collationName()->identifier() != nullptr) {
        post.name = name(collate->collationName()->identifier()).value;
      }
      post.args = {acc};
    } else {
      auto* json = static_cast<P::JsonExtractExprContext*>(*it);
      post.kind = ExprKind::BinaryOp;
      post.binaryOp = json->JSON_EXTRACT() != nullptr ? BinaryOperator::JsonExtract
                                                      : BinaryOperator::JsonUnquoteExtract;
      post.args = {acc, textStringLiteral(json->textString())};
    }
    acc = add(std::move(post));
  }
  return acc;
}

ExprId Transformer::columnRef(P::ColumnRefContext* ctx) {
  Expr e;
  e.kind = ExprKind::Column;
  e.span = span(ctx);
  // identifier (DOT identifierAfterDot (DOT identifierAfterDot)?)?
  const auto& c = ctx->children;
  auto part = [&](size_t i) { return name(static_cast<antlr4::ParserRuleContext*>(c[i])); };
  if (c.size() == 1) {
    e.column = part(0);
  } else if (c.size() == 3) {
    e.table = part(0);
    e.column = part(2);
  } else {
    e.schema = part(0);
    e.table = part(2);
    e.column = part(4);
  }
  return add(std::move(e));
}

ExprId Transformer::paramMarker(antlr4::tree::TerminalNode* node) {
  Expr e;
  e.kind = ExprKind::ParameterMarker;
  e.span = span(node);
  return add(std::move(e));
}

ExprId Transformer::integerLiteral(antlr4::tree::TerminalNode* node) {
  Expr e;
  e.kind = ExprKind::Literal;
  e.literalType = LiteralType::Integer;
  e.span = span(node);
  e.value = node->getText();
  return add(std::move(e));
}

ExprId Transformer::textStringLiteral(P::TextStringContext* ctx) {
  Expr e;
  e.kind = ExprKind::Literal;
  e.literalType = LiteralType::String;
  e.span = span(ctx);
  appendUnescaped(e.value, ctx->getText(), impl_.mode.noBackslashEscapes());
  return add(std::move(e));
}

ExprId Transformer::literal(P::LiteralContext* ctx) {
  Expr e;
  e.kind = ExprKind::Literal;
  e.span = span(ctx);
  // One child; its rule says which literal (the generated accessors would dynamic_cast).
  auto* child = static_cast<antlr4::ParserRuleContext*>(ctx->children[0]);
  size_t rule = child->getRuleIndex();
  if (rule == P::RuleNumberLiteral) {
    e.value = child->getStart()->getText();
    if (child->getStart()->getType() == L::DECIMAL_LITERAL) {
      e.literalType = LiteralType::Integer;
    } else if (e.value.find_first_of("eE") != std::string::npos) {
      e.literalType = LiteralType::Double;
    } else {
      e.literalType = LiteralType::Decimal;
    }
  } else if (rule == P::RuleStringLiteral && child->children.size() == 1 &&
             child->getStart()->getType() != L::NATIONAL_STRING) {
    // The common case: one quoted string.
    e.literalType = LiteralType::String;
    appendUnescaped(e.value, child->getStart()->getText(), impl_.mode.noBackslashEscapes());
  } else if (auto* s = ctx->stringLiteral()) {
    e.literalType = LiteralType::String;
    if (s->CHARSET_INTRODUCER() != nullptr) {
      e.charset = s->CHARSET_INTRODUCER()->getText().substr(1);
    }
    if (s->NATIONAL_STRING() != nullptr) {
      e.charset = "N";
      appendUnescaped(e.value, std::string_view(s->NATIONAL_STRING()->getText()).substr(1),
                      impl_.mode.noBackslashEscapes());
    }
    for (auto* part : s->textString()) {
      appendUnescaped(e.value, part->getText(), impl_.mode.noBackslashEscapes());
    }
  } else if (auto* n = ctx->numberLiteral()) {
    e.value = n->getText();
    if (n->DECIMAL_LITERAL() != nullptr) {
      e.literalType = LiteralType::Integer;
    } else if (e.value.find_first_of("eE") != std::string::npos) {
      e.literalType = LiteralType::Double;
    } else {
      e.literalType = LiteralType::Decimal;
    }
  } else if (auto* h = ctx->hexLiteral()) {
    e.literalType = LiteralType::Hex;
    e.value = h->HEX_LITERAL()->getText();
    if (h->CHARSET_INTRODUCER() != nullptr) {
      e.charset = h->CHARSET_INTRODUCER()->getText().substr(1);
    }
  } else if (auto* b = ctx->bitLiteral()) {
    e.literalType = LiteralType::Bit;
    e.value = b->BIT_LITERAL()->getText();
    if (b->CHARSET_INTRODUCER() != nullptr) {
      e.charset = b->CHARSET_INTRODUCER()->getText().substr(1);
    }
  } else if (auto* bo = ctx->booleanLiteral()) {
    e.literalType = LiteralType::Boolean;
    e.value = bo->TRUE_SYM() != nullptr ? "TRUE" : "FALSE";
  } else if (ctx->nullLiteral() != nullptr) {
    e.literalType = LiteralType::Null;
    e.value = "NULL";
  } else if (auto* t = ctx->temporalLiteral()) {
    e.literalType = LiteralType::Temporal;
    e.charset = upper(t->getStart()->getText());
    appendUnescaped(e.value, t->textString()->getText(), impl_.mode.noBackslashEscapes());
  }
  return add(std::move(e));
}

ExprId Transformer::functionCall(P::FunctionCallContext* ctx) {
  Expr e;
  e.span = span(ctx);
  if (auto* sp = ctx->specialFunction()) {
    if (sp->castType() != nullptr) {
      e.kind = ExprKind::Cast;
      e.name = upper(textOf(sp->castType()));
      e.args = {expr(sp->expr(0))};
      return add(std::move(e));
    }
    // Other special forms: a Function named by the first keyword, with its expression operands
    // in text order (INTERVAL operands as Interval nodes).
    e.kind = ExprKind::Function;
    e.name = upper(sp->getStart()->getText());
    for (auto* child : sp->children) {
      if (auto* x = dynamic_cast<P::ExprContext*>(child)) {
        e.args.push_back(expr(x));
      } else if (auto* bx = dynamic_cast<P::BitExprContext*>(child)) {
        e.args.push_back(bitExpr(bx));
      } else if (auto* list = dynamic_cast<P::ExprListContext*>(child)) {
        for (auto* item : list->expr()) {
          e.args.push_back(expr(item));
        }
      }
    }
    if (sp->INTERVAL() != nullptr && e.args.size() == 2) {
      Expr iv;
      iv.kind = ExprKind::Interval;
      iv.span = span(sp->INTERVAL()->getSymbol(), sp->intervalUnit()->getStop());
      iv.name = upper(textOf(sp->intervalUnit()));
      iv.args = {e.args[1]};
      e.args[1] = add(std::move(iv));
    }
    return add(std::move(e));
  }
  e.kind = ExprKind::Function;
  if (ctx->niladicFunction() != nullptr) {
    e.name = upper(ctx->getText());
    return add(std::move(e));
  }
  P::FunctionNameContext* fname = ctx->functionName();
  if (fname->identifier() != nullptr) {
    e.name = name(fname->identifier()).value;
    if (fname->identifierAfterDot() != nullptr) {
      e.name += "." + name(fname->identifierAfterDot()).value;
    }
  } else {
    e.name = upper(fname->getText());
  }
  e.aggregate =
      fname->identifierAfterDot() == nullptr ? aggregateKind(e.name) : AggregateKind::None;
  e.distinct = ctx->DISTINCT() != nullptr;
  e.star = ctx->STAR() != nullptr;
  e.over = ctx->overClause() != nullptr;
  if (ctx->functionArgs() != nullptr) {
    for (auto* arg : ctx->functionArgs()->functionArg()) {
      e.args.push_back(expr(arg->expr()));
    }
  }
  if (ctx->orderByClause() != nullptr) e.orderBy = orderItems(ctx->orderByClause()->orderItem());
  if (ctx->textString() != nullptr) e.separator = textStringLiteral(ctx->textString());
  return add(std::move(e));
}

}  // namespace shardproxy::parser::ast
