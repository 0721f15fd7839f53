#include "ipc/outcome_event.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "ipc/names.h"
#include "ipc/record.h"
#include "ipc/timestamp.h"

namespace agentmetrics::ipc {
namespace {

using enum FieldType;

constexpr std::size_t kLabelBytes = 128;

constexpr FieldSpec kTaskFields[] = {
    {0, "agent_type", kLabel, true, "the agent that worked on the task (build, plan, ...)"},
    {1, "task_type", kLabel, true, "what kind of task it was (feature, bugfix, refactor, ...)"},
    {2, "stage", kLabel, false, "the stage it ran in; \"unknown\" when absent"},
    {3, "success", kBool, true, "whether the task succeeded"},
    {4, "duration_seconds", kSeconds, true, "how long the task took"},
    {5, "failure_type", kLabel, false, "why it failed (test_failure, build_error, timeout, ...)"},
    {6, "session_id", kText, false, "the agent's session", 128},
    {7, "title", kText, false, "a one-line title of the task", 256},
    {8, "approach", kText, false, "how it was tackled (test_driven_development, ...)", 128},
    {9, "snippet", kText, false, "a short account of what was done", 1024},
    {10, "rule_ids", kText, false, "comma-separated ids of the playbook rules injected into the task", 512},
    {11, "human_intervention", kBool, false, "whether a person had to step in"},
    {12, "intervention_reason", kLabel, false, "why a person stepped in"},
    {13, "ai_lines_generated", kCount, false, "lines of code the AI proposed"},
    {14, "ai_lines_accepted", kCount, false, "lines of AI code that were kept"},
    {15, "prompts_sent", kCount, false, "prompts sent to the model"},
    {16, "prompts_useful", kCount, false, "prompts that gave a useful result"},
    {17, "time_saved_seconds", kSeconds, false, "estimated time the AI saved on this task"},
    {18, "model", kLabel, false, "the model that did most of the work"},
    {19, "tokens_input", kCount, false, "model input tokens not read from the cache"},
    {20, "tokens_output", kCount, false, "model output tokens"},
    {21, "tokens_cache_read", kCount, false, "model input tokens read from the cache"},
    {22, "tokens_cache_creation", kCount, false, "model input tokens written to the cache"},
    {23, "cost_usd", kCount, false, "what the model calls cost, in US dollars (the agent's figure, or the price table's)"},
    {24, "tool_calls", kCount, false, "tool calls the agent made"},
    {25, "tool_errors", kCount, false, "tool calls that failed"},
    {26, "api_errors", kCount, false, "model API requests that failed"},
    {27, "edits_accepted", kCount, false, "code edits proposed and accepted"},
    {28, "edits_rejected", kCount, false, "code edits proposed and rejected"},
    {29, "project", kLabel, false, "the repository or directory the task worked in (its name, not its path)"},
    {30, "git_branch", kLabel, false, "the git branch the task worked on"},
    {31, "origin", kLabel, false, "how the task was recorded: api (the client library or agentmetrics record), otlp, import"},
    {32, "tool_failures", kText, false, "what the session's failing tool calls add up to (JSON: tools, edits, retries; docs/events.md)",
     640},
    {33, "rule_feedback", kText, false,
     "the agent's inline feedback on the rules it was shown: \"+id\" helpful, \"-id\" harmful, space-separated", 128},
};
constexpr FieldSpec kPipelineFields[] = {
    {0, "stage", kLabel, true, "the pipeline stage (build, test, lint, deploy, ...)"},
    {1, "success", kBool, true, "whether the run succeeded"},
    {2, "duration_seconds", kSeconds, true, "how long the run took"},
    {3, "failure_type", kLabel, false, "why it failed; \"unknown\" for a failure without one"},
    {4, "repository", kText, false, "the repository it ran for (owner/name)", 256},
};
constexpr FieldSpec kTestRunFields[] = {
    {0, "tests", kCount, true, "tests run"},
    {1, "failures", kCount, false, "tests that failed"},
    {2, "flaky", kCount, false, "tests that failed, then passed on a retry"},
    {3, "duration_seconds", kSeconds, true, "time to run all the tests"},
    {4, "suite", kText, false, "the name of the test suite", 256},
};
constexpr FieldSpec kCoverageFields[] = {
    {0, "percent", kPercent, true, "line coverage, 0 to 100"},
    {1, "lines_covered", kCount, false, "lines executed by the tests"},
    {2, "lines_total", kCount, false, "instrumented lines"},
};
constexpr FieldSpec kLintFields[] = {
    {0, "errors", kCount, false, "findings of severity error"},
    {1, "warnings", kCount, false, "findings of severity warning"},
    {2, "infos", kCount, false, "findings of severity info (SARIF: note)"},
    {3, "tool", kText, false, "the linter", 128},
};
constexpr FieldSpec kDeploymentFields[] = {
    {0, "success", kBool, true, "whether the deployment succeeded"},
    {1, "rollback", kBool, false, "whether this deployment was a rollback"},
    {2, "commit_time", kTime, false, "when the deployed change was committed"},
    {3, "environment", kText, false, "where it was deployed", 128},
    {4, "repository", kText, false, "the repository deployed (owner/name)", 256},
    {5, "sha", kText, false, "the deployed commit's hash", 64},
};
constexpr FieldSpec kPullRequestFields[] = {
    {0, "lines_changed", kCount, false, "lines added plus lines deleted"},
    {1, "opened", kTime, true, "when the pull request was opened"},
    {2, "first_review", kTime, false, "when it got its first review"},
    {3, "merged", kTime, false, "when it was merged"},
    {4, "id", kText, false, "the pull request's id; of an id's events, each field counts from the latest that has it", 128},
    {5, "ready", kTime, false, "when it was marked ready for review (opened as a draft, then made ready)"},
    {6, "repository", kText, false, "the repository (owner/name)", 256},
    {7, "author", kText, false, "who opened it (a forge login; only when configured to keep authors)", 128},
};
constexpr FieldSpec kBugFields[] = {
    {0, "introduced", kTime, false, "when the bug was committed"},
    {1, "detected", kTime, true, "when it was found"},
    {2, "resolved", kTime, false, "when it was fixed"},
    {3, "escaped", kBool, false, "whether it reached production"},
    {4, "codebase_lines", kCount, false, "size of the code base, in lines, when it was found"},
    {5, "id", kText, false, "the bug's id; the latest event of an id counts", 128},
    {6, "repository", kText, false, "the repository it was filed against (owner/name)", 256},
};
constexpr FieldSpec kCommitFields[] = {
    {0, "lines_added", kCount, false, "lines added; absent when unknown (a forge's push lists files, not lines)"},
    {1, "lines_deleted", kCount, false, "lines deleted; absent when unknown"},
    {2, "sha", kText, false, "the commit's hash", 64},
    {3, "repository", kText, false, "the repository (owner/name)", 256},
    {4, "branch", kText, false, "the branch it was pushed to", 256},
    {5, "push_head", kText, false, "the hash the push that brought it moved the branch to", 64},
    {6, "ai_agent", kLabel, false, "the coding agent named in its Co-authored-by trailer, when one of the known ones"},
    {7, "author", kText, false, "its author's name (only when configured to keep authors)", 128},
};
constexpr FieldSpec kTechDebtFields[] = {
    {0, "remediation_hours", kSeconds, true, "estimated effort to pay the debt back, in hours"},
    {1, "development_hours", kSeconds, true, "total development effort, in hours"},
};

constexpr KindSpec kKinds[] = {
    {OutcomeKind::kTask, "task", "an agent finished a task", kTaskFields},
    {OutcomeKind::kPipeline, "pipeline", "a pipeline stage ran", kPipelineFields},
    {OutcomeKind::kTestRun, "test_run", "a test suite ran", kTestRunFields},
    {OutcomeKind::kCoverage, "coverage", "code coverage was measured", kCoverageFields},
    {OutcomeKind::kLint, "lint", "a linter reported its findings", kLintFields},
    {OutcomeKind::kDeployment, "deployment", "a change was deployed", kDeploymentFields},
    {OutcomeKind::kPullRequest, "pull_request", "a pull request's state", kPullRequestFields},
    {OutcomeKind::kBug, "bug", "a bug's state", kBugFields},
    {OutcomeKind::kCommit, "commit", "a commit was made", kCommitFields},
    {OutcomeKind::kTechDebt, "tech_debt", "an estimate of the technical debt", kTechDebtFields},
};

// No two fields of a kind share an id or a name, and no two kinds share a number.
constexpr bool ids_are_unique() {
  for (std::size_t k = 0; k < std::size(kKinds); ++k) {
    for (std::size_t other = k + 1; other < std::size(kKinds); ++other) {
      if (kKinds[k].kind == kKinds[other].kind) return false;
    }
    const auto fields = kKinds[k].fields;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      for (std::size_t j = i + 1; j < fields.size(); ++j) {
        if (fields[i].id == fields[j].id || fields[i].name == fields[j].name) return false;
      }
    }
  }
  return true;
}
static_assert(ids_are_unique());

constexpr std::size_t kHeaderBytes = 2 + 2 + 4 + 8 + 8 + 8;

// Reads fixed-size values from a span, refusing to go past its end.
class Reader {
 public:
  explicit Reader(std::span<const std::byte> bytes) : bytes_(bytes) {}
  template <typename T>
  bool read(T& out) {
    if (bytes_.size() - at_ < sizeof(T)) return false;
    std::memcpy(&out, bytes_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return true;
  }
  bool read_text(std::size_t size, std::string& out) {
    if (bytes_.size() - at_ < size) return false;
    out.assign(reinterpret_cast<const char*>(bytes_.data() + at_), size);
    at_ += size;
    return true;
  }
  bool done() const { return at_ == bytes_.size(); }

 private:
  std::span<const std::byte> bytes_;
  std::size_t at_ = 0;
};

template <typename T>
void append(std::vector<std::byte>& out, const T& value) {
  const auto* p = reinterpret_cast<const std::byte*>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}

double parse_number(const FieldSpec& field, std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw std::invalid_argument(std::string(field.name) + ": \"" + std::string(text) + "\" is not a number");
  }
  return value;
}

double parse_time(const FieldSpec& field, std::string_view text) {
  double seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (!text.empty() && ec == std::errc() && end == text.data() + text.size()) return seconds;
  if (const auto time = parse_timestamp(text, ZonelessTime::kUtc)) return *time;
  throw std::invalid_argument(std::string(field.name) + ": \"" + std::string(text) +
                              "\" is neither Unix seconds nor an RFC 3339 time like 2026-11-24T10:00:00Z (no zone means UTC)");
}

}  // namespace

