# checks: judging (checks), the standard checks descriptors compose (check_kit), the diagnoses, and the
# registry of exercises: one descriptor per line of grader/abi/functions.def, each in
# grader/registry/NAME.cpp. The list of descriptor files is read from functions.def, so adding an
# exercise needs no edit here.
target_sources(celab_grader PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/src/checks.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/check_kit.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/diagnose.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/registry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/registry/formulas.cpp)

set(CELAB_FUNCTIONS_DEF ${CMAKE_CURRENT_LIST_DIR}/abi/functions.def)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CELAB_FUNCTIONS_DEF})
file(STRINGS ${CELAB_FUNCTIONS_DEF} celab_function_lines REGEX "^CELAB_FUNCTION\\(")
set(CELAB_EXERCISE_NAMES "")
foreach(line IN LISTS celab_function_lines)
  string(REGEX MATCH "^CELAB_FUNCTION\\(([a-z_0-9]+)," _ "${line}")
  set(exercise ${CMAKE_MATCH_1})
  if(NOT EXISTS ${CMAKE_CURRENT_LIST_DIR}/registry/${exercise}.cpp)
    message(FATAL_ERROR "${CELAB_FUNCTIONS_DEF} lists the exercise \"${exercise}\", but its descriptor "
                        "grader/registry/${exercise}.cpp does not exist; write it (docs/instructors.md, \"Adding an exercise\")")
  endif()
  target_sources(celab_grader PRIVATE ${CMAKE_CURRENT_LIST_DIR}/registry/${exercise}.cpp)
  list(APPEND CELAB_EXERCISE_NAMES ${exercise})
endforeach()
set(CELAB_EXERCISE_NAMES ${CELAB_EXERCISE_NAMES} PARENT_SCOPE)
