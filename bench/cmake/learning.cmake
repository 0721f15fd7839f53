# `cm context` as a whole process on a playbook of 10k rules and a history of 100k tasks:
# generates the store once (in the build tree), then times N runs and prints the median.
add_executable(cm_context_bench ${CMAKE_CURRENT_LIST_DIR}/../cm_context_bench.cpp)
target_link_libraries(cm_context_bench PRIVATE agentmetrics_learning agentmetrics_store)
target_compile_definitions(cm_context_bench PRIVATE AM_CM_BINARY="$<TARGET_FILE:cm>")
add_dependencies(cm_context_bench cm)
# --postgres start: a PostgreSQL of its own for the run (tests/support/postgres_server.h).
if(TARGET test_support)
  target_link_libraries(cm_context_bench PRIVATE test_support)
  target_compile_definitions(cm_context_bench PRIVATE AM_BENCH_POSTGRES)
endif()

# Retrieval quality of cm context on the frozen paraphrase set (tests/data/learning/retrieval),
# alone and beside 1k and 10k distractor rules: recall@5 and nDCG@5 per split.
add_library(retrieval_eval_set STATIC ${CMAKE_CURRENT_LIST_DIR}/../retrieval_eval_set.cpp)
target_link_libraries(retrieval_eval_set PUBLIC agentmetrics_learning agentmetrics_store)
add_executable(retrieval_eval ${CMAKE_CURRENT_LIST_DIR}/../retrieval_eval.cpp)
target_link_libraries(retrieval_eval PRIVATE retrieval_eval_set)
target_compile_definitions(retrieval_eval PRIVATE AM_RETRIEVAL_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data/learning/retrieval")
