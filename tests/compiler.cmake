# What a student reads about their own code: compile errors and warnings, out-of-range access as a
# verdict; tiny submissions compiled by the submission builder.
celab_add_boost_test(test_compiler_output SOURCES test_compiler_output.cpp LIBS celab_grader)
target_compile_definitions(test_compiler_output PRIVATE
  CELAB_TEST_SCRATCH_DIR="${CMAKE_CURRENT_BINARY_DIR}/compiler-scratch")

# ./grade --hint as plain text.
celab_add_boost_test(test_hint_text SOURCES test_hint_text.cpp LIBS celab_grader)
