// SHOW STATUS through the proxy: the client transport's variables carry the client connection's
// TLS values, everything else passes through as the backend sent it.
#include "admin/session_status.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace shardproxy::admin {
namespace {

class RecordingSink final : public executor::ResultSink {
 public:
  void columnCount(size_t count) override { lines.push_back("columns " + std::to_string(count)); }
  void column(const protocol::ColumnDefinitionRef& c) override {
    lines.push_back("column " + std::string(c.name));
  }
  void columnsEnd(uint16_t) override {}
  void beginRow() override { row.clear(); }
  bool value(std::string_view text) override {
    row += (row.empty() ? "" : "|") + std::string(text);
    return true;
  }
  void null() override { row += row.empty() ? "NULL" : "|NULL"; }
  void endRow(bool valid) override {
    if (valid) lines.push_back(row);
  }
  void end(uint16_t, uint16_t) override { lines.push_back("end"); }
  void ok(const protocol::OkPacket&) override { lines.push_back("ok"); }
  void error(const Status& s) override { lines.push_back("error " + std::to_string(s.code())); }
  bool rowWritten() override { return false; }
  awaitable<Status> flush() override { co_return Status::ok(); }

  std::vector<std::string> lines;
  std::string row;
};

void writeResult(executor::ResultSink& sink, const std::vector<std::vector<const char*>>& rows) {
  size_t columns = rows.empty() ? 2 : rows[0].size();
  sink.columnCount(columns);
  for (size_t i = 0; i < columns; ++i) {
    protocol::ColumnDefinitionRef c;
    c.name = i == 0 ? "Variable_name" : "Value";
    sink.column(c);
  }
  sink.columnsEnd(0);
  for (const auto& row : rows) {
    sink.beginRow();
    for (const char* v : row) {
      if (v) {
        sink.value(v);
      } else {
        sink.null();
      }
    }
    sink.endRow(true);
  }
  sink.end(0, 0);
}

TEST(SessionStatusTest, TheClientsTlsReplacesTheBackends) {
  RecordingSink out;
  SessionStatusSink status(out, "TLSv1.3", "TLS_AES_256_GCM_SHA384");
  writeResult(status, {{"Ssl_cipher", ""},
                       {"Ssl_cipher_list", "x"},
                       {"Ssl_version", "TLSv1.2"},
                       {"ssl_VERSION", nullptr},
                       {"Uptime", "42"}});
  EXPECT_EQ(out.lines, (std::vector<std::string>{
                           "columns 2", "column Variable_name", "column Value",
                           "Ssl_cipher|TLS_AES_256_GCM_SHA384", "Ssl_cipher_list|x",
                           "Ssl_version|TLSv1.3", "ssl_VERSION|TLSv1.3", "Uptime|42", "end"}));
}

TEST(SessionStatusTest, APlainClientHasEmptyValues) {
  RecordingSink out;
  SessionStatusSink status(out, "", "");
  writeResult(status, {{"Ssl_cipher", "ECDHE-RSA-AES256-GCM-SHA384"}, {"Ssl_version", "TLSv1.2"}});
  EXPECT_EQ(out.lines,
            (std::vector<std::string>{"columns 2", "column Variable_name", "column Value",
                                      "Ssl_cipher|", "Ssl_version|", "end"}));
}

TEST(SessionStatusTest, OtherResultsPassUnchanged) {
  RecordingSink out;
  SessionStatusSink status(out, "TLSv1.3", "TLS_AES_256_GCM_SHA384");
  writeResult(status, {{"Ssl_cipher", "a", "b"}});  // not SHOW STATUS's two columns
  status.error(Status(1146, "42S02", "no table"));
  status.ok(protocol::OkPacket{});
  EXPECT_EQ(out.lines, (std::vector<std::string>{"columns 3", "column Variable_name",
                                                 "column Value", "column Value", "Ssl_cipher|a|b",
                                                 "end", "error 1146", "ok"}));
}

TEST(SessionStatusTest, OwnValuesReplaceTheBackendsVariables) {
  // SHOW VARIABLES: the proxy's own variables show the proxy's values, the rest the backend's.
  RecordingSink out;
  SessionStatusSink variables(out, [](std::string_view name) -> std::optional<std::string> {
    if (name == "wait_timeout") return "5";
    return std::nullopt;
  });
  writeResult(variables, {{"version", "10.11.6-MariaDB"}, {"wait_timeout", "28800"}});
  EXPECT_EQ(out.lines,
            (std::vector<std::string>{"columns 2", "column Variable_name", "column Value",
                                      "version|10.11.6-MariaDB", "wait_timeout|5", "end"}));
}

}  // namespace
}  // namespace shardproxy::admin
