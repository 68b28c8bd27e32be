// XA recovery: resolves the branches this proxy left prepared when it stopped between XA PREPARE
// and the last XA COMMIT. A branch whose transaction has a commit decision in the coordinator log
// is committed; any other is rolled back (presumed abort: a transaction is only committed once
// its decision is logged). Branches of transactions running in this process right now and of
// other proxy instances are left alone. A data source that cannot be reached is skipped and
// tried again at the next run.
#pragma once

#include <cstddef>
#include <vector>

#include "common/asio.h"
#include "config/topology.h"
#include "txn/active_transactions.h"
#include "txn/coordinator_log.h"
#include "txn/xid.h"

namespace shardproxy::txn {

struct RecoveryReport {
  size_t inDoubt = 0;      // prepared branches of this instance found
  size_t committed = 0;    // of those, committed
  size_t rolledBack = 0;   // of those, rolled back
  size_t unreachable = 0;  // servers that could not be asked
};

// The data sources of `topology` grouped by server (host:port), in topology order. One pass per
// server is enough: XA RECOVER lists every branch prepared on the server whichever account asks,
// and MariaDB lets any account commit or roll back a prepared branch (MySQL 8 wants
// XA_RECOVER_ADMIN for XA RECOVER). Asking once per account instead, with one account per data
// source, would settle each branch twice at once and report the loser's failure.
std::vector<std::vector<const config::DataSource*>> recoveryServers(
    const config::Topology& topology);

// One pass over every server of `topology` (each host:port once, through the first of its data
// sources' accounts that the server accepts).
awaitable<RecoveryReport> recover(asio::any_io_executor executor, const config::Topology& topology,
                                  CoordinatorLog& log, const XidGenerator& xids,
                                  const ActiveTransactions& active);

}  // namespace shardproxy::txn
