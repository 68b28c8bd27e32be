// ExprEvaluator: MergeSpec expressions over merged rows, with MySQL's types and results
// (checked against MariaDB 10.11: SELECT 7/2 is 3.5000, SUM(dec(10,2))/COUNT(*) has scale 6,
// ROUND(2.5) is 3 but ROUND(2.5e0) is 2, 1/0 is NULL).
#include "merger/expression.h"

#include <gtest/gtest.h>

#include "merger_test_util.h"

namespace shardproxy::merger {
namespace {

using namespace testing;
using Node = MergeSpec::ExprNode;

// Builds a spec's expression pool; each helper returns the new node's index.
class Tree {
 public:
  uint32_t column(uint32_t position) {
    Node n;
    n.kind = Node::Kind::Column;
    n.column.position = position;
    return add(std::move(n));
  }
  uint32_t number(std::string text) {
    Node n;
    n.kind = Node::Kind::Literal;
    n.text = std::move(text);
    return add(std::move(n));
  }
  uint32_t string(std::string text) {
    Node n;
    n.kind = Node::Kind::Literal;
    n.text = std::move(text);
    n.string = true;
    return add(std::move(n));
  }
  uint32_t null() {
    Node n;
    n.kind = Node::Kind::Literal;
    n.null = true;
    return add(std::move(n));
  }
  uint32_t binary(std::string op, uint32_t a, uint32_t b) {
    Node n;
    n.kind = Node::Kind::Binary;
    n.op = std::move(op);
    n.args = {a, b};
    return add(std::move(n));
  }
  uint32_t unary(Node::Kind kind, uint32_t a, bool negated = false) {
    Node n;
    n.kind = kind;
    n.args = {a};
    n.negated = negated;
    return add(std::move(n));
  }
  uint32_t function(std::string name, std::vector<uint32_t> args) {
    Node n;
    n.kind = Node::Kind::Function;
    n.op = std::move(name);
    n.args = std::move(args);
    return add(std::move(n));
  }

  // The node's value over `row` (columns as given), as a server would write it; "NULL", or
  // "error <code>".
  std::string eval(uint32_t node, const std::vector<ColumnInfo>& columns, const Row& row) {
    columns_ = columns;
    std::vector<size_t> at(spec.exprs.size(), 0);
    for (size_t i = 0; i < spec.exprs.size(); ++i) {
      if (spec.exprs[i].kind == Node::Kind::Column) at[i] = spec.exprs[i].column.position - 1;
    }
    auto bound = ExprEvaluator::bind(spec, columns, at);
    if (!bound) return "bind error " + std::to_string(bound.status().code());
    auto v = bound->eval(row, node);
    if (!v) return "error " + std::to_string(v.status().code());
    Cell c = ExprEvaluator::toCell(*v);
    return c.null ? "NULL" : c.text;
  }
  // Without columns: those of the last call (every node of the tree is bound), all NULL.
  std::string eval(uint32_t node) {
    std::vector<ColumnInfo> columns = columns_;
    return eval(node, columns, Row(columns.size()));
  }

  MergeSpec spec;

 private:
  std::vector<ColumnInfo> columns_;

