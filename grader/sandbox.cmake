# sandbox: the untrusted-code machinery of the grader (sandbox, submission builder, loader).
#
# CELAB_LINUX_CONFINEMENT (default ON on Linux, always OFF elsewhere): the sandbox child is confined by
# seccomp and Landlock (src/isolation_linux.cpp) and the sandbox uses Linux-only calls. OFF builds the
# portable fallback (src/isolation_portable.cpp, plain POSIX: what macOS gets), which the `portable`
# preset tests on Linux.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  option(CELAB_LINUX_CONFINEMENT "Confine the sandbox child with seccomp and Landlock (Linux only)" ON)
else()
  set(CELAB_LINUX_CONFINEMENT OFF CACHE BOOL "Confine the sandbox child with seccomp and Landlock (Linux only)" FORCE)
endif()
if(CELAB_LINUX_CONFINEMENT)
  set(CELAB_ISOLATION_SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/src/isolation_linux.cpp)
else()
  set(CELAB_ISOLATION_SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/src/isolation_portable.cpp)
endif()
target_sources(celab_grader PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/src/sandbox.cpp
  ${CELAB_ISOLATION_SOURCE}
  ${CMAKE_CURRENT_SOURCE_DIR}/src/submission_loader.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/builder.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/locations.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/compiler_output.cpp)

# How the builder compiles submissions: this build's compiler and Eigen (the source tree and build tree
# are found at run time: src/locations.cpp).
get_target_property(CELAB_EIGEN_INCLUDE_DIRS Eigen3::Eigen INTERFACE_INCLUDE_DIRECTORIES)
# Submissions get this build's CMAKE_CXX_FLAGS too (the sanitizer flags of the asan preset): Eigen
# allocates differently under ASan, so a matrix created on one side and freed on the other breaks
# unless both sides are compiled alike.
separate_arguments(CELAB_SUBMISSION_COMPILE_FLAGS UNIX_COMMAND "${CMAKE_CXX_FLAGS}")
separate_arguments(CELAB_SUBMISSION_LINK_FLAGS UNIX_COMMAND "${CMAKE_MODULE_LINKER_FLAGS}")
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/build_config.hpp.in
               ${CMAKE_CURRENT_BINARY_DIR}/generated/build_config.hpp @ONLY)
target_include_directories(celab_grader PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated)

# The sandbox and the builder use Linux-only calls only when the confinement is on.
set_property(SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/src/sandbox.cpp ${CMAKE_CURRENT_SOURCE_DIR}/src/builder.cpp
  APPEND PROPERTY COMPILE_DEFINITIONS CELAB_LINUX_CONFINEMENT=$<BOOL:${CELAB_LINUX_CONFINEMENT}>)
# CELAB_FORBID_LINUX_HEADERS (the `portable` preset): the Linux-only headers resolve to files that
# #error, so this build proves that the fallback needs none of them (as on macOS).
option(CELAB_FORBID_LINUX_HEADERS "Fail the build if the grader includes a Linux-only header" OFF)
if(CELAB_FORBID_LINUX_HEADERS)
  if(CELAB_LINUX_CONFINEMENT)
    message(FATAL_ERROR "CELAB_FORBID_LINUX_HEADERS needs CELAB_LINUX_CONFINEMENT=OFF")
  endif()
  target_include_directories(celab_grader BEFORE PRIVATE ${CMAKE_SOURCE_DIR}/tests/portable/no-linux-headers)
endif()
