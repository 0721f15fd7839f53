// Which files the collector holds: one hold per inode whatever its names, the bounds in all,
// per owner and by descriptors, refusals remembered while a file is unchanged, and every name
// of a reclaimed file removed.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "collector/drain/segment_directory.h"
#include "tests/support/temp_dir.h"

using namespace agentmetrics::collector;
using agentmetrics::testing::TempDir;

namespace {

SegmentFile file_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return SegmentFile::of(st);
}

std::string make_file(const TempDir& dir, const std::string& name, const std::string& content = "x") {
  std::string path = dir.path() + "/" + name;
  std::ofstream(path) << content;
  return path;
}

SegmentFile as_owner(SegmentFile f, uid_t owner) {
  f.owner = owner;
  return f;
}

}  // namespace

TEST(SegmentDirectory, HoldsAFileOnceWhateverItsNames) {
  TempDir dir;
  SegmentDirectory directory(dir.path(), "unit");
  const std::string path = make_file(dir, "agentmetrics.unit.1.1");
  ASSERT_EQ(::link(path.c_str(), (dir.path() + "/agentmetrics.unit.1.2").c_str()), 0);
  SegmentRoom room = SegmentRoom::kOwner;
  SegmentHold first = directory.hold(file_of(path), room);
  EXPECT_TRUE(first);
  EXPECT_EQ(room, SegmentRoom::kAvailable);
  SegmentHold second = directory.hold(file_of(dir.path() + "/agentmetrics.unit.1.2"), room);
  EXPECT_FALSE(second) << "the same inode under another name";
  EXPECT_EQ(room, SegmentRoom::kAvailable);
  EXPECT_EQ(directory.held_count(), 1u);
  EXPECT_FALSE(directory.take_room_freed());
  first = SegmentHold();
  EXPECT_EQ(directory.held_count(), 0u);
  EXPECT_TRUE(directory.take_room_freed());
  EXPECT_FALSE(directory.take_room_freed()) << "once per release";
}

TEST(SegmentDirectory, BoundsHoldsInAllAndPerOwner) {
  TempDir dir;
  SegmentDirectory directory(dir.path(), "unit", SegmentLimits{3, 2, 64});
  std::vector<SegmentHold> holds;
  SegmentRoom room = SegmentRoom::kAvailable;
  for (int i = 0; i < 2; ++i) holds.push_back(directory.hold(as_owner(file_of(make_file(dir, "a" + std::to_string(i))), 1000), room));
  EXPECT_EQ(room, SegmentRoom::kAvailable);
  EXPECT_FALSE(directory.hold(as_owner(file_of(make_file(dir, "a2")), 1000), room));
  EXPECT_EQ(room, SegmentRoom::kOwner);
  EXPECT_EQ(directory.room_for(1000), SegmentRoom::kOwner);
  EXPECT_EQ(directory.room_for(2000), SegmentRoom::kAvailable) << "another owner still has room";
  holds.push_back(directory.hold(as_owner(file_of(make_file(dir, "b0")), 2000), room));
  EXPECT_TRUE(holds.back());
  EXPECT_FALSE(directory.hold(as_owner(file_of(make_file(dir, "b1")), 2000), room));
  EXPECT_EQ(room, SegmentRoom::kAllSegments);
  holds.erase(holds.begin());
  EXPECT_EQ(directory.room_for(1000), SegmentRoom::kAvailable);
}

// Each held file keeps a descriptor: the bound follows RLIMIT_NOFILE, less the reserve.
TEST(SegmentDirectory, LeavesTheReserveOfDescriptors) {
  TempDir dir;
  rlimit saved{};
  ::getrlimit(RLIMIT_NOFILE, &saved);
  rlimit low = saved;
  low.rlim_cur = 300;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  SegmentDirectory directory(dir.path(), "unit", SegmentLimits{1024, 1024, 256});
  EXPECT_EQ(directory.segment_limit(), 44u);
  std::vector<SegmentHold> holds;
  SegmentRoom room = SegmentRoom::kAvailable;
  for (int i = 0; i < 44; ++i) holds.push_back(directory.hold(file_of(make_file(dir, "f" + std::to_string(i))), room));
  EXPECT_EQ(room, SegmentRoom::kAvailable);
  EXPECT_FALSE(directory.hold(file_of(make_file(dir, "f44")), room));
  EXPECT_EQ(room, SegmentRoom::kDescriptors);
  ::setrlimit(RLIMIT_NOFILE, &saved);
  EXPECT_EQ(directory.room_for(::getuid()), SegmentRoom::kAvailable) << "a higher limit makes room at once";
}

TEST(SegmentDirectory, RemembersRefusalsWhileTheFileIsUnchanged) {
  TempDir dir;
  SegmentDirectory directory(dir.path(), "unit");
  const std::string path = make_file(dir, "agentmetrics.unit.1.1", "junk");
  directory.refuse(file_of(path));
  ASSERT_EQ(::rename(path.c_str(), (dir.path() + "/agentmetrics.unit.1.2").c_str()), 0);
  EXPECT_TRUE(directory.refused(file_of(dir.path() + "/agentmetrics.unit.1.2"))) << "a rename does not change the file";
  std::ofstream(dir.path() + "/agentmetrics.unit.1.2", std::ios::app) << "more";
  EXPECT_FALSE(directory.refused(file_of(dir.path() + "/agentmetrics.unit.1.2"))) << "rewritten: looked at again";
  // A failed segment's hold refuses its file when it is given back.
  SegmentRoom room = SegmentRoom::kAvailable;
  SegmentHold hold = directory.hold(file_of(dir.path() + "/agentmetrics.unit.1.2"), room);
  hold.refuse();
  hold = SegmentHold();
  EXPECT_TRUE(directory.refused(file_of(dir.path() + "/agentmetrics.unit.1.2")));
}

TEST(SegmentDirectory, RemovesEverySegmentNameOfAFileAndLeavesOtherNames) {
  TempDir dir;
  SegmentDirectory directory(dir.path(), "unit");
  const std::string path = make_file(dir, "agentmetrics.unit.1.1");
  const SegmentFile file = file_of(path);
  for (int i = 2; i < 6; ++i) ASSERT_EQ(::link(path.c_str(), (dir.path() + "/agentmetrics.unit.1." + std::to_string(i)).c_str()), 0);
  ASSERT_EQ(::link(path.c_str(), (dir.path() + "/not-a-segment").c_str()), 0);
  ASSERT_EQ(::link(path.c_str(), (dir.path() + "/agentmetrics.other.1.1").c_str()), 0);
  make_file(dir, "agentmetrics.unit.9.9");  // another file
  // Renamed away from the name it was held under.
  ASSERT_EQ(::rename(path.c_str(), (dir.path() + "/agentmetrics.unit.1.7").c_str()), 0);
  directory.remove(file, "agentmetrics.unit.1.1");
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) left.push_back(e.path().filename());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"agentmetrics.other.1.1", "agentmetrics.unit.9.9", "not-a-segment"}));
}
