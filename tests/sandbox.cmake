# sandbox tests: the sandbox on plain lambdas and on hostile submissions, and the submission builder.
set(CELAB_HOSTILE_BEHAVIOURS segfault abort infinite_loop memory_hog fake_report throws chatty fork_sleeper
  kill_parent daemon write_file spawn)
set(CELAB_HOSTILE_TARGETS)
foreach(behaviour IN LISTS CELAB_HOSTILE_BEHAVIOURS)
  celab_add_submission_module(celab_hostile_${behaviour} SOFTMAX ${CMAKE_SOURCE_DIR}/tests/hostile/${behaviour}.cpp)
  list(APPEND CELAB_HOSTILE_TARGETS celab_hostile_${behaviour})
endforeach()

celab_add_boost_test(test_sandbox SOURCES test_sandbox.cpp LIBS celab_grader)
add_dependencies(test_sandbox ${CELAB_HOSTILE_TARGETS} celab_module_solutions)
target_compile_definitions(test_sandbox PRIVATE
  CELAB_MODULE_DIR="${CELAB_MODULE_DIR}"
  CELAB_SOLUTIONS_MODULE="$<TARGET_FILE:celab_module_solutions>"
  CELAB_TEST_SCRATCH_DIR="${CMAKE_CURRENT_BINARY_DIR}/sandbox-scratch")

# Confinement of reads: read_secrets tries to read the course and to leak hidden inputs; its environment
# is empty, so where to aim comes from compile definitions.
set(CELAB_CONFINE_SCRATCH_DIR "${CMAKE_CURRENT_BINARY_DIR}/confinement-scratch")
celab_add_submission_module(celab_hostile_read_secrets SOFTMAX ${CMAKE_SOURCE_DIR}/tests/hostile/read_secrets.cpp)
target_compile_definitions(celab_hostile_read_secrets PRIVATE
  CELAB_CONFINE_SOURCE_DIR="${CMAKE_SOURCE_DIR}" CELAB_CONFINE_SCRATCH_DIR="${CELAB_CONFINE_SCRATCH_DIR}")
celab_add_boost_test(test_confinement SOURCES test_confinement.cpp LIBS celab_grader)
add_dependencies(test_confinement celab_hostile_read_secrets celab_module_solutions)
target_compile_definitions(test_confinement PRIVATE
  CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
  CELAB_MODULE_DIR="${CELAB_MODULE_DIR}"
  CELAB_SOLUTIONS_MODULE="$<TARGET_FILE:celab_module_solutions>"
  CELAB_CONFINE_SCRATCH_DIR="${CELAB_CONFINE_SCRATCH_DIR}"
  CELAB_TEST_LINUX_CONFINEMENT=$<BOOL:${CELAB_LINUX_CONFINEMENT}>)

celab_add_boost_test(test_builder SOURCES test_builder.cpp LIBS celab_grader)
target_compile_definitions(test_builder PRIVATE CELAB_TEST_SCRATCH_DIR="${CMAKE_CURRENT_BINARY_DIR}/builder-scratch")
