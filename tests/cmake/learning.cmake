# The learning system (cass_memory): the confidence model, the playbook, reflection on planted
# patterns, context and retrieval quality, the reflection worker, the MCP server; then the real
# `cm` binary on temporary stores, and `cm mcp` driven by the official MCP TypeScript SDK.
set(learning_tests_dir ${CMAKE_CURRENT_LIST_DIR}/..)

agentmetrics_test(learning_test
  ${learning_tests_dir}/unit/learning_model_test.cpp
  ${learning_tests_dir}/unit/learning_playbook_test.cpp
  ${learning_tests_dir}/unit/learning_reflection_test.cpp
  ${learning_tests_dir}/unit/learning_context_test.cpp
  ${learning_tests_dir}/unit/learning_scaling_test.cpp
  ${learning_tests_dir}/unit/learning_mcp_test.cpp
  ${learning_tests_dir}/unit/learning_http_test.cpp
  ${learning_tests_dir}/unit/rule_markers_test.cpp
  ${learning_tests_dir}/unit/learning_feedback_words_test.cpp)
target_link_libraries(learning_test PRIVATE agentmetrics_learning agentmetrics_learning_api GTest::gtest_main)

# Paraphrase retrieval: the thesaurus, the query's concepts, and the recall floor on the frozen
# evaluation set, scored by the same code as bench/retrieval_eval.
agentmetrics_test(learning_retrieval_test ${learning_tests_dir}/unit/learning_retrieval_test.cpp
                                          ${PROJECT_SOURCE_DIR}/bench/retrieval_eval_set.cpp)
target_link_libraries(learning_retrieval_test PRIVATE agentmetrics_learning agentmetrics_store GTest::gtest_main)
target_compile_definitions(learning_retrieval_test PRIVATE AM_RETRIEVAL_DATA_DIR="${learning_tests_dir}/data/learning/retrieval")

# The learning API behind the real listener, against the requests an attacker would send.
agentmetrics_test(api_security_test CONCURRENT ${learning_tests_dir}/integration/api_security_test.cpp)
target_link_libraries(api_security_test PRIVATE agentmetrics_learning_api agentmetrics_http nlohmann_json::nlohmann_json GTest::gtest_main)

agentmetrics_test(learning_worker_test CONCURRENT ${learning_tests_dir}/unit/learning_worker_test.cpp)
target_link_libraries(learning_worker_test PRIVATE agentmetrics_learning prometheus-cpp::core GTest::gtest_main)

agentmetrics_test(cm_cli_test ${learning_tests_dir}/integration/cm_cli_test.cpp ${learning_tests_dir}/integration/cm_agents_test.cpp
                              ${learning_tests_dir}/integration/cm_commands_test.cpp)
target_link_libraries(cm_cli_test PRIVATE agentmetrics_store nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(cm_cli_test PRIVATE AM_CM_BINARY="$<TARGET_FILE:cm>"
                                               AM_OPENCODE_DATA_DIR="${learning_tests_dir}/data/opencode"
                                               AM_CLAUDE_HOOK_INPUTS="${learning_tests_dir}/data/agents/claude/hooks/home/hook-inputs")
add_dependencies(cm_cli_test cm)

# The MCP client test: npm ci into a copy of tests/mcp in the build tree (once), then node's
# test runner drives `cm mcp` through @modelcontextprotocol/sdk. Skipped (77) without node.
add_test(NAME cm_mcp_sdk_test
  COMMAND bash ${learning_tests_dir}/mcp/run.sh $<TARGET_FILE:cm> ${CMAKE_CURRENT_BINARY_DIR}/mcp-client)
set_tests_properties(cm_mcp_sdk_test PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)

# The reflection worker inside the real collector, reflecting while real producers write at
# full speed and the collector is scraped. Alone on the machine: the reflection runs at idle
# priority, and beside other tests and a full-speed producer on two cores it would wait for
# idle time for minutes. About 10 s over 50,000 tasks; over 2,000 under a sanitizer, which
# leaves it no idle time for more.
agentmetrics_test(reflection_load_test CONCURRENT SERIAL TIMEOUT 400 ${learning_tests_dir}/integration/reflection_load_test.cpp)
if(AGENTMETRICS_SANITIZE OR AGENTMETRICS_TSAN)
  target_compile_definitions(reflection_load_test PRIVATE AM_REFLECTION_HISTORY=2000)
else()
  target_compile_definitions(reflection_load_test PRIVATE AM_REFLECTION_HISTORY=50000)
endif()
target_link_libraries(reflection_load_test PRIVATE agentmetrics_store nlohmann_json::nlohmann_json GTest::gtest_main)
add_dependencies(reflection_load_test agentmetricsd test_producer outcome_producer)

# The learning system on a team's PostgreSQL: a real postgresql-15 on loopback, the real cm.
agentmetrics_test(learning_postgres_test ${learning_tests_dir}/unit/learning_postgres_test.cpp
                                         ${PROJECT_SOURCE_DIR}/bench/retrieval_eval_set.cpp)
target_link_libraries(learning_postgres_test PRIVATE agentmetrics_learning nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(learning_postgres_test PRIVATE AM_CM_BINARY="$<TARGET_FILE:cm>"
                                                          AM_RETRIEVAL_DATA_DIR="${learning_tests_dir}/data/learning/retrieval"
                                                          AM_CLAUDE_HOOK_INPUTS="${learning_tests_dir}/data/agents/claude/hooks/home/hook-inputs")
add_dependencies(learning_postgres_test cm)

# The learning side of sidecars sharing a team store: real collectors and cm on a real PostgreSQL.
agentmetrics_test(team_learning_test CONCURRENT ${learning_tests_dir}/integration/team_learning_test.cpp)
target_link_libraries(team_learning_test PRIVATE nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(team_learning_test PRIVATE AM_CM_BINARY="$<TARGET_FILE:cm>")
add_dependencies(team_learning_test cm agentmetricsd outcome_producer)
