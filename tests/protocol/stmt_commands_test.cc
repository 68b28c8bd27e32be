// The small COM_STMT_* commands (SEND_LONG_DATA, CLOSE, RESET, FETCH) and statementIdOf, which
// every one of them and COM_STMT_EXECUTE start with.
#include "protocol/stmt_commands.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "protocol/command.h"
#include "protocol/constants.h"
#include "protocol/stmt_execute.h"
#include "protocol/test_bytes.h"

namespace shardproxy::protocol {
namespace {

using test::fromHex;

CommandPacket command(const std::string& payload) { return *decodeCommand(payload); }

// `body` as the arguments of `cmd`, for the prefix tests (which pass bodies cut short).
CommandPacket withBody(Command cmd, std::string_view body) { return CommandPacket{cmd, body}; }

// ---------------------------------------------------------------------------------------------
// statementIdOf

TEST(StatementIdOfTest, ReadsTheFirstFourBytes) {
  const std::vector<std::pair<std::string, uint32_t>> kCases = {
      {fromHex("17 01000000 00 01000000"), 1},   // COM_STMT_EXECUTE
      {fromHex("18 2a000000 0000 616263"), 42},  // COM_STMT_SEND_LONG_DATA
      {fromHex("19 ffffffff"), 0xffffffff},      // COM_STMT_CLOSE
      {fromHex("1a 04030201"), 0x01020304},      // COM_STMT_RESET
      {fromHex("1c 07000000 0a000000"), 7},      // COM_STMT_FETCH
  };
  for (const auto& [bytes, id] : kCases) {
    auto got = statementIdOf(command(bytes));
    ASSERT_TRUE(got) << test::toHex(bytes);
    EXPECT_EQ(*got, id);
  }
}

TEST(StatementIdOfTest, CutShort) {
  std::string body = fromHex("01000000");
  test::expectEveryPrefixRejected(
      body, [](std::string_view p) { return statementIdOf(withBody(Command::kStmtClose, p)); });
}

// ---------------------------------------------------------------------------------------------
// COM_STMT_SEND_LONG_DATA

TEST(StmtSendLongDataTest, Decodes) {
  struct Case {
    const char* name;
    std::string bytes;
    uint32_t statementId;
    uint16_t paramId;
    std::string data;
  };
  const Case kCases[] = {
      {"text chunk",
       fromHex("18"          // COM_STMT_SEND_LONG_DATA
               "01000000"    // statement id 1
               "0200"        // parameter 2
               "68656c6c6f"  // "hello"
               ),
       1, 2, "hello"},
      {"empty chunk", fromHex("18 05000000 0000"), 5, 0, ""},
      {"binary chunk with NUL and 0xff", fromHex("18 ffffffff ffff 00ff00fb"), 0xffffffff, 0xffff,
       std::string("\0\xff\0\xfb", 4)},
      {"byte order", fromHex("18 04030201 0201 78"), 0x01020304, 0x0102, "x"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    auto cmd = command(c.bytes);
    auto s = decodeStmtSendLongData(cmd);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->statementId, c.statementId);
    EXPECT_EQ(s->paramId, c.paramId);
    EXPECT_BYTES_EQ(c.data, s->data);
    // The chunk is a view into the packet, not a copy.
    EXPECT_EQ(s->data.data(), c.bytes.data() + 7);
  }
}

TEST(StmtSendLongDataTest, LargeChunkIsPassedThrough) {
  std::string chunk = test::patternBytes(70000, 3);
  std::string bytes = fromHex("18 09000000 0100") + chunk;
  auto s = decodeStmtSendLongData(command(bytes));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->paramId, 1);
  EXPECT_EQ(s->data, chunk);
}

// The statement and parameter ids are needed; the data may be empty.
TEST(StmtSendLongDataTest, CutShort) {
  test::expectEveryPrefixRejected(fromHex("01000000 0200"), [](std::string_view p) {
    return decodeStmtSendLongData(withBody(Command::kStmtSendLongData, p));
  });
}

// ---------------------------------------------------------------------------------------------
// COM_STMT_CLOSE and COM_STMT_RESET

TEST(StmtCloseResetTest, Decode) {
  const std::vector<std::pair<std::string, uint32_t>> kCases = {
      {fromHex("01000000"), 1},
      {fromHex("00000000"), 0},
      {fromHex("ffffffff"), 0xffffffff},
      {fromHex("04030201"), 0x01020304},
  };
  for (const auto& [body, id] : kCases) {
    auto close = decodeStmtClose(command(fromHex("19") + body));
    ASSERT_TRUE(close) << test::toHex(body);
    EXPECT_EQ(*close, id);
    auto reset = decodeStmtReset(command(fromHex("1a") + body));
    ASSERT_TRUE(reset) << test::toHex(body);
    EXPECT_EQ(*reset, id);
  }
}

TEST(StmtCloseResetTest, CutShortAndExtraBytesAreRejected) {
  std::string body = fromHex("01000000");
  test::expectEveryPrefixRejected(
      body, [](std::string_view p) { return decodeStmtClose(withBody(Command::kStmtClose, p)); });
  test::expectEveryPrefixRejected(
      body, [](std::string_view p) { return decodeStmtReset(withBody(Command::kStmtReset, p)); });
  for (const std::string& extra : {fromHex("00"), fromHex("01000000")}) {
    std::string longer = body + extra;
    EXPECT_FALSE(decodeStmtClose(withBody(Command::kStmtClose, longer)));
    EXPECT_FALSE(decodeStmtReset(withBody(Command::kStmtReset, longer)));
  }
}

// ---------------------------------------------------------------------------------------------
// COM_STMT_FETCH

TEST(StmtFetchTest, Decodes) {
  struct Case {
    std::string bytes;
    uint32_t statementId;
    uint32_t rows;
  };
  const Case kCases[] = {
      {fromHex("1c"          // COM_STMT_FETCH
               "01000000"    // statement id 1
               "0a000000"),  // 10 rows
       1, 10},
      {fromHex("1c ffffffff ffffffff"), 0xffffffff, 0xffffffff},
      {fromHex("1c 04030201 08070605"), 0x01020304, 0x05060708},
      {fromHex("1c 00000000 00000000"), 0, 0},
  };
  for (const auto& c : kCases) {
    auto f = decodeStmtFetch(command(c.bytes));
    ASSERT_TRUE(f) << test::toHex(c.bytes);
    EXPECT_EQ(f->statementId, c.statementId);
    EXPECT_EQ(f->rows, c.rows);
  }
}

TEST(StmtFetchTest, CutShortAndExtraBytesAreRejected) {
  std::string body = fromHex("01000000 0a000000");
  test::expectEveryPrefixRejected(
      body, [](std::string_view p) { return decodeStmtFetch(withBody(Command::kStmtFetch, p)); });
  std::string longer = body + fromHex("00");
  EXPECT_FALSE(decodeStmtFetch(withBody(Command::kStmtFetch, longer)));
}

}  // namespace
}  // namespace shardproxy::protocol
