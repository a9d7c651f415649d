# The student loop: ./grade --watch driven in tmux, the gcc format for editors, the HTML report
# (rendered in headless Chromium when it is installed or can be).
celab_add_boost_test(test_gcc_report SOURCES test_gcc_report.cpp LIBS celab_grader nlohmann_json::nlohmann_json)
target_compile_definitions(test_gcc_report PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")

celab_add_boost_test(test_html_report SOURCES test_html_report.cpp LIBS celab_grader)
add_dependencies(test_html_report celab-grade)
target_compile_definitions(test_html_report PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
  CELAB_GRADE_PROGRAM="$<TARGET_FILE:celab-grade>")
set_tests_properties(test_html_report PROPERTIES TIMEOUT 1800)

celab_add_boost_test(test_watch SOURCES test_watch.cpp LIBS celab_grader)
add_dependencies(test_watch celab-grade)
target_compile_definitions(test_watch PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
  CELAB_GRADE_PROGRAM="$<TARGET_FILE:celab-grade>")
set_tests_properties(test_watch PROPERTIES TIMEOUT 900)
