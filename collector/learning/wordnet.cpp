#include "collector/learning/wordnet.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <span>

namespace agentmetrics::learning {
namespace {

constexpr std::array<const char*, 4> kPosNames = {"noun", "verb", "adj", "adv"};
constexpr std::size_t kMaxWordBytes = 64;

// Suffix rules of morphy(7WN), per part of speech: (suffix, ending).
struct Detachment {
  std::string_view suffix, ending;
};
constexpr Detachment kNounRules[] = {{"s", ""},      {"ses", "s"},   {"xes", "x"},   {"zes", "z"},
                                     {"ches", "ch"}, {"shes", "sh"}, {"men", "man"}, {"ies", "y"}};
constexpr Detachment kVerbRules[] = {{"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""}};
constexpr Detachment kAdjRules[] = {{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}};

// A file mapped read-only for the life of the process's WordNet.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        data_ = static_cast<const char*>(p);
        size_ = static_cast<std::size_t>(st.st_size);
      }
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  bool ok() const { return data_ != nullptr; }
  std::string_view text() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

std::string_view line_at(std::string_view text, std::size_t begin) {
  const auto end = text.find('\n', begin);
  return text.substr(begin, (end == std::string_view::npos ? text.size() : end) - begin);
}

// The line of a sorted file whose first field is `key` (WordNet's index and exception files are
// sorted bytewise, its license lines start with spaces and sort first); empty when none.
std::string_view find_line(std::string_view text, std::string_view key) {
  std::size_t lo = 0, hi = text.size();
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    std::size_t start = mid;
    while (start > lo && text[start - 1] != '\n') --start;
    const std::string_view line = line_at(text, start);
    const std::string_view field = line.substr(0, std::min(line.find(' '), line.size()));
    const int cmp = key.compare(field);
    if (cmp == 0) return line;
    if (cmp < 0) {
      hi = start;
    } else {
      lo = start + line.size() + 1;
    }
  }
  return {};
}

// Space-separated fields of a line, read one by one.
class Fields {
 public:
  explicit Fields(std::string_view line) : rest_(line) {}
  std::string_view next() {
    while (!rest_.empty() && rest_.front() == ' ') rest_.remove_prefix(1);
    const auto end = std::min(rest_.find(' '), rest_.size());
    const auto field = rest_.substr(0, end);
    rest_.remove_prefix(end);
    return field;
  }
  bool number(std::size_t& out, int base = 10) {
    const auto f = next();
    return !f.empty() && std::from_chars(f.data(), f.data() + f.size(), out, base).ec == std::errc{};
  }

