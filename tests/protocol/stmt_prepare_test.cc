// COM_STMT_PREPARE_OK, the header of the answer to COM_STMT_PREPARE.
#include "protocol/stmt_prepare.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "protocol/test_bytes.h"

namespace shardproxy::protocol {
namespace {

using test::fromHex;

struct PrepareOkCase {
  const char* name;
  std::string bytes;
  StmtPrepareOk expected;
};

const std::vector<PrepareOkCase>& prepareOkCases() {
  static const std::vector<PrepareOkCase> cases = {
      {"SELECT a, b FROM t WHERE id = ?",
       fromHex("00"        // header
               "01000000"  // statement id 1
               "0200"      // 2 columns
               "0100"      // 1 parameter
               "00"        // reserved
               "0000"),    // 0 warnings
       {1, 2, 1, 0}},
      {"INSERT: parameters, no columns",
       fromHex("00"        // header
               "2a000000"  // statement id 42
               "0000"      // no columns
               "0300"      // 3 parameters
               "00"        // reserved
               "0000"),    // 0 warnings
       {42, 0, 3, 0}},
      {"every field at its widest",
       fromHex("00"        // header
               "ffffffff"  // statement id 2^32-1
               "ffff"      // 65535 columns
               "ffff"      // 65535 parameters
               "00"        // reserved
               "ffff"),    // 65535 warnings
       {0xffffffff, 0xffff, 0xffff, 0xffff}},
      {"byte order",
       fromHex("00"        // header
               "04030201"  // statement id 0x01020304
               "0201"      // 0x0102 columns
               "0403"      // 0x0304 parameters
               "00"        // reserved
               "0605"),    // 0x0506 warnings
       {0x01020304, 0x0102, 0x0304, 0x0506}},
  };
  return cases;
}

void expectPrepareOkEq(const StmtPrepareOk& a, const StmtPrepareOk& b) {
  EXPECT_EQ(a.statementId, b.statementId);
  EXPECT_EQ(a.columns, b.columns);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.warnings, b.warnings);
}

TEST(StmtPrepareOkTest, Decodes) {
  for (const auto& c : prepareOkCases()) {
    SCOPED_TRACE(c.name);
    auto ok = decodeStmtPrepareOk(c.bytes);
    ASSERT_TRUE(ok);
    expectPrepareOkEq(*ok, c.expected);
  }
}

TEST(StmtPrepareOkTest, EncodesByteForByte) {
  for (const auto& c : prepareOkCases()) {
    SCOPED_TRACE(c.name);
    std::string out = "x";  // the encoder appends
    encodeStmtPrepareOk(out, c.expected);
    EXPECT_BYTES_EQ("x" + c.bytes, out);
  }
}

TEST(StmtPrepareOkTest, CutAtEveryField) {
  for (const auto& c : prepareOkCases()) {
    SCOPED_TRACE(c.name);
    test::expectEveryPrefixRejected(c.bytes,
                                    [](std::string_view p) { return decodeStmtPrepareOk(p); });
  }
}

// The optional metadata flag byte of CLIENT_OPTIONAL_RESULTSET_METADATA, or anything else after
// the warnings, is not the 12-byte message the proxy negotiated.
TEST(StmtPrepareOkTest, TrailingBytesAreRejected) {
  for (const auto& c : prepareOkCases()) {
    SCOPED_TRACE(c.name);
    EXPECT_FALSE(decodeStmtPrepareOk(c.bytes + fromHex("01")));
    EXPECT_FALSE(decodeStmtPrepareOk(c.bytes + fromHex("00")));
  }
}

TEST(StmtPrepareOkTest, ErrorRows) {
  const std::vector<std::pair<const char*, std::string>> kRows = {
      {"empty", ""},
      {"ERR packet", fromHex("ff 2804 23 3432303030") + "You have an error in your SQL syntax"},
      {"header 0xfe", fromHex("fe 01000000 0200 0100 00 0000")},
      {"header 0x01", fromHex("01 01000000 0200 0100 00 0000")},
      {"reserved byte not 0", fromHex("00 01000000 0200 0100 01 0000")},
      {"OK packet", fromHex("00 00 00 0200 0000")},
  };
  for (const auto& [name, bytes] : kRows) EXPECT_FALSE(decodeStmtPrepareOk(bytes)) << name;
}

}  // namespace
}  // namespace shardproxy::protocol
