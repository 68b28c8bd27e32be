// Statement cache: statements with the same normalized text share one parse. A hit binds the
// new literal values (and shifts every offset) into a copy of the cached AST, without ANTLR.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "parser/ast.h"
#include "parser/normalizer.h"

namespace shardproxy::parser {

class StatementCache {
 public:
  // ShardingSphere's sqlParser.sqlStatementCache.maximumSize default.
  static constexpr size_t kDefaultCapacity = 65535;

  explicit StatementCache(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // The AST of `sql`, exactly as parseAst(sql, mode) would build it. Statements read in
  // different modes never share an entry. Not thread-safe: one cache per worker.
  Result<ast::Statement> get(std::string_view sql, LexMode mode = {});

  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }
  size_t size() const { return entries_.size(); }

 private:
  // How the i-th literal of the normalized text reaches the AST: the literal expression it is,
  // or none (it is part of something else, e.g. a type length): then the cached AST only holds
  // for the same text of that literal.
  struct Binding {
    ast::ExprId expr = ast::kNone;
    std::string guard;  // the literal's text when expr is kNone
  };
  struct Template {
    LexMode mode;
    std::string key;
    std::shared_ptr<const ast::Statement> statement;
    std::vector<NormalizedLiteral> literals;  // offsets in the template's text
    std::vector<Binding> bindings;
  };

  // The normalized text and the mode it was read in: the same text read in another mode may be
  // other tokens.
  struct EntryKey {
    LexMode mode;
    std::string_view key;
    friend bool operator==(const EntryKey& a, const EntryKey& b) {
      return a.mode == b.mode && a.key == b.key;
    }
  };
  struct EntryKeyHash {
    size_t operator()(const EntryKey& k) const noexcept {
      return std::hash<std::string_view>()(k.key) ^ k.mode.bits;
    }
  };

  static Template makeTemplate(LexMode mode, std::string key, ast::Statement statement,
                               std::vector<NormalizedLiteral> literals);
  // nullopt when a guarded literal differs: the caller parses afresh.
  static std::optional<ast::Statement> bind(const Template& t, std::string_view sql,
                                            const Normalized& n);
  void store(Template t);

  size_t capacity_;
  std::list<Template> lru_;  // most recently used first
  std::unordered_map<EntryKey, std::list<Template>::iterator, EntryKeyHash> entries_;
  size_t hits_ = 0;
  size_t misses_ = 0;
};

}  // namespace shardproxy::parser
