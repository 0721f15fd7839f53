# The import of the sessions the agents wrote on disk: the readers of each format on the real
# agents' files (tests/data/agents), the marks that make an import resumable, bad input, and
# the command and the watcher as a user runs them.
agentmetrics_test(session_import_test unit/session_import_test.cpp)
target_link_libraries(session_import_test PRIVATE agentmetrics_session_import GTest::gtest_main)
target_compile_definitions(session_import_test PRIVATE AM_AGENT_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/agents")
agentmetrics_test(session_import_input_test unit/session_import_input_test.cpp)
target_link_libraries(session_import_input_test PRIVATE agentmetrics_session_import GTest::gtest_main)
target_compile_definitions(session_import_input_test PRIVATE AM_AGENT_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/agents")
agentmetrics_test(session_watcher_test CONCURRENT TIMEOUT 180 integration/session_watcher_test.cpp)
target_link_libraries(session_watcher_test PRIVATE nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(session_watcher_test PRIVATE AM_AGENT_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/agents")
add_dependencies(session_watcher_test agentmetricsd)
