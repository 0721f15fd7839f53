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
agentmetrics_test(session_count_ledger_test unit/session_count_ledger_test.cpp)
target_link_libraries(session_count_ledger_test PRIVATE agentmetrics_intake GTest::gtest_main)
agentmetrics_test(session_import_crash_test CONCURRENT TIMEOUT 180 integration/session_import_crash_test.cpp)
target_link_libraries(session_import_crash_test PRIVATE nlohmann_json::nlohmann_json agentmetrics_store GTest::gtest_main)
target_compile_definitions(session_import_crash_test PRIVATE AM_AGENT_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/agents")
add_dependencies(session_import_crash_test agentmetrics-cli)
# The import against the real agents, run now in a loopback-only namespace (tests/agents): a plain
# answer, a tool chain, a rejected tool, a subagent, a resumed session and API errors, spread over
# the three clients (check_import.py without --only runs all seventeen). Installs the agents as
# agents_harness does, into the same directory, one at a time.
if(NOT AGENTMETRICS_SANITIZE AND NOT AGENTMETRICS_TSAN)
  add_test(NAME agents_import COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/agents/run.sh ${CMAKE_CURRENT_BINARY_DIR}/agents-packages check_import.py
    --out ${CMAKE_CURRENT_BINARY_DIR}/agents-packages/last-import --cli $<TARGET_FILE:agentmetrics-cli>
    --only claude/tool-chain,claude/subagent,claude/api-error-5xx,codex/plain,codex/resume,codex/denied-tool,opencode/tool-chain,opencode/denied-tool,opencode/api-error-4xx)
  set_tests_properties(agents_import PROPERTIES LABELS agents SKIP_RETURN_CODE 77 TIMEOUT 300 RESOURCE_LOCK agents-packages COST 20)
endif()
agentmetrics_test(session_import_cli_test CONCURRENT integration/session_import_cli_test.cpp integration/session_patterns_cli_test.cpp)
target_link_libraries(session_import_cli_test PRIVATE nlohmann_json::nlohmann_json agentmetrics_store GTest::gtest_main)
target_compile_definitions(session_import_cli_test PRIVATE AM_AGENT_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/agents" AM_CM_BINARY="$<TARGET_FILE:cm>")
add_dependencies(session_import_cli_test agentmetrics-cli cm agentmetricsd)
# Failure patterns learned from the sessions: the facts the importer keeps of failing tool calls,
# the detector, and reflection's rules from them (on the real agents' files).
agentmetrics_test(session_patterns_test unit/session_patterns_test.cpp)
target_link_libraries(session_patterns_test PRIVATE agentmetrics_session_import agentmetrics_learning GTest::gtest_main)
target_compile_definitions(session_patterns_test PRIVATE AM_AGENT_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/agents")
# Inline feedback in the imported sessions: the rules cm showed a session, the agent's markers on
# them, and the reflection's grade once per session (also beside a hook's).
agentmetrics_test(imported_feedback_test unit/imported_feedback_test.cpp)
target_link_libraries(imported_feedback_test PRIVATE agentmetrics_session_import agentmetrics_learning GTest::gtest_main)
