#include "router/inline_expression.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace shardproxy::router {
namespace {

using Strings = std::vector<std::string>;
using Vars = std::map<std::string, Value>;

Strings expand(std::string_view text) {
  auto parsed = InlineExpression::parse(text);
  EXPECT_TRUE(parsed.isOk()) << text << ": " << parsed.status().message();
  if (!parsed.isOk()) return {};
  auto r = parsed->expand();
  EXPECT_TRUE(r.isOk()) << text << ": " << r.status().message();
  return r.isOk() ? r.value() : Strings{};
}

std::string eval(std::string_view text, const Vars& vars) {
  auto parsed = InlineExpression::parse(text);
  EXPECT_TRUE(parsed.isOk()) << text << ": " << parsed.status().message();
  if (!parsed.isOk()) return "<parse error>";
  auto r = parsed->evaluate(vars);
  EXPECT_TRUE(r.isOk()) << text << ": " << r.status().message();
  return r.isOk() ? r.value() : "<error: " + r.status().message() + ">";
}

std::string evalOne(std::string_view text) { return eval(text, {}); }

std::string parseError(std::string_view text) {
  auto parsed = InlineExpression::parse(text);
  EXPECT_FALSE(parsed.isOk()) << text;
  return parsed.isOk() ? "" : parsed.status().message();
}

std::string evalError(std::string_view text, const Vars& vars) {
  auto parsed = InlineExpression::parse(text);
  EXPECT_TRUE(parsed.isOk()) << text << ": " << parsed.status().message();
  if (!parsed.isOk()) return "";
  auto r = parsed->evaluate(vars);
  EXPECT_FALSE(r.isOk()) << text << " gave " << (r.isOk() ? r.value() : "");
  return r.isOk() ? "" : r.status().message();
}

Value I(int64_t v) { return Value::ofInteger(v); }
Value L(int64_t v) { return Value::ofLong(v); }
Value S(std::string v) { return Value::ofString(std::move(v)); }

// --- expansion (data nodes) -------------------------------------------------------------------

TEST(InlineExpressionTest, PlainTextAndItems) {
  EXPECT_EQ(expand("ds_0.t_order"), (Strings{"ds_0.t_order"}));
  EXPECT_EQ(expand(" ds_0.t_order_0 ,  ds_1.t_order_1 "),
            (Strings{"ds_0.t_order_0", "ds_1.t_order_1"}));
  EXPECT_EQ(expand(""), Strings{});
  EXPECT_EQ(expand("a,"), (Strings{"a"}));       // ShardingSphere drops an empty last item
  EXPECT_EQ(expand("a, "), (Strings{"a", ""}));  // but not a blank one
  EXPECT_EQ(expand("a,,b"), (Strings{"a", "", "b"}));
}

TEST(InlineExpressionTest, RangesBothDirections) {
  EXPECT_EQ(expand("t_${0..3}"), (Strings{"t_0", "t_1", "t_2", "t_3"}));
  EXPECT_EQ(expand("t_${3..0}"), (Strings{"t_3", "t_2", "t_1", "t_0"}));
  EXPECT_EQ(expand("t_${5..5}"), (Strings{"t_5"}));
  EXPECT_EQ(expand("t_${0..<3}"), (Strings{"t_0", "t_1", "t_2"}));
  EXPECT_EQ(expand("t_${-1..1}"), (Strings{"t_-1", "t_0", "t_1"}));
  EXPECT_EQ(expand("t_${0..2-1}"), (Strings{"t_0", "t_1"}));  // .. binds looser than -
  EXPECT_EQ(expand("t_${(0..1)}"), (Strings{"t_0", "t_1"}));
}

TEST(InlineExpressionTest, ArrowPlaceholderIsTheSame) {
  EXPECT_EQ(expand("ds_$->{0..1}.t_$->{0..1}"), expand("ds_${0..1}.t_${0..1}"));
}

TEST(InlineExpressionTest, CartesianOrderLeftmostSlowest) {
  EXPECT_EQ(expand("ds_${0..1}.t_${0..1}"),
            (Strings{"ds_0.t_0", "ds_0.t_1", "ds_1.t_0", "ds_1.t_1"}));
  EXPECT_EQ(expand("${['a','b']}_${1..3}"), (Strings{"a_1", "a_2", "a_3", "b_1", "b_2", "b_3"}));
}

TEST(InlineExpressionTest, ListsAndItemsSplitAtTopLevelCommasOnly) {
  EXPECT_EQ(expand("t_${['a', 'b', \"c\"]}"), (Strings{"t_a", "t_b", "t_c"}));
  EXPECT_EQ(expand("${['x,y', 'z']}"), (Strings{"x,y", "z"}));
  EXPECT_EQ(expand("ds_0.t_${0..1}, ds_1.t_${2..3}"),
            (Strings{"ds_0.t_0", "ds_0.t_1", "ds_1.t_2", "ds_1.t_3"}));
  EXPECT_EQ(expand("t_${[1, 1, 2]}"), (Strings{"t_1", "t_2"}));  // LinkedHashSet per part
  EXPECT_EQ(expand("t_${[]}"), Strings{});
  EXPECT_EQ(expand("t_${['a'.toString() + '}']}"), (Strings{"t_a}"}));
}

TEST(InlineExpressionTest, ConstantPartsInExpansion) {
  EXPECT_EQ(expand("t_${1 + 2}"), (Strings{"t_3"}));
  EXPECT_EQ(expand("t_${'x' + 1}"), (Strings{"t_x1"}));
}

TEST(InlineExpressionTest, LiteralPrefix) {
  EXPECT_EQ(expand("<LITERAL>ds_0.t_${0..1}, ds_1.t_x"), (Strings{"ds_0.t_${0..1}", "ds_1.t_x"}));
  EXPECT_EQ(expand("<LITERAL>"), Strings{});
  EXPECT_EQ(expand("<LITERAL>a,,b"), (Strings{"a", "", "b"}));
  EXPECT_EQ(expand("<GROOVY>t_${0..1}"), (Strings{"t_0", "t_1"}));
  auto p = InlineExpression::parse("<LITERAL>t_${x}");
  ASSERT_TRUE(p.isOk());
  EXPECT_TRUE(p->variables().empty());
  EXPECT_NE(parseError("<INTERVAL>x").find("unsupported inline expression type '<INTERVAL>'"),
            std::string::npos);
}

TEST(InlineExpressionTest, ExpandRefusesVariablesAndHugeResults) {
  auto p = InlineExpression::parse("t_${order_id % 2}");
  ASSERT_TRUE(p.isOk());
  auto r = p->expand();
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.status().message().find("variable 'order_id'"), std::string::npos);
  auto big = InlineExpression::parse("t_${0..100000000}");
  ASSERT_TRUE(big.isOk());
  EXPECT_FALSE(big->expand().isOk());
  auto product = InlineExpression::parse("${0..9999}_${0..9999}");
  ASSERT_TRUE(product.isOk());
  EXPECT_FALSE(product->expand().isOk());
}

