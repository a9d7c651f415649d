// The course file (course.json at the root of the checkout, or --course FILE): what one assignment
// of a course grades, and how. Validated like a case file: every problem is one message naming the
// file, the field and the fix.
//
//   {
//     "course": "ML 101, autumn 2026",      optional: a name for reports
//     "seed": 20261130,                      required: the seed of the generated cases, so that the same
//                                            code gets the same score on every run (--seed and
//                                            --fresh-seed override it)
//     "exercises": ["softmax", "reduce"],    optional: the exercises of this assignment (default: all),
//                                            graded when no --exercise is given
//     "points": {"softmax": 10},             optional: points per exercise (default: default_points each
//                                            under "mastery", the raw weights under "per_check")
//     "scoring": "mastery"                   optional: how an exercise's points are split over its rows
//                                            (model.hpp, Scoring): "mastery" (default) keeps half of them
//                                            for when every check of every case passes, "per_check" counts
//                                            each row's weight only (scaled to "points" when given)
//   }
#pragma once

#include "model.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace celab::grader::course {

// The seed when there is no course file at all.
inline constexpr unsigned long long fallback_seed = 20261130;

// An exercise's points under "mastery" scoring when the course gives it none.
inline constexpr double default_points = 10.0;

struct Course {
    std::filesystem::path file;  // where it came from (empty: the built-in default)
    std::string name;
    unsigned long long seed = fallback_seed;
    std::vector<Exercise> exercises;  // in all_exercises() order
    std::map<Exercise, double> points;
    Scoring scoring = Scoring::mastery;
};

// "FILE: field "F": what is wrong; fix".
class CourseError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Reads and validates a course file; throws CourseError.
Course load(const std::filesystem::path& file);

// The same, from text already read (`file` names it in messages).
Course parse(const std::string& text, const std::filesystem::path& file);

// The course without a file: every exercise, fallback_seed, "mastery" scoring with default_points.
Course built_in();

// The course a command uses: `given` (--course FILE) when not empty, else `root`/course.json when it
// exists, else built_in(). Throws CourseError.
Course for_checkout(const std::filesystem::path& root, const std::string& given);

// Gives each row its points under `scoring` (model.hpp, Scoring), from its weight (CheckResult::weight,
// taken from max_points the first time a row is seen) and its status (a row earns its points when it
// passes), exercise by exercise over the whole report: `points` are the course's points per exercise
// (under "mastery", default_points for an exercise without; under "per_check", the raw weights).
// Idempotent, so a report put together from several gradings (visible and hidden cases graded apart)
// can be scored again as a whole.
void apply_points(Report& report, const std::map<Exercise, double>& points, Scoring scoring = Scoring::mastery);

}  // namespace celab::grader::course
