// Command phase requests: the command byte and the argument decoders.
#include "protocol/command.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "protocol/constants.h"
#include "protocol/test_bytes.h"

namespace shardproxy::protocol {
namespace {

using test::fromHex;

TEST(CommandTest, EmptyPayloadIsRejected) { EXPECT_FALSE(decodeCommand("")); }

TEST(CommandTest, DecodesCommandByteAndBody) {
  struct Case {
    std::string bytes;
    Command command;
    std::string body;
  };
  const Case kCases[] = {
      {fromHex("01"), Command::kQuit, ""},
      {fromHex("0e"), Command::kPing, ""},
      {fromHex("03 53454c4543542031"), Command::kQuery, "SELECT 1"},  // "SELECT 1"
      {fromHex("02 73686f70"), Command::kInitDb, "shop"},             // "shop"
      {fromHex("1f"), Command::kResetConnection, ""},
      {fromHex("19 01000000"), Command::kStmtClose, std::string("\x01\0\0\0", 4)},
  };
  for (const auto& c : kCases) {
    auto cmd = decodeCommand(c.bytes);
    ASSERT_TRUE(cmd) << test::toHex(c.bytes);
    EXPECT_EQ(cmd->command, c.command);
    EXPECT_EQ(cmd->body, c.body);
    // The body is a view into the payload, not a copy.
    EXPECT_EQ(cmd->body.data(), c.bytes.data() + 1);
  }
}

// Every byte is passed through: refusing unknown commands is the session's job (it answers
// ER_UNKNOWN_COM_ERROR), not the codec's.
TEST(CommandTest, EveryCommandByteIsPassedThrough) {
  for (int b = 0; b < 256; ++b) {
    std::string bytes(1, static_cast<char>(b));
    auto cmd = decodeCommand(bytes);
    ASSERT_TRUE(cmd) << b;
    EXPECT_EQ(static_cast<int>(cmd->command), b);
    EXPECT_TRUE(cmd->body.empty());
  }
}

TEST(CommandTest, QueryText) {
  std::string bytes = fromHex(
      "03"                                // COM_QUERY
      "53454c454354202a2046524f4d2074");  // "SELECT * FROM t"
  auto cmd = decodeCommand(bytes);
  ASSERT_TRUE(cmd);
  EXPECT_EQ(queryText(*cmd), "SELECT * FROM t");
  // Queries may hold any byte, including NUL.
  std::string binary = fromHex("03 27 00ff 27");
  EXPECT_EQ(queryText(*decodeCommand(binary)), std::string_view("'\0\xff'", 4));
  EXPECT_EQ(queryText(*decodeCommand(fromHex("03"))), "");
}

TEST(CommandTest, InitDbSchema) {
  std::string bytes = fromHex(
      "02"          // COM_INIT_DB
      "73686f70");  // "shop"
  EXPECT_EQ(initDbSchema(*decodeCommand(bytes)), "shop");
  EXPECT_EQ(initDbSchema(*decodeCommand(fromHex("02"))), "");
}

TEST(FieldListTest, Decodes) {
  struct Case {
    std::string bytes;
    std::string table;
    std::string wildcard;
  };
  const Case kCases[] = {
      {fromHex("04"               // COM_FIELD_LIST
               "6f7264657273 00"  // table "orders"
               "25"),             // wildcard "%"
       "orders", "%"},
      {fromHex("04"                 // COM_FIELD_LIST
               "6f7264657273 00"),  // table "orders", no wildcard
       "orders", ""},
      {fromHex("04 00"), "", ""},
      {fromHex("04 74 00 69 00"), "t", std::string("i\0", 2)},  // wildcard is rest-of-packet
  };
  for (const auto& c : kCases) {
    auto cmd = decodeCommand(c.bytes);
    ASSERT_TRUE(cmd);
    auto f = decodeFieldList(*cmd);
    ASSERT_TRUE(f) << test::toHex(c.bytes);
    EXPECT_EQ(f->table, c.table);
    EXPECT_EQ(f->wildcard, c.wildcard);
  }
}

TEST(FieldListTest, TableWithoutNulIsRejected) {
  std::string bytes = fromHex("04 6f7264657273 00");
  test::expectEveryPrefixRejected(bytes, [](std::string_view p) {
    auto cmd = decodeCommand(p);
    return cmd && decodeFieldList(*cmd);
  });
}

TEST(SetOptionTest, Decodes) {
  auto on =
      decodeSetOption(*decodeCommand(fromHex("1b 0000")));  // MYSQL_OPTION_MULTI_STATEMENTS_ON
  ASSERT_TRUE(on);
  EXPECT_EQ(*on, 0);
  auto off = decodeSetOption(*decodeCommand(fromHex("1b 0100")));  // ..._OFF
  ASSERT_TRUE(off);
  EXPECT_EQ(*off, 1);
  // Values are not checked here: the session decides what an unknown option means.
  EXPECT_EQ(decodeSetOption(*decodeCommand(fromHex("1b ffff"))), 0xffff);
}

TEST(SetOptionTest, ErrorRows) {
  const std::vector<std::pair<const char*, std::string>> kRows = {
      {"no argument", fromHex("1b")},
      {"1 byte", fromHex("1b 00")},
      {"3 bytes", fromHex("1b 000000")},
  };
  for (const auto& [name, bytes] : kRows) {
    auto cmd = decodeCommand(bytes);
    ASSERT_TRUE(cmd);
    EXPECT_FALSE(decodeSetOption(*cmd)) << name;
  }
}

// The argument decoders are total on any body; a default-constructed packet has an empty one.
TEST(CommandTest, ArgumentDecodersOnEmptyBody) {
  CommandPacket empty{Command::kSleep, {}};
  EXPECT_EQ(queryText(empty), "");
  EXPECT_EQ(initDbSchema(empty), "");
  EXPECT_FALSE(decodeFieldList(empty));
  EXPECT_FALSE(decodeSetOption(empty));
}

}  // namespace
}  // namespace shardproxy::protocol
