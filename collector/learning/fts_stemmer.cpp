#include "collector/learning/fts_stemmer.h"

#include <sqlite3.h>

#include "collector/learning/learning_error.h"

namespace agentmetrics::learning {
namespace {

fts5_api* fts5_of(sqlite3* db) {
  // The documented way to reach the FTS5 API: SELECT fts5(?1) with a pointer bound to it.
  fts5_api* api = nullptr;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(st, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(st);
  }
  sqlite3_finalize(st);
  return api;
}

using Visit = std::function<void(std::string_view, std::size_t)>;

int visit_token(void* visit, int /*flags*/, const char* token, int bytes, int start, int /*end*/) {
  (*static_cast<Visit*>(visit))(std::string_view(token, static_cast<std::size_t>(bytes)), static_cast<std::size_t>(start));
  return SQLITE_OK;
}

}  // namespace

FtsStemmer::FtsStemmer(sqlite3* db) {
  fts5_api* api = fts5_of(db);
  void* context = nullptr;
  fts5_tokenizer methods{};
  if (api == nullptr || api->xFindTokenizer(api, "porter", &context, &methods) != SQLITE_OK) {
    throw LearningError(ErrorCategory::kInternal, "FTS5_MISSING", "SQLite's FTS5 porter tokenizer is not available");
  }
  const char* parent[] = {"unicode61"};
  if (methods.xCreate(context, parent, 1, &tokenizer_) != SQLITE_OK) {
    throw LearningError(ErrorCategory::kInternal, "FTS5_MISSING", "SQLite's FTS5 porter tokenizer could not be created");
  }
  delete_ = methods.xDelete;
  tokenize_ = methods.xTokenize;
}

FtsStemmer::~FtsStemmer() {
  if (tokenizer_ != nullptr) delete_(tokenizer_);
}

void FtsStemmer::each_stem(std::string_view text, const Visit& visit) const {
  Visit context = visit;  // SQLite's callback context is a void*
  tokenize_(tokenizer_, &context, FTS5_TOKENIZE_DOCUMENT, text.data(), static_cast<int>(text.size()), visit_token);
}

std::vector<std::string> FtsStemmer::stems(std::string_view text) const {
  std::vector<std::string> out;
  each_stem(text, [&out](std::string_view stem, std::size_t) { out.emplace_back(stem); });
  return out;
}

FtsStemmer::SpanStems FtsStemmer::stems_in(std::string_view text, const std::vector<std::pair<std::size_t, std::size_t>>& spans) const {
  SpanStems out;
  out.first.assign(spans.size() + 1, 0);
  out.stems.reserve(spans.size() + spans.size() / 4);  // about a stem a span: no regrowth
  std::size_t next = 0;
  each_stem(text, [&](std::string_view stem, std::size_t begin) {
    while (next < spans.size() && spans[next].second <= begin) out.first[++next] = out.stems.size();
    if (next < spans.size() && spans[next].first <= begin) out.stems.emplace_back(stem);
  });
  while (next < spans.size()) out.first[++next] = out.stems.size();
  return out;
}

}  // namespace agentmetrics::learning
