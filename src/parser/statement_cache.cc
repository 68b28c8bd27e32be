#include "parser/statement_cache.h"

#include <algorithm>
#include <tuple>

#include "parser/ast_visitor.h"
#include "parser/code_points.h"
#include "parser/literals.h"

namespace shardproxy::parser {

namespace {

using ast::Span;

// Whether the parser gives `s` back as it is: canonical UTF-8, no byte read as a Latin-1
// character (appendAsDecoded() would change nothing).
bool readsAsIs(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 1;
    codePointAt(s, i, len);
    if (len == 1 || c >= 0xF5) return false;  // F5.. leads are read, but not as UTF-8 writes them
    i += len;
  }
  return true;
}

// The value the AST gives a literal written as `text` (same rules as the builder).
void setLiteral(ast::Expr& e, NormalizedLiteral::Kind kind, std::string_view text, LexMode mode) {
  e.value.clear();
  switch (kind) {
    case NormalizedLiteral::Kind::kString:
      if (readsAsIs(text)) {
        appendUnescaped(e.value, text, mode.noBackslashEscapes());
      } else {
        // The parser reads invalid UTF-8 bytes as Latin-1 characters: the builder's value is
        // the text so read (binary data sent as _binary'...').
        std::string decoded;
        appendAsDecoded(decoded, text);
        appendUnescaped(e.value, decoded, mode.noBackslashEscapes());
      }
      return;
    case NormalizedLiteral::Kind::kNumber:
      e.value = text;
      if (text.find_first_not_of("0123456789") == std::string_view::npos) {
        e.literalType = ast::LiteralType::Integer;
      } else if (text.find_first_of("eE") != std::string_view::npos) {
        e.literalType = ast::LiteralType::Double;
      } else {
        e.literalType = ast::LiteralType::Decimal;
      }
      return;
    case NormalizedLiteral::Kind::kHexString:
    case NormalizedLiteral::Kind::kBitString:
      e.value = text;
      return;
  }
}

// Moves every offset of `s` (written for `oldSql`) to the same token of `newSql`, which has
// the same tokens with other spacing and comments. False when a token count or an offset does
// not line up (the caller parses afresh).
bool moveByTokens(ast::Statement& s, std::string_view oldSql, std::string_view newSql,
                  LexMode mode) {
  std::vector<std::pair<uint32_t, uint32_t>> from;
  std::vector<std::pair<uint32_t, uint32_t>> to;
  if (!tokenBounds(oldSql, from, mode) || !tokenBounds(newSql, to, mode) ||
      from.size() != to.size()) {
    return false;
  }
  // Token begins and ends, each increasing: old offset -> new offset.
  std::vector<std::pair<uint32_t, uint32_t>> begins;
  std::vector<std::pair<uint32_t, uint32_t>> ends;
  for (size_t i = 0; i < from.size(); ++i) {
    begins.emplace_back(from[i].first, to[i].first);
    ends.emplace_back(from[i].second, to[i].second);
  }
  auto lookup = [](const std::vector<std::pair<uint32_t, uint32_t>>& map, uint32_t x,
                   uint32_t& out) {
    auto it = std::lower_bound(map.begin(), map.end(), std::make_pair(x, uint32_t{0}));
    if (it == map.end() || it->first != x) return false;
    out = it->second;
    return true;
  };
  bool ok = true;
  ast::forEachSpan(s, [&](Span& span) {
    if (!ok || (span.begin == 0 && span.end == 0)) return;
    uint32_t b = 0;
    uint32_t e = 0;
    // An empty span (a position) may sit at either kind of boundary.
    if (span.begin == span.end) {
      ok = lookup(begins, span.begin, b) || lookup(ends, span.begin, b);
      span.begin = span.end = b;
      return;
    }
    ok = lookup(begins, span.begin, b) && lookup(ends, span.end, e);
    span.begin = b;
    span.end = e;
  });
  return ok;
}

// `sql` with each literal longer than `longBytes` that is a string or hex literal replaced by an
// empty one of its kind; empty when there is none.
std::string shortened(std::string_view sql, const Normalized& n, size_t longBytes) {
  std::string out;
  size_t pos = 0;
  for (const NormalizedLiteral& l : n.literals) {
    if (l.end - l.begin <= longBytes) continue;
    const char first = sql[l.begin];
    std::string_view placeholder;
    if (l.kind == NormalizedLiteral::Kind::kString && (first == '\'' || first == '"')) {
      placeholder = first == '"' ? "\"\"" : "''";
    } else if (l.kind == NormalizedLiteral::Kind::kHexString) {
      placeholder = first == '0' ? "0x00" : "X''";
    } else {
      continue;
    }
    if (out.empty()) out.reserve(std::min<size_t>(sql.size(), 4096));
    out.append(sql.substr(pos, l.begin - pos));
    out.append(placeholder);
    pos = l.end;
  }
  if (pos == 0) return {};
  out.append(sql.substr(pos));
  return out;
}

// Lists of literals this long (IN (1, 2, ..., 100000)) are parsed as their first two items; the
// others are added to the AST as copies of the second: ANTLR costs microseconds per item.
constexpr size_t kMinLiteralRun = 16;

// Literals first..last (indices into Normalized::literals) separated by commas only.
struct LiteralRun {
  size_t first;
  size_t last;
};

bool onlyOneComma(std::string_view between) {
  bool comma = false;
  for (char c : between) {
    if (c == ',' && !comma) {
      comma = true;
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      return false;
    }
  }
  return comma;
}

// The runs of at least kMinLiteralRun literals of one kind separated by a comma and spaces only,
// each but the first written plainly (a string in quotes, no introducer or sign before it).
std::vector<LiteralRun> literalRuns(std::string_view text, const Normalized& n) {
  std::vector<LiteralRun> runs;
  const auto& l = n.literals;
  size_t i = 0;
  while (i < l.size()) {
    size_t j = i;
    while (j + 1 < l.size() && l[j + 1].kind == l[i].kind &&
           onlyOneComma(text.substr(l[j].end, l[j + 1].begin - l[j].end)) &&
           (l[i].kind != NormalizedLiteral::Kind::kString || text[l[j + 1].begin] == '\'' ||
            text[l[j + 1].begin] == '"')) {
      ++j;
    }
    if (j - i + 1 >= kMinLiteralRun) runs.push_back({i, j});
    i = j + 1;
  }
  return runs;
}

// `text` with each run cut after its second literal.
std::string withoutRunTails(std::string_view text, const Normalized& n,
                            const std::vector<LiteralRun>& runs) {
  std::string out;
  size_t pos = 0;
  for (const LiteralRun& r : runs) {
    const size_t cut = n.literals[r.first + 1].end;
    out.append(text.substr(pos, cut - pos));
    pos = n.literals[r.last].end;
  }
  out.append(text.substr(pos));
  return out;
}

// Turns `s`, parsed from withoutRunTails(text, n, runs), into the AST of `text` (whose literals
// are `n`): the offsets after each cut move, and each run's missing literals join the IN list of
// its first two as copies of the second. False when a run is not in an IN list: the caller
// parses `text` itself.
bool addRunTails(ast::Statement& s, std::string_view text, const Normalized& n,
                 const std::vector<LiteralRun>& runs, LexMode mode) {
  // The literal expressions by span, and every expression's parent.
  std::vector<std::tuple<uint32_t, uint32_t, ast::ExprId>> bySpan;
  std::vector<ast::ExprId> parent(s.exprs.size(), ast::kNone);
  for (size_t e = 0; e < s.exprs.size(); ++e) {
    const ast::Expr& x = s.exprs[e];
    if (x.kind == ast::ExprKind::Literal && x.charset.empty()) {
      bySpan.emplace_back(x.span.begin, x.span.end, static_cast<ast::ExprId>(e));
    }
    for (ast::ExprId arg : x.args) {
      if (arg < parent.size()) parent[arg] = static_cast<ast::ExprId>(e);
    }
  }
  std::sort(bySpan.begin(), bySpan.end());
  auto literalAt = [&](size_t begin, size_t end) -> ast::ExprId {
    auto it = std::lower_bound(
        bySpan.begin(), bySpan.end(),
        std::make_tuple(static_cast<uint32_t>(begin), static_cast<uint32_t>(end), ast::ExprId{0}));
    if (it == bySpan.end() || std::get<0>(*it) != begin || std::get<1>(*it) != end) {
      return ast::kNone;
    }
    return std::get<2>(*it);
  };
  struct Place {
    ast::ExprId list;    // the In expression
    size_t after;        // index in its args of the run's second literal
    ast::ExprId second;  // that literal
    uint32_t cut;        // where the cut is in the parsed text
    uint32_t removed;    // bytes cut there and before
  };
  std::vector<Place> places;
  uint32_t removed = 0;
  for (const LiteralRun& r : runs) {
    const auto& a = n.literals[r.first];
    const auto& b = n.literals[r.first + 1];
    const ast::ExprId first = literalAt(a.begin - removed, a.end - removed);
    const ast::ExprId second = literalAt(b.begin - removed, b.end - removed);
    if (first == ast::kNone || second == ast::kNone) return false;
    const ast::ExprId list = parent[second];
    if (list == ast::kNone || parent[first] != list) return false;
    const ast::Expr& in = s.exprs[list];
    if (in.kind != ast::ExprKind::In || in.subquery != ast::kNone) return false;
    auto at = std::find(in.args.begin(), in.args.end(), second);
    if (at == in.args.begin() || *(at - 1) != first) return false;
    const uint32_t cut = static_cast<uint32_t>(b.end) - removed;
    removed += static_cast<uint32_t>(n.literals[r.last].end - b.end);
    places.push_back({list, static_cast<size_t>(at - in.args.begin()), second, cut, removed});
  }
  // Parsed offset -> offset in `text`: moved by the bytes cut before it. A begin at a cut is
  // the next token's; an end there is the run's second literal's.
  auto move = [&places](uint32_t x, bool isEnd) {
    // The last cut before x (places are in text order).
    auto it = std::partition_point(places.begin(), places.end(), [&](const Place& p) {
      return p.cut < x || (p.cut == x && !isEnd);
    });
    return it == places.begin() ? x : x + std::prev(it)->removed;
  };
  ast::forEachSpan(s, [&](ast::Span& span) {
    if (span.begin == 0 && span.end == 0) return;
    span.begin = move(span.begin, false);
    span.end = move(span.end, true);
  });
  // Last run first: inserting into an IN list moves the positions of its later runs.
  for (size_t p = places.size(); p-- > 0;) {
    const LiteralRun& r = runs[p];
    std::vector<ast::ExprId> added;
    added.reserve(r.last - r.first - 1);
    for (size_t k = r.first + 2; k <= r.last; ++k) {
      const auto& l = n.literals[k];
      ast::Expr e = s.exprs[places[p].second];
      e.span = {static_cast<uint32_t>(l.begin), static_cast<uint32_t>(l.end)};
      setLiteral(e, l.kind, text.substr(l.begin, l.end - l.begin), mode);
      added.push_back(static_cast<ast::ExprId>(s.exprs.size()));
      s.exprs.push_back(std::move(e));
    }
    auto& args = s.exprs[places[p].list].args;
    args.insert(args.begin() + static_cast<std::ptrdiff_t>(places[p].after) + 1, added.begin(),
                added.end());
  }
  // Literal ordinals in text order, as the builder numbers them.
  std::vector<std::pair<uint32_t, ast::ExprId>> literals;
  for (size_t e = 0; e < s.exprs.size(); ++e) {
    if (s.exprs[e].kind == ast::ExprKind::Literal) {
      literals.emplace_back(s.exprs[e].span.begin, static_cast<ast::ExprId>(e));
    }
  }
  std::sort(literals.begin(), literals.end());
  for (size_t i = 0; i < literals.size(); ++i) {
    s.exprs[literals[i].second].literalIndex = static_cast<uint32_t>(i);
  }
  s.literalCount = static_cast<uint32_t>(literals.size());
  s.sql = std::string(text);
  return true;
}

}  // namespace

