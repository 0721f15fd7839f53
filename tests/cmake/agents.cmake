# The real coding agents (Claude Code, Codex and opencode from the npm registry, pinned by
# tests/agents/package-lock.json), each run once by the harness of tests/agents inside a
# loopback-only network namespace against its scripted model server, with its OTLP export caught
# by the capture sink. Skipped (77) without npm. Nothing of ours runs in it, so the sanitizer
# builds leave it out (it would only install the agents, 1.2 GB, a second time).
if(NOT AGENTMETRICS_SANITIZE AND NOT AGENTMETRICS_TSAN)
  add_test(NAME agents_harness COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/agents/run.sh ${CMAKE_CURRENT_BINARY_DIR}/agents-packages)
  # RESOURCE_LOCK: tests/opencode/real_opencode.sh installs into the same directory.
  set_tests_properties(agents_harness PROPERTIES LABELS agents SKIP_RETURN_CODE 77 TIMEOUT 300 RESOURCE_LOCK agents-packages)
endif()