 private:
  std::string_view rest_;
};

int pos_index(std::string_view pos) {
  if (pos == "n") return 0;
  if (pos == "v") return 1;
  if (pos == "a" || pos == "s") return 2;
  if (pos == "r") return 3;
  return -1;
}

// "roll_back" -> "roll back"; "big(a)" (an adjective's syntactic marker) -> "big".
std::string lemma_text(std::string_view word) {
  if (const auto paren = word.find('('); paren != std::string_view::npos) word = word.substr(0, paren);
  std::string out(word);
  for (char& c : out) c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

struct WordNet::Files {
  std::array<std::unique_ptr<MappedFile>, 4> index, data, exceptions;
};

WordNet::WordNet(std::unique_ptr<Files> files) : files_(std::move(files)) {}
WordNet::~WordNet() = default;

std::unique_ptr<WordNet> WordNet::open(const std::string& dir) {
  auto files = std::make_unique<Files>();
  for (std::size_t p = 0; p < kPosNames.size(); ++p) {
    files->index[p] = std::make_unique<MappedFile>(dir + "/index." + kPosNames[p]);
    files->data[p] = std::make_unique<MappedFile>(dir + "/data." + kPosNames[p]);
    files->exceptions[p] = std::make_unique<MappedFile>(dir + "/" + kPosNames[p] + ".exc");
    if (!files->index[p]->ok() || !files->data[p]->ok()) return nullptr;
  }
  return std::unique_ptr<WordNet>(new WordNet(std::move(files)));
}

const WordNet* WordNet::installed() {
  static const std::unique_ptr<WordNet> kInstalled = open("/usr/share/wordnet");
  return kInstalled.get();
}

std::vector<std::string> WordNet::base_forms(std::string_view word, int pos) const {
  std::vector<std::string> out;
  if (word.empty() || word.size() > kMaxWordBytes || pos < 0 || pos > 3) return out;
  const auto index = files_->index[static_cast<std::size_t>(pos)]->text();
  const auto add = [&](std::string form) {
    if (!form.empty() && !find_line(index, form).empty() && std::find(out.begin(), out.end(), form) == out.end()) {
      out.push_back(std::move(form));
    }
  };
  if (const auto& exc = files_->exceptions[static_cast<std::size_t>(pos)]; exc->ok()) {
    Fields f(find_line(exc->text(), word));
    f.next();  // the inflected form
    for (auto base = f.next(); !base.empty(); base = f.next()) add(std::string(base));
  }
  add(std::string(word));
  const auto rules = pos == 0   ? std::span<const Detachment>(kNounRules)
                     : pos == 1 ? std::span<const Detachment>(kVerbRules)
                     : pos == 2 ? std::span<const Detachment>(kAdjRules)
                                : std::span<const Detachment>();
  for (const auto& r : rules) {
    if (word.size() > r.suffix.size() && word.ends_with(r.suffix)) {
      add(std::string(word.substr(0, word.size() - r.suffix.size())) + std::string(r.ending));
    }
  }
  return out;
}

std::vector<WordNet::Related> WordNet::related(std::string_view word, std::size_t senses) const {
  std::vector<Related> out;
  std::vector<std::string> own;
  const auto add = [&](std::string text, bool hypernym) {
    if (text.empty() || std::find(own.begin(), own.end(), text) != own.end()) return;
    if (std::none_of(out.begin(), out.end(), [&](const Related& r) { return r.text == text; })) out.push_back({std::move(text), hypernym});
  };
  // The synset at `offset` of data file `pos`: its words, and (when `pointers`) the synsets its
  // hypernym pointers name.
  const auto synset = [&](int pos, std::size_t offset, bool hypernym, std::vector<std::pair<int, std::size_t>>* pointers) {
    const auto data = files_->data[static_cast<std::size_t>(pos)]->text();
    if (offset >= data.size()) return;
    Fields f(line_at(data, offset));
    std::size_t at = 0, count = 0, lex_file = 0;
    if (!f.number(at) || at != offset || !f.number(lex_file)) return;
    f.next();  // ss_type
    if (!f.number(count, 16)) return;
    for (std::size_t i = 0; i < count; ++i) {
      const auto w = f.next();
      f.next();  // lex_id
      if (w.empty()) return;
      add(lemma_text(w), hypernym);
    }
    if (pointers == nullptr || !f.number(count)) return;
    for (std::size_t i = 0; i < count; ++i) {
      const auto symbol = f.next();
      std::size_t target = 0;
      if (!f.number(target)) return;
      const int target_pos = pos_index(f.next());
      f.next();  // source/target
      // A verb's hypernyms are the language's most general verbs (implement -> use, crash ->
      // move): they would link a task to any rule that says "use".
      const bool broader = (pos == 0 && (symbol == "@" || symbol == "@i")) || (pos == 2 && symbol == "&");
      if (broader && target_pos >= 0) pointers->emplace_back(target_pos, target);
    }
  };
  for (int pos = 0; pos < 4; ++pos) {
    for (auto& base : base_forms(word, pos)) {
      if (std::find(own.begin(), own.end(), base) == own.end()) own.push_back(base);
    }
  }
  own.emplace_back(word);
  std::vector<std::pair<int, std::size_t>> broader;
  for (int pos = 0; pos < 4; ++pos) {
    for (const auto& base : base_forms(word, pos)) {
      Fields f(find_line(files_->index[static_cast<std::size_t>(pos)]->text(), base));
      f.next();  // lemma
      f.next();  // pos
      std::size_t synsets = 0, pointer_kinds = 0;
      if (!f.number(synsets) || !f.number(pointer_kinds)) continue;
      for (std::size_t i = 0; i < pointer_kinds; ++i) f.next();
      f.next();  // sense_cnt
      f.next();  // tagsense_cnt
      for (std::size_t i = 0; i < synsets && i < senses; ++i) {
        std::size_t offset = 0;
        if (!f.number(offset)) break;
        synset(pos, offset, false, &broader);
      }
    }
  }
  for (const auto& [pos, offset] : broader) synset(pos, offset, true, nullptr);
  return out;
}

}  // namespace agentmetrics::learning