std::optional<StatementCache::Template> StatementCache::shortTemplate(std::string_view sql,
                                                                      LexMode mode,
                                                                      const Normalized& n) {
  // Long literals shortened first: the text the template is of.
  std::string shortenedText = shortened(sql, n, kLongLiteralBytes);
  std::string_view text = shortenedText.empty() ? sql : std::string_view(shortenedText);
  Normalized textN;
  if (!shortenedText.empty()) {
    // The same tokens with the same literals, only shorter ones.
    if (!normalize(text, textN, mode) || textN.key != n.key ||
        textN.literals.size() != n.literals.size()) {
      return std::nullopt;
    }
  }
  const Normalized& tn = shortenedText.empty() ? n : textN;
  // Then long literal lists cut short: what ANTLR reads.
  std::vector<LiteralRun> runs = literalRuns(text, tn);
  if (shortenedText.empty() && runs.empty()) return std::nullopt;
  std::optional<ast::Statement> statement;
  if (!runs.empty()) {
    auto parsed = ast::parseAst(withoutRunTails(text, tn, runs), mode);
    if (parsed && addRunTails(parsed.value(), text, tn, runs, mode)) {
      statement.emplace(std::move(parsed.value()));
    } else if (shortenedText.empty()) {
      return std::nullopt;  // the caller parses the text itself
    }
  }
  if (!statement) {
    auto parsed = ast::parseAst(text, mode);
    if (!parsed) return std::nullopt;  // the caller parses the text itself for the exact error
    statement.emplace(std::move(parsed.value()));
  }
  std::string key = shortenedText.empty() ? n.key : std::move(textN.key);
  std::vector<NormalizedLiteral> literals =
      shortenedText.empty() ? n.literals : std::move(textN.literals);
  return makeTemplate(mode, std::move(key), std::move(*statement), std::move(literals));
}

