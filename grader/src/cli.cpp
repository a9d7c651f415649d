#include "cli.hpp"

#include "answers.hpp"


#include "builder.hpp"
#include "case_file.hpp"
#include "checks.hpp"
#include "course_file.hpp"
#include "grade.hpp"
#include "hint_text.hpp"
#include "reports.hpp"
#include "timings.hpp"
#include "watch.hpp"

#include <boost/program_options.hpp>

#include <chrono>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <iterator>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>

namespace celab::grader::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr int exit_pass = 0, exit_fail = 1, exit_usage = 2;

struct Options {
    std::vector<std::string> exercises;
    std::vector<std::string> case_dirs;
    std::string submission;
    std::string library;
    std::string format = "text";
    std::string output;
    unsigned long long seed = 0;
    bool seed_given = false;
    bool fresh_seed = false;
    std::string course;
    double timeout = sandbox::default_timeout_seconds;
    std::size_t memory_mb = 2048;
    bool list = false, validate = false, verbose = false, no_shipped = false, unchecked = false;
    bool watch = false, poll = false, instructor = false, single_unit = false;
    std::string hint;
};

po::options_description describe_options(Options& o) {
    po::options_description d("Usage: ./grade [options]\n\nGrades exercises/*.cpp (or --submission DIR) against the "
                              "checks and cases in grader/cases/.\n\nOptions");
    // clang-format off
    d.add_options()
        ("help,h", "show this help and exit")
        ("exercise,e", po::value(&o.exercises)->value_name("NAME"), "grade only this exercise (repeatable); see --list")
        ("cases,c", po::value(&o.case_dirs)->value_name("DIR"), "also load the case files (*.json) in DIR (repeatable), e.g. an instructor's hidden cases")
        ("submission,s", po::value(&o.submission)->value_name("DIR"), "grade DIR/softmax.cpp, DIR/loss.cpp, DIR/gradient.cpp instead of exercises/")
        ("format,f", po::value(&o.format)->value_name("FORMAT"), "report format: text (default), json, junit, gradescope, gcc (FILE:LINE:COL: error: lines for editors) or html (one self-contained page with plots)")
        ("output,o", po::value(&o.output)->value_name("FILE"), "write the report to FILE (atomically) instead of stdout")
        ("seed", po::value(&o.seed)->value_name("N"), "seed of the generated cases (default: the course's, so the same code gets the same score)")
        ("fresh-seed", po::bool_switch(&o.fresh_seed), "draw the generated cases afresh (a random seed, printed in the report)")
        ("course", po::value(&o.course)->value_name("FILE"), "the course file: seed, exercises of the assignment, points, scoring (default: course.json of the celab folder)")
        ("timeout", po::value(&o.timeout)->value_name("S"), ("CPU time limit in seconds for each exercise (default " + sandbox::default_timeout_text() + "; code that waits instead is stopped after 4 S + 5 s of wall-clock time)").c_str())
        ("memory", po::value(&o.memory_mb)->value_name("MB"), "memory limit of the student code in MiB (default 2048)")
        ("list", po::bool_switch(&o.list), "list the exercises, their checks and cases, and exit")
        ("hint", po::value(&o.hint)->value_name("NAME"), "show the hint page of exercise NAME and exit")
        ("instructor", po::bool_switch(&o.instructor), "the instructor's view: hidden cases' inputs, expected values, worst entries, diagnoses and output shown in full (never for students)")
        ("validate", po::bool_switch(&o.validate), "check the case files and grade the reference solutions on them; exit 2 if the reference fails a case")
        ("watch,w", po::bool_switch(&o.watch), "grade, then grade again whenever an exercise file is saved (keys: h hint, a all results, q quit); with --output FILE also rewrites FILE")
        ("poll", po::bool_switch(&o.poll), "with --watch: notice saves by polling the files instead of inotify (network drives, WSL's Windows drives)")
        ("verbose,v", po::bool_switch(&o.verbose), "text report: list every case, not only the first failure")
        ("no-shipped-cases", po::bool_switch(&o.no_shipped), "do not load grader/cases/ (only the --cases directories)")
        ("unchecked", po::bool_switch(&o.unchecked), "compile the submission without Eigen's index checks and the standard library's assertions (an index out of range then goes unnoticed; for measuring their cost)")
        ("single-unit", po::bool_switch(&o.single_unit), "compile the three files as one translation unit when they allow it (faster for a submission graded once: the Gradescope autograder uses it; a file that breaks the unit is compiled on its own)")
        ("library", po::value(&o.library)->value_name("FILE"), "grade an already built submission library (for the test suite)");
    // clang-format on
    return d;
}

}  // namespace

