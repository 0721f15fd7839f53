// A GoogleTest program with known results, whose --gtest_output=xml report the ingest tests
// parse: 3 tests pass, 2 fail (one with two failed expectations), 1 is disabled and 1 skips.
// It fails on purpose, so it is built but never registered as a test itself.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

TEST(Arithmetic, Adds) { EXPECT_EQ(4, 2 + 2); }

TEST(Arithmetic, MultipliesSlowly) {
  // Long enough that the report's times are not all zero.
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(6, 2 * 3);
}

TEST(Arithmetic, Subtracts) {
  EXPECT_EQ(1, 3 - 1);
  EXPECT_EQ(0, 3 - 2);
}

TEST(Arithmetic, DISABLED_Divides) { EXPECT_EQ(2, 4 / 2); }

TEST(Strings, Concatenates) { EXPECT_EQ("ab", std::string("a") + "b"); }

TEST(Strings, Compares) { ASSERT_EQ(std::string("a"), "b"); }

TEST(Strings, SkipsOnPurpose) { GTEST_SKIP() << "skipped on purpose"; }
