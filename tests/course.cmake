# ./course grade: a whole class graded end to end (statuses, gradebook, summaries, reruns, --jobs).
celab_add_boost_test(test_course_grade SOURCES test_course_grade.cpp LIBS celab_course nlohmann_json::nlohmann_json)
target_compile_definitions(test_course_grade PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
set_tests_properties(test_course_grade PROPERTIES TIMEOUT 1200)

# The default "mastery" scoring: each exercise's central mistake (a mutant of the catalogue) costs at
# least half of its points, the reference gets them all, "per_check" keeps the raw weights.
celab_add_boost_test(test_scoring SOURCES test_scoring.cpp LIBS celab_grader nlohmann_json::nlohmann_json)
celab_use_catalogue(test_scoring)
add_dependencies(test_scoring celab_module_solutions)
target_compile_definitions(test_scoring PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
