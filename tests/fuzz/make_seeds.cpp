// Writes the hand-made seed inputs of the binary fuzz targets (segment, string_table,
// outcome_event) into DIR/<target>/, from the real encoders, so the seeds follow the format
// when it changes. The committed tests/fuzz/corpus/ was made with:
//   build/tests/fuzz_make_seeds tests/fuzz/corpus
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ipc/outcome_event.h"
#include "ipc/record.h"
#include "ipc/string_table.h"

using namespace agentmetrics;

namespace {

using Bytes = std::vector<std::byte>;

void put(Bytes& out, const void* data, std::size_t n) {
  const auto* p = static_cast<const std::byte*>(data);
  out.insert(out.end(), p, p + n);
}
template <typename T>
void put(Bytes& out, T v) {
  put(out, &v, sizeof(v));
}

void write(const std::filesystem::path& dir, const std::string& name, const Bytes& bytes) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

ipc::FamilyDecl family(std::uint32_t id, ipc::MetricType type, std::string name, std::vector<std::string> labels,
                       std::vector<double> buckets = {}) {
  ipc::FamilyDecl f;
  f.family_id = id;
  f.type = type;
  f.name = std::move(name);
  f.help = "help of " + f.name + " with \\ and \"quotes\"";
  f.label_names = std::move(labels);
  f.buckets = std::move(buckets);
  return f;
}

Bytes string_table() {
  Bytes t;
  auto add = [&](const Bytes& e) { t.insert(t.end(), e.begin(), e.end()); };
  add(ipc::encode_entry(family(0, ipc::MetricType::kCounter, "fuzz_events_total", {"kind", "path"})));
  add(ipc::encode_entry(family(1, ipc::MetricType::kGauge, "fuzz_level", {})));
  add(ipc::encode_entry(family(2, ipc::MetricType::kHistogram, "fuzz_latency_seconds", {"op"}, {0.1, 1, 10})));
  add(ipc::encode_entry(ipc::SeriesDecl{0, 0, {"a", "C:\\dir\\\"x\"\nnext"}}));
  add(ipc::encode_entry(ipc::SeriesDecl{1, 1, {}}));
  add(ipc::encode_entry(ipc::SeriesDecl{2, 2, {"read \xc3\xa9t\xc3\xa9"}}));
  return t;
}

ipc::OutcomeEvent task_event() {
  ipc::OutcomeEvent e;
  e.kind = ipc::OutcomeKind::kTask;
  e.producer_id = 0x1234;
  e.sequence = 7;
  e.time = 1.7e9;
  e.fields = {{"agent_type", std::string("build")},
              {"task_type", std::string("bugfix")},
              {"success", true},
              {"duration_seconds", 12.5},
              {"title", std::string("Fix \"the\" redirect\n")}};
  return e;
}

ipc::OutcomeEvent pipeline_event() {
  ipc::OutcomeEvent e;
  e.kind = ipc::OutcomeKind::kPipeline;
  e.producer_id = 99;
  e.sequence = 1;
  e.time = 1.7e9;
  e.fields = {{"stage", std::string("test")}, {"success", false}, {"duration_seconds", 3.0}, {"failure_type", std::string("exit_code_2")}};
  return e;
}

void frame(Bytes& records, const Bytes& payload) {
  const auto slots = static_cast<std::uint16_t>((payload.size() + sizeof(ipc::Record) - 1) / sizeof(ipc::Record));
  put(records,
      ipc::Record{ipc::kOutcomeFrameKind, static_cast<std::uint16_t>(ipc::Op::kFrameBegin), slots, static_cast<double>(payload.size())});
  Bytes padded = payload;
  padded.resize(slots * sizeof(ipc::Record));
  records.insert(records.end(), padded.begin(), padded.end());
}

Bytes segment_input(const Bytes& table, const Bytes& records, std::uint32_t read_index = 0) {
  Bytes in;
  put<std::uint8_t>(in, 0);  // no descriptor patches
  put<std::uint8_t>(in, 0);  // flags
  put<std::uint16_t>(in, static_cast<std::uint16_t>(table.size()));
  in.insert(in.end(), table.begin(), table.end());
  const auto count = static_cast<std::uint32_t>(records.size() / sizeof(ipc::Record));
  put<std::uint32_t>(in, (read_index + count) % static_cast<std::uint32_t>(65536));
  put<std::uint32_t>(in, read_index);
  in.insert(in.end(), records.begin(), records.end());
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_seeds CORPUS_DIR\n");
    return 2;
  }
  const std::filesystem::path root(argv[1]);
  const Bytes table = string_table();
  write(root / "string_table", "declarations", table);
  write(root / "string_table", "one_family", ipc::encode_entry(family(0, ipc::MetricType::kCounter, "x_total", {})));

  const Bytes task = ipc::encode_event(task_event());
  const Bytes pipeline = ipc::encode_event(pipeline_event());
  write(root / "outcome_event", "task", task);
  write(root / "outcome_event", "pipeline", pipeline);

  Bytes records;
  put(records, ipc::Record{0, static_cast<std::uint16_t>(ipc::Op::kCounterAdd), 0, 2.0});
  put(records, ipc::Record{1, static_cast<std::uint16_t>(ipc::Op::kGaugeSet), 0, -4.5});
  put(records, ipc::Record{1, static_cast<std::uint16_t>(ipc::Op::kGaugeAdd), 0, 1.0});
  put(records, ipc::Record{2, static_cast<std::uint16_t>(ipc::Op::kHistogramObserve), 0, 0.5});
  frame(records, task);
  put(records, ipc::Record{0, static_cast<std::uint16_t>(ipc::Op::kCounterAdd), 0, 1.0});
  frame(records, pipeline);
  write(root / "segment", "declared_records_and_frames", segment_input(table, records));
  // The same records wrapping round the end of the ring.
  write(root / "segment", "wrapping", segment_input(table, records, 65536 - 3));
  write(root / "segment", "empty_table", segment_input({}, {}));
  std::printf("seeds written to %s\n", root.c_str());
  return 0;
}
