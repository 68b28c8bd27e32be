// Every object name of a statement (Statement::objects), found by one walk over the whole parse
// tree. The grammar writes a schema-qualified name through a handful of rules only (tableName,
// qualifiedName, functionName, columnRef, the `db.t.*` select item, deleteTarget) and a database
// named alone through a handful more (fromDatabase, USE, the database statements, SHOW CREATE
// DATABASE), so a walk that looks at those rules finds every name, whatever statement holds it.
#include <algorithm>

#include "parser/transform.h"

namespace shardproxy::parser::ast {

namespace {

using L = gen::MySqlLexer;

bool isNamePart(antlr4::tree::ParseTree* child) {
  auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(child);
  return rule != nullptr && (rule->getRuleIndex() == P::RuleIdentifier ||
                             rule->getRuleIndex() == P::RuleIdentifierAfterDot);
}

bool hasToken(antlr4::ParserRuleContext* ctx, size_t type) {
  return std::any_of(ctx->children.begin(), ctx->children.end(), [&](antlr4::tree::ParseTree* c) {
    auto* t = dynamic_cast<antlr4::tree::TerminalNode*>(c);
    return t != nullptr && t->getSymbol()->getType() == type;
  });
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

}  // namespace

void Transformer::collectNames() {
  std::vector<ObjectName>& out = out_.objects;
  // The name parts (identifier, identifierAfterDot) that are direct children of `ctx`.
  auto parts = [&](antlr4::ParserRuleContext* ctx) {
    std::vector<Name> names;
    for (antlr4::tree::ParseTree* child : ctx->children) {
      if (isNamePart(child)) names.push_back(name(static_cast<antlr4::ParserRuleContext*>(child)));
    }
    return names;
  };
  auto add = [&](ObjectName::Kind kind, antlr4::ParserRuleContext* ctx, Name schema, Name object) {
    ObjectName o;
    o.kind = kind;
    o.span = span(ctx);
    o.schema = std::move(schema);
    o.name = std::move(object);
    out.push_back(std::move(o));
  };
  // `[schema.]object`: two parts name a schema.
  auto qualified = [&](ObjectName::Kind kind, antlr4::ParserRuleContext* ctx, bool always) {
    std::vector<Name> names = parts(ctx);
    if (names.size() >= 2) {
      add(kind, ctx, std::move(names[0]), std::move(names[1]));
    } else if (always && names.size() == 1) {
      add(kind, ctx, Name{}, std::move(names[0]));
    }
  };
  auto database = [&](antlr4::ParserRuleContext* ctx) {
    for (antlr4::tree::ParseTree* child : ctx->children) {
      if (!isNamePart(child)) continue;
      add(ObjectName::Kind::Database, ctx, name(static_cast<antlr4::ParserRuleContext*>(child)),
          Name{});
      return;
    }
  };

  // Depth first, children in text order, so the names come in text order.
  std::vector<antlr4::tree::ParseTree*> stack = {impl_.root};
  while (!stack.empty()) {
    auto* ctx = dynamic_cast<antlr4::ParserRuleContext*>(stack.back());
    stack.pop_back();
    if (ctx == nullptr) continue;
    switch (ctx->getRuleIndex()) {
      case P::RuleTableName:
        qualified(ObjectName::Kind::Table, ctx, true);
        break;
      case P::RuleQualifiedName:
        qualified(ObjectName::Kind::Routine, ctx, false);
        break;
      case P::RuleFunctionName:
        qualified(ObjectName::Kind::Routine, ctx, false);
        break;
      case P::RuleDeleteTarget:
        qualified(ObjectName::Kind::Wildcard, ctx, false);
        break;
      case P::RuleSelectItem:
        if (dynamic_cast<P::TableWildcardContext*>(ctx) != nullptr) {
          qualified(ObjectName::Kind::Wildcard, ctx, false);
        }
        break;
      case P::RuleColumnRef: {
        std::vector<Name> names = parts(ctx);
        if (names.size() == 3) {
          add(ObjectName::Kind::Column, ctx, std::move(names[0]), std::move(names[1]));
        }
        break;
      }
      case P::RuleFromDatabase:
      case P::RuleUseStatement:
      case P::RuleCreateDatabaseStatement:
      case P::RuleAlterDatabaseStatement:
      case P::RuleDropDatabaseStatement:
        database(ctx);
        break;
      case P::RuleShowStatement:
        // SHOW CREATE DATABASE | SCHEMA [IF NOT EXISTS] name (the only SHOW with a bare name
        // part that is a database).
        if (hasToken(ctx, L::CREATE) && (hasToken(ctx, L::DATABASE) || hasToken(ctx, L::SCHEMA))) {
          database(ctx);
        }
        break;
      case P::RuleEngineName:
        add(ObjectName::Kind::Engine, ctx, Name{}, name(ctx));
        break;
      case P::RuleLoadStatement:
        out_.localFile = hasToken(ctx, L::LOCAL);
        break;
      case P::RulePrepareStatement:
      case P::RuleExecuteStatement:
        // The statement itself is one of these when it is the root's statement.
        if (ctx->parent == nullptr || ctx->parent->parent != impl_.root) out_.dynamicSql = true;
        break;
      case P::RuleIntoClause:
        out_.intoFile = out_.intoFile || hasToken(ctx, L::OUTFILE) || hasToken(ctx, L::DUMPFILE);
        break;
      case P::RuleFunctionCall: {
        auto* call = static_cast<P::FunctionCallContext*>(ctx);
        if (P::FunctionNameContext* fn = call->functionName();
            fn != nullptr && equalsIgnoreCase(textOf(fn), "LOAD_FILE")) {
          add(ObjectName::Kind::FileRead, ctx, Name{}, name(fn));
        }
        break;
      }
      default:
        break;
    }
    for (auto it = ctx->children.rbegin(); it != ctx->children.rend(); ++it) {
      if (dynamic_cast<antlr4::ParserRuleContext*>(*it) != nullptr) stack.push_back(*it);
    }
  }
}

}  // namespace shardproxy::parser::ast
