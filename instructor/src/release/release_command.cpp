#include "release_command.hpp"

#include "case_file.hpp"
#include "course_file.hpp"
#include "freeze.hpp"
#include "locations.hpp"
#include "manifest.hpp"

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace celab::course::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int exit_ok = 0, exit_usage = 2, exit_failed = 1;

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// The first line `command` prints, or "" when it fails.
std::string first_line(const std::string& command) {
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe) return "";
    char buffer[256];
    std::string line = std::fgets(buffer, sizeof buffer, pipe.get()) != nullptr ? buffer : "";
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    return line;
}

std::uintmax_t tree_size(const fs::path& dir) {
    std::uintmax_t total = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file() && e.path().string().find("/.git/") == std::string::npos) total += e.file_size();
    return total;
}

std::string megabytes(std::uintmax_t bytes) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << static_cast<double>(bytes) / 1e6 << " MB";
    return s.str();
}

}  // namespace

int release_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    std::string target, course_file;
    po::options_description visible(
        "Usage: ./course release OUT [--course FILE]\n\n"
        "Writes the student release into the new folder OUT: a git repository with the stubs, the grader, the\n"
        "student docs, the visible cases and the answers the grader needs, frozen from the reference with the\n"
        "course's seed; no solution, mutant, hidden case or instructor note. instructor/release/manifest.json\n"
        "lists what students get. Students clone it and run ./grade and ./test.\n\nOptions");
    visible.add_options()("help,h", "show this help and exit")(
        "course", po::value(&course_file)->value_name("FILE"),
        "the course file (seed, exercises, points) the release is made for (default: course.json)");
    po::options_description all;
    all.add(visible).add_options()("out", po::value(&target));
    po::positional_options_description positional;
    positional.add("out", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        err << "course release: " << e.what() << "\n\n" << visible;
        return exit_usage;
    }
    if (vm.count("help")) {
        out << visible;
        return exit_ok;
    }
    if (target.empty()) {
        err << "course release: give the folder to write the release into, e.g. ./course release ../celab-student\n";
        return exit_usage;
    }
    const fs::path root = grader::locations::source_root();
    if (root.empty() || !fs::exists(root / "solutions")) {
        err << "course release: run it from the instructor's copy of celab (with solutions/); this is "
            << (root.empty() ? "no celab checkout" : "a student release") << "\n";
        return exit_usage;
    }
    fs::path to = fs::absolute(target).lexically_normal();
    if (to.filename().empty()) to = to.parent_path();  // OUT/
    std::error_code ec;
    if (fs::exists(to) && !(fs::is_directory(to) && fs::is_empty(to, ec))) {
        err << "course release: " << to.string() << " exists and is not an empty folder; choose a new folder\n";
        return exit_usage;
    }
    const fs::path canonical_root = fs::weakly_canonical(root), canonical_to = fs::weakly_canonical(to);
    if (canonical_to.string().rfind(canonical_root.string() + "/", 0) == 0) {
        err << "course release: " << to.string() << " is inside the checkout; write the release outside it\n";
        return exit_usage;
    }

    grader::course::Course course;
    release::Manifest manifest;
    std::vector<std::string> files;
    std::vector<grader::Case> cases;
    try {
        course = grader::course::for_checkout(root, course_file);
        manifest = release::load(root / "instructor" / "release" / "manifest.json");
        files = release::student_files(manifest, release::checkout_files(root));
        for (grader::Case& c : grader::cases::load_dirs({root / "grader" / "cases"}, course.seed)) {
            const bool wanted =
                course.exercises.empty() ||
                std::find(course.exercises.begin(), course.exercises.end(), c.exercise) != course.exercises.end();
            if (wanted && c.visibility == grader::Visibility::visible) cases.push_back(std::move(c));
        }
    } catch (const std::exception& e) {
        err << "course release: " << e.what() << "\n";
        return exit_usage;
    }

    const std::string commit = first_line("git -C " + shell_quote(root.string()) + " rev-parse --short HEAD 2>/dev/null");
    const std::string made_from = "celab " + (commit.empty() ? std::string("(not a git checkout)") : commit);
    // Written into a staging folder beside OUT and renamed at the end: a failure leaves no half release.
    const fs::path final_to = to;
    const fs::path staging = to.parent_path() / ("." + to.filename().string() + ".celab-release-partial");
    try {
        fs::remove_all(staging);
        fs::create_directories(staging);
    } catch (const std::exception& e) {
        err << "course release: cannot write beside " << final_to.string() << ": " << e.what() << "\n";
        return exit_usage;
    }
    try {
        for (const std::string& f : files) {
            fs::create_directories((staging / f).parent_path());
            fs::copy_file(root / f, staging / f, fs::copy_options::overwrite_existing);
        }
        for (const auto& [in_release, from] : manifest.replaced) {
            if (!fs::is_regular_file(root / from))
                throw std::runtime_error(manifest.file.string() + ": field \"replaced." + in_release + "\": " + from +
                                         " does not exist; fix the path");
            fs::create_directories((staging / in_release).parent_path());
            fs::copy_file(root / from, staging / in_release, fs::copy_options::overwrite_existing);
        }
        // The course file: the instructor's (its seed is the one the answers are frozen with).
        if (!course.file.empty()) fs::copy_file(course.file, staging / "course.json", fs::copy_options::overwrite_existing);
        else std::ofstream(staging / "course.json") << json{{"seed", course.seed}}.dump(2) << "\n";

        err << "course release: freezing the answers of " << cases.size() << " cases (seed " << course.seed << ")...\n";
        const grader::answers::Book book = release::freeze(cases, course.seed, made_from);
        fs::create_directories((staging / grader::answers::book_path).parent_path());
        book.write(staging / grader::answers::book_path);

        json exercises = json::array();
        for (grader::Exercise e : course.exercises.empty() ? grader::all_exercises() : course.exercises)
            exercises.push_back(grader::name(e));
        json listed = files;
        for (const auto& [in_release, from] : manifest.replaced) listed.push_back(in_release);
        listed.push_back("course.json");
        listed.push_back(grader::answers::book_path);
        const json about = {{"made_from", made_from},
                            {"seed", course.seed},
                            {"exercises", exercises},
                            {"cases", cases.size()},
                            {"answers", book.entries.size()},
                            {"files", listed}};
        std::ofstream(staging / "release.json") << about.dump(2) << "\n";
        std::error_code ec;
        if (fs::exists(final_to)) fs::remove(final_to);  // checked above: an empty folder
        fs::rename(staging, final_to);
    } catch (const std::exception& e) {
        err << "course release: " << e.what() << " (nothing was written to " << final_to.string() << ")\n";
        std::error_code ec;
        fs::remove_all(staging, ec);
        return exit_failed;
    }

    const std::string q = shell_quote(to.string());
    const int git = std::system(("git -C " + q + " init -q 2>/dev/null && git -C " + q + " add -A && git -C " + q +
                                 " -c user.name=celab -c user.email=celab@localhost commit -q -m " +
                                 shell_quote("The exercises, from " + made_from) + " >/dev/null 2>&1")
                                    .c_str());
    const std::uintmax_t size = tree_size(to), book_size = fs::file_size(to / grader::answers::book_path);
    out << "wrote the student release " << to.string() << ": " << files.size() + manifest.replaced.size() + 3
        << " files, " << megabytes(size) << " (answer book " << megabytes(book_size) << ")"
        << (git == 0 ? ", a git repository with one commit" : " (git failed: not a repository; run git init there)")
        << "\nstudents: git clone it, then ./grade and ./test\n";
    return exit_ok;
}

}  // namespace celab::course::cli
