# sandbox: the untrusted-code machinery of the grader (sandbox, submission builder, loader).
target_sources(celab_grader PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/src/sandbox.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/submission_loader.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/builder.cpp)

# How the builder compiles submissions: this build's compiler, Eigen and source tree.
get_target_property(CELAB_EIGEN_INCLUDE_DIRS Eigen3::Eigen INTERFACE_INCLUDE_DIRECTORIES)
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/build_config.hpp.in
               ${CMAKE_CURRENT_BINARY_DIR}/generated/build_config.hpp @ONLY)
target_include_directories(celab_grader PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated)
