# The opencode plugin, run by the real Bun (from the npm registry) against a real collector.
add_test(NAME OpencodePlugin.HooksInjectContextAndRecordTasks
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/opencode/run.sh ${CMAKE_CURRENT_BINARY_DIR}/opencode-packages
                 $<TARGET_FILE:agentmetricsd> $<TARGET_FILE:agentmetrics-cli> $<TARGET_FILE:cm> $<TARGET_FILE:agentmetrics>)
set_tests_properties(OpencodePlugin.HooksInjectContextAndRecordTasks PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
