// The outcome events' schema and byte encoding: what a producer may write and what the
// collector accepts from a ring.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <tuple>

#include "ipc/outcome_event.h"
#include "ipc/record.h"

namespace agentmetrics::ipc {
namespace {

OutcomeEvent full_task() {
  OutcomeEvent e;
  e.kind = OutcomeKind::kTask;
  e.producer_id = 0xfeedbeefcafef00dULL;
  e.sequence = 42;
  e.time = 1795515906.25;
  e.fields = {{"agent_type", std::string("build")}, {"task_type", std::string("bugfix")},
              {"stage", std::string("implement")},  {"success", true},
              {"duration_seconds", 640.5},          {"title", std::string("Fix the login \xC3\xA9 bug")},
              {"snippet", std::string(1024, 's')},  {"rule_ids", std::string("b-1,b-2")},
              {"human_intervention", false},        {"ai_lines_generated", 120.0},
              {"ai_lines_accepted", 100.0}};
  return e;
}

// One event of every kind, with its required fields.
std::vector<OutcomeEvent> one_of_each_kind() {
  std::vector<OutcomeEvent> out;
  for (const auto& kind : outcome_kinds()) {
    OutcomeEvent e;
    e.kind = kind.kind;
    e.time = 1.7e9;
    for (const auto& f : kind.fields) {
      if (!f.required) continue;
      switch (f.type) {
        case FieldType::kText:
        case FieldType::kLabel: e.fields[std::string(f.name)] = std::string("x"); break;
        case FieldType::kBool: e.fields[std::string(f.name)] = true; break;
        case FieldType::kTime: e.fields[std::string(f.name)] = 1.6e9; break;
        default: e.fields[std::string(f.name)] = 50.0; break;
      }
    }
    out.push_back(e);
  }
  return out;
}

TEST(OutcomeEvent, EveryKindRoundTripsThroughItsEncoding) {
  auto events = one_of_each_kind();
  events.push_back(full_task());
  ASSERT_EQ(events.size(), 11u);
  for (const auto& e : events) {
    ASSERT_EQ(check_event(e), "") << find_kind(e.kind)->name;
    const auto bytes = encode_event(e);
    auto decoded = decode_event(bytes);
    ASSERT_TRUE(std::holds_alternative<OutcomeEvent>(decoded)) << std::get<OutcomeDecodeError>(decoded).reason;
    const auto& d = std::get<OutcomeEvent>(decoded);
    EXPECT_EQ(d.kind, e.kind);
    EXPECT_EQ(d.producer_id, e.producer_id);
    EXPECT_EQ(d.sequence, e.sequence);
    EXPECT_EQ(d.time, e.time);
    EXPECT_EQ(d.fields, e.fields);
  }
}

TEST(OutcomeEvent, TheCheckNamesWhatIsWrong) {
  auto e = full_task();
  e.fields.erase("success");
  EXPECT_EQ(check_event(e), "task needs the field success");
  e = full_task();
  e.fields["colour"] = std::string("red");
  EXPECT_EQ(check_event(e), "task has no field colour");
  e = full_task();
  e.fields["duration_seconds"] = -1.0;
  EXPECT_EQ(check_event(e), "duration_seconds must not be negative");
  e.fields["duration_seconds"] = std::nan("");
  EXPECT_EQ(check_event(e), "duration_seconds must be finite");
  e = full_task();
  e.fields["success"] = 1.0;
  EXPECT_EQ(check_event(e), "success must be true or false");
  e = full_task();
  e.fields["agent_type"] = std::string(129, 'a');
  EXPECT_EQ(check_event(e), "agent_type is longer than 128 bytes");
  e.fields["agent_type"] = std::string("bad\xff");
  EXPECT_EQ(check_event(e), "agent_type is not valid UTF-8 text");
  e = full_task();
  e.time = 0;
  EXPECT_EQ(check_event(e), "the event's time must be a time after 1970");
  OutcomeEvent coverage;
  coverage.kind = OutcomeKind::kCoverage;
  coverage.time = 1.7e9;
  coverage.fields["percent"] = 100.5;
  EXPECT_EQ(check_event(coverage), "percent must be between 0 and 100");
}

TEST(OutcomeEvent, TheLargestTaskFitsAFrame) {
  auto e = full_task();
  for (const auto& f : find_kind(OutcomeKind::kTask)->fields) {
    if (f.type == FieldType::kText) e.fields[std::string(f.name)] = std::string(f.max_bytes, 'x');
    if (f.type == FieldType::kLabel) e.fields[std::string(f.name)] = std::string(128, 'y');
  }
  ASSERT_EQ(check_event(e), "");
  EXPECT_LE(encode_event(e).size(), kMaxFramePayloadBytes);
}

TEST(OutcomeEvent, FieldsParseFromTheirTextForm) {
  const KindSpec& pr = *find_kind("pull_request");
  EXPECT_EQ(std::get<double>(parse_field_value(*find_field(pr, "opened"), "2026-11-24T10:00:00Z")), 1795514400.0);
  EXPECT_EQ(std::get<double>(parse_field_value(*find_field(pr, "opened"), "2026-11-24")), 1795478400.0);
  EXPECT_EQ(std::get<double>(parse_field_value(*find_field(pr, "opened"), "2026-11-24T05:30:00-04:30")), 1795514400.0);
  EXPECT_EQ(std::get<double>(parse_field_value(*find_field(pr, "opened"), "2026-11-24T10:00:00")), 1795514400.0);
  EXPECT_EQ(std::get<double>(parse_field_value(*find_field(pr, "opened"), "1795514400.5")), 1795514400.5);
  EXPECT_EQ(std::get<double>(parse_field_value(*find_field(pr, "lines_changed"), "250")), 250.0);
  EXPECT_THROW(parse_field_value(*find_field(pr, "lines_changed"), "25o"), std::invalid_argument);
  EXPECT_THROW(parse_field_value(*find_field(pr, "opened"), "2026-13-45T99:00:00Z"), std::invalid_argument);
  EXPECT_THROW(parse_field_value(*find_field(pr, "opened"), ""), std::invalid_argument);
  const KindSpec& task = *find_kind("task");
  EXPECT_EQ(std::get<bool>(parse_field_value(*find_field(task, "success"), "true")), true);
  EXPECT_EQ(std::get<bool>(parse_field_value(*find_field(task, "success"), "0")), false);
  EXPECT_THROW(parse_field_value(*find_field(task, "success"), "maybe"), std::invalid_argument);
}

TEST(OutcomeEvent, EncodingRefusesAnInvalidEvent) {
  auto e = full_task();
  e.fields.erase("agent_type");
  EXPECT_THROW(encode_event(e), std::invalid_argument);
}

TEST(OutcomeEvent, DecodingRejectsEveryTruncationAndTrailingBytes) {
  const auto bytes = encode_event(full_task());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto decoded = decode_event(std::span<const std::byte>(bytes.data(), n));
    EXPECT_TRUE(std::holds_alternative<OutcomeDecodeError>(decoded)) << "truncated to " << n;
  }
  auto longer = bytes;
  longer.push_back(std::byte{0});
  EXPECT_TRUE(std::holds_alternative<OutcomeDecodeError>(decode_event(longer)));
}

TEST(OutcomeEvent, DecodingSurvivesRandomDamage) {
  // Untrusted input from a ring: decoding must return an error or an event, never crash or
  // read outside the span (ASan watches this in the sanitizer build).
  const auto good = encode_event(full_task());
  std::mt19937 rng(7);
  int rejected = 0;
  for (int round = 0; round < 20000; ++round) {
    auto bytes = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] = static_cast<std::byte>(rng());
    auto decoded = decode_event(bytes);
    if (auto* e = std::get_if<OutcomeEvent>(&decoded)) {
      (void)check_event(*e);
    } else {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
}

// The wire numbers of kinds and fields are append-only: the golden list holds every number ever
// given out, and the schema must agree with each line, a retired field's id staying unused.
TEST(OutcomeEvent, KindNumbersAndFieldIdsAreThoseOfTheAppendOnlyList) {
  std::ifstream golden(AM_ABI_DATA_DIR "/outcome_fields.txt");
  ASSERT_TRUE(golden) << "cannot read " AM_ABI_DATA_DIR "/outcome_fields.txt";
  const std::map<FieldType, std::string> type_names = {
      {FieldType::kText, "text"},       {FieldType::kLabel, "label"}, {FieldType::kCount, "count"}, {FieldType::kPercent, "percent"},
      {FieldType::kSeconds, "seconds"}, {FieldType::kTime, "time"},   {FieldType::kBool, "bool"}};
  std::map<std::pair<std::string, std::string>, bool> listed;  // (kind, field) -> retired
  std::map<std::pair<std::string, int>, std::string> ids;      // (kind, id) -> field
  std::string line;
  while (std::getline(golden, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    int kind_number = 0, id = 0;
    std::string kind_name, field, type;
    ASSERT_TRUE(words >> kind_number >> kind_name >> id >> field >> type) << "malformed line: " << line;
    EXPECT_TRUE(ids.emplace(std::pair(kind_name, id), field).second) << "id " << id << " of " << kind_name << " given out twice";
    listed[{kind_name, field}] = type == "retired";
    const KindSpec* kind = find_kind(kind_name);
    ASSERT_NE(kind, nullptr) << "kind " << kind_name << " is listed but gone from the schema";
    EXPECT_EQ(static_cast<int>(kind->kind), kind_number) << "the number of kind " << kind_name << " changed";
    const FieldSpec* spec = find_field(*kind, field);
    if (type == "retired") {
      EXPECT_EQ(spec, nullptr) << field << " of " << kind_name << " is retired";
      EXPECT_EQ(find_field(*kind, static_cast<std::uint8_t>(id)), nullptr)
          << "the retired id " << id << " of " << kind_name << " is reused";
      continue;
    }
    ASSERT_NE(spec, nullptr) << field << " of " << kind_name << " is gone from the schema: mark it retired, keep its id";
    EXPECT_EQ(spec->id, id) << "the id of " << kind_name << "." << field << " changed";
    EXPECT_EQ(type_names.at(spec->type), type) << "the type of " << kind_name << "." << field << " changed";
  }
  for (const KindSpec& kind : outcome_kinds()) {
    for (const FieldSpec& spec : kind.fields) {
      EXPECT_TRUE(listed.contains({std::string(kind.name), std::string(spec.name)}))
          << kind.name << "." << spec.name << " is not in outcome_fields.txt: append it with the next free id";
    }
  }
}

// A field travels as its id, not its place in the schema.
TEST(OutcomeEvent, AFieldIsEncodedAsItsId) {
  OutcomeEvent e;
  e.kind = OutcomeKind::kCommit;
  e.time = 1795515906;
  e.fields = {{"lines_added", 3.0}, {"lines_deleted", 1.0}, {"sha", std::string("abc")}};
  const std::vector<std::byte> bytes = encode_event(e);
  const KindSpec* commit = find_kind(OutcomeKind::kCommit);
  std::size_t at = 32;  // after the header
  for (const auto& [name, value] : e.fields) {
    EXPECT_EQ(static_cast<std::uint8_t>(bytes.at(at)), find_field(*commit, name)->id) << name;
    at += 1 + (std::holds_alternative<std::string>(value) ? 2 + std::get<std::string>(value).size() : 8);
  }
  EXPECT_EQ(at, bytes.size());
  std::vector<std::byte> unknown = bytes;
  unknown[32] = std::byte{200};
  const auto decoded = decode_event(unknown);
  ASSERT_TRUE(std::holds_alternative<OutcomeDecodeError>(decoded));
  EXPECT_NE(std::get<OutcomeDecodeError>(decoded).reason.find("field id 200"), std::string::npos);
}

}  // namespace
}  // namespace agentmetrics::ipc
