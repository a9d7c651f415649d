// A test program's scratch folder, and the skip of the tests that CI's sanitizer build leaves to ./test.
#pragma once

#include "sanitizer.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace celab::test {

// A fresh folder <base>/<prefix>XXXXXX, removed with everything in it when the object goes, unless the
// environment sets CELAB_KEEP_SCRATCH (to look into it after a failure). Held by a function-local static,
// it lives for the whole test program.
class ScratchFolder {
public:
    ScratchFolder(const std::filesystem::path& base, const std::string& prefix) {
        std::filesystem::create_directories(base);
        std::string pattern = (base / (prefix + "XXXXXX")).string();
        BOOST_REQUIRE_MESSAGE(::mkdtemp(pattern.data()) != nullptr, "cannot make a scratch folder " + pattern);
        path_ = pattern;
    }
    ScratchFolder(const ScratchFolder&) = delete;
    ScratchFolder& operator=(const ScratchFolder&) = delete;
    ~ScratchFolder() {
        if (std::getenv("CELAB_KEEP_SCRATCH") != nullptr) return;
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace celab::test

// Leaves the current test case when the suite runs under AddressSanitizer: `what` builds a Release grader
// of its own, which would double the time of CI; ./test (without --sanitize) runs it.
#define CELAB_SKIP_UNDER_ASAN(what)                                                                              \
    if (CELAB_ASAN) {                                                                                            \
        BOOST_TEST_MESSAGE("skipped under AddressSanitizer: " what " builds a Release grader of its own, which " \
                           "would double the time of CI; ./test (without --sanitize) runs this test");           \
        return;                                                                                                  \
    }
