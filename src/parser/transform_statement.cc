// The AST builder's entry: statement dispatch, kinds of the non-DML families, the hint comment,
// offsets and names, literal / parameter numbering.
#include <algorithm>
#include <cctype>
#include <exception>
#include <new>

#include "parser/transform.h"

namespace shardproxy::parser::ast {
namespace {

using L = gen::MySqlLexer;

constexpr std::string_view kHintPrefix = "SHARDINGSPHERE_HINT:";

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

DdlKind ddlKind(size_t rule) {
  switch (rule) {
    case P::RuleCreateTableStatement:
      return DdlKind::CreateTable;
    case P::RuleAlterTableStatement:
      return DdlKind::AlterTable;
    case P::RuleDropTableStatement:
      return DdlKind::DropTable;
    case P::RuleTruncateTableStatement:
      return DdlKind::TruncateTable;
    case P::RuleRenameTableStatement:
      return DdlKind::RenameTable;
    case P::RuleCreateIndexStatement:
      return DdlKind::CreateIndex;
    case P::RuleDropIndexStatement:
      return DdlKind::DropIndex;
    case P::RuleCreateDatabaseStatement:
      return DdlKind::CreateDatabase;
    case P::RuleAlterDatabaseStatement:
      return DdlKind::AlterDatabase;
    case P::RuleDropDatabaseStatement:
      return DdlKind::DropDatabase;
    case P::RuleCreateViewStatement:
      return DdlKind::CreateView;
    case P::RuleAlterViewStatement:
      return DdlKind::AlterView;
    case P::RuleDropViewStatement:
      return DdlKind::DropView;
    case P::RuleCreateTablespaceStatement:
    case P::RuleAlterTablespaceStatement:
    case P::RuleDropTablespaceStatement:
      return DdlKind::Tablespace;
    case P::RuleCreateLoadableFunctionStatement:
    case P::RuleCreateProcedureStatement:
    case P::RuleCreateFunctionStatement:
    case P::RuleCreateTriggerStatement:
    case P::RuleCreateEventStatement:
    case P::RuleDropStoredProgramStatement:
      return DdlKind::StoredProgram;
    default:
      return DdlKind::None;
  }
}

TclKind tclKind(antlr4::ParserRuleContext* ctx) {
  switch (ctx->getRuleIndex()) {
    case P::RuleBeginStatement:
      return TclKind::Begin;
    case P::RuleCommitStatement:
      return TclKind::Commit;
    case P::RuleRollbackStatement:
      return static_cast<P::RollbackStatementContext*>(ctx)->TO() != nullptr
                 ? TclKind::RollbackToSavepoint
                 : TclKind::Rollback;
    case P::RuleSavepointStatement:
      return TclKind::Savepoint;
    case P::RuleReleaseSavepointStatement:
      return TclKind::ReleaseSavepoint;
    case P::RuleSetTransactionStatement:
      return TclKind::SetTransaction;
    case P::RuleXaStatement:
      return TclKind::Xa;
    case P::RuleLockTablesStatement:
      return TclKind::LockTables;
    case P::RuleUnlockTablesStatement:
      return TclKind::UnlockTables;
    default:
      return TclKind::None;
  }
}

}  // namespace

Span Transformer::span(antlr4::Token* first, antlr4::Token* last) const {
  Span s;
  s.begin = static_cast<uint32_t>(impl_.toByteOffset(first->getStartIndex()));
  s.end = static_cast<uint32_t>(impl_.toByteOffset(last->getStopIndex() + 1));
  if (s.end < s.begin) {
    s.end = s.begin;
  }
  return s;
}

Span Transformer::span(antlr4::ParserRuleContext* ctx) const {
  antlr4::Token* stop = ctx->getStop();
  if (stop == nullptr || stop->getTokenIndex() < ctx->getStart()->getTokenIndex()) {
    stop = ctx->getStart();
  }
  return span(ctx->getStart(), stop);
}

Span Transformer::span(antlr4::tree::TerminalNode* node) const {
  return span(node->getSymbol(), node->getSymbol());
}

std::string Transformer::textOf(antlr4::ParserRuleContext* ctx) const {
  Span s = span(ctx);
  return std::string(s.text(impl_.sql));
}

std::string Transformer::unquote(std::string_view text) {
  if (text.size() >= 2 && (text.front() == '`' || text.front() == '\'' || text.front() == '"') &&
      text.back() == text.front()) {
    char q = text.front();
    std::string out;
    std::string_view body = text.substr(1, text.size() - 2);
    for (size_t i = 0; i < body.size(); ++i) {
      out += body[i];
      if (body[i] == q && i + 1 < body.size() && body[i + 1] == q) {
        ++i;
      }
    }
    return out;
  }
  return std::string(text);
}

Name Transformer::name(antlr4::ParserRuleContext* ctx) const {
  Name n;
  n.span = span(ctx);
  n.value = unquote(n.span.text(impl_.sql));
  return n;
}

void Transformer::transformStatement(P::SqlStatementContext* ctx) {
  auto* body = dynamic_cast<antlr4::ParserRuleContext*>(ctx->children[0]);
  size_t rule = body->getRuleIndex();
  out_.reach = reach(body);
  switch (rule) {
    case P::RuleSelectStatement:
      out_.kind = StatementKind::Select;
      out_.select = selectStatement(static_cast<P::SelectStatementContext*>(body));
      return;
    case P::RuleInsertStatement:
      insertStatement(static_cast<P::InsertStatementContext*>(body));
      return;
    case P::RuleReplaceStatement:
      replaceStatement(static_cast<P::ReplaceStatementContext*>(body));
      return;
    case P::RuleUpdateStatement:
      updateStatement(static_cast<P::UpdateStatementContext*>(body));
      return;
    case P::RuleDeleteStatement:
      deleteStatement(static_cast<P::DeleteStatementContext*>(body));
      return;
    case P::RuleLoadStatement:
      out_.kind = StatementKind::LoadData;
      return;
    case P::RuleCallStatement:
      out_.kind = StatementKind::Call;
      return;
    case P::RuleDoStatement:
      out_.kind = StatementKind::Do;
      return;
    case P::RuleSetStatement:
      setStatement(static_cast<P::SetStatementContext*>(body)->setItem());
      return;
    case P::RuleSetStatementFor: {
      auto* set = static_cast<P::SetStatementForContext*>(body);
      setStatement(set->setItem());
      out_.set.forStatement = span(set->sqlStatement());
      return;
    }
    case P::RulePrepareStatement:
    case P::RuleExecuteStatement:
    case P::RuleDeallocateStatement:
      preparedStatementCommand(body);
      return;
    case P::RuleHandlerStatement:
      out_.kind = StatementKind::Handler;
      return;
    case P::RuleUseStatement:
      out_.kind = StatementKind::Use;
      out_.useDatabase = name(static_cast<P::UseStatementContext*>(body)->identifier());
      return;
    case P::RuleShowStatement:
      out_.kind = StatementKind::Show;
      showStatement(static_cast<P::ShowStatementContext*>(body));
      return;
    case P::RuleExplainStatement: {
      out_.kind = StatementKind::Explain;
      // DESCRIBE t [column]: the columns of a table, as SHOW COLUMNS gives them.
      auto* explain = static_cast<P::ExplainStatementContext*>(body);
      if (auto* table = explain->tableName()) {
        out_.show.kind = ShowStatement::Kind::Columns;
        out_.show.table = tableName(table, nullptr);
      }
      return;
    }
    case P::RuleKillStatement: {
      out_.kind = StatementKind::Kill;
      auto* k = static_cast<P::KillStatementContext*>(body);
      out_.kill.query = k->QUERY() != nullptr;
      out_.kill.target = expr(k->expr());
      return;
    }
    default:
      break;
  }
  if (isDcl(rule)) {
    out_.kind = StatementKind::Dcl;
    return;
  }
  if (TclKind tcl = tclKind(body); tcl != TclKind::None) {
    out_.kind = StatementKind::Tcl;
    out_.tclKind = tcl;
    transactionOptions(body);
    return;
  }
  if (DdlKind ddl = ddlKind(rule); ddl != DdlKind::None) {
    out_.kind = StatementKind::Ddl;
    out_.ddlKind = ddl;
    ddlStatement(body);
    return;
  }
  out_.kind = StatementKind::Other;
}

// Users, roles and privileges.
bool Transformer::isDcl(size_t rule) {
  switch (rule) {
    case P::RuleCreateUserStatement:
    case P::RuleAlterUserStatement:
    case P::RuleDropUserStatement:
    case P::RuleRenameUserStatement:
    case P::RuleCreateRoleStatement:
    case P::RuleDropRoleStatement:
    case P::RuleGrantStatement:
    case P::RuleRevokeStatement:
    case P::RuleSetRoleStatement:
    case P::RuleSetDefaultRoleStatement:
      return true;
    default:
      return false;
  }
}

Reach Transformer::reach(antlr4::ParserRuleContext* body) {
  if (isDcl(body->getRuleIndex())) return Reach::Server;
  switch (body->getRuleIndex()) {
    case P::RuleFlushStatement:
    case P::RuleResetStatement:
    case P::RuleInstallStatement:
    case P::RuleUninstallStatement:
    case P::RuleShutdownStatement:
    case P::RuleBinlogStatement:
    case P::RuleCacheIndexStatement:
    case P::RuleLoadIndexStatement:
    case P::RuleCreateResourceGroupStatement:
    case P::RuleAlterResourceGroupStatement:
    case P::RuleDropResourceGroupStatement:
    case P::RuleSetResourceGroupStatement:
    case P::RuleCloneStatement:
    case P::RuleReplicationStatement:
    case P::RuleImportTableStatement:
    case P::RuleCreateTablespaceStatement:
    case P::RuleAlterTablespaceStatement:
    case P::RuleDropTablespaceStatement:
    case P::RuleCreateLoadableFunctionStatement:
      return Reach::Server;
    case P::RuleShowStatement: {
      // Not SHOW GRANTS: the proxy answers it with its own users' grants.
      auto* show = static_cast<P::ShowStatementContext*>(body);
      // (SHOW PROCEDURE | FUNCTION STATUS is answered over the logical information_schema,
      // which everyone reads; SHOW ... CODE shows a backend's compiled routine.)
      bool routines = (show->PROCEDURE() != nullptr || show->FUNCTION() != nullptr) &&
                      show->CODE() != nullptr;
      if (show->ENGINE() != nullptr || show->MASTER() != nullptr || show->SLAVE() != nullptr ||
          show->REPLICA() != nullptr || show->REPLICAS() != nullptr || show->BINLOG() != nullptr ||
          show->RELAYLOG() != nullptr || show->BINARY() != nullptr || show->OPEN() != nullptr ||
          show->USER() != nullptr || show->PROFILE() != nullptr ||
          show->PROFILES() != nullptr || routines) {
        return Reach::ServerState;
      }
      return Reach::Database;
    }
    case P::RuleExplainStatement:
      return static_cast<P::ExplainStatementContext*>(body)->CONNECTION() != nullptr
                 ? Reach::ServerState
                 : Reach::Database;
    default:
      return Reach::Database;
  }
}

void Transformer::showStatement(P::ShowStatementContext* ctx) {
  ShowStatement& show = out_.show;
  if (ctx->DATABASES() != nullptr || ctx->SCHEMAS() != nullptr) {
    show.kind = ShowStatement::Kind::Databases;
  } else if (ctx->TABLES() != nullptr && ctx->OPEN() == nullptr && ctx->STATUS() == nullptr) {
    show.kind = ShowStatement::Kind::Tables;
    show.full = ctx->FULL() != nullptr;
    if (auto* from = ctx->fromDatabase()) show.database = name(from->identifier());
  } else if (ctx->COLUMNS() != nullptr || ctx->FIELDS() != nullptr || ctx->INDEX() != nullptr ||
             ctx->INDEXES() != nullptr || ctx->KEYS() != nullptr) {
    bool columns = ctx->COLUMNS() != nullptr || ctx->FIELDS() != nullptr;
    show.kind = columns ? ShowStatement::Kind::Columns : ShowStatement::Kind::Index;
    show.full = ctx->FULL() != nullptr;
    show.table = tableName(ctx->tableName(), nullptr);
    if (auto* from = ctx->fromDatabase()) show.database = name(from->identifier());
    if (!columns) {
      if (auto* where = ctx->whereClause()) {
        show.filterSpan = span(where);
        expr(where->expr());
      }
      return;
    }
  } else if (ctx->TABLE() != nullptr && ctx->STATUS() != nullptr) {
    show.kind = ShowStatement::Kind::TableStatus;
    if (auto* from = ctx->fromDatabase()) show.database = name(from->identifier());
  } else if ((ctx->WARNINGS() != nullptr || ctx->ERRORS() != nullptr) && ctx->COUNT() == nullptr) {
    show.kind = ShowStatement::Kind::Warnings;
    return;
  } else if (ctx->PROCESSLIST() != nullptr) {
    show.kind = ShowStatement::Kind::Processlist;
    show.full = ctx->FULL() != nullptr;
    return;
  } else if (ctx->STATUS() != nullptr && ctx->TABLE() == nullptr && ctx->ENGINE() == nullptr &&
             ctx->PROCEDURE() == nullptr && ctx->FUNCTION() == nullptr &&
             ctx->MASTER() == nullptr && ctx->BINARY() == nullptr && ctx->SLAVE() == nullptr &&
             ctx->REPLICA() == nullptr) {
    show.kind = ShowStatement::Kind::Status;
    show.global = ctx->GLOBAL() != nullptr;
  } else if (ctx->CREATE() != nullptr && ctx->TABLE() != nullptr) {
    // qualifiedName: identifier (DOT identifierAfterDot)?, read as a table reference.
    show.kind = ShowStatement::Kind::CreateTable;
    P::QualifiedNameContext* q = ctx->qualifiedName();
    TableRef t;
    t.kind = TableRef::Kind::Table;
    t.span = span(q);
    if (q->identifierAfterDot() != nullptr) {
      t.schema = name(q->identifier());
      t.name = name(q->identifierAfterDot());
    } else {
      t.name = name(q->identifier());
    }
    show.table = addTable(std::move(t));
    return;
  } else if (ctx->TRIGGERS() != nullptr) {
    // (Kind Other: the proxy tells SHOW [FULL] TRIGGERS by its words; the database and filter
    // are read as for SHOW TABLES.)
    show.full = ctx->FULL() != nullptr;
    if (auto* from = ctx->fromDatabase()) show.database = name(from->identifier());
  } else if ((ctx->PROCEDURE() != nullptr || ctx->FUNCTION() != nullptr) &&
             ctx->STATUS() != nullptr) {
    // SHOW PROCEDURE | FUNCTION STATUS [LIKE | WHERE] (kind Other, told by its words).
  } else {
    return;
  }
  if (auto* filter = ctx->showFilter()) {
    show.filterSpan = span(filter);
    if (auto* like = filter->textString()) {
      show.like = textStringLiteral(like);
    } else if (filter->expr() != nullptr) {
      expr(filter->expr());
    }
  }
}

void Transformer::numberLiteralsAndParams() {
  std::vector<std::pair<uint32_t, ExprId>> literals;
  std::vector<std::pair<uint32_t, ExprId>> params;
  for (ExprId id = 0; id < out_.exprs.size(); ++id) {
    const Expr& e = out_.exprs[id];
    if (e.kind == ExprKind::Literal) {
      literals.emplace_back(e.span.begin, id);
    } else if (e.kind == ExprKind::ParameterMarker) {
      params.emplace_back(e.span.begin, id);
    }
  }
  std::sort(literals.begin(), literals.end());
  std::sort(params.begin(), params.end());
  for (uint32_t i = 0; i < literals.size(); ++i) {
    out_.exprs[literals[i].second].literalIndex = i;
  }
  for (uint32_t i = 0; i < params.size(); ++i) {
    out_.exprs[params[i].second].paramIndex = i;
  }
  out_.literalCount = static_cast<uint32_t>(literals.size());
  out_.paramCount = static_cast<uint32_t>(params.size());
}

Result<Statement> buildAst(const ParsedStatement& parsed) {
  const ParseTreeImpl& impl = parsed.impl();
  Statement statement;
  statement.sql = impl.sql;
  // The hint: a comment on the hidden channel before the first default-channel token.
  for (antlr4::Token* token : impl.tokens->getTokens()) {
    if (token->getChannel() == antlr4::Token::DEFAULT_CHANNEL) {
      break;
    }
    std::string_view text(impl.sql);
    size_t begin = impl.toByteOffset(token->getStartIndex());
    size_t end = impl.toByteOffset(token->getStopIndex() + 1);
    std::string_view comment = text.substr(begin, end - begin);
    if (comment.size() >= 4 && comment.substr(0, 2) == "/*") {
      std::string_view inner = trim(comment.substr(2, comment.size() - 4));
      if (inner.substr(0, kHintPrefix.size()) == kHintPrefix) {
        statement.hasHint = true;
        statement.hint = std::string(trim(inner.substr(kHintPrefix.size())));
        statement.hintSpan = Span{static_cast<uint32_t>(begin), static_cast<uint32_t>(end)};
        break;
      }
    }
  }
  if (parsed.isEmpty()) {
    return statement;
  }
  try {
    Transformer transformer(impl, statement);
    P::SqlStatementContext* ctx = impl.root->sqlStatement();
    statement.span = transformer.span(ctx);
    transformer.transformStatement(ctx);
    transformer.findUserVariables();
    transformer.collectNames();
    transformer.numberLiteralsAndParams();
  } catch (const BuildError& error) {
    return error.status;
  } catch (const std::bad_alloc&) {
    return tooComplex();
  } catch (const std::exception& e) {
    return makeError(er::kUnknownError, std::string("SQL AST builder failure: ") + e.what());
  }
  return statement;
}

Result<Statement> parseAst(std::string_view sql, LexMode mode) {
  auto parsed = parse(sql, mode);
  if (!parsed.isOk()) {
    return parsed.status();
  }
  return buildAst(parsed.value());
}

}  // namespace shardproxy::parser::ast
