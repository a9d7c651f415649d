# grader tests: the reference, the stubs, the mutant and alternative catalogues and hostile
# submissions graded end to end; the command line.
celab_add_boost_test(test_grader SOURCES test_grader.cpp LIBS celab_grader)
celab_use_catalogue(test_grader)
add_dependencies(test_grader celab_module_solutions celab_module_stubs ${CELAB_HOSTILE_TARGETS})
target_compile_definitions(test_grader PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