// --- evaluation (INLINE algorithm) ------------------------------------------------------------

TEST(InlineExpressionTest, EvaluateWithVariables) {
  EXPECT_EQ(eval("t_order_${order_id % 2}", {{"order_id", I(7)}}), "t_order_1");
  EXPECT_EQ(eval("t_order_$->{order_id % 8}", {{"order_id", L(10000000003)}}), "t_order_3");
  EXPECT_EQ(eval("ds_${user_id % 2}.t_${order_id % 4}", {{"user_id", I(3)}, {"order_id", I(6)}}),
            "ds_1.t_2");
  EXPECT_EQ(eval("  t_${a}  ", {{"a", S("x")}}), "t_x");                // the expression is trimmed
  EXPECT_EQ(eval("t_${a}", {{"a", S("  x ")}}), "t_  x ");              // values are not
  EXPECT_EQ(eval("t_${a},${b}", {{"a", I(1)}, {"b", I(2)}}), "t_1,2");  // one Groovy string
  EXPECT_EQ(eval("t_${a}", {{"a", Value::null()}}), "t_null");
  EXPECT_EQ(eval("t_${a}", {{"a", *Value::ofNumberText("12.50")}}), "t_12.50");
  auto p = InlineExpression::parse("ds_${user_id % 2}.t_${order_id % 4 + user_id}");
  ASSERT_TRUE(p.isOk());
  EXPECT_EQ(p->variables(), (Strings{"order_id", "user_id"}));
  EXPECT_EQ(p->text(), "ds_${user_id % 2}.t_${order_id % 4 + user_id}");
}

