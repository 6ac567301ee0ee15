# Included by the top-level CMakeLists.txt when SOCKJS_BUILD_RUBY is ON:
# builds the SWIG extension into ${CMAKE_BINARY_DIR}/ruby and registers the
# minitest suite (label "ruby").
add_subdirectory(${PROJECT_SOURCE_DIR}/bindings/ruby ${CMAKE_BINARY_DIR}/bindings/ruby)
