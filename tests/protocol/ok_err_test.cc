// OK, ERR and EOF packets; the first fixtures are the examples from the MySQL protocol
// documentation, without their frame headers.
#include "protocol/ok_err.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "protocol/constants.h"
#include "protocol/test_bytes.h"

namespace shardproxy::protocol {
namespace {

using test::fromHex;

// ---------------------------------------------------------------------------------------------
// OK

struct OkCase {
  const char* name;
  std::string bytes;
  OkPacket expected;
  bool eofHeader;
};

const std::vector<OkCase>& okCases() {
  static const std::vector<OkCase> cases = {
      {"docs example",
       fromHex("00"      // header
               "00"      // affected rows 0
               "00"      // last insert id 0
               "0200"    // status: SERVER_STATUS_AUTOCOMMIT
               "0000"),  // warnings 0
       {0, 0, status::kAutocommit, 0, ""},
       false},
      {"UPDATE with info",
       fromHex("00"    // header
               "01"    // affected rows 1
               "00"    // last insert id 0
               "0200"  // status
               "0000"  // warnings
               "28"    // info length 40
               // "Rows matched: 1  Changed: 1  Warnings: 0"
               "526f7773206d6174636865643a203120204368616e6765643a203120205761726e696e67733a2030"),
       {1, 0, status::kAutocommit, 0, "Rows matched: 1  Changed: 1  Warnings: 0"},
       false},
      {"INSERT with wide lenencs",
       fromHex("00"                   // header
               "fc 2c01"              // affected rows 300
               "fe 0000000001000000"  // last insert id 2^32
               "0300"                 // status: in transaction, autocommit
               "0200"),               // warnings 2
       {300, 0x100000000ULL, status::kInTrans | status::kAutocommit, 2, ""},
       false},
      {"0xfe header ending a result set under CLIENT_DEPRECATE_EOF",
       fromHex("fe"      // header
               "00"      // affected rows
               "00"      // last insert id
               "0a00"    // status: autocommit, more results exist
               "0000"),  // warnings
       {0, 0, status::kAutocommit | status::kMoreResultsExist, 0, ""},
       true},
  };
  return cases;
}

void expectOkEq(const OkPacket& a, const OkPacket& b) {
  EXPECT_EQ(a.affectedRows, b.affectedRows);
  EXPECT_EQ(a.lastInsertId, b.lastInsertId);
  EXPECT_EQ(a.statusFlags, b.statusFlags);
  EXPECT_EQ(a.warnings, b.warnings);
  EXPECT_EQ(a.info, b.info);
}

TEST(OkTest, Decodes) {
  for (const auto& c : okCases()) {
    SCOPED_TRACE(c.name);
    auto ok = decodeOk(c.bytes);
    ASSERT_TRUE(ok);
    expectOkEq(*ok, c.expected);
  }
}

TEST(OkTest, EncodesByteForByte) {
  for (const auto& c : okCases()) {
    SCOPED_TRACE(c.name);
    std::string out;
    encodeOk(out, c.expected, c.eofHeader);
    EXPECT_BYTES_EQ(c.bytes, out);
  }
}

TEST(OkTest, RoundTripsEveryLenencWidth) {
  for (uint64_t v : {uint64_t{0}, uint64_t{250}, uint64_t{251}, uint64_t{0xffff}, uint64_t{0x10000},
                     uint64_t{0xffffff}, uint64_t{0x1000000}, ~uint64_t{0}}) {
    OkPacket ok{v, ~v, 0xabcd, 0x1234, "info \x01\xff"};
    std::string out = "x";  // encodeOk appends
    encodeOk(out, ok);
    auto back = decodeOk(std::string_view(out).substr(1));
    ASSERT_TRUE(back) << v;
    expectOkEq(*back, ok);
  }
}

// The info is a length-encoded string: a packet cut inside it is rejected, and one cut right
// after the warnings is an OK without info.
TEST(OkTest, CutShort) {
  const auto& withInfo = okCases()[1].bytes;
  auto decode = [](std::string_view p) { return decodeOk(p); };
  test::expectEveryPrefixRejected(withInfo.substr(0, 7), decode);
  test::expectEveryPrefixRejected(okCases()[2].bytes, decode);
  auto bare = decodeOk(withInfo.substr(0, 7));
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->info, "");
  for (size_t n = 8; n < withInfo.size(); ++n) {
    EXPECT_FALSE(decodeOk(withInfo.substr(0, n))) << n;
  }
  EXPECT_FALSE(decodeOk(withInfo + "x"));
}

TEST(OkTest, ErrorRows) {
  const std::vector<std::pair<const char*, std::string>> kRows = {
      {"empty", ""},
      {"ERR header", fromHex("ff 0000 0200 0000")},
      {"header 0x01", fromHex("01 00 00 0200 0000")},
      {"EOF packet (5 bytes)", fromHex("fe 0000 0200")},
      {"affected rows NULL", fromHex("00 fb 00 0200 0000")},
      {"affected rows 0xff", fromHex("00 ff 00 0200 0000")},
      {"last insert id cut", fromHex("00 00 fc 01")},
  };
  for (const auto& [name, bytes] : kRows) EXPECT_FALSE(decodeOk(bytes)) << name;
}

// ---------------------------------------------------------------------------------------------
// ERR

TEST(ErrTest, DecodesDocsExample) {
  std::string bytes = fromHex(
      "ff"                            // header
      "4804"                          // error code 1096
      "23"                            // SQL state marker '#'
      "4859303030"                    // SQL state "HY000"
      "4e6f207461626c65732075736564"  // "No tables used"
  );
  auto err = decodeErr(bytes);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1096);
  EXPECT_EQ(err->sqlState, "HY000");
  EXPECT_EQ(err->message, "No tables used");
  std::string out;
  encodeErr(out, *err);
  EXPECT_BYTES_EQ(bytes, out);
}

