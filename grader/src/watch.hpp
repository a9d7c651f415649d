// ./grade --watch: grade once, then again whenever an exercise file of the folder is saved, in one
// resident process (the builder recompiles only the file that changed; grade() runs in-process).
//
// The terminal shows a progress bar, the first unfinished exercise with its first failure, and keys:
// h the hint page of that exercise, a all results, q quit (any other key: back). File changes are
// noticed with inotify, or by polling the files' size and modification time where inotify does not
// work (network file systems, WSL's Windows drives) or when asked (--poll). Ctrl-C (SIGINT) and
// SIGTERM end it after the exercise being graded; the sandbox and compiler children are waited for.
#pragma once

#include "builder.hpp"
#include "grade.hpp"
#include "model.hpp"

#include <filesystem>
#include <iosfwd>
#include <set>
#include <string>
#include <vector>

namespace celab::grader::watch {

struct Settings {
    std::filesystem::path folder;   // the submission folder: softmax.cpp, loss.cpp, gradient.cpp
    builder::Config build;
    std::vector<Case> cases;        // already loaded and filtered to the chosen exercises
    GradeSettings grade;
    bool poll = false;              // poll the files instead of inotify
    double poll_seconds = 0.5;      // how often polling looks
    std::string format = "html";    // of the report file
    std::filesystem::path output;   // rewritten after every grading when not empty
    std::filesystem::path root;     // the celab checkout, for the hint pages
    bool colour = false;
};

// How changes of `folder` can be noticed: "inotify", or "polling" with the reason in `why`.
bool inotify_works(const std::filesystem::path& folder, std::string& why);

// Runs until q, SIGINT or SIGTERM (at the end of input it goes on watching). Reads keys from
// `input_fd` (raw mode when it is a terminal). Returns the exit status: 0 after q or a signal,
// 2 when the folder cannot be watched.
int run(const Settings& settings, std::ostream& out, std::ostream& err, int input_fd);

}  // namespace celab::grader::watch
