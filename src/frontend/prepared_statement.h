// A prepared statement of one client session, by the binary protocol (COM_STMT_PREPARE) or by
// SQL (PREPARE name FROM ...). The proxy keeps the text and where its `?` markers are; each
// execution inlines the parameter values and runs the text as COM_QUERY would, so routing and
// merging see the values.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/memory_budget.h"
#include "parser/lex_mode.h"
#include "protocol/column_definition.h"
#include "protocol/stmt_execute.h"

namespace shardproxy::frontend {

struct PreparedStatement {
  uint32_t id = 0;
  std::string sql;
  // How `sql` was read when prepared (the session's sql_mode then): the server keeps the
  // statement as it was parsed, so an execution under a mode that reads it otherwise is refused.
  parser::LexMode lexMode;
  std::vector<uint32_t> markers;  // byte offsets of the `?` markers in `sql`
  std::vector<bool> integerOnly;  // per marker: in a LIMIT or OFFSET
  // The result columns a backend described at prepare time, with logical names.
  std::vector<protocol::ColumnDefinition> columns;
  bool returnsRows = false;  // a SELECT (a read-only cursor may be opened on it)
  // The parameter types of the last execution: a client sends them only when they change.
  std::vector<protocol::ParamType> types;
  // Values sent by COM_STMT_SEND_LONG_DATA since the last execution, per parameter.
  std::vector<std::optional<std::string>> longData;
  size_t longDataBytes = 0;

  // The rows of an open read-only cursor, encoded, waiting for COM_STMT_FETCH.
  struct Cursor {
    std::deque<std::string> rows;
    // Charged for `rows` (their share of proxy-memory-limit) until the cursor closes.
    std::unique_ptr<MemoryTracker> memory;
  };
  std::optional<Cursor> cursor;
};

}  // namespace shardproxy::frontend
