// The one error type of the learning side. It carries what cass_memory's JSON errors carry: a
// message, a stable code, an exit code by category (1 internal, 2 input, 3 config, 4 filesystem)
// and recovery steps a person (or an agent) can follow.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace agentmetrics::learning {

enum class ErrorCategory { kInternal = 1, kInput = 2, kConfig = 3, kFilesystem = 4 };

class LearningError : public std::runtime_error {
 public:
  LearningError(ErrorCategory category, std::string code, const std::string& message, std::vector<std::string> recovery = {})
      : std::runtime_error(message), category_(category), code_(std::move(code)), recovery_(std::move(recovery)) {}

  ErrorCategory category() const { return category_; }
  int exit_code() const { return static_cast<int>(category_); }
  const std::string& code() const { return code_; }
  const std::vector<std::string>& recovery() const { return recovery_; }

 private:
  ErrorCategory category_;
  std::string code_;
  std::vector<std::string> recovery_;
};

inline LearningError input_error(std::string code, const std::string& message, std::vector<std::string> recovery = {}) {
  return LearningError(ErrorCategory::kInput, std::move(code), message, std::move(recovery));
}

// LearningError for any exception: store problems are filesystem errors (exit 4), coded by
// StoreError::kind() (STORE_BUSY, STORE_CORRUPT, STORE_UNAVAILABLE, STORE_SCHEMA_NEWER,
// STORE_SCHEMA_OLDER, STORE_ERROR) with the steps that recover; anything else is internal (1).
LearningError translate_error(const std::exception& error, const std::string& store_path = {});

}  // namespace agentmetrics::learning
