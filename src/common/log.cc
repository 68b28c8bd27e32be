#include "common/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace shardproxy {

void initLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("shardproxy");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ [%t] %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace shardproxy