TEST(InlineExpressionTest, HashCodeAndMath) {
  EXPECT_EQ(eval("t_${user_id.hashCode() % 4}", {{"user_id", S("abc")}}), "t_2");  // 96354 % 4
  // "t_order".hashCode() = -1597979709: Java % keeps the sign, Math.abs and floorMod do not.
  EXPECT_EQ(eval("${u.hashCode() % 4}", {{"u", S("t_order")}}), "-1");
  EXPECT_EQ(eval("${Math.abs(u.hashCode()) % 4}", {{"u", S("t_order")}}), "1");
  EXPECT_EQ(eval("${Math.abs(u.hashCode() % 4)}", {{"u", S("t_order")}}), "1");
  EXPECT_EQ(eval("${Math.floorMod(u.hashCode(), 4)}", {{"u", S("t_order")}}), "3");
  EXPECT_EQ(eval("${Math.floorMod(order_id, 3)}", {{"order_id", I(-7)}}), "2");
  EXPECT_EQ(eval("${Math.floorMod(order_id, 3)}", {{"order_id", L(-7)}}), "2");
  EXPECT_EQ(eval("${Math.floorDiv(order_id, 2)}", {{"order_id", I(-7)}}), "-4");
  EXPECT_EQ(eval("${Math.floorDiv(order_id, 2)}", {{"order_id", L(-7000000000)}}), "-3500000000");
  EXPECT_EQ(eval("${Math.abs(x)}", {{"x", I(INT32_MIN)}}), "-2147483648");  // Java overflow
  EXPECT_EQ(eval("${Math.abs(x)}", {{"x", L(-5)}}), "5");
  EXPECT_EQ(eval("${x.hashCode()}", {{"x", L(int64_t{1} << 32)}}), "1");
  EXPECT_EQ(eval("${x.hashCode()}", {{"x", *Value::ofNumberText("1.0")}}), "311");
  EXPECT_EQ(evalOne("${'é'.hashCode()}"), "233");
  EXPECT_EQ(evalOne("${true.hashCode()}"), "1231");
}

TEST(InlineExpressionTest, JavaIntegerArithmetic) {
  EXPECT_EQ(eval("${x + 1}", {{"x", I(INT32_MAX)}}), "-2147483648");  // int wraps
  EXPECT_EQ(eval("${x + 1}", {{"x", L(INT32_MAX)}}), "2147483648");   // long does not (yet)
  EXPECT_EQ(eval("${x + 1}", {{"x", L(INT64_MAX)}}), "-9223372036854775808");
  EXPECT_EQ(eval("${x * 2}", {{"x", I(1500000000)}}), "-1294967296");
  EXPECT_EQ(eval("${x * 2L}", {{"x", I(1500000000)}}), "3000000000");  // mixed -> long
  EXPECT_EQ(eval("${x - 1}", {{"x", I(INT32_MIN)}}), "2147483647");
  EXPECT_EQ(eval("${-x}", {{"x", I(INT32_MIN)}}), "-2147483648");
  EXPECT_EQ(eval("${x % 3}", {{"x", I(-7)}}), "-1");  // sign of the dividend
  EXPECT_EQ(eval("${x % -3}", {{"x", I(7)}}), "1");
  EXPECT_EQ(eval("${x % -1}", {{"x", I(INT32_MIN)}}), "0");
  EXPECT_EQ(eval("${x % -1}", {{"x", L(INT64_MIN)}}), "0");
  EXPECT_EQ(eval("${x.intdiv(2)}", {{"x", I(-7)}}), "-3");
  EXPECT_EQ(eval("${x.intdiv(-1)}", {{"x", I(INT32_MIN)}}), "-2147483648");
  EXPECT_EQ(eval("${x.intdiv(2)}", {{"x", L(9000000000)}}), "4500000000");
  EXPECT_EQ(evalOne("${2 + 3 * 4}"), "14");
  EXPECT_EQ(evalOne("${(2 + 3) * 4}"), "20");
  EXPECT_EQ(evalOne("${10 - 2 - 3}"), "5");
  EXPECT_EQ(evalOne("${2147483648}"), "2147483648");
  EXPECT_EQ(evalOne("${0x10 + 010}"), "24");  // hex and Groovy octal
  EXPECT_EQ(evalOne("${9223372036854775807 + 1}"), "-9223372036854775808");
  EXPECT_EQ(evalOne("${9223372036854775808 + 1}"), "9223372036854775809");  // BigInteger
}

