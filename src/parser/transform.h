// Internal to parser/: the parse tree -> AST builder. One file per statement family
// (transform_statement.cc dispatches; transform_select.cc, transform_insert.cc,
// transform_update_delete.cc, transform_ddl.cc, transform_expression.cc build the parts).
#pragma once

#include <string>
#include <string_view>

#include "parser/ast.h"
#include "parser/parse_tree.h"

namespace shardproxy::parser::ast {

using P = gen::MySqlParser;

// Thrown inside the builder to abandon a statement; buildAst turns it into its Status.
struct BuildError {
  Status status;
};

// Deepest recursion of the builder itself (right-nested constructs such as chained BETWEEN or
// `@a := @b := ...`; left-deep operator chains are walked iteratively).
inline constexpr int kMaxBuildRecursion = 2000;

class Transformer {
 public:
  Transformer(const ParseTreeImpl& impl, Statement& out) : impl_(impl), out_(out) {}

  void transformStatement(P::SqlStatementContext* ctx);

  // Offsets.
  Span span(antlr4::ParserRuleContext* ctx) const;
  Span span(antlr4::Token* first, antlr4::Token* last) const;
  Span span(antlr4::tree::TerminalNode* node) const;

  // Names.
  Name name(antlr4::ParserRuleContext* ctx) const;  // identifier, identifierAfterDot, alias
  static std::string unquote(std::string_view text);
  std::string textOf(antlr4::ParserRuleContext* ctx) const;

  // Expressions (transform_expression.cc).
  ExprId expr(P::ExprContext* ctx);
  void showStatement(P::ShowStatementContext* ctx);
  ExprId boolPrimary(P::BoolPrimaryContext* ctx);
  ExprId predicate(P::PredicateContext* ctx);
  ExprId bitExpr(P::BitExprContext* ctx);
  ExprId simpleExpr(P::SimpleExprContext* ctx);
  ExprId literal(P::LiteralContext* ctx);
  ExprId textStringLiteral(P::TextStringContext* ctx);
  ExprId functionCall(P::FunctionCallContext* ctx);
  ExprId columnRef(P::ColumnRefContext* ctx);
  ExprId paramMarker(antlr4::tree::TerminalNode* node);
  ExprId integerLiteral(antlr4::tree::TerminalNode* node);
  ExprId subquery(P::QueryExpressionContext* ctx, Span parenthesised);
  ExprId other(antlr4::ParserRuleContext* ctx);
  ExprId add(Expr e);  // computes depth, checks kMaxExprDepth

  // Query blocks (transform_select.cc).
  SelectId selectStatement(P::SelectStatementContext* ctx);
  SelectId queryExpression(P::QueryExpressionContext* ctx);
  SelectId queryBody(P::QueryBodyContext* ctx);
  SelectId queryPrimary(P::QueryPrimaryContext* ctx);
  SelectId querySpecification(P::QuerySpecificationContext* ctx);
  std::vector<Cte> withClause(P::WithClauseContext* ctx);
  std::vector<TableRefId> tableReferences(P::TableReferencesContext* ctx);
  TableRefId tableReference(P::TableReferenceContext* ctx);
  TableRefId tableFactor(P::TableFactorContext* ctx);
  TableRefId tableName(P::TableNameContext* ctx, P::AliasContext* alias);
  std::vector<OrderItem> orderItems(const std::vector<P::OrderItemContext*>& items);
  Limit limitClause(P::LimitClauseContext* ctx);
  static LockKind lockKind(P::LockingClauseContext* ctx);
  TableRefId addTable(TableRef t);
  SelectId addSelect(Select s);

  // INSERT / REPLACE (transform_insert.cc), UPDATE / DELETE (transform_update_delete.cc).
  void insertStatement(P::InsertStatementContext* ctx);
  void replaceStatement(P::ReplaceStatementContext* ctx);
  void insertSource(P::InsertSourceContext* ctx);
  std::vector<Assignment> assignments(P::AssignmentListContext* ctx);
  void updateStatement(P::UpdateStatementContext* ctx);
  void deleteStatement(P::DeleteStatementContext* ctx);

  // SET, transaction options, SQL-level prepared statements (transform_dal.cc).
  void setStatement(const std::vector<P::SetItemContext*>& items);
  void transactionOptions(antlr4::ParserRuleContext* body);
  void preparedStatementCommand(antlr4::ParserRuleContext* body);
  static std::string userVariableName(antlr4::tree::TerminalNode* node);  // without '@'
  void findUserVariables();
  void collectNames();
  static Reach reach(antlr4::ParserRuleContext* body);
  static bool isDcl(size_t rule);  // Statement::objects and intoFile (transform_names.cc)

  // DDL (transform_ddl.cc).
  void ddlStatement(antlr4::ParserRuleContext* body);
  void createTable(P::CreateTableStatementContext* ctx);
  void alterTable(P::AlterTableStatementContext* ctx);
  void columnDefinition(P::ColumnDefinitionContext* ctx);
  void tableConstraint(P::TableConstraintContext* ctx);
  void indexDefinition(P::IndexDefinitionContext* ctx);
  void tableOption(P::TableOptionContext* ctx);
  void ddlTable(antlr4::ParserRuleContext* ctx, DdlTable::Role role);  // tableName, qualifiedName
  void ddlTables(P::TableNameListContext* ctx, DdlTable::Role role);
  // Records the query of a DDL statement and, as Query tables, the kind-Table refs the select
  // builder added from index firstTableRef on.
  void ddlQuery(SelectId query, size_t firstTableRef);

  // After building: literal and parameter indices in text order.
  void numberLiteralsAndParams();

 private:
  const ParseTreeImpl& impl_;
  Statement& out_;
  int recursion_ = 0;

 public:
  // Counts builder recursion; throws BuildError beyond kMaxBuildRecursion.
  struct Guard {
    explicit Guard(Transformer& t);
    ~Guard() { --t_.recursion_; }
    Transformer& t_;
  };
};

Status tooComplex();

}  // namespace shardproxy::parser::ast
