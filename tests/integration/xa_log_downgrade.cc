// Rewrites a shardproxy XA coordinator log of format 2 in the layout of format 1, the format
// before it, as an older proxy would have left it: "commit/<gtrid>" -> "<data sources>" without
// the decision time, meta/format "1". For test_instances.py, which then starts the proxy on this
// "older" data directory and checks that the upgrade keeps every decision for recovery.
//
//   xa_log_downgrade DIR     (the proxy using DIR must be stopped)
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <cstdio>
#include <memory>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: xa_log_downgrade DIR\n");
    return 2;
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(rocksdb::Options(), argv[1], &raw);
  if (!s.ok()) {
    std::fprintf(stderr, "open: %s\n", s.ToString().c_str());
    return 1;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string format;
  s = db->Get(rocksdb::ReadOptions(), "meta/format", &format);
  if (!s.ok() || format != "2") {
    std::fprintf(stderr, "not a format-2 log (meta/format: %s)\n",
                 s.ok() ? format.c_str() : s.ToString().c_str());
    return 1;
  }
  const std::string prefix = "decision/";
  rocksdb::WriteBatch batch;
  int moved = 0;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::string value = it->value().ToString();
    const size_t nl = value.find('\n');
    if (nl == std::string::npos) {
      std::fprintf(stderr, "bad decision value under %s\n", it->key().ToString().c_str());
      return 1;
    }
    const std::string gtrid = it->key().ToString().substr(prefix.size());
    if (!batch.Put("commit/" + gtrid, value.substr(nl + 1)).ok() || !batch.Delete(it->key()).ok()) {
      return 1;
    }
    ++moved;
  }
  if (!it->status().ok()) {
    std::fprintf(stderr, "read: %s\n", it->status().ToString().c_str());
    return 1;
  }
  it.reset();
  if (!batch.Put("meta/format", "1").ok()) return 1;
  rocksdb::WriteOptions synced;
  synced.sync = true;
  s = db->Write(synced, &batch);
  if (!s.ok()) {
    std::fprintf(stderr, "write: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("%d decisions rewritten in format 1\n", moved);
  return db->Close().ok() ? 0 : 1;
}
