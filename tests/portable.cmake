# portable tests: concurrent grading, the child's file descriptors and the confinement note of the
# portable fallback (every preset builds them; the `portable` and `clang` presets exist to run them
# with the Linux confinement compiled out and with clang), and the dev container's setup script.
celab_add_boost_test(test_portable SOURCES test_portable.cpp LIBS celab_grader)
add_dependencies(test_portable celab_module_solutions celab_module_stubs celab_hostile_segfault celab_hostile_infinite_loop)
target_compile_definitions(test_portable PRIVATE
  CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}" CELAB_MODULE_DIR="${CELAB_MODULE_DIR}"
  CELAB_TEST_LINUX_CONFINEMENT=$<BOOL:${CELAB_LINUX_CONFINEMENT}>)
# test_sandbox (tests/sandbox.cmake) expects the Linux confinement only where it is compiled in.
target_compile_definitions(test_sandbox PRIVATE CELAB_TEST_LINUX_CONFINEMENT=$<BOOL:${CELAB_LINUX_CONFINEMENT}>)

celab_add_boost_test(test_devcontainer SOURCES test_devcontainer.cpp LIBS nlohmann_json::nlohmann_json)
add_dependencies(test_devcontainer celab-grade)
target_compile_definitions(test_devcontainer PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}" CELAB_BINARY_DIR="${CMAKE_BINARY_DIR}")
# It runs ./grade in this build tree; alone, so its grading does not compete with the timed tests.
set_tests_properties(test_devcontainer PROPERTIES RUN_SERIAL TRUE)

# ./grade from another folder: relative paths, a failed configure, no absolute path in the grader.
celab_add_boost_test(test_grade_script SOURCES test_grade_script.cpp LIBS nlohmann_json::nlohmann_json)
add_dependencies(test_grade_script celab-grade)
target_compile_definitions(test_grade_script PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}" CELAB_BINARY_DIR="${CMAKE_BINARY_DIR}"
  CELAB_GRADER_PROGRAM="$<TARGET_FILE:celab-grade>"
  CELAB_TEST_DEBUG_INFO=$<IF:$<CONFIG:Release>,0,1>)
# It runs ./grade in this build tree (as test_devcontainer does): alone.
set_tests_properties(test_grade_script PROPERTIES RUN_SERIAL TRUE)
