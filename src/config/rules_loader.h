// Internal to config/: the rule bodies the loader reads into config/rules.h.
#pragma once

#include <string>
#include <vector>

#include "config/rules.h"
#include "config/yaml_reader.h"

namespace shardproxy::config::yaml {

ShardingRuleConfig parseShardingRule(const FileReader& f, const YAML::Node& body);
std::vector<std::string> parseBroadcastRule(const FileReader& f, const YAML::Node& body);
SingleRuleConfig parseSingleRule(const FileReader& f, const YAML::Node& body);

}  // namespace shardproxy::config::yaml
