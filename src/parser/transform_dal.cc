// The AST builder for SET, the options of the transaction statements, SQL-level prepared
// statements, and the statement-wide user variable check.
#include <strings.h>

#include <vector>

#include "parser/transform.h"

namespace shardproxy::parser::ast {
namespace {

using L = gen::MySqlLexer;

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && strncasecmp(s.data(), prefix.data(), prefix.size()) == 0;
}

// `@@[scope.]name` -> scope and name.
void systemVariable(std::string_view text, SetItem& item) {
  text.remove_prefix(2);
  struct Prefix {
    std::string_view text;
    VariableScope scope;
  };
  static constexpr Prefix kPrefixes[] = {
      {"session.", VariableScope::Session},          {"local.", VariableScope::Session},
      {"global.", VariableScope::Global},            {"persist.", VariableScope::Persist},
      {"persist_only.", VariableScope::PersistOnly},
  };
  for (const Prefix& p : kPrefixes) {
    if (startsWithNoCase(text, p.text)) {
      item.scope = p.scope;
      text.remove_prefix(p.text.size());
      break;
    }
  }
  // Backquoted parts of a component name: `@@x.`y``.
  std::string value;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t dot = text.find('.', pos);
    if (dot == std::string_view::npos) dot = text.size();
    if (!value.empty() || pos > 0) value += '.';
    value += Transformer::unquote(text.substr(pos, dot - pos));
    pos = dot + 1;
  }
  item.name.value = std::move(value);
}

Completion completion(bool present, bool no) {
  if (!present) return Completion::None;
  return no ? Completion::No : Completion::Yes;
}

}  // namespace

std::string Transformer::userVariableName(antlr4::tree::TerminalNode* node) {
  std::string text = node->getText();
  return unquote(std::string_view(text).substr(1));
}

void Transformer::setStatement(const std::vector<P::SetItemContext*>& items) {
  out_.kind = StatementKind::Set;
  for (P::SetItemContext* ctx : items) {
    SetItem item;
    item.span = span(ctx);
    if (ctx->NAMES() != nullptr || ctx->CHARACTER() != nullptr || ctx->CHARSET() != nullptr) {
      item.kind = ctx->NAMES() != nullptr ? SetItem::Kind::Names : SetItem::Kind::CharacterSet;
      if (auto* charset = ctx->charsetName()) item.charset = name(charset);
      if (auto* collation = ctx->collationName()) item.collation = name(collation);
    } else if (!ctx->PASSWORD().empty()) {
      item.kind = SetItem::Kind::Password;
    } else if (auto* user = ctx->USER_VARIABLE()) {
      item.scope = VariableScope::User;
      item.name.span = span(user);
      item.name.value = userVariableName(user);
      item.value = expr(ctx->expr());
      item.valueSpan = out_.exprs[item.value].span;
    } else {
      if (auto* system = ctx->SYSTEM_VARIABLE()) {
        item.name.span = span(system);
        systemVariable(system->getText(), item);
      } else {
        if (ctx->GLOBAL() != nullptr) item.scope = VariableScope::Global;
        if (ctx->PERSIST() != nullptr) item.scope = VariableScope::Persist;
        if (ctx->PERSIST_ONLY() != nullptr) item.scope = VariableScope::PersistOnly;
        item.name = name(ctx->identifier());
        if (auto* part = ctx->identifierAfterDot()) {
          Name second = name(part);
          item.name.value += "." + second.value;
          item.name.span.end = second.span.end;
        }
      }
      P::SetValueContext* value = ctx->setValue();
      item.valueSpan = span(value);
      if (value->expr() != nullptr) {
        item.value = expr(value->expr());
      } else {
        item.valueKeyword = value->ON() != nullptr ? "ON" : value->ALL() != nullptr ? "ALL" : "BINARY";
      }
    }
    out_.set.items.push_back(std::move(item));
  }
}