TEST(InlineExpressionTest, GroovyDivision) {
  EXPECT_EQ(eval("${(order_id / 2) % 2}", {{"order_id", I(6)}}), "1");
  EXPECT_EQ(eval("${order_id / 2}", {{"order_id", I(8)}}), "4");
  EXPECT_EQ(eval("${order_id / 2}", {{"order_id", I(7)}}), "3.5");
  EXPECT_EQ(eval("${(order_id / 2) % 2}", {{"order_id", I(7)}}), "1.5");  // BigDecimal.remainder
  EXPECT_EQ(evalOne("${1 / 3}"), "0.3333333333");
  EXPECT_EQ(evalOne("${2 / 3}"), "0.6666666667");
  EXPECT_EQ(evalOne("${-7 / 3}"), "-2.3333333333");
  EXPECT_EQ(evalOne("${1 / 7}"), "0.1428571429");
  EXPECT_EQ(evalOne("${100000 / 3}"), "33333.3333333333");
  EXPECT_EQ(evalOne("${9223372036854775807 / 3}"), "3074457345618258602.3333333333");
  EXPECT_EQ(evalOne("${1 / 4}"), "0.25");
  EXPECT_EQ(evalOne("${1 / 1024}"), "0.0009765625");
  EXPECT_EQ(evalOne("${3.5 / 2}"), "1.75");
  EXPECT_EQ(evalOne("${3.5 / 0.5}"), "7");
  EXPECT_EQ(evalOne("${1.00 / 3}"), "0.3333333333");
  EXPECT_EQ(evalOne("${0 / 5}"), "0");
  EXPECT_EQ(evalOne("${-2147483648 / -1}"), "2147483648");
  EXPECT_EQ(evalOne("${(-9223372036854775807 - 1) / -1}"), "9223372036854775808");
  EXPECT_EQ(evalOne("${(7 / 2).intValue()}"), "3");
  EXPECT_EQ(evalOne("${7.intdiv(2)}"), "3");
}

TEST(InlineExpressionTest, DecimalArithmetic) {
  EXPECT_EQ(evalOne("${3.50 * 2.0}"), "7.000");
  EXPECT_EQ(evalOne("${1e3 + 1.5}"), "1001.5");
  EXPECT_EQ(evalOne("${-7.25 % 2.5}"), "-2.25");
  EXPECT_EQ(evalOne("${7.5 % 0.25}"), "0.0");
  EXPECT_EQ(evalOne("${2 % 0.3}"), "0.2");
  EXPECT_EQ(evalOne("${0.1 + 0.2}"), "0.3");
  EXPECT_EQ(evalOne("${(-3.9).longValue()}"), "-3");
  EXPECT_EQ(eval("${x % 4}", {{"x", *Value::ofNumberText("99999999999999999999")}}), "3");
}

TEST(InlineExpressionTest, StringsConversionsAndCalls) {
  EXPECT_EQ(eval("${'t_' + id}", {{"id", I(5)}}), "t_5");
  EXPECT_EQ(eval("${id + '_x'}", {{"id", I(5)}}), "5_x");
  EXPECT_EQ(eval("${1 + 2 + 'a'}", {}), "3a");
  EXPECT_EQ(eval("${'a' + 1 + 2}", {}), "a12");
  EXPECT_EQ(eval("${s.substring(0, 2)}", {{"s", S("2024-01-31")}}), "20");
  EXPECT_EQ(eval("${s.substring(5, 7)}", {{"s", S("2024-01-31")}}), "01");
  EXPECT_EQ(eval("${s.substring(8)}", {{"s", S("2024-01-31")}}), "31");
  EXPECT_EQ(eval("${s.substring(1)}", {{"s", S("é😀x")}}), "😀x");
  EXPECT_EQ(eval("${s.length()}", {{"s", S("é😀")}}), "3");
  EXPECT_EQ(eval("${Integer.valueOf(s) % 3}", {{"s", S("-7")}}), "-1");
  EXPECT_EQ(eval("${Integer.valueOf(s.substring(5, 7)) % 4}", {{"s", S("2024-11-30")}}), "3");
  EXPECT_EQ(eval("${Long.valueOf(s) + 1}", {{"s", S("9000000000")}}), "9000000001");
  EXPECT_EQ(eval("${Long.valueOf(x) * 2}", {{"x", I(2000000000)}}), "4000000000");
  EXPECT_EQ(eval("${Integer.valueOf(x)}", {{"x", L(12)}}), "12");
  EXPECT_EQ(eval("${x.longValue() * 2}", {{"x", I(2000000000)}}), "4000000000");
  EXPECT_EQ(eval("${x.intValue()}", {{"x", L(int64_t{1} << 32 | 5)}}), "5");
  EXPECT_EQ(eval("${x.toString() + 1}", {{"x", I(5)}}), "51");
  EXPECT_EQ(eval("${String.valueOf(x) + 1}", {{"x", I(5)}}), "51");
  EXPECT_EQ(eval("${String.valueOf(x)}", {{"x", Value::null()}}), "null");
  EXPECT_EQ(evalOne("${'it\\'s \\u00e9'}"), "it's é");
}

