# cases tests: the JSON case-file loader/validator, generated cases, the shipped visible cases
# (grader/cases/*.json) and the rejection of every malformed file in tests/malformed/.
celab_add_boost_test(test_case_file SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_case_file.cpp LIBS celab_grader)
