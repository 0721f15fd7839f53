// The playbook: rules ("bullets") and anti-patterns kept in the store's bullets table.
//
// Ids: "b-" (rules) or "ap-" (anti-patterns) + the first 6 hex digits of the hash of the
// normalized content, lengthened by 2 digits at a time while another bullet has the id.
// Near-duplicates are merged, not repeated: adding content whose normalized form equals a
// bullet's of the same kind, or whose words have a Jaccard similarity of at least 0.85 with
// one, reinforces that bullet (evidence +1, a helpful step, tags merged) instead, and revives
// it if it was retired (except a rule inverted into an anti-pattern: that stays retired).
// Bullets are never deleted: removing or retiring one sets state = 'retired' with a reason
// (removed, stale, low_confidence, inverted, capacity).
//
// Methods that write expect the caller's write transaction (store::Transaction), except
// decay_all(), which runs its own short ones. One Playbook per connection and thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/learning/confidence.h"
#include "collector/learning/sqlite_util.h"

struct sqlite3;

namespace agentmetrics::learning {

// A rule is text put into an agent's prompt: a sentence or a short paragraph, never an essay.
inline constexpr std::size_t kMaxRuleBytes = 1000;
// Active rules and anti-patterns at most (cass_memory.maxRules). At the cap, a new one takes the
// place of the oldest manual or imported rule of low confidence, and a learned one, failing
// that, the oldest manual or imported rule no outcome has confirmed; else it is refused
// (PLAYBOOK_FULL). docs/learning.md, "How many rules", says why.
inline constexpr std::size_t kDefaultMaxRules = 10000;
// Low confidence: more harm than help, or unconfirmed for weeks (a manual rule's 0.7 decays to
// it in about 44 days).
inline constexpr double kLowConfidence = 0.5;

enum class BulletKind { kRule, kAntiPattern };
enum class BulletSource { kLearning, kManual, kImport };
enum class FeedbackKind { kHelpful, kHarmful };

std::string_view to_string(BulletKind kind);      // "rule", "anti-pattern"
std::string_view to_string(BulletSource source);  // "learning", "manual", "import"
std::string_view to_string(FeedbackKind kind);    // "helpful", "harmful"
// Throw LearningError (kInput) for unknown names.
BulletKind parse_bullet_kind(std::string_view text);
BulletSource parse_bullet_source(std::string_view text);

// What a learned rule is about; empty fields: not known (manual rules).
struct Scope {
  std::string stage, failure_type, agent_type, task_type;
};

struct Bullet {
  std::int64_t seq = 0;
  std::string id;
  std::string content;
  BulletKind kind = BulletKind::kRule;
  bool active = true;
  std::string retired_reason;  // removed, stale, low_confidence, inverted, capacity
  std::optional<double> retired_at;
  std::string replaced_by;  // the anti-pattern a rule was inverted into
  BulletSource source = BulletSource::kManual;
  std::string added_by;  // who: "cli", "api:<credential>", "import", "reflection", "feedback"
  std::vector<std::string> tags;
  std::string content_hash;
  double confidence = 0;  // as of confidence_time
  double confidence_time = 0;
  std::int64_t evidence_count = 0;
  double helpful = 0;  // weighted counts of feedback
  double harmful = 0;
  double created = 0;
  double last_validated = 0;
  Scope scope;
  std::string project;  // "": every project's (project_scope.h)
  std::string learned;  // the words learned from the tasks it helped, oldest first (learned_words.h)
  std::vector<std::string> pattern_ids;

