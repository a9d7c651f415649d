# docs tests and tools (owner: docs).
#
# celab_fd_table prints the finite-difference error table of docs/finite-differences.md
# (scripts/make-figures turns its --data output into docs/figures/fd-error.png).
add_executable(celab_fd_table ${CMAKE_SOURCE_DIR}/tools/fd_table.cpp)
target_link_libraries(celab_fd_table PRIVATE celab_solutions celab_warnings)

# test_docs: every celab-example block in docs/**/*.md against the reference, the hint sections,
# the finite-difference table against celab_fd_table, links and display maths.
celab_add_boost_test(test_docs SOURCES test_docs.cpp LIBS celab_solutions nlohmann_json::nlohmann_json)
target_compile_definitions(test_docs PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
add_dependencies(test_docs celab_fd_table)
set_tests_properties(test_docs PROPERTIES ENVIRONMENT "CELAB_FD_TABLE=$<TARGET_FILE:celab_fd_table>")

# test_identities: every identity the docs use, checked numerically against the reference.
celab_add_boost_test(test_identities SOURCES test_identities.cpp LIBS celab_solutions)

# celab_fd_table's command line: a bad argument prints the usage and exits non-zero.
add_test(NAME celab_fd_table_rejects_bad_arguments COMMAND celab_fd_table --no-such-option)
set_tests_properties(celab_fd_table_rejects_bad_arguments PROPERTIES WILL_FAIL TRUE)

# celab_naive_exp prints what naive softmax / log-sum-exp / cross-entropy code returns when compiled
# like a submission (grader/src/builder.cpp: -std=c++17 -O2 -DNDEBUG, Eigen, no -march=native):
# NaN with std::exp, but plausible wrong numbers with Eigen's vectorised exp. test_docs checks the
# docs' and hints' claims about those symptoms against its output. -O2 comes after the build type's
# flags (-O3 in Release), so it wins, as in a submission build.
add_executable(celab_naive_exp ${CMAKE_CURRENT_SOURCE_DIR}/naive_exp.cpp)
target_link_libraries(celab_naive_exp PRIVATE Eigen3::Eigen celab_warnings)
target_compile_options(celab_naive_exp PRIVATE -O2)
target_compile_definitions(celab_naive_exp PRIVATE NDEBUG)
add_dependencies(test_docs celab_naive_exp)
set_property(TEST test_docs APPEND PROPERTY ENVIRONMENT "CELAB_NAIVE_EXP=$<TARGET_FILE:celab_naive_exp>")