std::string hint_text(const fs::path& root, Exercise e) {
    const fs::path page = root / "docs" / "exercises" / (std::string(source_file(e)) + ".md");
    std::ifstream in(page);
    if (!in) return "(no hint page found at " + page.string() + ")\n";
    std::string line, text;
    bool inside = false;
    while (std::getline(in, line)) {
        if (line.rfind("## ", 0) == 0) {
            if (inside) break;
            inside = line.substr(3) == name(e) || line.substr(3).rfind(std::string("`") + name(e) + "`", 0) == 0 ||
                     line.substr(3).rfind(std::string(name(e)) + " ", 0) == 0;
        }
        if (inside) text += line + "\n";
    }
    if (text.empty()) return "(no section \"## " + std::string(name(e)) + "\" in " + page.string() + ")\n";
    return ::celab::grader::hint_text::plain(text) + "\nThe whole page: " + page.string() + "\n";
}

namespace {

std::string valid_exercises() {
    std::string list;
    for (Exercise e : all_exercises()) list += std::string(list.empty() ? "" : ", ") + name(e);
    return list;
}

void print_list(std::ostream& out, const std::vector<Case>& cases, const std::set<Exercise>& chosen) {
    for (Exercise e : all_exercises()) {
        if (!chosen.count(e)) continue;
        out << name(e) << "  (exercises/" << source_file(e) << ".cpp)\n  checks:";
        for (const std::string& c : check_names(e)) out << ' ' << c;
        out << "\n  cases:";
        int hidden = 0;
        for (const Case& c : cases) {
            if (c.exercise != e) continue;
            if (c.visibility == Visibility::hidden) ++hidden;
            else out << ' ' << c.name;
        }
        if (hidden) out << " (+" << hidden << " hidden)";
        out << "\n";
    }
}

}  // namespace

