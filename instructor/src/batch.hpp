// Grading a whole class: every student folder of SUBMISSIONS built and graded (several at once),
// per-student reports written under OUT/students/NAME/, unchanged students reused from the last
// run, progress on stderr. The gradebook and the summaries are written from the result
// (gradebook.hpp, class_summary.hpp).
#pragma once

#include "intake.hpp"
#include "model.hpp"
#include "sandbox.hpp"
#include "student.hpp"

#include <filesystem>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace celab::course {


struct BatchSettings {
    std::filesystem::path submissions;   // one folder per student
    std::filesystem::path out;           // created when needed
    std::vector<std::filesystem::path> case_dirs;  // loaded, in order (shipped first when used)
    unsigned jobs = 1;                   // students graded at once
    unsigned long long seed = 0;         // the same for every student (the course file's unless --seed)
    std::map<grader::Exercise, double> points;  // the course file's points per exercise (empty: raw weights)
    grader::Scoring scoring = grader::Scoring::mastery;  // the course file's "scoring" (model.hpp)
    double timeout = grader::sandbox::default_timeout_seconds;  // CPU seconds per exercise, as ./grade --timeout
    double wall_timeout = 0.0;           // wall-clock backstop per exercise; 0: the sandbox's 4 x timeout + 5 s
    std::size_t memory_mb = 2048;
    bool force = false;                  // grade everyone again, fingerprints or not
    bool terminal = false;               // progress rewrites one line (stderr is a terminal)
};

struct BatchResult {
    std::vector<StudentResult> students;  // sorted by name (bytewise)
    std::vector<Entry> ignored;           // entries of SUBMISSIONS that are not students
    std::vector<std::string> columns;     // the exercises graded (those with cases), report order
    double max = 0.0;                     // the class's maximum score
    double wall_seconds = 0.0;
    double cpu_seconds = 0.0;             // this process and its children, for the whole batch
};

// Grades the class. `cases` are loaded and valid (cases::load_dirs of settings.case_dirs).
// Throws IntakeError when SUBMISSIONS cannot be read and std::runtime_error when OUT cannot be
// written; a student's problems never throw (they become the student's status).
BatchResult run_batch(const BatchSettings& settings, const std::vector<grader::Case>& cases, std::ostream& progress);

// "1:05" / "42 s": a duration for the progress line.
std::string duration_text(double seconds);

}  // namespace celab::course
