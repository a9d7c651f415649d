// Stands in for exercise functions a submission cannot provide, so that the rest of the submission
// can still be built and graded. Every function of grader/abi/functions.def is defined here as a weak
// symbol, so the linker uses one only where the submission has no definition of its own:
//  - a function the submission does not define (deleted, renamed, declared with another signature)
//    throws abi::Unavailable, a std::runtime_error ("celab::NAME is not defined: define it in FILE.cpp ...");
//  - every function of a file that is missing, does not compile or breaks the link (the builder then
//    leaves the file out and compiles this one with -DCELAB_UNAVAILABLE_FILES="softmax,loss", the
//    files left out) throws "celab::NAME is unavailable: FILE.cpp did not compile or link".
#include "submission_abi.hpp"

#include <stdexcept>
#include <string>

#ifndef CELAB_UNAVAILABLE_FILES
#define CELAB_UNAVAILABLE_FILES ""
#endif

namespace celab {

namespace {
bool left_out(const char* file) {
    const std::string list = std::string(",") + CELAB_UNAVAILABLE_FILES + ",";
    return list.find(std::string(",") + file + ",") != std::string::npos;
}

[[noreturn]] void unavailable(const char* function, const char* file) {
    if (left_out(file))
        throw abi::Unavailable(std::string("celab::") + function + " is unavailable: " + file +
                               ".cpp did not compile or link");
    throw abi::Unavailable(std::string("celab::") + function + " is not defined: define it in " + file +
                           ".cpp with exactly the signature in include/celab/exercises.hpp");
}
}  // namespace

#define CELAB_FUNCTION(NAME, FILE, RETURN, PARAMETERS) \
    __attribute__((weak)) RETURN NAME PARAMETERS { unavailable(#NAME, #FILE); }
#include "functions.def"
#undef CELAB_FUNCTION

}  // namespace celab
