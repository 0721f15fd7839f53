// A copy of a team's playbook (the rules of its PostgreSQL, postgres_learning_store.h) in a local
// SQLite file with the embedded store's tables, so that a team store's rules are searched by the
// very code that searches the embedded store's (rule_search.h: FTS5's stems, the thesaurus, the
// same IDF) and rank as they would there.
//
// The copy follows the team store by revision (postgres_learning_schema.h, version 2): each
// follow() reads, in one snapshot, the rules written and the rules forgotten since the revision it
// last saw, and applies them in one local transaction; the first time, or when the team's store
// was made anew (its store_id changed), it copies every rule. Revisions become visible in their
// order (they are stamped under a lock held to the commit), so a revision once seen has no older
// one still to come. The processes of one machine share the file; SQLite serializes their
// follow()s, and one that finds the copy current writes nothing.
#pragma once

#include <string>

#include <pqxx/connection>

struct sqlite3;

namespace agentmetrics::learning {

class PlaybookMirror {
 public:
  // `path`: the copy's file, created with its directory; empty: a copy in memory for this
  // process alone (every rule read at its first follow()). Throws StoreError.
  explicit PlaybookMirror(const std::string& path);
  ~PlaybookMirror();
  PlaybookMirror(const PlaybookMirror&) = delete;
  PlaybookMirror& operator=(const PlaybookMirror&) = delete;

  // Brings the copy up to the team store's rules; returns its connection, whose `bullets` and
  // `bullets_fts` are then the team's. Throws pqxx's errors (the team store) or StoreError.
  sqlite3* follow(pqxx::connection& team);
  sqlite3* db() const { return db_; }
  // Rules written into the copy by the last follow() (0 when it was current).
  std::size_t last_copied() const { return last_copied_; }

 private:
  sqlite3* db_ = nullptr;
  std::size_t last_copied_ = 0;
};

}  // namespace agentmetrics::learning
