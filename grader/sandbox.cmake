# sandbox: the untrusted-code machinery of the grader (sandbox, submission builder, loader).
target_sources(celab_grader PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/src/sandbox.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/isolation.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/submission_loader.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/builder.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/compiler_output.cpp)

# How the builder compiles submissions: this build's compiler, Eigen and source tree.
get_target_property(CELAB_EIGEN_INCLUDE_DIRS Eigen3::Eigen INTERFACE_INCLUDE_DIRECTORIES)
# Submissions get this build's CMAKE_CXX_FLAGS too (the sanitizer flags of the asan preset): Eigen
# allocates differently under ASan, so a matrix created on one side and freed on the other breaks
# unless both sides are compiled alike.
separate_arguments(CELAB_SUBMISSION_COMPILE_FLAGS UNIX_COMMAND "${CMAKE_CXX_FLAGS}")
separate_arguments(CELAB_SUBMISSION_LINK_FLAGS UNIX_COMMAND "${CMAKE_MODULE_LINKER_FLAGS}")
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/build_config.hpp.in
               ${CMAKE_CURRENT_BINARY_DIR}/generated/build_config.hpp @ONLY)
target_include_directories(celab_grader PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated)
