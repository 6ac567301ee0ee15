# Included by the top-level CMakeLists.txt when SOCKJS_BUILD_RUBY is ON:
# builds the SWIG extension into ${CMAKE_BINARY_DIR}/ruby and registers the
# minitest suite (label "ruby").
add_subdirectory(${PROJECT_SOURCE_DIR}/bindings/ruby ${CMAKE_BINARY_DIR}/bindings/ruby)

# browser.ruby: headless Chromium runs all eight transports against
# examples/testserver.rb (tests/browser/transports.js), with the extension
# the sockjs_ruby_ext target built into ${CMAKE_BINARY_DIR}/ruby.
if(SOCKJS_BUILD_TESTS AND TARGET sockjs_ruby_ext)
  include(${PROJECT_SOURCE_DIR}/tests/browser/binding_test.cmake)
  set(_ruby_src ${PROJECT_SOURCE_DIR}/bindings/ruby)
  sockjs_add_browser_test(browser.ruby LABELS ruby browser
    REQUIRED_FILES $<TARGET_FILE:sockjs_ruby_ext>
    COMMAND ${Ruby_EXECUTABLE} -I${_ruby_src}/lib -I${CMAKE_BINARY_DIR}/ruby
            ${_ruby_src}/examples/testserver.rb)
endif()
