# grader tests: the reference, the stubs, the mutant and alternative catalogues and hostile
# submissions graded end to end; the command line.
celab_add_submission_module(celab_fixture_print_inputs SOFTMAX ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/print_inputs.cpp)
celab_add_submission_module(celab_fixture_huge_result SOFTMAX ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/huge_result.cpp)
celab_add_boost_test(test_grader SOURCES test_grader.cpp LIBS celab_grader)
celab_use_catalogue(test_grader)
add_dependencies(test_grader celab_module_solutions celab_module_stubs celab_fixture_print_inputs celab_fixture_huge_result ${CELAB_HOSTILE_TARGETS})
target_compile_definitions(test_grader PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")

celab_add_boost_test(test_cli SOURCES test_cli.cpp LIBS celab_grader)
add_dependencies(test_cli celab_module_solutions celab_module_stubs celab_catalogue_modules)
target_compile_definitions(test_cli PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}" CELAB_MODULE_DIR="${CELAB_MODULE_DIR}")

# The command line as a process: --help and an unknown option.
add_test(NAME cli_help COMMAND celab-grade --help)
set_tests_properties(cli_help PROPERTIES PASS_REGULAR_EXPRESSION "Usage: ./grade")
add_test(NAME cli_unknown_option COMMAND celab-grade --no-such-option)
set_tests_properties(cli_unknown_option PROPERTIES WILL_FAIL TRUE)

celab_add_boost_test(test_checks_doc SOURCES test_checks_doc.cpp LIBS celab_grader)
target_compile_definitions(test_checks_doc PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")

# The registry: every exercise has every piece, and only its descriptor and the ABI list name it.
celab_add_boost_test(test_registry SOURCES test_registry.cpp LIBS celab_grader nlohmann_json::nlohmann_json)
target_compile_definitions(test_registry PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")

# The judge on made-up outputs: tolerances and what the checks conclude.
celab_add_boost_test(test_judge SOURCES test_judge.cpp LIBS celab_grader)

# The course file: seed, exercises, points; every malformed variant named.
celab_add_boost_test(test_course_file SOURCES test_course_file.cpp LIBS celab_grader nlohmann_json::nlohmann_json)
add_dependencies(test_course_file celab_module_solutions)
target_compile_definitions(test_course_file PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}" CELAB_MODULE_DIR="${CELAB_MODULE_DIR}")

# The default "mastery" scoring: each exercise's central mistake (a mutant of the catalogue) costs at
# least half of its points, the reference gets them all, "per_check" keeps the raw weights.
celab_add_boost_test(test_scoring SOURCES test_scoring.cpp LIBS celab_grader nlohmann_json::nlohmann_json)
celab_use_catalogue(test_scoring)
add_dependencies(test_scoring celab_module_solutions)
target_compile_definitions(test_scoring PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
