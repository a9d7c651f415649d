// Running a shell command from a test, as a person would type it: its exit status and what it printed
// (stdout and stderr together, unless the command redirects them itself).
#pragma once

#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace celab::test {

struct Run {
    int status = -1;  // the exit status; -1 when the command did not exit (a signal)
    std::string output;
};

inline Run run_shell(const std::string& command, bool with_stderr = true) {
    Run r;
    FILE* pipe = ::popen((command + (with_stderr ? " 2>&1" : "")).c_str(), "r");
    BOOST_REQUIRE(pipe != nullptr);
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) r.output.append(buffer, n);
    const int status = ::pclose(pipe);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

// 'path', for a shell command line (paths here hold no single quote).
inline std::string quote(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

}  // namespace celab::test