std::span<const KindSpec> outcome_kinds() { return kKinds; }

std::string check_field(const FieldSpec& spec, const FieldValue& value) {
  const std::string name(spec.name);
  switch (spec.type) {
    case kText:
    case kLabel: {
      const auto* s = std::get_if<std::string>(&value);
      if (!s) return name + " must be text";
      const std::size_t limit = spec.type == kLabel ? kLabelBytes : spec.max_bytes;
      if (s->size() > limit) return name + " is longer than " + std::to_string(limit) + " bytes";
      if (!is_valid_utf8_text(*s)) return name + " is not valid UTF-8 text";
      return {};
    }
    case kBool: return std::holds_alternative<bool>(value) ? std::string() : name + " must be true or false";
    default: break;
  }
  const auto* d = std::get_if<double>(&value);
  if (!d) return name + " must be a number";
  if (!std::isfinite(*d)) return name + " must be finite";
  if (spec.type == kPercent && (*d < 0 || *d > 100)) return name + " must be between 0 and 100";
  if (spec.type == kTime && *d <= 0) return name + " must be a time after 1970";
  if (*d < 0) return name + " must not be negative";
  return {};
}

const KindSpec* find_kind(std::string_view name) {
  for (const auto& k : kKinds) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

const KindSpec* find_kind(OutcomeKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return &k;
  }
  return nullptr;
}