  uint32_t add(Node n) {
    spec.exprs.push_back(std::move(n));
    return static_cast<uint32_t>(spec.exprs.size() - 1);
  }
};

TEST(ExprEvaluator, IntegerArithmeticStaysInteger) {
  Tree t;
  EXPECT_EQ(t.eval(t.binary("*", t.number("6"), t.number("2"))), "12");
  EXPECT_EQ(t.eval(t.binary("-", t.number("2"), t.number("5"))), "-3");
  EXPECT_EQ(t.eval(t.binary("DIV", t.number("10"), t.number("3"))), "3");
  EXPECT_EQ(t.eval(t.binary("%", t.number("-10"), t.number("3"))), "-1");
  EXPECT_EQ(t.eval(t.binary("DIV", t.number("10"), t.number("0"))), "NULL");
  // BIGINT overflow is an error, not a wrapped value.
  EXPECT_EQ(t.eval(t.binary("*", t.number("9223372036854775807"), t.number("2"))), "error 1690");
}

TEST(ExprEvaluator, DivisionIsDecimalWithFourMoreDigits) {
  Tree t;
  EXPECT_EQ(t.eval(t.binary("/", t.number("7"), t.number("2"))), "3.5000");
  EXPECT_EQ(t.eval(t.binary("/", t.number("2"), t.number("3"))), "0.6667");
  EXPECT_EQ(t.eval(t.binary("/", t.number("-2"), t.number("3"))), "-0.6667");
  EXPECT_EQ(t.eval(t.binary("/", t.number("1"), t.number("0"))), "NULL");
  // SUM of a DECIMAL(10,2) over COUNT(*): scale 2 + 4.
  std::vector<ColumnInfo> cols = {decimalColumn("s", 2), intColumn("c")};
  uint32_t ratio = t.binary("/", t.column(1), t.column(2));
  EXPECT_EQ(t.eval(ratio, cols, row({"8.25", "5"})), "1.650000");
  EXPECT_EQ(t.eval(ratio, cols, row({nullptr, "0"})), "NULL");
  EXPECT_EQ(t.eval(ratio, cols, row({"8.25", "0"})), "NULL");
}

TEST(ExprEvaluator, DecimalArithmeticIsExact) {
  Tree t;
  EXPECT_EQ(t.eval(t.binary("*", t.number("1.10"), t.number("2.0"))), "2.200");
  EXPECT_EQ(t.eval(t.binary("+", t.number("0.1"), t.number("0.2"))), "0.3");
  EXPECT_EQ(t.eval(t.binary("-", t.number("1.5"), t.number("2.25"))), "-0.75");
  EXPECT_EQ(t.eval(t.binary("%", t.number("10.5"), t.number("3"))), "1.5");
  EXPECT_EQ(t.eval(t.binary("*", t.number("5"), t.number("1.5"))), "7.5");
  EXPECT_EQ(t.eval(t.binary("+", t.number("99999999999999999999.5"), t.number("0.5"))),
            "100000000000000000000.0");
}

TEST(ExprEvaluator, DoublesWhenAnOperandIsOne) {
  Tree t;
  std::vector<ColumnInfo> cols = {doubleColumn("d")};
  EXPECT_EQ(t.eval(t.binary("+", t.column(1), t.number("1")), cols, row({"0.5"})), "1.5");
  EXPECT_EQ(t.eval(t.binary("*", t.number("1e1"), t.number("3"))), "30");
}

TEST(ExprEvaluator, ComparisonsAndThreeValuedLogic) {
  Tree t;
  std::vector<ColumnInfo> cols = {intColumn("c"), decimalColumn("s", 2), stringColumn("m")};
  uint32_t twice = t.binary("*", t.column(1), t.number("2"));
  uint32_t gt = t.binary(">", twice, t.number("4"));
  EXPECT_EQ(t.eval(gt, cols, row({"3", "1.00", "a"})), "1");
  EXPECT_EQ(t.eval(gt, cols, row({"2", "1.00", "a"})), "0");
  // Numbers compare exactly across integer and DECIMAL: 1.50 = 1.5.
  EXPECT_EQ(t.eval(t.binary("=", t.column(2), t.number("1.5")), cols, row({"1", "1.50", "a"})),
            "1");
  // Strings by the column's collation: 'ABC' = 'abc' under _ci.
  EXPECT_EQ(t.eval(t.binary("=", t.column(3), t.string("abc")), cols, row({"1", "1", "ABC"})), "1");
  uint32_t isNull = t.unary(Node::Kind::IsNull, t.column(2));
  uint32_t cmpNull = t.binary(">", t.column(2), t.number("0"));
  EXPECT_EQ(t.eval(cmpNull, cols, row({"1", nullptr, "a"})), "NULL");
  EXPECT_EQ(t.eval(t.binary("OR", cmpNull, isNull), cols, row({"1", nullptr, "a"})), "1");
  EXPECT_EQ(t.eval(t.binary("AND", cmpNull, gt), cols, row({"1", nullptr, "a"})), "0");
  EXPECT_EQ(t.eval(t.binary("AND", cmpNull, t.number("1")), cols, row({"1", nullptr, "a"})),
            "NULL");
  EXPECT_EQ(t.eval(t.unary(Node::Kind::Not, cmpNull), cols, row({"1", nullptr, "a"})), "NULL");
  EXPECT_EQ(t.eval(t.binary("<=>", t.column(2), t.null()), cols, row({"1", nullptr, "a"})), "1");
  EXPECT_EQ(t.eval(t.binary("XOR", t.number("1"), t.number("0"))), "1");
}

TEST(ExprEvaluator, Functions) {
  Tree t;
  EXPECT_EQ(t.eval(t.function("ROUND", {t.number("1.5"), t.number("3")})), "1.500");
  EXPECT_EQ(t.eval(t.function("ROUND", {t.number("1.2345"), t.number("2")})), "1.23");
  EXPECT_EQ(t.eval(t.function("ROUND", {t.number("1.25"), t.number("1")})), "1.3");
  EXPECT_EQ(t.eval(t.function("ROUND", {t.number("15"), t.number("-1")})), "20");
  EXPECT_EQ(t.eval(t.function("ROUND", {t.number("2.5")})), "3");
  EXPECT_EQ(t.eval(t.function("ROUND", {t.number("-2.5")})), "-3");
  // DOUBLEs round half to even.
  EXPECT_EQ(t.eval(t.function("ROUND", {t.number("2.5e0")})), "2");
  EXPECT_EQ(t.eval(t.function("ROUND", {t.number("3.5e0")})), "4");
  EXPECT_EQ(t.eval(t.function("ABS", {t.number("-8.25")})), "8.25");
  EXPECT_EQ(t.eval(t.function("FLOOR", {t.number("-1.5")})), "-2");
  EXPECT_EQ(t.eval(t.function("CEILING", {t.number("1.2")})), "2");
  EXPECT_EQ(t.eval(t.function("SIGN", {t.number("-0.5")})), "-1");
  // IFNULL takes the type of both arguments: DECIMAL(.., 2) and 0 give 0.00.
  std::vector<ColumnInfo> cols = {decimalColumn("m", 2)};
  uint32_t ifnull = t.function("IFNULL", {t.column(1), t.number("0")});
  EXPECT_EQ(t.eval(ifnull, cols, row({nullptr})), "0.00");
  EXPECT_EQ(t.eval(ifnull, cols, row({"3.00"})), "3.00");
  EXPECT_EQ(t.eval(t.function("COALESCE", {t.null(), t.null(), t.number("7")})), "7");
  EXPECT_EQ(t.eval(t.function("IF", {t.number("0"), t.number("1"), t.number("2.50")})), "2.50");
  EXPECT_EQ(t.eval(t.function("IF", {t.number("1"), t.number("1"), t.number("2.50")})), "1.00");
}

TEST(ExprEvaluator, WhatCannotBeEvaluatedIsRefusedWhenBound) {
  Tree t;
  t.function("SQRT", {t.number("4")});
  EXPECT_EQ(t.eval(0), "bind error 1235");
  Tree u;
  u.function("ROUND", {});
  EXPECT_EQ(u.eval(0), "bind error 1235");
}

}  // namespace
}  // namespace shardproxy::merger
