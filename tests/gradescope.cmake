# Gradescope and GitHub Classroom: the autograder bundle end to end (test_gradescope_bundle) and the
# classroom workflow (test_github_classroom). The results.json writer is tested in test_reports.
if(TARGET celab_gradescope)
  celab_add_boost_test(test_gradescope_bundle SOURCES test_gradescope_bundle.cpp
    LIBS celab_gradescope nlohmann_json::nlohmann_json)
  target_compile_definitions(test_gradescope_bundle PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  # setup.sh builds the grader in the unpacked bundle (minutes, once per run) with all cores.
  set_tests_properties(test_gradescope_bundle PROPERTIES TIMEOUT 3600 PROCESSORS 2)
else()
  add_test(NAME test_gradescope_bundle COMMAND sh -c
    "echo 'libzip (Debian: libzip-dev, pkg-config) is missing, so the Gradescope bundle is not built; ./test installs it'; exit 1")
endif()

celab_add_boost_test(test_github_classroom SOURCES test_github_classroom.cpp LIBS celab_grader)
add_dependencies(test_github_classroom celab-grade)
target_compile_definitions(test_github_classroom PRIVATE CELAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
  CELAB_GRADER_PROGRAM="$<TARGET_FILE:celab-grade>")