TEST(InlineExpressionTest, ComparisonsAndConditionals) {
  EXPECT_EQ(eval("${id < 100 ? 'small' : 'big'}", {{"id", I(5)}}), "small");
  EXPECT_EQ(eval("${id < 100 ? 'small' : 'big'}", {{"id", L(500)}}), "big");
  EXPECT_EQ(eval("t_${id >= 10 && id <= 20 ? 1 : 0}", {{"id", I(15)}}), "t_1");
  EXPECT_EQ(eval("${id == 5}", {{"id", L(5)}}), "true");  // Groovy == compares numbers by value
  EXPECT_EQ(eval("${id == 5.0}", {{"id", I(5)}}), "true");
  EXPECT_EQ(eval("${id != '5'}", {{"id", I(5)}}), "true");
  EXPECT_EQ(eval("${s > 'b'}", {{"s", S("c")}}), "true");
  EXPECT_EQ(eval("${s ?: 'none'}", {{"s", S("")}}), "none");
  EXPECT_EQ(eval("${s ?: 'none'}", {{"s", S("x")}}), "x");
  EXPECT_EQ(eval("${!s || id > 1}", {{"s", S("x")}, {"id", I(2)}}), "true");
  EXPECT_EQ(eval("${x == null ? 'n' : x}", {{"x", Value::null()}}), "n");
  EXPECT_EQ(evalOne("${1 < 2 == true}"), "true");
}

// --- errors ------------------------------------------------------------------------------------

TEST(InlineExpressionTest, UnsupportedSyntaxNamesConstructAndOffset) {
  EXPECT_EQ(parseError("t_${order_id ** 2}"),
            "inline expression 't_${order_id ** 2}': unsupported operator '**' at offset 13");
  EXPECT_NE(parseError("t_${a << 1}").find("unsupported operator '<<' at offset 6"),
            std::string::npos);
  EXPECT_NE(parseError("t_${a & 1}").find("unsupported operator '&'"), std::string::npos);
  EXPECT_NE(parseError("t_${a = 1}").find("unsupported operator '='"), std::string::npos);
  EXPECT_NE(parseError("t_${[1].collect{ it }}").find("unsupported property access '.collect'"),
            std::string::npos);
  EXPECT_NE(parseError("t_${a.foo()}").find("unknown method 'foo' at offset 6"), std::string::npos);
  EXPECT_NE(parseError("t_${Math.max(a, 1)}").find("unknown method 'Math.max'"), std::string::npos);
  EXPECT_NE(parseError("t_${foo(1)}").find("unknown method 'foo'"), std::string::npos);
  EXPECT_NE(parseError("t_${a.substring()}").find("wrong number of arguments for 'substring'"),
            std::string::npos);
  EXPECT_NE(parseError("t_${a").find("unclosed '${' at offset 2"), std::string::npos);
  EXPECT_NE(parseError("t_${}").find("empty '${}'"), std::string::npos);
  EXPECT_NE(parseError("t_${'abc}").find("unterminated string literal at offset 4"),
            std::string::npos);
  EXPECT_NE(parseError("t_${\"a${b}\"}").find("interpolation inside a string literal"),
            std::string::npos);
  EXPECT_NE(parseError("t_${1.5d}").find("unsupported floating-point literal"), std::string::npos);
  EXPECT_NE(parseError("t_${a[0]}").find("unsupported operator '['"), std::string::npos);
  EXPECT_NE(parseError("t_${new Foo()}").find("unsupported keyword 'new'"), std::string::npos);
  EXPECT_NE(parseError("t_${(0..1) + 1}").find("a range can only be a whole '${}' part"),
            std::string::npos);
  EXPECT_NE(parseError("t_${[0..1, 2]}").find("a range can only be a whole"), std::string::npos);
  EXPECT_NE(parseError("t_${1 2}").find("unexpected '2' at offset 6"), std::string::npos);
  EXPECT_NE(parseError("t_${a ? b}").find("unexpected '}'"), std::string::npos);
  EXPECT_NE(parseError("t_${0..1..2}").find("unexpected '..'"), std::string::npos);
}

