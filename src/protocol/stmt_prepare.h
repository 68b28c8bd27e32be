// COM_STMT_PREPARE's answer: the PREPARE_OK header (statement id, column and parameter counts).
// The parameter and column definitions that follow it are ordinary ColumnDefinition41 packets
// (column_definition.h), each group ended by an EOF unless CLIENT_DEPRECATE_EOF is set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shardproxy::protocol {

struct StmtPrepareOk {
  uint32_t statementId = 0;
  uint16_t columns = 0;
  uint16_t params = 0;
  uint16_t warnings = 0;
};

// 0x00, id, columns, params, a reserved 0x00, warnings (12 bytes).
void encodeStmtPrepareOk(std::string& out, const StmtPrepareOk& ok);
std::optional<StmtPrepareOk> decodeStmtPrepareOk(std::string_view payload);

}  // namespace shardproxy::protocol
