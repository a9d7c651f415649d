# The catalogue of wrong implementations (mutants) and of correct ones written differently
# (alternatives), each built as a loadable submission module for the grader's self-test.
#
# The list is data: tests/mutants/catalogue.json. Adding a mutant is one file
# tests/mutants/<name>.cpp (a full replacement of exercises/<file>.cpp with one mistake) plus one
# catalogue entry; an alternative is tests/alternatives/<name>.cpp plus one entry.
#
# What this fragment defines:
#   targets   celab_mutant_<name>, celab_alternative_<name>  -> ${CELAB_MODULE_DIR}/<target>.so
#             celab_catalogue_modules                        builds all of them
#             celab_catalogue (INTERFACE)                    compile definitions for a test:
#                 CELAB_MODULE_DIR="<build>/modules"  CELAB_CATALOGUE_JSON="<src>/tests/mutants/catalogue.json"
#   variables CELAB_MODULE_DIR (from cmake/submissions.cmake), CELAB_CATALOGUE_JSON,
#             CELAB_MUTANT_NAMES, CELAB_ALTERNATIVE_NAMES (the <name>s, in catalogue order)
#   function  celab_use_catalogue(TARGET): links celab_catalogue and builds the modules first.
#
# Include this fragment before any fragment that calls celab_use_catalogue; it is include-guarded,
# so a fragment that needs it may also include(${CMAKE_CURRENT_LIST_DIR}/mutants.cmake) itself.
include_guard(GLOBAL)

set(CELAB_CATALOGUE_JSON ${CMAKE_SOURCE_DIR}/tests/mutants/catalogue.json)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CELAB_CATALOGUE_JSON})
file(READ ${CELAB_CATALOGUE_JSON} celab_catalogue_text)

add_custom_target(celab_catalogue_modules)

# celab_catalogue_add(SECTION PREFIX DIR): one module per entry of the JSON array SECTION.
function(celab_catalogue_add section prefix dir out_names)
  string(JSON count ERROR_VARIABLE error LENGTH "${celab_catalogue_text}" ${section})
  if(error)
    message(FATAL_ERROR "${CELAB_CATALOGUE_JSON}: no array \"${section}\": ${error}")
  endif()
  set(names "")
  if(count GREATER 0)
    math(EXPR last "${count} - 1")
    foreach(index RANGE ${last})
      string(JSON name GET "${celab_catalogue_text}" ${section} ${index} name)
      string(JSON file GET "${celab_catalogue_text}" ${section} ${index} file)
      if(NOT file IN_LIST CELAB_EXERCISE_FILES)
        message(FATAL_ERROR "${CELAB_CATALOGUE_JSON}: ${section}[${index}] \"${name}\": file \"${file}\" "
                            "is not one of ${CELAB_EXERCISE_FILES}; fix its \"file\" field")
      endif()
      set(source ${dir}/${name}.cpp)
      if(NOT EXISTS ${source})
        message(FATAL_ERROR "${CELAB_CATALOGUE_JSON}: ${section}[${index}] \"${name}\": ${source} does not "
                            "exist; add the file or remove the entry")
      endif()
      if(name IN_LIST names)
        message(FATAL_ERROR "${CELAB_CATALOGUE_JSON}: ${section}[${index}]: the name \"${name}\" appears twice")
      endif()
      string(TOUPPER ${file} key)
      celab_add_submission_module(${prefix}_${name} ${key} ${source})
      target_link_libraries(${prefix}_${name} PRIVATE celab_warnings)
      add_dependencies(celab_catalogue_modules ${prefix}_${name})
      list(APPEND names ${name})
    endforeach()
  endif()
  set(${out_names} ${names} PARENT_SCOPE)
endfunction()

celab_catalogue_add(mutants celab_mutant ${CMAKE_SOURCE_DIR}/tests/mutants CELAB_MUTANT_NAMES)
celab_catalogue_add(alternatives celab_alternative ${CMAKE_SOURCE_DIR}/tests/alternatives CELAB_ALTERNATIVE_NAMES)

add_library(celab_catalogue INTERFACE)
target_compile_definitions(celab_catalogue INTERFACE
  CELAB_MODULE_DIR="${CELAB_MODULE_DIR}"
  CELAB_CATALOGUE_JSON="${CELAB_CATALOGUE_JSON}")

# A test that loads the catalogue's modules: give it the paths and build the modules before it.
function(celab_use_catalogue target)
  target_link_libraries(${target} PRIVATE celab_catalogue)
  add_dependencies(${target} celab_catalogue_modules)
endfunction()
