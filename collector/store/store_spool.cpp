#include "collector/store/store_spool.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "collector/store/sqlite_statement.h"
#include "collector/store/sqlite_transaction.h"
#include "collector/store/store_error.h"

namespace agentmetrics::store {
namespace {

// An event as the spool keeps it, read back. The spool is this collector's own file, written by
// insert()/replace() from checked events; a row that does not read back (a damaged file) is
// an error, not something to skip silently.
ipc::OutcomeEvent event_from_row(const SqliteStatement& row) {
  ipc::OutcomeEvent e;
  e.producer_id = static_cast<std::uint64_t>(row.column_int64(1));
  e.sequence = static_cast<std::uint64_t>(row.column_int64(2));
  const ipc::KindSpec* kind = ipc::find_kind(std::string_view(row.column_text(3)));
  if (!kind) throw StoreError(StoreError::Kind::kCorrupt, "the spool holds an event of unknown kind " + row.column_text(3));
  e.kind = kind->kind;
  e.time = row.column_double(4);
  const auto fields = nlohmann::json::parse(row.column_text(6), nullptr, false);
  if (!fields.is_object()) throw StoreError(StoreError::Kind::kCorrupt, "the spool holds an event whose fields are not a JSON object");
  for (const auto& [name, value] : fields.items()) {
    if (value.is_boolean()) {
      e.fields[name] = value.get<bool>();
    } else if (value.is_number()) {
      e.fields[name] = value.get<double>();
    } else if (value.is_string()) {
      e.fields[name] = value.get<std::string>();
    } else {
      throw StoreError(StoreError::Kind::kCorrupt, "the spool holds an event field " + name + " that is not text, a number or a flag");
    }
  }
  return e;
}

}  // namespace

StoreSpool::StoreSpool(const std::string& path, std::size_t limit)
    : store_(SqliteEventStore::open(path, SqliteEventStore::Mode::kReadWrite)), limit_(limit) {
  exec(store_->handle(),
       "CREATE TABLE IF NOT EXISTS spool_replacing(producer_id INTEGER, sequence INTEGER, PRIMARY KEY(producer_id, sequence))");
  size_ = store_->count();
}

bool StoreSpool::append(std::span<const ipc::OutcomeEvent> inserted, std::span<const ipc::OutcomeEvent> replacing, double received_time) {
  if (size_ + inserted.size() + replacing.size() > limit_) return false;
  Transaction tx(store_->handle(), Transaction::Mode::kWrite);
  std::size_t added = store_->insert(inserted, received_time);
  std::vector<EventStore::Replaced> outcomes;
  store_->replace(replacing, received_time, &outcomes);
  SqliteStatement mark(store_->handle(), "INSERT OR IGNORE INTO spool_replacing(producer_id, sequence) VALUES(?, ?)");
  for (std::size_t i = 0; i < replacing.size(); ++i) {
    if (outcomes[i] == EventStore::Replaced::kStored) ++added;
    mark.reset();
    mark.bind(1, static_cast<std::int64_t>(replacing[i].producer_id));
    mark.bind(2, static_cast<std::int64_t>(replacing[i].sequence));
    mark.run();
  }
  tx.commit();
  size_ += added;
  return true;
}

std::vector<StoreSpool::Spooled> StoreSpool::oldest(std::size_t max, std::int64_t* last_id) {
  SqliteStatement st(store_->handle(),
                     "SELECT e.id, e.producer_id, e.sequence, e.kind, e.time, e.received, e.fields, r.producer_id IS NOT NULL "
                     "FROM events e LEFT JOIN spool_replacing r ON r.producer_id = e.producer_id AND r.sequence = e.sequence "
                     "ORDER BY e.id LIMIT ?");
  st.bind(1, static_cast<std::int64_t>(max));
  std::vector<Spooled> out;
  while (st.step()) {
    out.push_back({event_from_row(st), st.column_double(5), st.column_int(7) != 0});
    *last_id = st.column_int64(0);
  }
  return out;
}

void StoreSpool::remove_through(std::int64_t last_id) {
  Transaction tx(store_->handle(), Transaction::Mode::kWrite);
  SqliteStatement counted(store_->handle(), "SELECT count(*) FROM events WHERE id <= ?");
  counted.bind(1, last_id);
  counted.step();
  const auto removed = static_cast<std::size_t>(counted.column_int64(0));
  SqliteStatement remove(store_->handle(), "DELETE FROM events WHERE id <= ?");
  remove.bind(1, last_id);
  remove.run();
  exec(store_->handle(),
       "DELETE FROM spool_replacing WHERE NOT EXISTS "
       "(SELECT 1 FROM events e WHERE e.producer_id = spool_replacing.producer_id AND e.sequence = spool_replacing.sequence)");
  exec(store_->handle(), "DELETE FROM replaced_events");
  tx.commit();
  size_ -= std::min(size_, removed);
}

}  // namespace agentmetrics::store
