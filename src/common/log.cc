#include "common/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <time.h>

#include <cstdio>

#include "common/json_text.h"

namespace shardproxy {

namespace {

class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line = formatJsonLogLine(msg.time, msg.level, msg.thread_id,
                                         std::string_view(msg.payload.data(), msg.payload.size()));
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLogFormatter>();
  }
};

}  // namespace

std::optional<LogFormat> parseLogFormat(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return std::nullopt;
}

std::string formatJsonLogLine(std::chrono::system_clock::time_point time,
                              spdlog::level::level_enum level, size_t thread,
                              std::string_view message) {
  using namespace std::chrono;
  auto sinceEpoch = time.time_since_epoch();
  // Floor, not truncation: a time before 1970 still gets a millisecond part in 0..999.
  auto secs = floor<seconds>(sinceEpoch);
  auto millis = duration_cast<milliseconds>(sinceEpoch - secs).count();
  time_t t = static_cast<time_t>(secs.count());
  struct tm tm {};
  gmtime_r(&t, &tm);
  char stamp[96];  // room for any int fields, which keeps -Wformat-truncation quiet
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  auto levelName = spdlog::level::to_string_view(level);
  std::string out;
  out.reserve(message.size() + 96);
  out += "{\"time\":\"";
  out += stamp;
  out += "\",\"level\":";
  appendJsonString(out, std::string_view(levelName.data(), levelName.size()));
  out += ",\"thread\":";
  out += std::to_string(thread);
  out += ",\"message\":";
  appendJsonString(out, message);
  out += '}';
  return out;
}

void initLogging(const std::string& level, LogFormat format) {
  std::shared_ptr<spdlog::logger> logger;
  if (format == LogFormat::kJson) {
    // No colour codes: the line is read by a program.
    logger = spdlog::stderr_logger_mt("shardproxy");
    logger->set_formatter(std::make_unique<JsonLogFormatter>());
  } else {
    logger = spdlog::stderr_color_mt("shardproxy");
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ [%t] %v");
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace shardproxy
