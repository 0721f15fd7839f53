#include "collector/intake/sessions/opencode_storage.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "collector/intake/sessions/json_fields.h"

namespace agentmetrics::intake {
namespace {

namespace fs = std::filesystem;

// A record file is small; one that is not (or does not parse) reads as an empty object.
constexpr std::uintmax_t kMaxRecordBytes = 64 << 20;

nlohmann::json read_record(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec || size > kMaxRecordBytes) return nlohmann::json::object();
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_object_bounded(text);
}

// The JSON files of a directory, by name.
std::vector<fs::path> records_in(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json") out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::int64_t mtime_ms(const fs::path& path) {
  std::error_code ec;
  const auto t = fs::last_write_time(path, ec);
  if (ec) return 0;
  const auto since = std::chrono::file_clock::to_sys(t).time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(since).count();
}

}  // namespace

OpencodeStorage::OpencodeStorage(std::string directory) : directory_(std::move(directory)) {}

std::vector<OpencodeFamily> OpencodeStorage::families() {
  std::map<std::string, OpencodeSessionVersion> sessions;
  session_files_.clear();
  unreadable_ = 0;
  std::error_code ec;
  const fs::path root = fs::path(directory_) / "session";
  for (fs::directory_iterator project(root, ec), end; !ec && project != end; project.increment(ec)) {
    if (!project->is_directory(ec)) continue;
    for (const auto& file : records_in(project->path())) {
      const nlohmann::json s = read_record(file);
      const std::string id = text_of(s, "id");
      if (id.empty()) {
        ++unreadable_;
        continue;
      }
      session_files_[id] = file.string();
      const std::int64_t messages = mtime_ms(fs::path(directory_) / "message" / id);
      sessions[id] = {text_of(s, "parentID"), std::max(mtime_ms(file), messages)};
    }
  }
  return opencode_families(sessions);
}

OpencodeSessionRecord OpencodeStorage::session(const std::string& id) {
  OpencodeSessionRecord s;
  const auto file = session_files_.find(id);
  if (file == session_files_.end()) return s;
  const nlohmann::json info = read_record(file->second);
  s.id = id;
  s.parent_id = text_of(info, "parentID");
  s.directory = text_of(info, "directory");
  s.title = text_of(info, "title");
  if (const nlohmann::json* time = member(info, "time")) {
    s.created = time_of(*time, "created");
    s.updated = time_of(*time, "updated");
  }
  std::vector<std::pair<double, OpencodeMessage>> messages;
  for (const auto& path : records_in(fs::path(directory_) / "message" / id)) {
    OpencodeMessage m{read_record(path), {}};
    const std::string message_id = text_of(m.data, "id");
    if (message_id.empty()) continue;
    for (const auto& part : records_in(fs::path(directory_) / "part" / message_id)) m.parts.push_back(read_record(part));
    const nlohmann::json* time = member(m.data, "time");
    messages.emplace_back(time ? time_of(*time, "created") : 0, std::move(m));
  }
  std::stable_sort(messages.begin(), messages.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [t, m] : messages) s.messages.push_back(std::move(m));
  return s;
}

}  // namespace agentmetrics::intake