Result<ast::Statement> StatementCache::parseUncached(std::string sql, LexMode mode) {
  Normalized n;
  if (normalize(sql, n, mode)) {
    if (auto t = shortTemplate(sql, mode, n)) {
      if (auto bound = bind(*t, sql, n, &sql)) return std::move(*bound);
    }
  }
  return ast::parseAst(sql, mode);
}

StatementCache::Template StatementCache::makeTemplate(LexMode mode, std::string key,
                                                      ast::Statement statement,
                                                      std::vector<NormalizedLiteral> literals) {
  Template t;
  t.mode = mode;
  t.key = std::move(key);
  t.bindings.resize(literals.size());
  // The literal expressions by span, so that each literal finds its own by binary search: the
  // first of the statement's expressions with that span, as a scan in order would find it. A
  // literal with an introducer (_binary'..', N'..', DATE '..') spans the introducer too: it is
  // found by its end, and is that literal's only when no other literal lies within it.
  struct Candidate {
    uint32_t begin;
    uint32_t end;
    ast::ExprId expr;
    bool operator<(const Candidate& o) const {
      return begin != o.begin ? begin < o.begin : end != o.end ? end < o.end : expr < o.expr;
    }
  };
  std::vector<Candidate> plain;
  std::vector<Candidate> introduced;  // begin and end swapped: ordered by end
  for (size_t e = 0; e < statement.exprs.size(); ++e) {
    const ast::Expr& x = statement.exprs[e];
    if (x.kind != ast::ExprKind::Literal) continue;
    if (x.charset.empty()) {
      plain.push_back({x.span.begin, x.span.end, static_cast<ast::ExprId>(e)});
    } else {
      introduced.push_back({x.span.end, x.span.begin, static_cast<ast::ExprId>(e)});
    }
  }
  std::sort(plain.begin(), plain.end());
  std::sort(introduced.begin(), introduced.end());
  for (size_t i = 0; i < literals.size(); ++i) {
    const auto& l = literals[i];
    const auto begin = static_cast<uint32_t>(l.begin);
    const auto end = static_cast<uint32_t>(l.end);
    auto it = std::lower_bound(plain.begin(), plain.end(), Candidate{begin, end, 0});
    if (it != plain.end() && it->begin == begin && it->end == end) {
      t.bindings[i].expr = it->expr;
      continue;
    }
    const uint32_t previousEnd = i > 0 ? static_cast<uint32_t>(literals[i - 1].end) : 0;
    auto in = std::lower_bound(introduced.begin(), introduced.end(), Candidate{end, 0, 0});
    if (in != introduced.end()) {
      const uint32_t exprEnd = in->begin;
      const uint32_t exprBegin = in->end;
      if (exprEnd == end && exprBegin < begin && exprBegin >= previousEnd) {
        t.bindings[i].expr = in->expr;
        continue;
      }
    }
    t.bindings[i].guard = std::string(statement.sql.substr(l.begin, l.end - l.begin));
  }
  t.literals = std::move(literals);
  t.statement = std::make_shared<const ast::Statement>(std::move(statement));
  return t;
}

