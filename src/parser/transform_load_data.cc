// LOAD DATA | XML: the statement's options read from its parse tree (parser/load_data.h).
#include <cctype>

#include "parser/literals.h"
#include "parser/load_data.h"
#include "parser/parser.h"
#include "parser/transform.h"

namespace shardproxy::parser {

namespace {

using P = gen::MySqlParser;
using L = gen::MySqlLexer;

size_t tokenType(antlr4::tree::ParseTree* node) {
  auto* t = dynamic_cast<antlr4::tree::TerminalNode*>(node);
  return t != nullptr ? t->getSymbol()->getType() : 0;
}

size_t ruleOf(antlr4::tree::ParseTree* node) {
  auto* r = dynamic_cast<antlr4::ParserRuleContext*>(node);
  return r != nullptr ? r->getRuleIndex() : SIZE_MAX;
}

class LoadDataReader {
 public:
  LoadDataReader(const ParseTreeImpl& impl, LoadDataOptions& out) : impl_(impl), out_(out) {}

  void read(P::LoadStatementContext* ctx) {
    bool intoSeen = false;
    const auto& c = ctx->children;
    for (size_t i = 0; i < c.size(); ++i) {
      switch (tokenType(c[i])) {
        case L::XML:
          out_.xml = true;
          continue;
        case L::LOCAL:
          out_.local = true;
          continue;
        case L::INFILE:
          if (i + 1 < c.size()) out_.fileName = string(c[i + 1]);
          ++i;
          continue;
        case L::REPLACE:
          out_.duplicates = LoadDataOptions::Duplicates::kReplace;
          continue;
        case L::INTO:
          intoSeen = true;
          continue;
        case L::IGNORE:
          if (!intoSeen) {
            out_.duplicates = LoadDataOptions::Duplicates::kIgnore;
          } else if (i + 1 < c.size()) {
            // IGNORE n LINES | ROWS: the grammar takes only a decimal literal here.
            out_.ignoreLines = std::strtoull(c[i + 1]->getText().c_str(), nullptr, 10);
            ++i;
          }
          continue;
        case L::IDENTIFIED:  // ROWS IDENTIFIED BY '<tag>' (LOAD XML)
          i += 2;
          continue;
        case L::USER_VARIABLE:
          out_.columns.push_back({c[i]->getText(), true});
          continue;
        case L::SET:
          out_.hasSet = true;
          return;  // the assignments are not read
        default:
          break;
      }
      switch (ruleOf(c[i])) {
        case P::RuleTableName:
          tableName(static_cast<antlr4::ParserRuleContext*>(c[i]));
          break;
        case P::RulePartitionNames:
          out_.partition = true;
          break;
        case P::RuleCharsetClause:
          charset(static_cast<P::CharsetClauseContext*>(c[i]));
          break;
        case P::RuleFieldsClause:
          fields(static_cast<antlr4::ParserRuleContext*>(c[i]));
          break;
        case P::RuleLinesClause:
          lines(static_cast<antlr4::ParserRuleContext*>(c[i]));
          break;
        case P::RuleColumnRef: {
          // [[db.]table.]column: the last part names the column.
          auto* ref = static_cast<antlr4::ParserRuleContext*>(c[i]);
          out_.columns.push_back({ast::Transformer::unquote(ref->children.back()->getText())});
          break;
        }
        default:
          break;
      }
    }
  }

 private:
  // The value of a textString node.
  std::string string(antlr4::tree::ParseTree* node) const {
    std::string out;
    appendUnescaped(out, node->getText(), impl_.mode.noBackslashEscapes());
    return out;
  }

  void tableName(antlr4::ParserRuleContext* ctx) {
    const auto& c = ctx->children;
    if (c.size() == 3) {
      out_.schema = ast::Transformer::unquote(c[0]->getText());
      out_.table = ast::Transformer::unquote(c[2]->getText());
    } else if (!c.empty()) {
      out_.table = ast::Transformer::unquote(c[0]->getText());
    }
    size_t begin = impl_.toByteOffset(ctx->getStart()->getStartIndex());
    size_t end = impl_.toByteOffset(ctx->getStop()->getStopIndex() + 1);
    if (begin <= end && end <= impl_.sql.size())
      out_.tableText = impl_.sql.substr(begin, end - begin);
  }

  void charset(P::CharsetClauseContext* ctx) {
    std::string name;
    if (ctx->ASCII() != nullptr) {
      name = "latin1";
    } else if (ctx->UNICODE() != nullptr) {
      name = "ucs2";
    } else if (P::CharsetNameContext* n = ctx->charsetName()) {
      name = n->textString() != nullptr ? string(n->textString())
                                        : ast::Transformer::unquote(n->getText());
    }
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out_.charset = std::move(name);
  }

  void fields(antlr4::ParserRuleContext* ctx) {
    for (antlr4::tree::ParseTree* child : ctx->children) {
      if (ruleOf(child) != P::RuleFieldsOption) continue;
      const auto& o = static_cast<antlr4::ParserRuleContext*>(child)->children;
      std::string value = string(o.back());
      switch (tokenType(o.front())) {
        case L::TERMINATED:
          out_.fieldsTerminatedBy = std::move(value);
          break;
        case L::OPTIONALLY:
          out_.optionallyEnclosed = true;
          out_.enclosedBy = std::move(value);
          break;
        case L::ENCLOSED:
          out_.enclosedBy = std::move(value);
          break;
        case L::ESCAPED:
          out_.escapedBy = std::move(value);
          break;
        default:
          break;
      }
    }
  }

  void lines(antlr4::ParserRuleContext* ctx) {
    const auto& c = ctx->children;
    for (size_t i = 0; i + 2 < c.size(); ++i) {
      size_t type = tokenType(c[i]);
      if (type != L::STARTING && type != L::TERMINATED) continue;
      (type == L::STARTING ? out_.linesStartingBy : out_.linesTerminatedBy) = string(c[i + 2]);
      i += 2;
    }
  }

  const ParseTreeImpl& impl_;
  LoadDataOptions& out_;
};

}  // namespace

Result<LoadDataOptions> parseLoadData(std::string_view sql, LexMode mode) {
  auto parsed = parse(sql, mode);
  if (!parsed) return parsed.status();
  const ParseTreeImpl& impl = parsed->impl();
  P::SqlStatementContext* statement = impl.root->sqlStatement();
  auto* load = statement != nullptr ? statement->loadStatement() : nullptr;
  if (load == nullptr) return Status(er::kUnknownError, "HY000", "not a LOAD DATA statement");
  LoadDataOptions out;
  // Under NO_BACKSLASH_ESCAPES a statement without ESCAPED BY has no escape character, as in
  // MariaDB.
  if (mode.noBackslashEscapes()) out.escapedBy.clear();
  LoadDataReader(impl, out).read(load);
  return out;
}

}  // namespace shardproxy::parser