TEST(ErrTest, DecodesSqlState) {
  std::string bytes = fromHex(
      "ff"                                                              // header
      "7a04"                                                            // error code 1146
      "23"                                                              // '#'
      "3432533032"                                                      // "42S02"
      "5461626c65202773686f702e6e6f70652720646f65736e2774206578697374"  // message
  );
  auto err = decodeErr(bytes);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1146);
  EXPECT_EQ(err->sqlState, "42S02");
  EXPECT_EQ(err->message, "Table 'shop.nope' doesn't exist");
}

TEST(ErrTest, EncodesAndRoundTrips) {
  ErrPacket e{1045, "28000", "Access denied for user 'root'@'localhost' (using password: YES)"};
  std::string out;
  encodeErr(out, e);
  EXPECT_BYTES_EQ(fromHex("ff 1504 23 3238303030"), out.substr(0, 9));
  auto back = decodeErr(out);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->code, e.code);
  EXPECT_EQ(back->sqlState, e.sqlState);
  EXPECT_EQ(back->message, e.message);

  // Empty message; the message may hold any byte.
  for (std::string msg : {std::string(), std::string("\0\xff\n", 3), std::string(300, 'm')}) {
    std::string o;
    encodeErr(o, {0xffff, "HY000", msg});
    auto b = decodeErr(o);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->code, 0xffff);
    EXPECT_EQ(b->message, msg);
  }
}

// No ERR carries more than MySQL's MYSQL_ERRMSG_SIZE allows (512 bytes with the NUL), and a
// UTF-8 character at the cut is dropped whole.
TEST(ErrTest, MessageIsCutToMysqlErrmsgSize) {
  std::string out;
  encodeErr(out, {1045, "28000", std::string(16 * 1024 * 1024, 'u')});
  auto err = decodeErr(out);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, std::string(511, 'u'));
  EXPECT_EQ(out.size(), 1 + 2 + 1 + 5 + 511u);

  for (size_t prefix : {508u, 509u, 510u, 511u}) {
    SCOPED_TRACE(prefix);
    std::string msg = std::string(prefix, 'a') + "\xe2\x82\xac" + "tail";  // a 3-byte euro sign
    out.clear();
    encodeErr(out, {1105, "HY000", msg});
    err = decodeErr(out);
    ASSERT_TRUE(err);
    std::string expected = prefix + 3 <= 511 ? msg.substr(0, 511) : std::string(prefix, 'a');
    EXPECT_EQ(err->message, expected);
  }
  // Up to the limit, the message goes as it is.
  out.clear();
  encodeErr(out, {1105, "HY000", std::string(511, 'm')});
  EXPECT_EQ(decodeErr(out)->message, std::string(511, 'm'));
  EXPECT_EQ(cutUtf8("abc", 0), "");
  EXPECT_EQ(cutUtf8("abc", 5), "abc");
}