std::optional<ast::Statement> StatementCache::bind(const Template& t, std::string_view sql,
                                                   const Normalized& n, std::string* owner) {
  if (n.literals.size() != t.literals.size()) return std::nullopt;
  // When everything between the literals is byte for byte the template's, offsets move only by
  // the literals' lengths; otherwise (other spacing or comments) token by token.
  std::string_view old = t.statement->sql;
  bool sameLayout = true;
  size_t oldPos = 0;
  size_t newPos = 0;
  for (size_t i = 0; i <= n.literals.size() && sameLayout; ++i) {
    size_t oldEnd = i < n.literals.size() ? t.literals[i].begin : old.size();
    size_t newEnd = i < n.literals.size() ? n.literals[i].begin : sql.size();
    sameLayout = old.substr(oldPos, oldEnd - oldPos) == sql.substr(newPos, newEnd - newPos);
    if (i < n.literals.size()) {
      oldPos = t.literals[i].end;
      newPos = n.literals[i].end;
    }
  }
  for (size_t i = 0; i < n.literals.size(); ++i) {
    const auto& b = t.bindings[i];
    const auto& l = n.literals[i];
    if (n.literals[i].kind != t.literals[i].kind) return std::nullopt;
    std::string_view text = sql.substr(l.begin, l.end - l.begin);
    if (b.expr == ast::kNone && text != b.guard) return std::nullopt;
  }
  ast::Statement s = *t.statement;
  if (owner != nullptr) {
    s.sql = std::move(*owner);
  } else {
    s.sql = std::string(sql);
  }
  sql = s.sql;  // the AST's own text from here on (a moved short string has moved its bytes)
  if (!sameLayout) {
    if (!moveByTokens(s, old, sql, t.mode)) return std::nullopt;
    for (size_t i = 0; i < n.literals.size(); ++i) {
      const auto& b = t.bindings[i];
      if (b.expr == ast::kNone) continue;
      const auto& l = n.literals[i];
      setLiteral(s.exprs[b.expr], l.kind, sql.substr(l.begin, l.end - l.begin), t.mode);
    }
    return s;
  }
  // Old offset -> new: shifted by the length changes of the literals that end at or before it.
  std::vector<std::pair<uint32_t, int64_t>> shifts;  // (old end, cumulative delta)
  int64_t delta = 0;
  for (size_t i = 0; i < t.literals.size(); ++i) {
    const auto& o = t.literals[i];
    const auto& l = n.literals[i];
    delta += static_cast<int64_t>(l.end - l.begin) - static_cast<int64_t>(o.end - o.begin);
    shifts.emplace_back(static_cast<uint32_t>(o.end), delta);
  }
  if (delta != 0 || !shifts.empty()) {
    auto move = [&shifts](uint32_t x) -> uint32_t {
      // The last literal ending at or before x; offsets before the first literal do not move.
      auto it = std::upper_bound(shifts.begin(), shifts.end(), x,
                                 [](uint32_t v, const auto& p) { return v < p.first; });
      if (it == shifts.begin()) {
        // Before the end of the first literal: only its own start can be here.
        return x;
      }
      return static_cast<uint32_t>(static_cast<int64_t>(x) + std::prev(it)->second);
    };
    ast::forEachSpan(s, [&move](Span& span) {
      if (span.begin == 0 && span.end == 0) return;
      span.begin = move(span.begin);
      span.end = move(span.end);
    });
  }
  for (size_t i = 0; i < n.literals.size(); ++i) {
    const auto& b = t.bindings[i];
    if (b.expr == ast::kNone) continue;
    const auto& l = n.literals[i];
    setLiteral(s.exprs[b.expr], l.kind, sql.substr(l.begin, l.end - l.begin), t.mode);
  }
  return s;
}

