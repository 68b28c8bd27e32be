// Internal to parser/: what a ParsedStatement holds. Includes the generated ANTLR headers, so
// only parser/ sources may include it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "MySqlLexer.h"
#include "MySqlParser.h"
#include "antlr4-runtime.h"
#include "parser/lex_mode.h"

namespace shardproxy::parser {

// The parse tree is owned by the ANTLR parser that built it, so the whole pipeline lives as long
// as the tree. Member order matters: the parser refers to the token stream, which refers to the
// lexer, which refers to the input.
struct ParseTreeImpl {
  std::string sql;                   // the original text, byte offsets refer to it
  LexMode mode;                      // how it was read (the session's sql_mode)
  std::vector<uint32_t> byteOffset;  // code point index -> byte offset (empty when all ASCII)
  std::unique_ptr<antlr4::ANTLRInputStream> input;
  std::unique_ptr<gen::MySqlLexer> lexer;
  std::unique_ptr<antlr4::CommonTokenStream> tokens;
  std::unique_ptr<gen::MySqlParser> parser;
  gen::MySqlParser::RootContext* root = nullptr;
  bool neededFullLl = false;

  // Byte offset in `sql` of the code point at `index` (ANTLR token offsets count code points).
  size_t toByteOffset(size_t index) const {
    if (byteOffset.empty()) {
      return index < sql.size() ? index : sql.size();
    }
    return index < byteOffset.size() ? byteOffset[index] : sql.size();
  }
};

}  // namespace shardproxy::parser
