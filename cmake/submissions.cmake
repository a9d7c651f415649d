# Exercise sets and submission libraries.
#
# celab_add_exercise_set(SET DIR) makes one OBJECT library per exercise file:
#   celab_${SET}_softmax, celab_${SET}_loss, celab_${SET}_gradient from DIR/{softmax,loss,gradient}.cpp
#
# celab_add_submission_module(TARGET [SOFTMAX file] [LOSS file] [GRADIENT file])
# builds TARGET as a loadable submission library (what the grader opens in its sandbox) from the
# given files; a file not given comes from the reference solution. Output: ${CELAB_MODULE_DIR}.

set(CELAB_EXERCISE_FILES softmax loss gradient)
set(CELAB_MODULE_DIR ${CMAKE_BINARY_DIR}/modules)

function(celab_add_exercise_set set dir)
  foreach(file IN LISTS CELAB_EXERCISE_FILES)
    add_library(celab_${set}_${file} OBJECT ${dir}/${file}.cpp)
    target_link_libraries(celab_${set}_${file} PUBLIC celab_api PRIVATE celab_warnings)
  endforeach()
endfunction()

function(celab_add_submission_module target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "SOFTMAX;LOSS;GRADIENT" "")
  add_library(${target} MODULE ${CMAKE_SOURCE_DIR}/grader/abi/entry.cpp)
  foreach(file IN LISTS CELAB_EXERCISE_FILES)
    string(TOUPPER ${file} key)
    if(ARG_${key})
      target_sources(${target} PRIVATE ${ARG_${key}})
    else()
      target_link_libraries(${target} PRIVATE celab_solution_${file})
    endif()
  endforeach()
  target_link_libraries(${target} PRIVATE celab_api)
  # -Bsymbolic: the library's calls bind to its own functions, never to the reference that the
  # grader process links statically under the same names.
  if(NOT APPLE)  # macOS: two-level namespaces do the same, and undefined symbols are errors by default
    target_link_options(${target} PRIVATE -Wl,-Bsymbolic -Wl,--no-undefined)
  endif()
  set_target_properties(${target} PROPERTIES PREFIX "" LIBRARY_OUTPUT_DIRECTORY ${CELAB_MODULE_DIR})
endfunction()
