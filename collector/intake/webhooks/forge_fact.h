// One thing a forge reported, as an outcome event named by the fact it records ("acme/app pull
// 12 merged", "acme/app deployment_status 42"). The name, not the delivery, keys the event: a
// redelivery, a second webhook and the backfill of the same fact all make the same key, and the
// store keeps one row (docs/webhooks.md lists which facts are keyed how).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/outcome_event.h"

namespace agentmetrics::intake {

struct ForgeFact {
  std::string key;
  ipc::OutcomeEvent event;  // kind, time and fields; keyed_events() sets its producer id and sequence
};

// What one delivery (or one backfilled record) came to.
struct ForgeFacts {
  std::string repository;  // owner/name; empty when the payload names none
  std::vector<ForgeFact> facts;
  std::string ignored;  // when `facts` is empty: why (an action or state that records nothing)
};

// Nothing recorded, and why.
ForgeFacts no_facts(const std::string& repository, std::string why);
// `fact`, or nothing and `otherwise` as the reason when it is empty.
ForgeFacts single_fact(const std::string& repository, std::optional<ForgeFact> fact, std::string otherwise);

// A fact of `kind` at `time` under `key`.
ForgeFact make_fact(std::string key, ipc::OutcomeKind kind, double time);

// Sets a text or label field, cut to the field's length limit on a character boundary; an empty
// text sets nothing.
void set_text(ipc::OutcomeEvent& event, std::string_view field, std::string_view text);

// The facts' events with producer id intake_producer_id(forge, key) and sequence 1. One that
// fails its kind's check (a negative duration from clocks that disagree, say) is left out, and
// why is appended to `dropped`.
std::vector<ipc::OutcomeEvent> keyed_events(std::string_view forge, std::vector<ForgeFact> facts, std::vector<std::string>& dropped);

}  // namespace agentmetrics::intake