int run(int argc, const char* const argv[], std::ostream& out, std::ostream& err) {
    Options o;
    const po::options_description options = describe_options(o);
    po::options_description all = options;
    bool timings_wanted = false;  // hidden: phase timings on stderr, for scripts/benchmark (also CELAB_TIMINGS=1)
    all.add_options()("timings", po::bool_switch(&timings_wanted));
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        err << "grade: " << e.what() << "\nRun ./grade --help for the options.\n";
        return exit_usage;
    }
    if (vm.count("help")) {
        out << options << "\nExit status: 0 every check passes, 1 some check fails, 2 usage or case-file error.\n";
        return exit_pass;
    }
    if (timings_wanted) timings::enable();
    struct PrintTimings {
        std::ostream& err;
        ~PrintTimings() { timings::print(err); }
    } print_timings{err};
    o.seed_given = vm.count("seed") > 0;
    if (o.seed_given && o.fresh_seed) {
        err << "grade: give --seed N or --fresh-seed, not both\n";
        return exit_usage;
    }
    if (std::find(std::begin(reports::formats), std::end(reports::formats), o.format) == std::end(reports::formats)) {
        err << "grade: unknown --format '" << o.format << "'; use text, json, junit, gradescope, gcc or html\n";
        return exit_usage;
    }
    if (!(o.timeout > 0.0 && o.timeout <= 3600.0)) {
        err << "grade: --timeout must be between 0 and 3600 seconds, got " << o.timeout << "\n";
        return exit_usage;
    }
    if (!o.library.empty() && !fs::is_regular_file(o.library)) {
        err << "grade: --library '" << o.library << "' is not a file; build it first (or use --submission DIR)\n";
        return exit_usage;
    }
    if (o.poll && !o.watch) {
        err << "grade: --poll only applies to --watch; use ./grade --watch --poll\n";
        return exit_usage;
    }
    if (o.watch && (o.validate || !o.library.empty() || o.list || !o.hint.empty())) {
        err << "grade: --watch grades a folder of exercise files; it does not combine with --validate, --library, --list or --hint\n";
        return exit_usage;
    }
    if (o.watch && o.format != "text" && o.output.empty()) {
        err << "grade: --watch shows its results on the terminal; --format " << o.format
            << " needs --output FILE (rewritten after every grading)\n";
        return exit_usage;
    }
    if (!o.submission.empty() && !o.library.empty()) {
        err << "grade: give --submission or --library, not both\n";
        return exit_usage;
    }
    builder::Config build_config = builder::default_config();
    build_config.runtime_checks = !o.unchecked;
    build_config.single_unit = o.single_unit;
    const fs::path root = build_config.source_root;
    if (root.empty()) {
        err << "grade: cannot find the celab folder (the one holding include/celab/exercises.hpp) above this program; "
               "run it through ./grade, or set CELAB_ROOT to that folder\n";
        return exit_usage;
    }

    std::set<Exercise> chosen;
    for (const std::string& n : o.exercises) {
        const auto e = exercise_from_name(n);
        if (!e) {
            err << "grade: unknown exercise '" << n << "'; the exercises are: " << valid_exercises() << "\n";
            return exit_usage;
        }
        chosen.insert(*e);
    }
    // The course file: its seed, its exercises (when none is named), its points.
    course::Course course = course::built_in();
    try {
        course = course::for_checkout(root, o.course);
    } catch (const course::CourseError& e) {
        err << "grade: course file error: " << e.what() << "\n";
        return exit_usage;
    }
    if (chosen.empty()) chosen.insert(course.exercises.begin(), course.exercises.end());

    if (!o.hint.empty()) {
        const auto e = exercise_from_name(o.hint);
        if (!e) {
            err << "grade: unknown exercise '" << o.hint << "' for --hint; the exercises are: " << valid_exercises() << "\n";
            return exit_usage;
        }
        out << hint_text(root, *e);
        return exit_pass;
    }

    if (!o.seed_given) o.seed = o.fresh_seed ? std::random_device{}() % 1000000 : course.seed;
    if (answers::frozen() && !o.list) {
        // A student release judges with the answers frozen for its own cases and seed (answers.hpp).
        if (o.validate) {
            err << "grade: --validate grades the reference solutions, which this student release does not have; "
                   "validate case files in the instructor's copy\n";
            return exit_usage;
        }
        try {
            const unsigned long long frozen = *answers::frozen_seed();
            if (o.seed != frozen) {
                err << "grade: this student release holds the answers for seed " << frozen << " only (course.json"
                    << (course.seed != frozen ? ", whose seed was changed: set it back" : "")
                    << "); --seed and --fresh-seed need the instructor's copy\n";
                return exit_usage;
            }
        } catch (const std::exception& e) {
            err << "grade: " << e.what() << "\n";
            return exit_usage;
        }
    }
    // The submission folder is compiled (by other processes) while this one loads and generates the cases.
    const bool builds = o.library.empty() && !o.list && !o.watch;
    const fs::path folder = o.validate ? root / "solutions" : o.submission.empty() ? root / "exercises" : fs::path(o.submission);
    std::future<builder::Result> building;
    if (builds) {
        if (!fs::is_directory(folder)) {
            err << "grade: submission folder '" << folder.string()
                << "' does not exist; --submission DIR needs a folder with softmax.cpp, loss.cpp and gradient.cpp\n";
            return exit_usage;
        }
        building = std::async(std::launch::async, [&folder, &build_config] { return builder::build(folder, build_config); });
    }
    std::vector<fs::path> dirs;
    if (!o.no_shipped) dirs.push_back(root / "grader" / "cases");
    for (const std::string& d : o.case_dirs) dirs.emplace_back(d);
    if (dirs.empty()) {
        err << "grade: no case directories: --no-shipped-cases needs at least one --cases DIR\n";
        return exit_usage;
    }
    std::vector<Case> cases;
    const auto loading = std::chrono::steady_clock::now();
    try {
        for (Case& c : cases::load_dirs(dirs, o.seed))
            if (chosen.count(c.exercise)) cases.push_back(std::move(c));
    } catch (const cases::LoadError& e) {
        err << "grade: case file error: " << e.what() << "\n";
        return exit_usage;
    }
    timings::add("parent: load + generate cases",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - loading).count());
    if (o.list) {
        print_list(out, cases, chosen);
        return exit_pass;
    }
    if (o.watch) {
        watch::Settings w;
        w.folder = o.submission.empty() ? root / "exercises" : fs::path(o.submission);
        w.build = build_config;
        w.cases = std::move(cases);
        w.grade.limits.timeout_seconds = o.timeout;
        w.grade.limits.memory_bytes = o.memory_mb * std::size_t(1) << 20;
        w.grade.seed = o.seed;
        w.grade.points = course.points;
        w.grade.scoring = course.scoring;
        w.grade.instructor_view = o.instructor;
        w.grade.submission_label = w.folder.string();
        w.poll = o.poll;
        w.format = o.format;
        w.output = o.output;
        w.root = root;
        w.colour = reports::colour_wanted(STDOUT_FILENO);
        return watch::run(w, out, err, STDIN_FILENO);
    }

    // The library to grade: given, or the one built (above, while the cases loaded) from the three exercise files.
    Report build_report;
    fs::path library = o.library;
    std::string label = o.library;
    if (builds) {
        label = o.validate ? "solutions (reference)" : folder.string();
        const builder::Result built = building.get();
        timings::add("build: compile + link (total)", built.seconds);
        for (const builder::FileBuild& f : built.files) {
            for (Exercise e : all_exercises()) {
                if (f.file != source_file(e) || !chosen.count(e)) continue;
                if (!f.ok) build_report.build_errors.emplace_back(e, f.summary.empty() ? f.diagnostics : f.summary);
                else if (!f.warnings.empty()) build_report.build_warnings.emplace_back(e, f.warnings);
            }
        }
        if (built.library.empty()) {
            for (Exercise e : chosen) build_report.build_errors.emplace_back(e, "linking failed:\n" + built.link_diagnostics);
            library = build_config.cache_dir / "link-failed.so";  // does not exist: every check reports the error
        } else {
            library = built.library;
        }
    }

    GradeSettings settings;
    settings.limits.timeout_seconds = o.timeout;
    settings.limits.memory_bytes = o.memory_mb * std::size_t(1) << 20;
    settings.seed = o.seed;
    settings.points = course.points;
    settings.scoring = course.scoring;
    settings.instructor_view = o.instructor || o.validate;
    settings.submission_label = label;
    const auto grading = std::chrono::steady_clock::now();
    Report report = grade(cases, library, settings);
    timings::add("grade: wall clock (exercises concurrent)",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - grading).count());
    report.build_errors = build_report.build_errors;
    report.build_warnings = build_report.build_warnings;

    if (o.validate) {
        int bad = 0;
        for (const CheckResult& r : report.checks) {
            if (r.status == Status::pass) continue;
            ++bad;
            std::string file;
            for (const Case& c : cases)
                if (c.exercise == r.exercise && c.name == r.case_name) file = c.file;
            err << "grade: case file error: " << file << ": case \"" << r.case_name << "\": the reference fails check \""
                << r.check << "\" (" << name(r.status) << "): " << r.message << "\n";
        }
        if (bad) {
            err << "grade: " << bad << " check(s) fail on the reference solutions: fix the cases (expected values, "
                   "tolerances) above.\n";
            return exit_usage;
        }
        out << "valid: " << cases.size() << " cases; the reference passes all " << report.checks.size()
            << " checks (seed " << o.seed << ")\n";
        return exit_pass;
    }

    reports::TextOptions text;
    text.verbose = o.verbose;
    text.colour = o.output.empty() && o.format == "text" && reports::colour_wanted(STDOUT_FILENO);
    const auto rendering = std::chrono::steady_clock::now();
    const std::string rendered = reports::render(report, o.format, text);
    timings::add("parent: render report", std::chrono::duration<double>(std::chrono::steady_clock::now() - rendering).count());
    if (o.output.empty()) {
        out << rendered << std::flush;
    } else {
        try {
            reports::write_atomically(o.output, rendered);
        } catch (const std::exception& e) {
            err << "grade: " << e.what() << "\n";
            return exit_usage;
        }
    }
    return report.all_passed() ? exit_pass : exit_fail;
}

}  // namespace celab::grader::cli
