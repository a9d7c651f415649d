# Tests of the reference solutions (linked to celab_solutions) and of the untouched stubs
# (linked to celab_stubs). Never both in one binary: they define the same symbols.
# Shared helpers for any test: tests/support/compare.hpp (include as "support/compare.hpp").
celab_add_boost_test(test_reference_seeds SOURCES test_reference_seeds.cpp LIBS celab_solutions)
celab_add_boost_test(test_reference_properties SOURCES test_reference_properties.cpp LIBS celab_solutions)
celab_add_boost_test(test_reference_bad_input SOURCES test_reference_bad_input.cpp LIBS celab_solutions)
celab_add_boost_test(test_stubs SOURCES test_stubs.cpp LIBS celab_stubs)