// A SQL state must be 5 characters on the wire whatever the caller passed.
TEST(ErrTest, SqlStateIsPaddedOrCut) {
  std::string out;
  encodeErr(out, {1105, "", "x"});
  EXPECT_BYTES_EQ(fromHex("ff 5104 23 3030303030 78"), out);
  out.clear();
  encodeErr(out, {1105, "HY0001", "x"});
  EXPECT_BYTES_EQ(fromHex("ff 5104 23 4859303030 78"), out);
}

// The message is the rest of the packet: a cut inside it is a shorter message, a cut before it
// is an error.
TEST(ErrTest, CutShort) {
  std::string bytes = fromHex("ff 4804 23 4859303030 4e6f207461626c65732075736564");
  test::expectEveryPrefixRejected(bytes.substr(0, 9),
                                  [](std::string_view p) { return decodeErr(p); });
  for (size_t n = 9; n <= bytes.size(); ++n) {
    auto err = decodeErr(bytes.substr(0, n));
    ASSERT_TRUE(err) << n;
    EXPECT_EQ(err->message, std::string("No tables used").substr(0, n - 9));
  }
}

TEST(ErrTest, ErrorRows) {
  const std::vector<std::pair<const char*, std::string>> kRows = {
      {"empty", ""},
      {"OK header", fromHex("00 4804 23 4859303030")},
      {"EOF header", fromHex("fe 4804 23 4859303030")},
      {"marker not '#'", fromHex("ff 4804 24 4859303030")},
  };
  for (const auto& [name, bytes] : kRows) EXPECT_FALSE(decodeErr(bytes)) << name;
}

// ---------------------------------------------------------------------------------------------
// EOF

TEST(EofTest, DecodesDocsExample) {
  std::string bytes = fromHex(
      "fe"      // header
      "0000"    // warnings 0
      "0200");  // status: SERVER_STATUS_AUTOCOMMIT
  auto eof = decodeEof(bytes);
  ASSERT_TRUE(eof);
  EXPECT_EQ(eof->warnings, 0);
  EXPECT_EQ(eof->statusFlags, status::kAutocommit);
  std::string out;
  encodeEof(out, *eof);
  EXPECT_BYTES_EQ(bytes, out);
}

TEST(EofTest, RoundTrips) {
  EofPacket e{7, status::kMoreResultsExist | status::kAutocommit};
  std::string out;
  encodeEof(out, e);
  EXPECT_BYTES_EQ(fromHex("fe 0700 0a00"), out);
  auto back = decodeEof(out);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->warnings, 7);
  EXPECT_EQ(back->statusFlags, e.statusFlags);
}

// EOF has a fixed size: trailing bytes mean it is something else (an OK with a 0xfe header, or
// a row starting with an 8-byte lenenc).
TEST(EofTest, CutShortAndExtraBytesAreRejected) {
  std::string bytes = fromHex("fe 0000 0200");
  test::expectEveryPrefixRejected(bytes, [](std::string_view p) { return decodeEof(p); });
  EXPECT_FALSE(decodeEof(bytes + fromHex("00")));
  EXPECT_FALSE(decodeEof(okCases()[3].bytes));
  EXPECT_FALSE(decodeEof(fromHex("00 0000 0200")));
  EXPECT_FALSE(decodeEof(fromHex("ff 0000 0200")));
}

// An OK with a 0xfe header and an EOF start with the same byte; the decoders tell them apart by
// size.
TEST(EofTest, OkWithFeHeaderIsNotEof) {
  const std::string& okFe = okCases()[3].bytes;
  EXPECT_TRUE(decodeOk(okFe));
  EXPECT_FALSE(decodeEof(okFe));
  std::string eof = fromHex("fe 0000 0200");
  EXPECT_FALSE(decodeOk(eof));
  EXPECT_TRUE(decodeEof(eof));
}

}  // namespace
}  // namespace shardproxy::protocol
