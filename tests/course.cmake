# ./course grade: a whole class graded end to end (statuses, gradebook, summaries, reruns, --jobs).
celab_add_boost_test(test_course_grade SOURCES test_course_grade.cpp LIBS celab_course nlohmann_json::nlohmann_json)
target_compile_definitions(test_course_grade PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
set_tests_properties(test_course_grade PROPERTIES TIMEOUT 1200)
