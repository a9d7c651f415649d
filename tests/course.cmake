# ./course grade: a whole class graded end to end (statuses, gradebook, summaries, reruns, --jobs).
celab_add_boost_test(test_course_grade SOURCES test_course_grade.cpp LIBS celab_course nlohmann_json::nlohmann_json)
target_compile_definitions(test_course_grade PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
set_tests_properties(test_course_grade PROPERTIES TIMEOUT 1200)

# ./course release: the student release made, cloned, built and graded (stubs, reference, every
# catalogue entry against the instructor's copy), its ./test run, and searched for reference code.
celab_add_boost_test(test_student_release SOURCES test_student_release.cpp LIBS celab_course nlohmann_json::nlohmann_json)
celab_use_catalogue(test_student_release)
add_dependencies(test_student_release celab-course celab-grade)
target_compile_definitions(test_student_release PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
  CELAB_COURSE_PROGRAM="$<TARGET_FILE:celab-course>" CELAB_GRADER_PROGRAM="$<TARGET_FILE:celab-grade>")
set_tests_properties(test_student_release PROPERTIES TIMEOUT 3600 PROCESSORS 2)

# ./course grade keeps students apart: a hostile student hunts its memory for answers, a classmate's
# file and a hidden input (tests/hostile/memory_hunter.cpp, compiled by the batch like any student).
celab_add_boost_test(test_class_isolation SOURCES test_class_isolation.cpp LIBS celab_course)
target_compile_definitions(test_class_isolation PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
set_tests_properties(test_class_isolation PROPERTIES TIMEOUT 1200)
