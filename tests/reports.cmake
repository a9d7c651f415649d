# reports tests: every format from hand-built Reports, hidden-case leaks, atomic file output.
celab_add_boost_test(test_reports SOURCES test_reports.cpp LIBS celab_grader)
