# Included by a binding's ctest.cmake: registers the real-browser test of
# all eight transports (transports.js) against that binding's testserver.
#   sockjs_add_browser_test(<name> LABELS <label>...
#                           [FIXTURES_REQUIRED <fixture>...]
#                           [REQUIRED_FILES <file>...]
#                           [ENVIRONMENT <VAR=value>...]
#                           COMMAND <program> [arg ...])
# COMMAND starts the testserver; transports.js appends --host, --port 0 and
# --sockjs-url. Chromium and the npm packages come from
# `scripts/install-deps.sh --browser`, as for the other browser tests.
# The guard is global, so a variable set here would only exist in the scope
# of the first includer (tests/cluster is a subdirectory): the function
# finds transports.js through its own location instead.
include_guard(GLOBAL)
find_program(SOCKJS_NODE node)

function(sockjs_add_browser_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg ""  ""
                        "LABELS;FIXTURES_REQUIRED;REQUIRED_FILES;ENVIRONMENT;COMMAND")
  if(NOT SOCKJS_NODE)
    message(STATUS "${name}: skipped (need node)")
    return()
  endif()
  add_test(NAME ${name}
           COMMAND ${SOCKJS_NODE} ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/transports.js -- ${arg_COMMAND})
  # transports.js bounds itself at 30 s + 35 s per transport (310 s for
  # all eight) and then cleans up; a normal run takes well under a minute.
  set_tests_properties(${name} PROPERTIES LABELS "${arg_LABELS}" TIMEOUT 360)
  foreach(prop FIXTURES_REQUIRED REQUIRED_FILES ENVIRONMENT)
    if(arg_${prop})
      set_tests_properties(${name} PROPERTIES ${prop} "${arg_${prop}}")
    endif()
  endforeach()
endfunction()