TEST(InlineExpressionTest, EvaluationErrors) {
  EXPECT_EQ(evalError("t_${order_id % 0}", {{"order_id", I(7)}}),
            "inline expression 't_${order_id % 0}': division by zero at offset 13");
  EXPECT_NE(evalError("t_${a / 0}", {{"a", I(1)}}).find("division by zero"), std::string::npos);
  EXPECT_NE(evalError("t_${Math.floorMod(a, 0)}", {{"a", I(1)}}).find("division by zero"),
            std::string::npos);
  EXPECT_NE(evalError("t_${a.intdiv(0)}", {{"a", L(1)}}).find("division by zero"),
            std::string::npos);
  EXPECT_NE(evalError("t_${order_id % 2}", {}).find("no value for variable 'order_id' at offset 4"),
            std::string::npos);
  EXPECT_NE(evalError("t_${a % 2}", {{"a", S("x")}}).find("operator '%' cannot take"),
            std::string::npos);
  EXPECT_NE(evalError("t_${a.substring(1)}", {{"a", I(5)}}).find("method 'substring' cannot take"),
            std::string::npos);
  EXPECT_NE(evalError("t_${a.substring(5)}", {{"a", S("abc")}}).find("begin 5, end 3, length 3"),
            std::string::npos);
  EXPECT_NE(evalError("t_${a.hashCode()}", {{"a", Value::null()}})
                .find("cannot invoke method hashCode() on null object"),
            std::string::npos);
  EXPECT_NE(
      evalError("t_${Integer.valueOf(a)}", {{"a", S("12x")}}).find("For input string: \"12x\""),
      std::string::npos);
  EXPECT_NE(evalError("t_${Integer.valueOf(a)}", {{"a", S("2147483648")}}).find("For input"),
            std::string::npos);
  EXPECT_NE(evalError("t_${a.intdiv(2)}", {{"a", *Value::ofNumberText("3.5")}})
                .find("Cannot use intdiv()"),
            std::string::npos);
  EXPECT_NE(evalError("t_${0..1}", {}).find("a range yields several values"), std::string::npos);
  EXPECT_NE(evalError("t_${a < 'x'}", {{"a", I(1)}}).find("cannot compare"), std::string::npos);
}

TEST(InlineExpressionTest, DeepNestingRefused) {
  std::string deep = "t_${" + std::string(100000, '(') + "1" + std::string(100000, ')') + "}";
  EXPECT_NE(parseError(deep).find("nested deeper than 64"), std::string::npos);
  std::string unary = "t_${" + std::string(100000, '!') + "a}";
  EXPECT_NE(parseError(unary).find("nested deeper than 64"), std::string::npos);
  std::string chain = "t_${1";
  for (int i = 0; i < 100000; ++i) chain += "+1";
  chain += "}";
  EXPECT_NE(parseError(chain).find("nested deeper than 64"), std::string::npos);
  std::string ok = "t_${" + std::string(30, '(') + "1" + std::string(30, ')') + "}";
  EXPECT_EQ(evalOne(ok), "t_1");
}

TEST(InlineExpressionTest, ParsedOnceEvaluatedMany) {
  auto p = InlineExpression::parse("t_order_${Math.floorMod(order_id.hashCode(), 16)}");
  ASSERT_TRUE(p.isOk());
  for (int64_t id = -50; id <= 50; ++id) {
    auto r = p->evaluate({{"order_id", L(id)}});
    ASSERT_TRUE(r.isOk());
    const int32_t h = Value::ofLong(id).javaHashCode();
    EXPECT_EQ(r.value(), "t_order_" + std::to_string(((h % 16) + 16) % 16));
  }
  InlineExpression moved = std::move(p.value());
  EXPECT_EQ(moved.evaluate({{"order_id", I(17)}}).value(), "t_order_1");
}

}  // namespace
}  // namespace shardproxy::router