  // The decayed confidence at `now`.
  double confidence_at(double now, const ConfidenceModel& model) const { return model.decayed(confidence, confidence_time, now); }
};

struct NewBullet {
  std::string content;
  BulletKind kind = BulletKind::kRule;
  BulletSource source = BulletSource::kManual;
  std::string added_by;  // recorded on a new rule; a merge keeps the first rule's
  std::vector<std::string> tags;
  std::optional<double> confidence;  // default: 0.7 manual, 0.6 import, 0.5 learning
  std::int64_t evidence_count = 0;
  Scope scope;
  std::string project;     // "": every project's; a duplicate is one of the same project
  std::string pattern_id;  // the pattern it was learned from, if any
  double pattern_counted_until = 0;
};

// The confidence a new rule starts with when none is given: 0.7 manual, 0.6 import, 0.5 learning.
double default_confidence(BulletSource source);
// Tags as a bullet stores them: "a,b,c".
std::string join_tags(const std::vector<std::string>& tags);

enum class AddAction { kAdded, kReinforced, kRevived, kUnchanged };
std::string_view to_string(AddAction action);

struct AddResult {
  Bullet bullet;
  AddAction action = AddAction::kAdded;
  double similarity = 0;  // with the bullet it merged into (1 for an exact duplicate)
};

struct FeedbackSignal {
  std::string bullet_id;
  FeedbackKind kind = FeedbackKind::kHelpful;
  double weight = 1.0;
  std::string origin;  // mark, outcome, task_event
  std::optional<std::string> session_id;
  std::optional<std::int64_t> event_id;
  std::string note;
  double time = 0;
  // The task the rule was used for: a helpful signal teaches the rule its words (learned_words.h).
  std::string task;
};

struct FeedbackResult {
  std::string bullet_id;
  FeedbackKind kind = FeedbackKind::kHelpful;
  double weight = 0;
  double before = 0;  // effective confidence before and after
  double after = 0;
  bool skipped = false;     // the session already gave this bullet feedback
  std::string inverted_to;  // the anti-pattern the rule became
  bool retired = false;     // fell below the floor
};

struct DecayResult {
  std::size_t decayed = 0;
  std::vector<std::string> retired;
};

struct PlaybookCounts {
  std::int64_t active_rules = 0;
  std::int64_t active_anti_patterns = 0;
  std::int64_t retired = 0;
};

// `bullet` confirmed once more by `evidence` new occurrences of its pattern at `now`: one helpful
// step of `model`, as every store reinforces a rule.
Bullet reinforced(const Bullet& bullet, std::int64_t evidence, double now, const ConfidenceModel& model);

class Playbook {
 public:
  explicit Playbook(sqlite3* db, ConfidenceModel model = {}, std::size_t max_active = kDefaultMaxRules);

  const ConfidenceModel& model() const { return model_; }
  std::size_t max_active() const { return max_active_; }
  sqlite3* db() const { return db_; }

  std::optional<Bullet> find(std::string_view id) const;
  // Throws LearningError (kInput, UNKNOWN_RULE) for an unknown id.
  Bullet get(std::string_view id) const;
  std::optional<Bullet> find_by_pattern(std::string_view pattern_id) const;

  struct Filter {
    std::optional<BulletKind> kind;
    std::optional<BulletSource> source;
    bool include_retired = false;
  };
  // Sorted by decayed confidence (highest first), then id.
  std::vector<Bullet> list(const Filter& filter, double now) const;
  PlaybookCounts counts() const;

  // Throws LearningError (kInput) for empty or over-long content, (RULE_INVERTED) for a
  // manual rule equal to one that was inverted into an anti-pattern, and (PLAYBOOK_FULL) for
  // one that finds no room under the cap (kDefaultMaxRules).
  AddResult add(const NewBullet& bullet, double now);
  // A confirmation: a helpful step, last_validated = now, evidence += `evidence`.
  Bullet reinforce(const Bullet& bullet, std::int64_t evidence, double now);
  void link_pattern(std::string_view bullet_id, std::string_view pattern_id, double counted_until);
  double pattern_counted_until(std::string_view bullet_id, std::string_view pattern_id) const;
  Bullet retire(std::string_view id, std::string_view reason, double now, std::string_view replaced_by = {});
  FeedbackResult feedback(const FeedbackSignal& signal);
  bool has_session_feedback(std::string_view bullet_id, std::string_view session_id) const;

  // Stores every active bullet's decayed confidence as of `now` and retires those below the
  // floor ("stale"), `batch` bullets per transaction (paced: see WritePacer). Stops early when
  // *cancel becomes true.
  // `runner`: where the transactions run (sqlite_util.h; null: this connection).
  DecayResult decay_all(double now, std::size_t batch = 500, const std::atomic<bool>* cancel = nullptr, bool paced = false,
                        const WriteRunner* runner = nullptr);
  // One transaction of decay_all: the next `batch` active bullets after seq `after` (moved on).
  // Returns how many it looked at.
  std::size_t decay_batch(double now, std::size_t batch, std::int64_t& after, DecayResult& result);

  // The input of add() checked and cleaned (UTF-8, length, confidence, project; tags lowercased
  // and merged). Throws LearningError (kInput). A team store checks its rules with it too.
  static NewBullet validated(const NewBullet& bullet);

 private:
  std::string unused_id(BulletKind kind, const std::string& hash) const;
  std::optional<std::pair<Bullet, double>> find_duplicate(const NewBullet& bullet, const std::string& hash) const;
  // add() after validated(): merged into the bullet it duplicates or inserted as a new one.
  AddResult merge_into(Bullet existing, double similarity, const NewBullet& bullet, double now);
  Bullet insert(const NewBullet& bullet, const std::string& hash, double now);
  void save_state(const Bullet& b);
  // Before one more bullet becomes active: at the cap, retires one ("capacity") or throws
  // PLAYBOOK_FULL.
  void make_room(const NewBullet& bullet, double now);

  sqlite3* db_;
  ConfidenceModel model_;
  std::size_t max_active_;
};

}  // namespace agentmetrics::learning
