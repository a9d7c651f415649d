# cases: test cases as data -- the JSON case-file loader/validator and generated cases
# (format: docs/instructors.md; shipped visible cases: grader/cases/*.json).
target_sources(celab_grader PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/src/case_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/generate.cpp)
