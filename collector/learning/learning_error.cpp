#include "collector/learning/learning_error.h"

#include "collector/store/store_error.h"

namespace agentmetrics::learning {

using store::StoreError;

LearningError translate_error(const std::exception& error, const std::string& store_path) {
  if (const auto* e = dynamic_cast<const LearningError*>(&error)) return *e;
  const std::string message = error.what();
  const auto* store_error = dynamic_cast<const StoreError*>(&error);
  if (!store_error) return LearningError(ErrorCategory::kInternal, "INTERNAL", message, {"report this with the command that caused it"});
  const std::string where = store_path.empty() ? "the store" : store_path;
  auto filesystem = [](const char* code, const std::string& text, std::vector<std::string> recovery) {
    return LearningError(ErrorCategory::kFilesystem, code, text, std::move(recovery));
  };
  switch (store_error->kind()) {
    case StoreError::Kind::kCorrupt:
      return filesystem(
          "STORE_CORRUPT", "the store " + where + " is damaged: " + message,
          {"stop the collector, move " + where + " aside and restore it from a backup",
           "or recover what is readable: sqlite3 " + where + " .recover | sqlite3 recovered.db", "cm doctor --json checks the store"});
    case StoreError::Kind::kBusy:
      return filesystem("STORE_BUSY", "the store " + where + " stayed locked: " + message,
                        {"retry in a moment", "check for a process holding a long transaction on the store"});
    case StoreError::Kind::kUnavailable:
      return filesystem("STORE_UNAVAILABLE", "cannot use the store " + where + ": " + message,
                        {"check that the file and its directory exist and are writable by this user",
                         "pass another store with --store PATH or AGENTMETRICS_STORE"});
    case StoreError::Kind::kNewerSchema: return filesystem("STORE_SCHEMA_NEWER", message, {"upgrade agentmetrics"});
    case StoreError::Kind::kOlderSchema:
      return filesystem("STORE_SCHEMA_OLDER", message, {"start agentmetricsd (or any cm command that writes) once to migrate it"});
    case StoreError::Kind::kOther: break;
  }
  // The store's own errors name it already.
  const std::string named = message.starts_with("store " + where + ": ") ? message : "store " + where + ": " + message;
  return filesystem("STORE_ERROR", named, {"cm doctor --json checks the store"});
}

}  // namespace agentmetrics::learning
