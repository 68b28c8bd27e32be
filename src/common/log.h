// Logging set-up: one spdlog logger for the whole process (the only global mutable state).
#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace shardproxy {

// How log lines look on stderr: text for people, or one JSON object per line for a log
// collector (a container platform reads the process's stderr).
enum class LogFormat { kText, kJson };

// "text" or "json"; nothing for anything else.
std::optional<LogFormat> parseLogFormat(std::string_view name);

// Installs the process logger; level is one of spdlog's names ("info", "debug", ...).
void initLogging(const std::string& level, LogFormat format = LogFormat::kText);

// One log line as JSON, without the newline:
// {"time":"2026-12-07T18:00:00.123Z","level":"info","thread":123,"message":"..."}
// Time is UTC with milliseconds; level is spdlog's name; the message is escaped so that any bytes
// give a line that parses (common/json_text.h).
std::string formatJsonLogLine(std::chrono::system_clock::time_point time,
                              spdlog::level::level_enum level, size_t thread,
                              std::string_view message);

}  // namespace shardproxy