void Transformer::transactionOptions(antlr4::ParserRuleContext* body) {
  TransactionStatement& t = out_.transaction;
  if (auto* begin = dynamic_cast<P::BeginStatementContext*>(body)) {
    for (auto* c : begin->transactionCharacteristic()) {
      if (c->CONSISTENT() != nullptr) t.consistentSnapshot = true;
      if (c->ONLY() != nullptr) t.access = AccessMode::ReadOnly;
      if (c->WRITE() != nullptr) t.access = AccessMode::ReadWrite;
    }
    return;
  }
  P::ChainAndReleaseContext* chainAndRelease = nullptr;
  if (auto* commit = dynamic_cast<P::CommitStatementContext*>(body)) {
    chainAndRelease = commit->chainAndRelease();
  } else if (auto* rollback = dynamic_cast<P::RollbackStatementContext*>(body)) {
    if (auto* savepoint = rollback->identifier()) t.savepoint = name(savepoint);
    chainAndRelease = rollback->chainAndRelease();
  } else if (auto* savepoint = dynamic_cast<P::SavepointStatementContext*>(body)) {
    t.savepoint = name(savepoint->identifier());
  } else if (auto* release = dynamic_cast<P::ReleaseSavepointStatementContext*>(body)) {
    t.savepoint = name(release->identifier());
  } else if (auto* set = dynamic_cast<P::SetTransactionStatementContext*>(body)) {
    if (set->GLOBAL() != nullptr) t.scope = TransactionStatement::Scope::Global;
    if (set->SESSION() != nullptr || set->LOCAL() != nullptr) {
      t.scope = TransactionStatement::Scope::Session;
    }
    for (auto* option : set->transactionOption()) {
      if (option->ONLY() != nullptr) t.access = AccessMode::ReadOnly;
      if (option->WRITE() != nullptr) t.access = AccessMode::ReadWrite;
      if (auto* level = option->isolationLevel()) {
        t.isolation = level->REPEATABLE() != nullptr     ? IsolationLevel::RepeatableRead
                      : level->COMMITTED() != nullptr    ? IsolationLevel::ReadCommitted
                      : level->UNCOMMITTED() != nullptr  ? IsolationLevel::ReadUncommitted
                                                         : IsolationLevel::Serializable;
      }
    }
  }
  if (chainAndRelease == nullptr) return;
  // (AND NO? CHAIN)? (NO? RELEASE)?: a NO belongs to the keyword after it.
  bool no = false;
  for (antlr4::tree::ParseTree* child : chainAndRelease->children) {
    auto* terminal = dynamic_cast<antlr4::tree::TerminalNode*>(child);
    if (terminal == nullptr) continue;
    size_t type = terminal->getSymbol()->getType();
    if (type == L::NO) {
      no = true;
    } else if (type == L::CHAIN) {
      t.chain = completion(true, no);
      no = false;
    } else if (type == L::RELEASE) {
      t.release = completion(true, no);
      no = false;
    }
  }
}

void Transformer::preparedStatementCommand(antlr4::ParserRuleContext* body) {
  PreparedStatementCommand& p = out_.prepared;
  if (auto* prepare = dynamic_cast<P::PrepareStatementContext*>(body)) {
    out_.kind = StatementKind::Prepare;
    p.name = name(prepare->identifier());
    if (auto* text = prepare->textString()) {
      p.text = textStringLiteral(text);
    } else {
      p.fromVariable.span = span(prepare->USER_VARIABLE());
      p.fromVariable.value = userVariableName(prepare->USER_VARIABLE());
    }
  } else if (auto* execute = dynamic_cast<P::ExecuteStatementContext*>(body)) {
    out_.kind = StatementKind::Execute;
    p.name = name(execute->identifier());
    for (auto* variable : execute->USER_VARIABLE()) {
      p.usingVariables.push_back(Name{userVariableName(variable), span(variable)});
    }
  } else if (auto* deallocate = dynamic_cast<P::DeallocateStatementContext*>(body)) {
    out_.kind = StatementKind::Deallocate;
    p.name = name(deallocate->identifier());
  }
}

void Transformer::findUserVariables() {
  bool any = false;
  for (antlr4::Token* token : impl_.tokens->getTokens()) {
    if (token->getType() == L::USER_VARIABLE) {
      any = true;
      break;
    }
  }
  if (!any) return;
  // The same token also lexes the host of an account name (`root@localhost`): look at where
  // each one stands in the tree.
  std::vector<antlr4::tree::ParseTree*> stack = {impl_.root};
  while (!stack.empty()) {
    antlr4::tree::ParseTree* node = stack.back();
    stack.pop_back();
    if (auto* terminal = dynamic_cast<antlr4::tree::TerminalNode*>(node)) {
      if (terminal->getSymbol()->getType() == L::USER_VARIABLE) {
        auto* parent = dynamic_cast<antlr4::ParserRuleContext*>(terminal->parent);
        if (parent == nullptr || parent->getRuleIndex() != P::RuleUserName) {
          out_.usesUserVariables = true;
          return;
        }
      }
      continue;
    }
    for (antlr4::tree::ParseTree* child : node->children) stack.push_back(child);
  }
}

}  // namespace shardproxy::parser::ast
