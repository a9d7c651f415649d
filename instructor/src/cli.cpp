#include "cli.hpp"

#include "batch.hpp"
#include "builder.hpp"
#include "case_file.hpp"
#include "class_summary.hpp"
#include "course_file.hpp"
#include "gradebook.hpp"
#if CELAB_COURSE_GRADESCOPE
#include "gradescope_command.hpp"
#include "release/release_command.hpp"
#endif
#include "reports.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <ostream>
#include <thread>

namespace celab::course::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr int exit_ok = 0, exit_usage = 2;

constexpr const char* commands_help =
    "Usage: ./course COMMAND [options]\n\n"
    "The instructor's commands.\n\n"
    "Commands:\n"
    "  grade SUBMISSIONS --out DIR   grade every student folder of SUBMISSIONS; writes DIR/grades.csv,\n"
    "                                DIR/summary.txt, DIR/summary.html and DIR/students/NAME/report.{txt,json}\n"
    "  gradescope OUT.zip            write the Gradescope autograder (setup.sh, run_autograder, this course\n"
    "                                with your --cases DIR); docs/gradescope-and-classroom.md\n"
    "  release OUT                   write the student release: a repository without the answers that\n"
    "                                grades offline with answers frozen from the reference; docs/instructors.md\n\n"
    "./course COMMAND --help shows the options of a command. Documentation: docs/class-grading.md\n";

struct GradeOptions {
    std::string submissions, out, course;
    std::vector<std::string> case_dirs;
    bool no_shipped = false, force = false, timings = false;
    unsigned jobs = 0;
    unsigned long long seed = 0;
    double timeout = grader::sandbox::default_timeout_seconds, wall_timeout = 0.0;
    std::size_t memory_mb = 2048;
};

