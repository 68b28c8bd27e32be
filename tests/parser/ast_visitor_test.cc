// visitFields() (ast_visitor.h) must name every member of every node, or toJson() leaves it out
// and the statement cache does not move its span: checked member by member against the count of
// members the compiler sees. forEachSpan() must then move every span: checked by shifting rich
// statements and comparing with a fresh parse of the shifted text.
#include "parser/ast_visitor.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "parser/ast.h"

namespace shardproxy::parser::ast {
namespace {

// ---- every member is visited --------------------------------------------------------------------

// Converts to a reference to any type, so it initializes one member of an aggregate, whatever
// the member's type (declared only: used in unevaluated contexts).
struct AnyMember {
  template <class T>
  constexpr operator T&() const noexcept;
};

template <class T, size_t... I>
constexpr bool initializableWith(std::index_sequence<I...>) {
  return requires { T{(void(I), AnyMember{})...}; };
}

// The number of members of the aggregate T: the most initializers T{...} accepts.
template <class T, size_t N = 0>
constexpr size_t memberCount() {
  if constexpr (initializableWith<T>(std::make_index_sequence<N + 1>{})) {
    return memberCount<T, N + 1>();
  } else {
    return N;
  }
}

static_assert(memberCount<Span>() == 2);  // the counter itself

template <class T>
inline constexpr bool kIsPart = false;
template <class S>
inline constexpr bool kIsPart<HintPart<S>> = true;
template <class S>
inline constexpr bool kIsPart<TransactionPart<S>> = true;
template <class S>
inline constexpr bool kIsPart<DdlPart<S>> = true;

// The address of every member visitFields() passes; a Part's members one by one.
struct MemberAddresses {
  std::set<const void*> seen;

  template <class T>
  void operator()(const char*, const T& field, bool) {
    if constexpr (kIsRef<T>) {
      seen.insert(&field.value);
    } else if constexpr (kIsPart<T>) {
      visitFields(field, *this);
    } else {
      seen.insert(&field);
    }
  }

