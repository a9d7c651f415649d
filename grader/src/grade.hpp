// Grading: run a submission library on cases inside the sandbox and judge every check.
#pragma once

#include "model.hpp"
#include "sandbox.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <vector>

namespace celab::grader {

struct GradeSettings {
    sandbox::Limits limits;          // per exercise: one time budget for all its cases
    unsigned long long seed = 0;     // recorded in the report (cases are generated before grading)
    std::string submission_label;    // the folder graded, for the report
    unsigned jobs = 0;               // exercises graded at once (each in its own processes); 0: one per core
    std::map<Exercise, double> points;  // the course's points per exercise (course_file.hpp); empty: its defaults
    Scoring scoring = Scoring::mastery;  // how an exercise's points are split over its rows (model.hpp)
    // The instructor's view: hidden cases' messages, diagnoses, plots and printed output are kept
    // (never for a report a student sees). Off: they are withheld (CheckResult::withheld).
    bool instructor_view = false;
    // Asked before each exercise starts: once it answers true, the exercises not yet started are left out
    // of the report (the ones started are finished). Only for a caller that throws such a report away:
    // --watch, on Ctrl-C. Empty: every exercise is graded.
    std::function<bool()> interrupted;
    // Other cases the caller holds, which no child of this grading runs (./course grade holds a class's
    // hidden cases while it grades the visible ones): wiped in every child, like the cases of `cases`
    // outside the child's plan, so that student code cannot find them in its copy of the grader.
    std::vector<const std::vector<Case>*> held_cases;
};

// Grades `library` (a submission library: grader/abi/entry.cpp plus the three exercise files) on
// `cases`. Every check of every case gets exactly one row in the report, whatever the
// submission does. `cases` must have passed validation (case_file.hpp). Exercises are graded
// concurrently (settings.jobs), each with its own time budget; the report is in exercise order
// whatever finishes first. report.note says when the sandbox is the portable fallback. Unless
// settings.interrupted stops it, every exercise of `cases` is in the report.
Report grade(const std::vector<Case>& cases, const std::filesystem::path& library, const GradeSettings& settings);

}  // namespace celab::grader
