// EXPLAIN of a routed statement: the statement is routed and rewritten as it would run, each
// route unit's plan asked of its data source (`EXPLAIN <options> <actual SQL>`), and the plans
// given one after another in the backend's columns, as ShardingSphere-Proxy answers EXPLAIN:
// traditional plans as their rows (id, select_type, table, ... in MySQL's columns), FORMAT=JSON
// as one row per unit. Every value is in logical names (the `table` column shows the logical
// table, a JSON plan the logical database and tables). ANALYZE (MariaDB's EXPLAIN ANALYZE, which
// runs the statement) runs each unit on its data source.
#pragma once

#include "common/asio.h"
#include "executor/result_sink.h"
#include "executor/shard_session.h"
#include "parser/ast.h"

namespace shardproxy::executor {

class Engine;

class Explain {
 public:
  Explain(ShardSession& session, ResultSink& sink, Engine& engine)
      : session_(session), sink_(sink), engine_(engine) {}

  // Runs `s` when it is EXPLAIN of a statement on a database with rules and returns true;
  // false otherwise (EXPLAIN t, pass-through databases).
  awaitable<bool> execute(const parser::ast::Statement& s);

 private:
  ShardSession& session_;
  ResultSink& sink_;
  Engine& engine_;
};

}  // namespace shardproxy::executor
