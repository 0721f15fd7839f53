#include "collector/intake/webhooks/forge_fact.h"

#include <stdexcept>

#include "collector/intake/durable_intake.h"

namespace agentmetrics::intake {
namespace {

constexpr std::size_t kLabelBytes = 128;

// The longest prefix of `text` of at most `limit` bytes that does not end inside a character.
std::string_view cut(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace

ForgeFacts no_facts(const std::string& repository, std::string why) { return {repository, {}, std::move(why)}; }

ForgeFacts single_fact(const std::string& repository, std::optional<ForgeFact> fact, std::string otherwise) {
  if (!fact) return no_facts(repository, std::move(otherwise));
  ForgeFacts out{repository, {}, {}};
  out.facts.push_back(std::move(*fact));
  return out;
}

ForgeFact make_fact(std::string key, ipc::OutcomeKind kind, double time) {
  ForgeFact f;
  f.key = std::move(key);
  f.event.kind = kind;
  f.event.time = time;
  return f;
}

void set_text(ipc::OutcomeEvent& event, std::string_view field, std::string_view text) {
  if (text.empty()) return;
  const ipc::FieldSpec* spec = ipc::find_field(*ipc::find_kind(event.kind), field);
  if (!spec) throw std::logic_error("no field " + std::string(field) + " in " + std::string(ipc::find_kind(event.kind)->name));
  const std::size_t limit = spec->type == ipc::FieldType::kLabel ? kLabelBytes : spec->max_bytes;
  event.fields[std::string(field)] = std::string(cut(text, limit));
}

std::vector<ipc::OutcomeEvent> keyed_events(std::string_view forge, std::vector<ForgeFact> facts, std::vector<std::string>& dropped) {
  std::vector<ipc::OutcomeEvent> events;
  events.reserve(facts.size());
  for (ForgeFact& f : facts) {
    f.event.producer_id = intake_producer_id(forge, f.key);
    f.event.sequence = 1;
    if (std::string problem = ipc::check_event(f.event); !problem.empty()) {
      dropped.push_back(f.key + ": " + problem);
      continue;
    }
    events.push_back(std::move(f.event));
  }
  return events;
}

}  // namespace agentmetrics::intake
