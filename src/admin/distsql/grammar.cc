// Runs the generated DistSQL parser and turns its tree into a DistSqlStatement.
#include "admin/distsql/grammar.h"

#include <cctype>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "DistSqlLexer.h"
#include "DistSqlParser.h"
#include "antlr4-runtime.h"
#include "parser/code_points.h"
#include "parser/literals.h"

namespace shardproxy::admin::distsql {
namespace {

using P = gen::DistSqlParser;

// Feeds ANTLR the code points parser::decodeCodePoints() made (the runtime's own decoding throws
// on invalid UTF-8).
class CodePointStream : public antlr4::ANTLRInputStream {
 public:
  explicit CodePointStream(std::u32string data) {
    _data = std::move(data);
    p = 0;
  }
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string identifier(P::IdentifierContext* ctx) {
  if (antlr4::tree::TerminalNode* quoted = ctx->BACKTICK_QUOTED_ID()) {
    std::string text = quoted->getText();
    std::string out;
    for (size_t i = 1; i + 1 < text.size(); ++i) {
      out += text[i];
      if (text[i] == '`') ++i;  // a doubled backquote stands for one
    }
    return out;
  }
  return ctx->getText();
}

std::string unquoted(antlr4::tree::TerminalNode* node) {
  std::string out;
  parser::appendUnescaped(out, node->getText());
  return out;
}

std::string name(P::VariableNameContext* ctx) {
  return lower(ctx->identifier() != nullptr ? identifier(ctx->identifier())
                                            : unquoted(ctx->STRING()));
}

std::string value(P::VariableValueContext* ctx) {
  if (ctx->identifier() != nullptr) return identifier(ctx->identifier());
  if (ctx->STRING() != nullptr) return unquoted(ctx->STRING());
  return ctx->NUMBER()->getText();
}

std::optional<std::string> like(P::LikePatternContext* ctx) {
  if (ctx == nullptr) return std::nullopt;
  return unquoted(ctx->STRING());
}

// The rule of each RQL statement. Their operands are found by rule (tableName, fromDatabase,
// likePattern), so a new statement of that shape needs only a line here and one in the enum.
struct ShowRulesRule {
  size_t rule;
  ShowRulesKind kind;
};
constexpr ShowRulesRule kShowRules[] = {
    {P::RuleShowStorageUnits, ShowRulesKind::StorageUnits},
    {P::RuleShowShardingTableRules, ShowRulesKind::ShardingTableRules},
    {P::RuleShowShardingTableRule, ShowRulesKind::ShardingTableRule},
    {P::RuleShowBroadcastTableRules, ShowRulesKind::BroadcastTableRules},
    {P::RuleShowSingleTables, ShowRulesKind::SingleTables},
    {P::RuleShowSingleTable, ShowRulesKind::SingleTable},
    {P::RuleShowComputeNodes, ShowRulesKind::ComputeNodes},
    {P::RuleShowShardingAlgorithms, ShowRulesKind::ShardingAlgorithms},
    {P::RuleShowDefaultShardingStrategy, ShowRulesKind::DefaultShardingStrategy},
    {P::RuleShowShardingKeyGenerators, ShowRulesKind::ShardingKeyGenerators},
};

std::optional<DistSqlStatement> showRules(antlr4::ParserRuleContext* ctx) {
  for (const ShowRulesRule& r : kShowRules) {
    if (ctx->getRuleIndex() != r.rule) continue;
    ShowRules out;
    out.kind = r.kind;
    if (auto* table = ctx->getRuleContext<P::TableNameContext>(0)) {
      out.table = identifier(table->identifier());
    }
    if (auto* from = ctx->getRuleContext<P::FromDatabaseContext>(0)) {
      out.database = identifier(from->databaseName()->identifier());
    }
    out.like = like(ctx->getRuleContext<P::LikePatternContext>(0));
    return out;
  }
  return std::nullopt;
}

std::optional<DistSqlStatement> transform(P::RootContext* root, std::string_view sql,
                                          const std::vector<uint32_t>& byteOffset) {
  if (P::PreviewContext* preview = root->preview()) {
    size_t offset = parser::byteOffsetOf(preview->PREVIEW()->getSymbol()->getStopIndex() + 1,
                                         byteOffset, sql.size());
    while (offset < sql.size() && std::isspace(static_cast<unsigned char>(sql[offset]))) ++offset;
    return Preview{offset};
  }
  P::StatementContext* statement = root->statement();
  if (P::SetDistVariableContext* set = statement->setDistVariable()) {
    return SetDistVariable{name(set->variableName()), value(set->variableValue()),
                           set->DIST() != nullptr};
  }
  if (P::ShowDistVariableContext* show = statement->showDistVariable()) {
    return ShowDistVariable{name(show->variableName()), show->DIST() != nullptr, std::nullopt};
  }
  if (P::ShowDistVariablesContext* all = statement->showDistVariables()) {
    return ShowDistVariable{{}, true, like(all->likePattern())};
  }
  return showRules(statement->getRuleContext<antlr4::ParserRuleContext>(0));
}

}  // namespace

std::optional<DistSqlStatement> parseWithGrammar(std::string_view sql) {
  std::vector<uint32_t> byteOffset;
  CodePointStream input(parser::decodeCodePoints(sql, byteOffset));
  gen::DistSqlLexer lexer(&input);
  antlr4::CommonTokenStream tokens(&lexer);
  P parser(&tokens);
  // No console output: a statement that is not DistSQL is not an error here. The lexer cannot
  // fail (its ANY rule takes every character), the parser stops at its first error.
  lexer.removeErrorListeners();
  parser.removeErrorListeners();
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  try {
    return transform(parser.root(), sql, byteOffset);
  } catch (const antlr4::ParseCancellationException&) {
    return std::nullopt;
  } catch (const std::exception&) {
    // An ANTLR runtime failure (or bad_alloc): the statement goes the MySQL way, which reports
    // it.
    return std::nullopt;
  }
}

}  // namespace shardproxy::admin::distsql