int grade_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, bool terminal) {
    GradeOptions o;
    po::options_description visible(
        "Usage: ./course grade SUBMISSIONS --out DIR [options]\n\n"
        "Grades every subfolder of SUBMISSIONS (one per student, with softmax.cpp, loss.cpp and gradient.cpp)\n"
        "and writes DIR/grades.csv, DIR/summary.txt, DIR/summary.html and DIR/students/NAME/report.{txt,json}.\n"
        "Students whose files, cases, grader and settings did not change since the last run into DIR are\n"
        "not graded again (see --force).\n\nOptions");
    // clang-format off
    visible.add_options()
        ("help,h", "show this help and exit")
        ("out,o", po::value(&o.out)->value_name("DIR"), "write the gradebook, summaries and reports here (created when needed; required)")
        ("cases,c", po::value(&o.case_dirs)->value_name("DIR"), "also load the case files (*.json) in DIR (repeatable), e.g. your hidden cases")
        ("no-shipped-cases", po::bool_switch(&o.no_shipped), "do not load grader/cases/ (only the --cases folders)")
        ("jobs,j", po::value(&o.jobs)->value_name("N"), "students graded at once (default: the number of cores)")
        ("seed", po::value(&o.seed)->value_name("N"), "seed of the generated cases, the same for every student (default: the course file's)")
        ("course", po::value(&o.course)->value_name("FILE"), "the course file: seed, exercises of the assignment, points (default: course.json of the celab folder)")
        ("timeout", po::value(&o.timeout)->value_name("S"), ("CPU time limit in seconds for each exercise of a student (default " + grader::sandbox::default_timeout_text() + ")").c_str())
        ("wall-timeout", po::value(&o.wall_timeout)->value_name("S"), "wall-clock backstop in seconds for each exercise, for code that waits instead of computing (default 4 x --timeout + 5); raise it when the machine is so loaded that a looping student cannot use up --timeout of CPU time within it")
        ("memory", po::value(&o.memory_mb)->value_name("MB"), "memory limit of the student code in MiB (default 2048)")
        ("force", po::bool_switch(&o.force), "grade every student again, even when nothing changed");
    // clang-format on
    po::options_description all = visible;
    all.add_options()("submissions", po::value(&o.submissions))("timings", po::bool_switch(&o.timings));
    po::positional_options_description positional;
    positional.add("submissions", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        err << "course grade: " << e.what() << "\nRun ./course grade --help for the options.\n";
        return exit_usage;
    }
    if (vm.count("help")) {
        out << visible
            << "\nExit status: 0 the class was graded (whatever the students' results), 2 bad usage, an unreadable\n"
               "SUBMISSIONS folder, bad case files or an output folder that cannot be written.\n";
        return exit_ok;
    }
    if (o.submissions.empty()) {
        err << "course grade: no SUBMISSIONS folder; use ./course grade SUBMISSIONS --out DIR\n";
        return exit_usage;
    }
    if (o.out.empty()) {
        err << "course grade: --out DIR is required (where grades.csv, the summaries and the reports go); e.g. "
               "./course grade " << o.submissions << " --out grading\n";
        return exit_usage;
    }
    if (vm.count("jobs") && (o.jobs < 1 || o.jobs > 256)) {
        err << "course grade: --jobs must be between 1 and 256, got " << o.jobs << "\n";
        return exit_usage;
    }
    if (o.jobs == 0) o.jobs = std::max(1u, std::thread::hardware_concurrency());
    if (!(o.timeout > 0.0 && o.timeout <= 3600.0)) {
        err << "course grade: --timeout must be between 0 and 3600 seconds, got " << o.timeout << "\n";
        return exit_usage;
    }
    if (vm.count("wall-timeout") && !(o.wall_timeout >= o.timeout && o.wall_timeout <= 36000.0)) {
        err << "course grade: --wall-timeout must be between --timeout (" << o.timeout << ") and 36000 seconds, got "
            << o.wall_timeout << "\n";
        return exit_usage;
    }
    if (o.memory_mb < 16) {
        err << "course grade: --memory must be at least 16 MiB, got " << o.memory_mb << "\n";
        return exit_usage;
    }

    {
        std::error_code ec1, ec2;
        if (fs::weakly_canonical(o.out, ec1) == fs::weakly_canonical(o.submissions, ec2) && !ec1 && !ec2) {
            err << "course grade: --out '" << o.out << "' is the SUBMISSIONS folder itself; write the results elsewhere, "
                   "e.g. --out grading\n";
            return exit_usage;
        }
    }
    BatchSettings settings;
    settings.submissions = o.submissions;
    settings.out = o.out;
    settings.jobs = o.jobs;
    settings.seed = o.seed;
    settings.timeout = o.timeout;
    settings.wall_timeout = o.wall_timeout;
    settings.memory_mb = o.memory_mb;
    settings.force = o.force;
    settings.terminal = terminal;
    const fs::path root = grader::builder::default_config().source_root;
    if (root.empty()) {
        err << "course grade: cannot find the celab folder (the one holding include/celab/exercises.hpp) above this "
               "program; run it through ./course, or set CELAB_ROOT to that folder\n";
        return exit_usage;
    }
    // The course file, as ./grade reads it: its seed (unless --seed), its exercises, its points.
    grader::course::Course course = grader::course::built_in();
    try {
        course = grader::course::for_checkout(root, o.course);
    } catch (const grader::course::CourseError& e) {
        err << "course grade: course file error: " << e.what() << "\n";
        return exit_usage;
    }
    if (!vm.count("seed")) o.seed = course.seed;
    settings.seed = o.seed;
    settings.points = course.points;
    settings.scoring = course.scoring;
    if (!o.no_shipped) settings.case_dirs.push_back(root / "grader" / "cases");
    for (const std::string& d : o.case_dirs) settings.case_dirs.emplace_back(d);
    if (settings.case_dirs.empty()) {
        err << "course grade: no case folders: --no-shipped-cases needs at least one --cases DIR\n";
        return exit_usage;
    }
    std::vector<grader::Case> cases;
    try {
        for (grader::Case& c : grader::cases::load_dirs(settings.case_dirs, o.seed))
            if (std::find(course.exercises.begin(), course.exercises.end(), c.exercise) != course.exercises.end())
                cases.push_back(std::move(c));
    } catch (const grader::cases::LoadError& e) {
        err << "course grade: case file error: " << e.what()
            << "\n(check the files with ./grade --validate --cases DIR)\n";
        return exit_usage;
    }
    if (cases.empty()) {
        err << "course grade: the case folders hold no cases; add cases or drop --no-shipped-cases\n";
        return exit_usage;
    }

    BatchResult batch;
    try {
        batch = run_batch(settings, cases, err);
    } catch (const IntakeError& e) {
        err << "course grade: SUBMISSIONS " << e.what() << "\n";
        return exit_usage;
    } catch (const std::exception& e) {
        err << "course grade: " << e.what() << "\n";
        return exit_usage;
    }
    const ClassSummary summary = summarise(batch);
    try {
        grader::reports::write_atomically(settings.out / "grades.csv", gradebook_csv(batch));
        grader::reports::write_atomically(settings.out / "summary.txt", summary_text(batch, summary));
        grader::reports::write_atomically(settings.out / "summary.html", summary_html(batch, summary));
    } catch (const std::exception& e) {
        err << "course grade: " << e.what() << "\n";
        return exit_usage;
    }
    int reused = 0;
    double compile_cpu = 0.0, grade_cpu = 0.0;
    for (const StudentResult& s : batch.students) {
        reused += s.reused;
        compile_cpu += s.compile_cpu;
        grade_cpu += s.grade_cpu;
    }
    err << "graded " << batch.students.size() - static_cast<std::size_t>(reused) << " of " << batch.students.size()
        << " students (" << reused << " unchanged since the last run) in " << duration_text(batch.wall_seconds)
        << "; wrote " << (settings.out / "grades.csv").string() << ", summary.txt, summary.html and students/\n";
    if (o.timings) {
        // For scripts/benchmark-class. The split is exact whatever --jobs: each student is graded in a
        // process of its own, which counts its own compilers' and sandbox children's CPU time.
        err << "timings: students " << batch.students.size() << " reused " << reused << " jobs " << o.jobs << " wall "
            << batch.wall_seconds << " cpu " << batch.cpu_seconds << " compile_cpu " << compile_cpu << " grade_cpu "
            << grade_cpu << "\n";
    }
    return exit_ok;
}

}  // namespace

int run(int argc, const char* const argv[], std::ostream& out, std::ostream& err, bool terminal) {
    const std::string command = argc > 1 ? argv[1] : "";
    std::vector<std::string> args;
    for (int i = 2; i < argc; ++i) args.emplace_back(argv[i]);
    if (command == "grade") return grade_command(args, out, err, terminal);
    if (command == "release") return release_command(args, out, err);
    if (command == "gradescope") {
#if CELAB_COURSE_GRADESCOPE
        return gradescope_command(args, out, err);
#else
        err << "course gradescope: this build has no libzip, which writes the zip; install it (Debian: sudo apt-get "
               "install libzip-dev pkg-config; ./course does so when it can) and run the command again\n";
        return exit_usage;
#endif
    }
    if (command == "--help" || command == "-h" || command == "help") {
        out << commands_help;
        return exit_ok;
    }
    if (command.empty()) err << "course: no command given.\n\n" << commands_help;
    else err << "course: unknown command '" << command << "'.\n\n" << commands_help;
    return exit_usage;
}

}  // namespace celab::course::cli