void StatementCache::store(Template t) {
  if (capacity_ == 0) return;
  if (entries_.size() >= capacity_) {
    entries_.erase(EntryKey{lru_.back().mode, lru_.back().key});
    lru_.pop_back();
  }
  lru_.push_front(std::move(t));
  entries_[EntryKey{lru_.front().mode, lru_.front().key}] = lru_.begin();
}

std::optional<ast::Statement> StatementCache::lookup(std::string_view sql, LexMode mode,
                                                     Miss& miss) {
  miss.mode = mode;
  miss.normalized = normalize(sql, miss.n, mode);
  if (miss.normalized) {
    auto it = entries_.find(EntryKey{mode, miss.n.key});
    if (it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      if (auto bound = bind(*it->second, sql, miss.n)) {
        ++hits_;
        return bound;
      }
    }
  }
  ++misses_;
  return std::nullopt;
}

StatementCache::Parsed StatementCache::parseMiss(std::string_view sql, Miss miss) {
  const LexMode mode = miss.mode;
  const Normalized& n = miss.n;
  if (miss.normalized) {
    if (auto t = shortTemplate(sql, mode, n)) {
      if (auto bound = bind(*t, sql, n)) {
        std::shared_ptr<Template> keep;
        if (t->statement->sql.size() <= kMaxCachedBytes) {
          keep = std::make_shared<Template>(std::move(*t));
        }
        return {std::move(*bound), std::move(keep)};
      }
    }
  }
  auto parsed = ast::parseAst(sql, mode);
  if (!parsed) return {parsed.status(), nullptr};
  std::shared_ptr<Template> keep;
  if (miss.normalized && sql.size() <= kMaxCachedBytes) {
    keep = std::make_shared<Template>(
        makeTemplate(mode, std::move(miss.n.key), parsed.value(), std::move(miss.n.literals)));
  }
  return {std::move(parsed), std::move(keep)};
}

void StatementCache::keep(std::shared_ptr<Template> t) {
  if (t == nullptr || entries_.find(EntryKey{t->mode, t->key}) != entries_.end()) return;
  store(std::move(*t));
}

Result<ast::Statement> StatementCache::get(std::string_view sql, LexMode mode) {
  Miss miss;
  if (auto hit = lookup(sql, mode, miss)) return std::move(*hit);
  Parsed parsed = parseMiss(sql, std::move(miss));
  keep(std::move(parsed.keep));
  return std::move(parsed.statement);
}

}  // namespace shardproxy::parser
