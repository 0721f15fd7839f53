# The opencode plugin, run by the real Bun (from the npm registry) against a real collector.
add_test(NAME OpencodePlugin.HooksInjectContextAndRecordTasks
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/opencode/run.sh ${CMAKE_CURRENT_BINARY_DIR}/opencode-packages
                 $<TARGET_FILE:agentmetricsd> $<TARGET_FILE:agentmetrics-cli> $<TARGET_FILE:cm> $<TARGET_FILE:agentmetrics>)
set_tests_properties(OpencodePlugin.HooksInjectContextAndRecordTasks PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
if(AGENTMETRICS_SANITIZE)
  # Bun loads the ASan-built libagentmetrics through its FFI: the ASan runtime must then be the
  # first library of the process. Bun's own allocations are not ours to judge: no leak check.
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libasan.so OUTPUT_VARIABLE am_libasan OUTPUT_STRIP_TRAILING_WHITESPACE)
  set_tests_properties(OpencodePlugin.HooksInjectContextAndRecordTasks PROPERTIES
                       ENVIRONMENT "LD_PRELOAD=${am_libasan};ASAN_OPTIONS=detect_leaks=0")
endif()
# The plugin inside the real opencode (npm opencode-ai, installed by tests/agents/install.sh into
# the agents_harness test's directory), against the scripted model server and a real collector in
# a loopback-only network namespace. Left out of the sanitizer builds as agents_harness is (the
# plugin's use of the library under ASan is the test above).
if(NOT AGENTMETRICS_SANITIZE AND NOT AGENTMETRICS_TSAN)
  add_test(NAME OpencodePlugin.InsideTheRealOpencode
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/opencode/real_opencode.sh ${CMAKE_CURRENT_BINARY_DIR}/agents-packages
                   ${CMAKE_CURRENT_BINARY_DIR}/opencode-real $<TARGET_FILE_DIR:agentmetricsd> $<TARGET_FILE:agentmetrics>)
  set_tests_properties(OpencodePlugin.InsideTheRealOpencode PROPERTIES LABELS agents SKIP_RETURN_CODE 77 TIMEOUT 300
                       RESOURCE_LOCK agents-packages COST 90)
endif()
