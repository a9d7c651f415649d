// Poison header of the `portable` preset (CELAB_FORBID_LINUX_HEADERS, grader/sandbox.cmake).
#error "<linux/seccomp.h> is Linux-only: the portable fallback must not include it"
