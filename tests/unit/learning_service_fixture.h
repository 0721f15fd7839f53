// A LearningService on a fresh store in a temporary directory, with a clock the test moves, and a
// way to add rules: what the learning tests that call the service as a library share.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "collector/learning/learning_service.h"
#include "collector/store/sqlite_event_store.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_clock.h"

namespace agentmetrics::learning {

class LearningServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::SqliteEventStore::open(dir_.path() + "/events.db", store::SqliteEventStore::Mode::kReadWrite);
    LearningSettings settings;
    settings.clock = [this] { return now_; };
    service_ = std::make_unique<LearningService>(store_->handle(), settings);
  }
  // The id of the rule added (or of the one it merged into).
  std::string add(const std::string& content, double confidence = 0.7, BulletKind kind = BulletKind::kRule,
                  std::vector<std::string> tags = {}) {
    NewBullet nb;
    nb.content = content;
    nb.kind = kind;
    nb.confidence = confidence;
    nb.tags = std::move(tags);
    return service_->playbook_add(nb).rule.bullet.id;
  }

  testing::TempDir dir_;
  double now_ = agentmetrics::testing::kNow;
  std::unique_ptr<store::SqliteEventStore> store_;
  std::unique_ptr<LearningService> service_;
};

}  // namespace agentmetrics::learning
