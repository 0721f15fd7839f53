# `cm context` as a whole process on a playbook of 10k rules and a history of 100k tasks:
# generates the store once (in the build tree), then times N runs and prints the median.
add_executable(cm_context_bench ${CMAKE_CURRENT_LIST_DIR}/../cm_context_bench.cpp)
target_link_libraries(cm_context_bench PRIVATE agentmetrics_learning agentmetrics_store)
target_compile_definitions(cm_context_bench PRIVATE AM_CM_BINARY="$<TARGET_FILE:cm>")
add_dependencies(cm_context_bench cm)
