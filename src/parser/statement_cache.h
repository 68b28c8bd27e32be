// Statement cache: statements with the same normalized text share one parse. A hit binds the
// new literal values (and shifts every offset) into a copy of the cached AST, without ANTLR.
// Long literals never reach ANTLR either: a statement that has some is parsed with short ones in
// their place and its own values bound in, as on a hit, so a 40 MiB string costs what '' costs.
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

  // Templates of longer text (after long literals are shortened) are not kept: a statement that
  // big is rarely repeated, and its AST would hold megabytes in the cache.
  static constexpr size_t kMaxCachedBytes = 64 * 1024;
  // Literals longer than this are parsed as a short placeholder and bound back.
  static constexpr size_t kLongLiteralBytes = 256;

  explicit StatementCache(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // The AST of `sql`, exactly as parseAst(sql, mode) would build it. Statements read in
  // different modes never share an entry. Not thread-safe: one cache per worker.
  Result<ast::Statement> get(std::string_view sql, LexMode mode = {});

  // The same without a cache, for any thread (a large statement is parsed off the worker):
  // long literals shortened as on a miss of get(). The statement's text is moved into the AST.
  static Result<ast::Statement> parseUncached(std::string sql, LexMode mode = {});

  // get() in two halves, for a caller that parses a miss on another thread: lookup() answers a
  // hit (nullopt on a miss, with `miss` filled), parseMiss() does the miss's work on any thread,
  // and keep() takes what it made for the cache, back on the cache's thread.
  struct Template;
  struct Miss {
    LexMode mode;
    bool normalized = false;
    Normalized n;
  };
  struct Parsed {
    Result<ast::Statement> statement;
    std::shared_ptr<Template> keep;  // null: nothing to keep
  };
  std::optional<ast::Statement> lookup(std::string_view sql, LexMode mode, Miss& miss);
  static Parsed parseMiss(std::string_view sql, Miss miss);
  void keep(std::shared_ptr<Template> t);

  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }
  size_t size() const { return entries_.size(); }

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

 private:
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
  // The template of `sql` (normalized as `n`) parsed from the text with its long string and hex
  // literals replaced by empty ones; nullopt when it has none or that text does not parse.
  static std::optional<Template> shortTemplate(std::string_view sql, LexMode mode,
                                               const Normalized& n);
  // nullopt when a guarded literal differs: the caller parses afresh. `owner`, when given, holds
  // `sql` and is moved into the AST instead of a copy.
  static std::optional<ast::Statement> bind(const Template& t, std::string_view sql,
                                            const Normalized& n, std::string* owner = nullptr);
  void store(Template t);

  size_t capacity_;
  std::list<Template> lru_;  // most recently used first
  std::unordered_map<EntryKey, std::list<Template>::iterator, EntryKeyHash> entries_;
  size_t hits_ = 0;
  size_t misses_ = 0;
};

}  // namespace shardproxy::parser
