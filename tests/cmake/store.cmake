# The outcome events' way into the store: the schema, the store itself, and the whole path from
# producers (C++, C, the command line) through a real collector, including collectors killed.
agentmetrics_test(event_store_test unit/event_store_test.cpp)
target_link_libraries(event_store_test PRIVATE agentmetrics_store GTest::gtest_main)

foreach(outcome_test outcome_events_test store_crash_test kpi_alerts_test)
  agentmetrics_test(${outcome_test} CONCURRENT integration/${outcome_test}.cpp)
  target_link_libraries(${outcome_test} PRIVATE agentmetrics_store nlohmann_json::nlohmann_json GTest::gtest_main)
  add_dependencies(${outcome_test} agentmetricsd agentmetrics-cli outcome_producer c_producer)
endforeach()

agentmetrics_test(sqlite_transaction_test unit/sqlite_transaction_test.cpp)
target_link_libraries(sqlite_transaction_test PRIVATE agentmetrics_store agentmetrics_learning GTest::gtest_main)

# The hand-off of HTTP intake (OTLP, webhooks) to the real store thread.
agentmetrics_test(durable_intake_test CONCURRENT unit/durable_intake_test.cpp)
target_link_libraries(durable_intake_test PRIVATE agentmetrics_intake GTest::gtest_main)

agentmetrics_test(model_prices_test unit/model_prices_test.cpp)
target_link_libraries(model_prices_test PRIVATE agentmetrics_intake GTest::gtest_main)
agentmetrics_test(session_task_test unit/session_task_test.cpp)
target_link_libraries(session_task_test PRIVATE agentmetrics_intake GTest::gtest_main)
agentmetrics_test(agent_families_test CONCURRENT unit/agent_families_test.cpp)
target_link_libraries(agent_families_test PRIVATE agentmetrics_intake GTest::gtest_main)

# The OTLP intake over what the real agents exported (tests/data/agents).
agentmetrics_test(recent_keys_test CONCURRENT unit/recent_keys_test.cpp)
target_link_libraries(recent_keys_test PRIVATE agentmetrics_otlp GTest::gtest_main)
agentmetrics_test(exponential_points_test CONCURRENT unit/exponential_points_test.cpp)
target_link_libraries(exponential_points_test PRIVATE agentmetrics_otlp GTest::gtest_main)
agentmetrics_test(parse_arenas_test CONCURRENT unit/parse_arenas_test.cpp)
target_link_libraries(parse_arenas_test PRIVATE agentmetrics_otlp GTest::gtest_main)
target_compile_definitions(parse_arenas_test PRIVATE AM_AGENT_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/agents")
agentmetrics_test(otlp_recorded_test CONCURRENT unit/otlp_recorded_test.cpp)
target_link_libraries(otlp_recorded_test PRIVATE agentmetrics_otlp nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(otlp_recorded_test PRIVATE AM_AGENT_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/agents")
agentmetrics_test(metrics_request_view_test CONCURRENT unit/metrics_request_view_test.cpp)
target_link_libraries(metrics_request_view_test PRIVATE agentmetrics_otlp nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(metrics_request_view_test PRIVATE AM_AGENT_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/agents"
  AM_OTEL_JS_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/otel-js")

# A team store on PostgreSQL: its URL, and connections to a real postgresql-15 on loopback.
agentmetrics_test(postgres_connection_test unit/postgres_connection_test.cpp)
target_link_libraries(postgres_connection_test PRIVATE agentmetrics_store agentmetrics_config GTest::gtest_main)
agentmetrics_test(postgres_event_store_test CONCURRENT unit/postgres_event_store_test.cpp)
target_link_libraries(postgres_event_store_test PRIVATE agentmetrics_store GTest::gtest_main)
# The store's leases (one collector at a time computes a shared store's KPIs), with processes
# killed while they hold one.
agentmetrics_test(store_lease_test CONCURRENT unit/store_lease_test.cpp)
target_link_libraries(store_lease_test PRIVATE agentmetrics_store GTest::gtest_main)

# Three and more sidecars sharing one PostgreSQL: the same KPIs as SQLite (the real
# `agentmetrics kpi`), every accepted event once with producers and a collector killed, and the
# database stopped under load and started again (the local spool replayed).
foreach(team_test team_store_kpi_test team_store_test)
  agentmetrics_test(${team_test} CONCURRENT integration/${team_test}.cpp)
  target_link_libraries(${team_test} PRIVATE agentmetrics_store nlohmann_json::nlohmann_json GTest::gtest_main)
  add_dependencies(${team_test} agentmetricsd agentmetrics-cli outcome_producer)
endforeach()
# What else a team's sidecars share through the store: the session import's marks (two sidecars
# importing one shared home directory), the page's tasks, and who computes the team's KPIs.
agentmetrics_test(team_sidecars_test CONCURRENT integration/team_sidecars_test.cpp)
target_link_libraries(team_sidecars_test PRIVATE agentmetrics_store nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(team_sidecars_test PRIVATE AM_AGENT_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/agents"
                                                   AM_WEBHOOK_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/webhooks")
add_dependencies(team_sidecars_test agentmetricsd agentmetrics-cli outcome_producer)