  // The members seen that lie in `object`.
  template <class T>
  size_t within(const T& object) const {
    auto* begin = reinterpret_cast<const char*>(&object);
    size_t n = 0;
    for (const void* p : seen) {
      auto* c = static_cast<const char*>(p);
      n += c >= begin && c < begin + sizeof(T) ? 1 : 0;
    }
    return n;
  }
};

template <class T>
size_t visitedMembers() {
  T node{};
  MemberAddresses members;
  visitFields(node, members);
  return members.within(node);
}

TEST(AstVisitorTest, EveryMemberOfEveryNodeIsVisited) {
  EXPECT_EQ(visitedMembers<Name>(), memberCount<Name>());
  EXPECT_EQ(visitedMembers<Expr>(), memberCount<Expr>());
  EXPECT_EQ(visitedMembers<TableRef>(), memberCount<TableRef>());
  EXPECT_EQ(visitedMembers<SelectItem>(), memberCount<SelectItem>());
  EXPECT_EQ(visitedMembers<OrderItem>(), memberCount<OrderItem>());
  EXPECT_EQ(visitedMembers<Limit>(), memberCount<Limit>());
  EXPECT_EQ(visitedMembers<Cte>(), memberCount<Cte>());
  EXPECT_EQ(visitedMembers<Select>(), memberCount<Select>());
  EXPECT_EQ(visitedMembers<Assignment>(), memberCount<Assignment>());
  EXPECT_EQ(visitedMembers<ValueRow>(), memberCount<ValueRow>());
  EXPECT_EQ(visitedMembers<InsertStatement>(), memberCount<InsertStatement>());
  EXPECT_EQ(visitedMembers<UpdateStatement>(), memberCount<UpdateStatement>());
  EXPECT_EQ(visitedMembers<DeleteStatement>(), memberCount<DeleteStatement>());
  EXPECT_EQ(visitedMembers<ShowStatement>(), memberCount<ShowStatement>());
  EXPECT_EQ(visitedMembers<KillStatement>(), memberCount<KillStatement>());
  EXPECT_EQ(visitedMembers<SetItem>(), memberCount<SetItem>());
  EXPECT_EQ(visitedMembers<SetStatement>(), memberCount<SetStatement>());
  EXPECT_EQ(visitedMembers<PreparedStatementCommand>(), memberCount<PreparedStatementCommand>());
  EXPECT_EQ(visitedMembers<DdlTable>(), memberCount<DdlTable>());
  EXPECT_EQ(visitedMembers<ObjectName>(), memberCount<ObjectName>());

  // The statement members visited through Parts.
  Statement s;
  MemberAddresses members;
  visitFields(TransactionPart<Statement>{s.tclKind, s.transaction}, members);
  EXPECT_EQ(members.within(s.transaction), memberCount<TransactionStatement>());
  visitFields(DdlPart<Statement>{s.ddlKind, s.ddl}, members);
  EXPECT_EQ(members.within(s.ddl), memberCount<DdlStatement>());

  // The statement: every member, transaction and ddl as one each, but hasHint (which is whether
  // "hint" is present) and the arenas exprs, selects and tableRefs (visitNodes() walks them).
  members.seen.clear();
  visitFields(s, members);
  size_t inParts = members.within(s.transaction) + members.within(s.ddl);
  EXPECT_EQ(members.within(s) - inParts + 2, memberCount<Statement>() - 4);
}

// ---- every span moves ---------------------------------------------------------------------------

// Between them, every span field of the AST, each with a non-empty span at least once (checked
// below, so the shift test covers them all).
const std::vector<std::string> kRichStatements = {
    "/* SHARDINGSPHERE_HINT: shard=1 */ SELECT a FROM t",
    "WITH RECURSIVE c (n) AS (SELECT 1) SELECT DISTINCT db.t.a, t.*, db.t.*, x AS y, (SELECT 1), "
    "EXISTS (SELECT 2) FROM db.t AS t JOIN u USING (a) LEFT JOIN (SELECT 1 AS z) AS d ON t.a = "
    "d.z, c WHERE a IN (1, ?) AND b LIKE 'x' ESCAPE '!' GROUP BY a WITH ROLLUP HAVING COUNT(*) > "
    "1 ORDER BY 2 DESC LIMIT 1, 2 FOR UPDATE",
    "SELECT CAST(a AS CHAR), CASE a WHEN 1 THEN 2 ELSE 3 END, d + INTERVAL 1 DAY, a COLLATE "
    "utf8mb4_bin, ROW(1, 2), @@x, -a, a IS NOT NULL, a NOT BETWEEN 1 AND 2, a = ANY (SELECT 1) "
    "FROM t, LATERAL (SELECT 1) AS x",
    "SELECT 1 UNION ALL SELECT 2 ORDER BY 1 LIMIT 3",
    "VALUES ROW(1, 2), ROW(3, 4)",
    "TABLE t",
    "INSERT INTO db.t (a, b) VALUES (1, 'x'), (2, 'y') ON DUPLICATE KEY UPDATE b = VALUES(b)",
    "INSERT INTO t SET a = 1",
    "INSERT INTO t (a) SELECT b FROM u",
    "UPDATE t SET a = 1 WHERE b = 2 ORDER BY c LIMIT 3",
    "DELETE FROM t WHERE a = 1 ORDER BY b LIMIT 5",
    "DELETE t1 FROM t1 JOIN t2 ON t1.a = t2.a WHERE t2.b = 1",
    "SET @@global.sql_mode = 'ANSI', NAMES utf8 COLLATE utf8_bin, sql_log_bin = ON",
    "SET STATEMENT max_statement_time = 1 FOR SELECT 1",
    "SHOW FULL TABLES FROM db LIKE 'a%'",
    "SHOW COLUMNS FROM t FROM db WHERE x = 1",
    "USE db",
    "SAVEPOINT sp",
    "START TRANSACTION READ ONLY",
    "PREPARE s FROM @v",
    "PREPARE s FROM 'SELECT 1'",
    "EXECUTE s USING @a, @b",
    "KILL QUERY 5",
    "CREATE TABLE t (a INT, INDEX i (a), CONSTRAINT c FOREIGN KEY (a) REFERENCES p (a))",
    "CREATE DATABASE d",
    "CREATE VIEW v AS SELECT a FROM t",
};

// Every span, in visiting order.
std::vector<std::pair<uint32_t, uint32_t>> spans(const Statement& s) {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  forEachSpan(s, [&out](const Span& span) { out.emplace_back(span.begin, span.end); });
  return out;
}

// For every span field (by path, e.g. "insert.rows.span"), whether it was non-empty once.
struct SpanFields {
  std::map<std::string, bool> nonEmpty;
  std::string path;

