#include "metadata/table_catalog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace shardproxy::metadata {
namespace {

TEST(TableCatalogTest, UnknownDatabaseHasNoTables) {
  TableCatalog catalog;
  ASSERT_NE(catalog.locations("nope"), nullptr);
  EXPECT_TRUE(catalog.locations("nope")->empty());
}

TEST(TableCatalogTest, DdlChangesPublishNewSnapshotsAndLeaveOldOnesAlone) {
  TableCatalog catalog;
  catalog.set("db", {{"t_user", {"ds_0"}}});
  auto before = catalog.locations("db");
  catalog.added("db", "T_New", "ds_1");
  catalog.added("db", "t_new", "ds_1");  // once per data source, names without case
  catalog.added("db", "t_user", "ds_1");
  catalog.dropped("db", "T_USER");
  auto after = catalog.locations("db");
  EXPECT_EQ(*before, (TableLocations{{"t_user", {"ds_0"}}}));
  EXPECT_EQ(*after, (TableLocations{{"t_new", {"ds_1"}}}));
  EXPECT_TRUE(catalog.locations("other")->empty());
}

TEST(TableCatalogTest, ReadersSeeWholeSnapshotsWhileWritersChangeThem) {
  TableCatalog catalog;
  catalog.set("db", {});
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!done) {
      auto l = catalog.locations("db");
      // Every table a snapshot lists has where it lives: never a half-made entry.
      for (const auto& [name, where] : *l) {
        if (where.empty()) ++torn;
      }
    }
  });
  for (int i = 0; i < 2000; ++i) {
    catalog.added("db", "t" + std::to_string(i), "ds_0");
    if (i % 3 == 0) catalog.dropped("db", "t" + std::to_string(i));
  }
  done = true;
  reader.join();
  EXPECT_EQ(torn, 0);
  EXPECT_EQ(catalog.locations("db")->size(), 2000u - 667u);
}

}  // namespace
}  // namespace shardproxy::metadata
