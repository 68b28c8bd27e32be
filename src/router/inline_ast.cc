#include "router/inline_ast.h"

namespace shardproxy::router::inline_expr {

const char* fnName(Fn fn) {
  switch (fn) {
    case Fn::FloorMod:
      return "Math.floorMod";
    case Fn::FloorDiv:
      return "Math.floorDiv";
    case Fn::Abs:
      return "Math.abs";
    case Fn::IntegerValueOf:
      return "Integer.valueOf";
    case Fn::LongValueOf:
      return "Long.valueOf";
    case Fn::StringValueOf:
      return "String.valueOf";
    case Fn::HashCode:
      return "hashCode";
    case Fn::LongValue:
      return "longValue";
    case Fn::IntValue:
      return "intValue";
    case Fn::ToString:
      return "toString";
    case Fn::Substring:
      return "substring";
    case Fn::Intdiv:
      return "intdiv";
    case Fn::Length:
      return "length";
  }
  return "?";
}

const char* opName(BinOp op) {
  switch (op) {
    case BinOp::Add:
      return "+";
    case BinOp::Sub:
      return "-";
    case BinOp::Mul:
      return "*";
    case BinOp::Div:
      return "/";
    case BinOp::Mod:
      return "%";
    case BinOp::Eq:
      return "==";
    case BinOp::Ne:
      return "!=";
    case BinOp::Lt:
      return "<";
    case BinOp::Le:
      return "<=";
    case BinOp::Gt:
      return ">";
    case BinOp::Ge:
      return ">=";
  }
  return "?";
}

}  // namespace shardproxy::router::inline_expr