  template <class T>
  void operator()(const char* key, const T& field, bool) {
    if constexpr (std::is_same_v<T, Span>) {
      bool& seen = nonEmpty[path + key];
      seen = seen || !field.empty();
    } else if constexpr (kIsVector<T>) {
      for (const auto& element : field) (*this)(key, element, true);
    } else if constexpr (!kIsRef<T> && Composite<T>) {
      std::string outer = path;
      path += std::string(key) + ".";
      visitFields(field, *this);
      path = std::move(outer);
    }
  }

  void statement(const Statement& s) {
    visitFields(s, *this);
    for (const Expr& e : s.exprs) (*this)("expr", e, true);
    for (const Select& q : s.selects) (*this)("select", q, true);
    for (const TableRef& t : s.tableRefs) (*this)("tableRef", t, true);
  }
};

TEST(AstVisitorTest, ShiftingMovesEverySpan) {
  constexpr uint32_t kShift = 7;
  SpanFields fields;
  for (const std::string& sql : kRichStatements) {
    auto original = parseAst(sql);
    ASSERT_TRUE(original.isOk()) << sql << ": " << original.status().message();
    fields.statement(*original);
    // The same statement after kShift spaces: every span a fresh parse gives is kShift later.
    std::string shiftedSql = std::string(kShift, ' ') + sql;
    auto fresh = parseAst(shiftedSql);
    ASSERT_TRUE(fresh.isOk()) << shiftedSql;

    Statement shifted = *original;
    shifted.sql = shiftedSql;
    size_t moved = 0;
    forEachSpan(shifted, [&moved](Span& span) {
      if (span.begin == 0 && span.end == 0) return;  // absent, as the statement cache does
      span.begin += kShift;
      span.end += kShift;
      ++moved;
    });
    EXPECT_GT(moved, 0u) << sql;
    EXPECT_EQ(spans(shifted), spans(*fresh)) << sql;
    // toJson() and describe() find the spans their own way (references followed, no
    // forEachSpan()), so they also see a span forEachSpan() did not reach.
    EXPECT_EQ(toJson(shifted), toJson(*fresh)) << sql;
    EXPECT_EQ(describe(shifted), describe(*fresh)) << sql;
  }
  for (const auto& [path, nonEmpty] : fields.nonEmpty) {
    EXPECT_TRUE(nonEmpty) << "no statement above gives " << path << " a span: add one";
  }
}

TEST(AstVisitorTest, VisitsInToJsonOrder) {
  auto s = parseAst("SELECT a FROM t WHERE b = 1");
  ASSERT_TRUE(s.isOk());
  std::vector<std::string> keys;
  auto record = [&keys](const char* key, const auto&, bool present) {
    if (present) keys.push_back(key);
  };
  visitFields(s->query(s->select), record);
  EXPECT_EQ(keys, (std::vector<std::string>{"kind", "span", "items", "from", "where"}));
}

}  // namespace
}  // namespace shardproxy::parser::ast
