# The student loop: ./grade --watch driven in tmux, the gcc format for editors, the HTML report
# (rendered in headless Chromium when it is installed or can be).
celab_add_boost_test(test_gcc_report SOURCES test_gcc_report.cpp LIBS celab_grader nlohmann_json::nlohmann_json)
target_compile_definitions(test_gcc_report PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