const FieldSpec* find_field(const KindSpec& kind, std::string_view name) {
  for (const auto& f : kind.fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const FieldSpec* find_field(const KindSpec& kind, std::uint8_t id) {
  for (const auto& f : kind.fields) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

const std::string* OutcomeEvent::text(std::string_view name) const {
  auto it = fields.find(name);
  return it == fields.end() ? nullptr : std::get_if<std::string>(&it->second);
}

std::optional<double> OutcomeEvent::number(std::string_view name) const {
  auto it = fields.find(name);
  if (it == fields.end()) return std::nullopt;
  const auto* d = std::get_if<double>(&it->second);
  return d ? std::optional<double>(*d) : std::nullopt;
}

std::optional<bool> OutcomeEvent::flag(std::string_view name) const {
  auto it = fields.find(name);
  if (it == fields.end()) return std::nullopt;
  const auto* b = std::get_if<bool>(&it->second);
  return b ? std::optional<bool>(*b) : std::nullopt;
}

std::string check_event(const OutcomeEvent& event) {
  const KindSpec* kind = find_kind(event.kind);
  if (!kind) return "unknown event kind " + std::to_string(static_cast<unsigned>(event.kind));
  if (!std::isfinite(event.time) || event.time <= 0) return "the event's time must be a time after 1970";
  for (const auto& [name, value] : event.fields) {
    const FieldSpec* spec = find_field(*kind, name);
    if (!spec) return std::string(kind->name) + " has no field " + name;
    if (std::string why = check_field(*spec, value); !why.empty()) return why;
  }
  for (const auto& spec : kind->fields) {
    if (spec.required && !event.fields.contains(spec.name)) {
      return std::string(kind->name) + " needs the field " + std::string(spec.name);
    }
  }
  return {};
}

FieldValue parse_field_value(const FieldSpec& field, std::string_view text) {
  switch (field.type) {
    case kText:
    case kLabel: return std::string(text);
    case kBool:
      if (text == "true" || text == "1" || text == "yes") return true;
      if (text == "false" || text == "0" || text == "no") return false;
      throw std::invalid_argument(std::string(field.name) + ": \"" + std::string(text) + "\" is not true or false");
    case kTime: return parse_time(field, text);
    default: return parse_number(field, text);
  }
}

std::vector<std::byte> encode_event(const OutcomeEvent& event) {
  if (std::string why = check_event(event); !why.empty()) throw std::invalid_argument(why);
  const KindSpec& kind = *find_kind(event.kind);
  std::vector<std::byte> out;
  out.reserve(256);
  append(out, static_cast<std::uint16_t>(event.kind));
  append(out, static_cast<std::uint16_t>(event.fields.size()));
  append(out, std::uint32_t{0});
  append(out, event.producer_id);
  append(out, event.sequence);
  append(out, event.time);
  for (const auto& [name, value] : event.fields) {
    append(out, find_field(kind, name)->id);
    if (const auto* s = std::get_if<std::string>(&value)) {
      append(out, static_cast<std::uint16_t>(s->size()));
      const auto* p = reinterpret_cast<const std::byte*>(s->data());
      out.insert(out.end(), p, p + s->size());
    } else if (const auto* d = std::get_if<double>(&value)) {
      append(out, *d);
    } else {
      append(out, static_cast<std::uint8_t>(std::get<bool>(value) ? 1 : 0));
    }
  }
  if (out.size() > kMaxFramePayloadBytes) {
    throw std::invalid_argument("the event takes " + std::to_string(out.size()) + " bytes, more than the " +
                                std::to_string(kMaxFramePayloadBytes) + " a frame holds");
  }
  return out;
}

std::variant<OutcomeEvent, OutcomeDecodeError> decode_event(std::span<const std::byte> bytes) {
  Reader in(bytes);
  std::uint16_t kind_number = 0, field_count = 0;
  std::uint32_t zero = 0;
  OutcomeEvent event;
  if (bytes.size() < kHeaderBytes || !in.read(kind_number) || !in.read(field_count) || !in.read(zero) || !in.read(event.producer_id) ||
      !in.read(event.sequence) || !in.read(event.time)) {
    return OutcomeDecodeError{"payload shorter than the event header"};
  }
  event.kind = static_cast<OutcomeKind>(kind_number);
  const KindSpec* kind = find_kind(event.kind);
  if (!kind) return OutcomeDecodeError{"unknown event kind " + std::to_string(kind_number)};
  if (field_count > kind->fields.size()) return OutcomeDecodeError{"more fields than the kind has"};
  for (std::uint16_t i = 0; i < field_count; ++i) {
    std::uint8_t id = 0;
    if (!in.read(id)) return OutcomeDecodeError{"payload ends inside field " + std::to_string(i)};
    const FieldSpec* found = find_field(*kind, id);
    if (!found) return OutcomeDecodeError{"field id " + std::to_string(id) + " is not one of " + std::string(kind->name) + "'s"};
    const FieldSpec& spec = *found;
    FieldValue value;
    bool ok = false;
    if (spec.type == kText || spec.type == kLabel) {
      std::uint16_t size = 0;
      std::string s;
      ok = in.read(size) && in.read_text(size, s);
      value = std::move(s);
    } else if (spec.type == kBool) {
      std::uint8_t b = 0;
      ok = in.read(b) && b <= 1;
      value = b == 1;
    } else {
      double d = 0;
      ok = in.read(d);
      value = d;
    }
    if (!ok) return OutcomeDecodeError{"field " + std::string(spec.name) + " is cut short or malformed"};
    if (!event.fields.emplace(std::string(spec.name), std::move(value)).second) {
      return OutcomeDecodeError{"field " + std::string(spec.name) + " appears twice"};
    }
  }
  if (!in.done()) return OutcomeDecodeError{"bytes left after the last field"};
  return event;
}

}  // namespace agentmetrics::ipc
