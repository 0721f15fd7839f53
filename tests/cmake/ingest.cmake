# The report parsers against real tool outputs: the XML report of a GoogleTest program run at
# test time, lcov, gcov, gcovr, flawfinder and git when installed, and committed samples.
set(ingest_tests_dir ${CMAKE_CURRENT_LIST_DIR}/..)

# Fails on purpose (see the file): built for ingest_test, never registered as a test.
add_executable(ingest_sample_tests ${ingest_tests_dir}/tools/ingest_sample_tests.cpp)
target_link_libraries(ingest_sample_tests PRIVATE GTest::gtest_main)

agentmetrics_test(ingest_test ${ingest_tests_dir}/unit/ingest_test.cpp)
target_link_libraries(ingest_test PRIVATE agentmetrics_ingest GTest::gtest_main)
target_compile_definitions(ingest_test PRIVATE
  AM_INGEST_SAMPLE_TESTS="$<TARGET_FILE:ingest_sample_tests>"
  AM_INGEST_DATA_DIR="${ingest_tests_dir}/data/ingest")
add_dependencies(ingest_test ingest_sample_tests)
