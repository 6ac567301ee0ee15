# Go binding tests (label "go"): go vet and go test -race against the
# library this CMake build made. Included by the top-level CMakeLists when
# SOCKJS_BUILD_GO is ON.
find_program(SOCKJS_GO_EXECUTABLE go PATHS /usr/local/go/bin /usr/lib/go/bin)
if(NOT SOCKJS_GO_EXECUTABLE)
  message(WARNING "SOCKJS_BUILD_GO: no go toolchain found; Go tests not registered")
  return()
endif()
enable_testing()  # harmless when tests/ already did it
set(_sockjs_go_dir ${PROJECT_SOURCE_DIR}/bindings/go)
set(_sockjs_go_env
  CGO_ENABLED=1
  "CGO_CFLAGS=-I${PROJECT_SOURCE_DIR}/include"
  "CGO_LDFLAGS=-L${CMAKE_BINARY_DIR}/lib -Wl,-rpath,${CMAKE_BINARY_DIR}/lib"
  GOFLAGS=-mod=mod)
add_test(NAME go_vet
  COMMAND ${CMAKE_COMMAND} -E env ${_sockjs_go_env} ${SOCKJS_GO_EXECUTABLE} vet ./...
  WORKING_DIRECTORY ${_sockjs_go_dir})
add_test(NAME go_test
  COMMAND ${CMAKE_COMMAND} -E env ${_sockjs_go_env} ${SOCKJS_GO_EXECUTABLE} test -race -count=1 -timeout 300s ./...
  WORKING_DIRECTORY ${_sockjs_go_dir})
# Without cgo the package still builds and says why it cannot work.
add_test(NAME go_test_nocgo
  COMMAND ${CMAKE_COMMAND} -E env CGO_ENABLED=0 GOFLAGS=-mod=mod ${SOCKJS_GO_EXECUTABLE} test -count=1 .
  WORKING_DIRECTORY ${_sockjs_go_dir})
set_tests_properties(go_vet go_test go_test_nocgo PROPERTIES LABELS go)
set_tests_properties(go_test PROPERTIES TIMEOUT 420)

# browser.go.listen / browser.go.handler: headless Chromium runs all eight
# transports against cmd/sockjs-testserver-go in each mode
# (tests/browser/transports.js); the binary is built once, by a fixture.
set(_sockjs_go_testserver ${CMAKE_BINARY_DIR}/go/sockjs-testserver-go)
add_test(NAME go_build_testserver
  COMMAND ${CMAKE_COMMAND} -E env ${_sockjs_go_env} ${SOCKJS_GO_EXECUTABLE} build
          -o ${_sockjs_go_testserver} ./cmd/sockjs-testserver-go
  WORKING_DIRECTORY ${_sockjs_go_dir})
set_tests_properties(go_build_testserver PROPERTIES
  FIXTURES_SETUP go_testserver LABELS "go;browser" TIMEOUT 300)
include(${PROJECT_SOURCE_DIR}/tests/browser/binding_test.cmake)
foreach(_mode listen handler)
  sockjs_add_browser_test(browser.go.${_mode} LABELS go browser
    FIXTURES_REQUIRED go_testserver
    COMMAND ${_sockjs_go_testserver} --mode=${_mode})
endforeach()
