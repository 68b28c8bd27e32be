#include "common/log.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/json_text.h"

namespace shardproxy {
namespace {

TEST(JsonStringTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(jsonString(""), "\"\"");
  EXPECT_EQ(jsonString("plain text"), "\"plain text\"");
  EXPECT_EQ(jsonString("say \"hi\" \\ bye"), "\"say \\\"hi\\\" \\\\ bye\"");
  EXPECT_EQ(jsonString("a\nb\rc\td\be\ff"), "\"a\\nb\\rc\\td\\be\\ff\"");
  EXPECT_EQ(jsonString(std::string("nul\0here", 8)), "\"nul\\u0000here\"");
  EXPECT_EQ(jsonString("\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"");
  // '/' needs no escape, and a space or '~' stays as is.
  EXPECT_EQ(jsonString("/a b~"), "\"/a b~\"");
}

TEST(JsonStringTest, KeepsWellFormedUtf8) {
  EXPECT_EQ(jsonString("caf\xc3\xa9"), "\"caf\xc3\xa9\"");            // é
  EXPECT_EQ(jsonString("\xe2\x82\xac"), "\"\xe2\x82\xac\"");          // €
  EXPECT_EQ(jsonString("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");  // U+1F600
  EXPECT_EQ(jsonString("\xef\xbf\xbf"), "\"\xef\xbf\xbf\"");          // U+FFFF
  EXPECT_EQ(jsonString("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");  // U+10FFFF
}

TEST(JsonStringTest, EscapesEveryByteOfMalformedUtf8) {
  // A Latin-1 é, a lone continuation byte, 0xFF.
  EXPECT_EQ(jsonString("caf\xe9"), "\"caf\\u00e9\"");
  EXPECT_EQ(jsonString("\x80"), "\"\\u0080\"");
  EXPECT_EQ(jsonString("\xff"), "\"\\u00ff\"");
  // Overlong '/' (C0 AF), a UTF-16 surrogate (ED A0 80), above U+10FFFF (F4 90 80 80).
  EXPECT_EQ(jsonString("\xc0\xaf"), "\"\\u00c0\\u00af\"");
  EXPECT_EQ(jsonString("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"");
  EXPECT_EQ(jsonString("\xf4\x90\x80\x80"), "\"\\u00f4\\u0090\\u0080\\u0080\"");
  // A sequence cut short at the end, then one cut short by an ASCII byte.
  EXPECT_EQ(jsonString("x\xe2\x82"), "\"x\\u00e2\\u0082\"");
  EXPECT_EQ(jsonString("\xe2x\xc3\xa9"), "\"\\u00e2x\xc3\xa9\"");
}

// Whether `s` is one JSON string literal (RFC 8259) in well-formed UTF-8: what a log collector
// needs to parse the line. Written apart from the encoder, by the RFCs' rules.
bool validJsonString(const std::string& s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (size_t i = 1; i + 1 < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c < 0x20) return false;
    if (c == '\\') {
      if (i + 2 >= s.size()) return false;
      char e = s[i + 1];
      if (e == 'u') {
        if (i + 6 >= s.size()) return false;
        for (size_t k = i + 2; k < i + 6; ++k) {
          if (!std::isxdigit(static_cast<unsigned char>(s[k]))) return false;
        }
        i += 6;
      } else if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos) {
        i += 2;
      } else {
        return false;
      }
      continue;
    }
    if (c < 0x80) {
      ++i;
      continue;
    }
    // A multi-byte sequence: decode it and check the code point is in range for its length.
    int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (len == 0 || c > 0xF4 || i + len >= s.size()) return false;
    uint32_t cp = c & (0xFF >> (len + 1));
    for (int k = 1; k < len; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

TEST(JsonStringTest, ValidatorRejectsWhatAParserWould) {
  EXPECT_TRUE(validJsonString("\"a\\n\\u00e9\xc3\xa9\""));
  EXPECT_FALSE(validJsonString("\"a\"b\""));
  EXPECT_FALSE(validJsonString("\"a\nb\""));
  EXPECT_FALSE(validJsonString("\"\xff\""));
  EXPECT_FALSE(validJsonString("\"\xc0\xaf\""));
  EXPECT_FALSE(validJsonString("\"\xed\xa0\x80\""));
  EXPECT_FALSE(validJsonString("\"\\x\""));
}

// Every byte value alone and after the start of a multi-byte sequence or a backslash: the
// result is always one valid JSON string.
TEST(JsonStringTest, AnyBytesGiveAValidString) {
  for (int b = 0; b < 256; ++b) {
    for (std::string prefix : {"", "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\\", "\""}) {
      for (std::string suffix : {"", "\x80", "z"}) {
        std::string in = prefix + static_cast<char>(b) + suffix;
        EXPECT_TRUE(validJsonString(jsonString(in)))
            << "byte " << b << " after " << prefix.size() << " bytes: " << jsonString(in);
      }
    }
  }
}

TEST(JsonLogLineTest, Layout) {
  using namespace std::chrono;
  // 2026-12-07T18:00:00.123Z
  sys_days day = year{2026} / December / 7;
  system_clock::time_point t = day + hours{18} + milliseconds{123};
  EXPECT_EQ(formatJsonLogLine(t, spdlog::level::info, 123, "listening on 0.0.0.0:3307"),
            "{\"time\":\"2026-12-07T18:00:00.123Z\",\"level\":\"info\",\"thread\":123,"
            "\"message\":\"listening on 0.0.0.0:3307\"}");
  // Milliseconds are zero-padded; sub-millisecond parts are cut, not rounded.
  EXPECT_EQ(formatJsonLogLine(day + seconds{59} + microseconds{7999}, spdlog::level::warn, 1, "")
                .substr(0, 40),
            "{\"time\":\"2026-12-07T00:00:59.007Z\",\"leve");
}

TEST(JsonLogLineTest, LevelsAndMessageEscaping) {
  auto t = std::chrono::system_clock::time_point{};
  EXPECT_NE(formatJsonLogLine(t, spdlog::level::warn, 7, "x").find("\"level\":\"warning\""),
            std::string::npos);
  EXPECT_NE(formatJsonLogLine(t, spdlog::level::critical, 7, "x").find("\"level\":\"critical\""),
            std::string::npos);
  std::string line = formatJsonLogLine(t, spdlog::level::err, 7, "bad \"sql\"\n\xff\x01");
  EXPECT_EQ(line,
            "{\"time\":\"1970-01-01T00:00:00.000Z\",\"level\":\"error\",\"thread\":7,"
            "\"message\":\"bad \\\"sql\\\"\\n\\u00ff\\u0001\"}");
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(LogFormatTest, Parse) {
  EXPECT_EQ(parseLogFormat("text"), LogFormat::kText);
  EXPECT_EQ(parseLogFormat("json"), LogFormat::kJson);
  EXPECT_FALSE(parseLogFormat("JSON").has_value());
  EXPECT_FALSE(parseLogFormat("").has_value());
}

}  // namespace
}  // namespace shardproxy
