# Python binding tests (label "python"), included by the top-level
# CMakeLists.txt when SOCKJS_BUILD_PYTHON is ON.
#   python_setup      fixture: venv + `pip install bindings/python` + tools
#   python_pytest     pytest: sync and asyncio APIs, loopback clients, examples
#   python_typecheck  mypy --strict on the package and examples, stubtest on _core
find_program(SOCKJS_PYTHON3 NAMES python3 REQUIRED DOC "Python used for the binding's venv")
set(_py_src ${CMAKE_CURRENT_LIST_DIR})
set(_py_venv ${CMAKE_BINARY_DIR}/python-venv)
set(_py ${_py_venv}/bin/python)

add_test(NAME python_setup
  COMMAND sh ${_py_src}/ctest_setup.sh ${SOCKJS_PYTHON3} ${_py_venv} ${_py_src}
          ${CMAKE_BINARY_DIR}/python-wheel-build)
set_tests_properties(python_setup PROPERTIES
  FIXTURES_SETUP python_venv LABELS python TIMEOUT 900
  ENVIRONMENT "CMAKE_BUILD_PARALLEL_LEVEL=2")

add_test(NAME python_pytest
  COMMAND ${_py} -m pytest -p no:cacheprovider tests
  WORKING_DIRECTORY ${_py_src})
add_test(NAME python_typecheck
  COMMAND sh -c "${_py} -m mypy --strict -p sockjs && ${_py} -m mypy --strict ${_py_src}/examples && ${_py} -m mypy.stubtest sockjs._core --allowlist ${_py_src}/tests/stubtest_allowlist.txt"
  WORKING_DIRECTORY ${CMAKE_BINARY_DIR})  # mypy leaves its cache in the working directory
set_tests_properties(python_pytest python_typecheck PROPERTIES
  FIXTURES_REQUIRED python_venv LABELS python TIMEOUT 300
  ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")

# browser.python: headless Chromium runs all eight transports against
# examples/testserver.py (tests/browser/transports.js).
include(${PROJECT_SOURCE_DIR}/tests/browser/binding_test.cmake)
sockjs_add_browser_test(browser.python LABELS python browser
  FIXTURES_REQUIRED python_venv
  ENVIRONMENT PYTHONDONTWRITEBYTECODE=1
  COMMAND ${_py} ${_py_src}/examples/testserver.py)
