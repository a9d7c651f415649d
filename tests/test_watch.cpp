// ./grade --watch driven in a terminal multiplexer, as a student uses it: tmux runs the grader in a
// detached session, the test saves exercise files and presses keys (send-keys) and reads the screen
// (capture-pane). Skipped, saying so, when tmux is not installed (.ci/run installs it).
#define BOOST_TEST_MODULE watch
#include <boost/test/unit_test.hpp>

#include "cli.hpp"
#include "student_loop_support.hpp"

#include <dirent.h>

#include <chrono>
#include <thread>

namespace fs = std::filesystem;
using namespace student_loop;

namespace {

const fs::path source_dir = CELAB_SOURCE_DIR;
const std::string grade_program = CELAB_GRADE_PROGRAM;
constexpr double patience = 120.0;  // seconds to wait for a screen (a cold compiler cache on a busy machine)

boost::test_tools::assertion_result have_tmux(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result result(!which("tmux").empty());
    if (!result) result.message() << "SKIPPED: tmux is not installed (apt-get install tmux; .ci/run installs it)";
    return result;
}

// One detached tmux server of our own (-L: its own socket), killed at the end.
class Tmux {
public:
    explicit Tmux(const std::string& name) : socket_("celab-test-" + name + "-" + std::to_string(::getpid())),
                                             scratch_(student_loop::scratch("watch", "tmux-" + name)) {}
    ~Tmux() { tmux({"kill-server"}); }
    Tmux(const Tmux&) = delete;
    Tmux& operator=(const Tmux&) = delete;

    Ran tmux(std::vector<std::string> args) {
        args.insert(args.begin(), {"tmux", "-L", socket_, "-f", "/dev/null"});
        return run(args, 30, scratch_);
    }
    // Starts `command` (no shell) in a 120 x 60 pane that stays after it exits.
    void start(const std::vector<std::string>& command) {
        std::vector<std::string> args = {"new-session", "-d", "-x", "120", "-y", "60", "-s", "w", "--"};
        args.insert(args.end(), command.begin(), command.end());
        const Ran r = tmux(args);
        BOOST_TEST_REQUIRE(r.status == 0, "tmux new-session failed: " << r.err);
        tmux({"set-option", "-t", "w", "remain-on-exit", "on"});
        pid_ = std::stoi(tmux({"display-message", "-p", "-t", "w", "#{pane_pid}"}).out);
    }
    std::string screen() { return tmux({"capture-pane", "-p", "-t", "w"}).out; }
    void keys(const std::string& keys) { tmux({"send-keys", "-t", "w", keys}); }
    // Waits until the screen holds every one of `texts`; returns that screen ("" after `patience`).
    std::string wait_for(const std::vector<std::string>& texts) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(patience);
        std::string last;
        while (std::chrono::steady_clock::now() < deadline) {
            last = screen();
            bool all = true;
            for (const std::string& t : texts) all = all && last.find(t) != std::string::npos;
            if (all) return last;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        BOOST_TEST_MESSAGE("last screen:\n" << last);
        return "";
    }
    int pid() const { return pid_; }

private:
    std::string socket_;
    fs::path scratch_;
    int pid_ = -1;
};

bool alive(int pid) {
    const fs::path status = fs::path("/proc") / std::to_string(pid) / "stat";
    const std::string text = slurp(status);
    if (text.empty()) return false;
    const auto close = text.rfind(')');
    return close != std::string::npos && text.size() > close + 2 && text[close + 2] != 'Z';
}

// Processes whose command line mentions `text` (our submission folder), other than zombies and the
// tmux server (which keeps the command line of the client that started it), as "PID: COMMAND LINE".
std::vector<std::string> processes_mentioning(const std::string& text) {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string cmdline = slurp(entry.path() / "cmdline");
        for (char& c : cmdline)
            if (c == '\0') c = ' ';
        if (cmdline.rfind("tmux ", 0) == 0) continue;
        if (cmdline.find(text) != std::string::npos && alive(std::stoi(name))) found.push_back(name + ": " + cmdline);
    }
    return found;
}

std::string solution(const std::string& file) { return slurp(source_dir / "solutions" / file); }

const std::string unnormalised_softmax_from = "    return e / e.sum();";
const std::string unnormalised_softmax_to = "    return e;  // forgot to divide by the sum";

struct RemoveScratch {
    ~RemoveScratch() { remove_scratch("watch"); }
};
BOOST_TEST_GLOBAL_FIXTURE(RemoveScratch);

}  // namespace

BOOST_AUTO_TEST_CASE(watch_usage_errors_exit_2_and_say_how_to_fix_them) {
    struct Expect {
        std::vector<std::string> args;
        std::string message;
    };
    const fs::path missing = scratch("watch", "usage") / "no-such-folder";
    for (const Expect& e : std::vector<Expect>{
             {{"--poll"}, "--poll only applies to --watch; use ./grade --watch --poll"},
             {{"--watch", "--format", "json"}, "--format json needs --output FILE"},
             {{"--watch", "--list"}, "does not combine with --validate, --library, --list or --hint"},
             {{"--watch", "--validate"}, "does not combine with"},
             {{"--watch", "--submission", missing.string()}, "does not exist"},
             {{"--format", "pdf"}, "use text, json, junit, gradescope, gcc or html"},
         }) {
        std::vector<std::string> args = e.args;
        args.insert(args.begin(), "celab-grade");
        std::vector<const char*> argv;
        for (const std::string& a : args) argv.push_back(a.c_str());
        std::ostringstream out, err;
        const int status = celab::grader::cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
        BOOST_TEST(status == 2, args.back());
        BOOST_TEST(err.str().find(e.message) != std::string::npos, err.str());
    }
}

BOOST_AUTO_TEST_CASE(saves_are_graded_keys_work_and_ctrl_c_leaves_nothing_behind, *boost::unit_test::precondition(have_tmux)) {
    const fs::path dir = reference_submission(source_dir, scratch("watch", "inotify-submission"));
    const fs::path report = dir / "report.html";
    Tmux tmux("inotify");
    tmux.start({grade_program, "--watch", "--submission", dir.string(), "--exercise", "softmax", "--seed", "3",
                "--timeout", "2", "--format", "html", "--output", report.string()});
    BOOST_TEST_REQUIRE(!tmux.wait_for({"(inotify)", "1/1 exercises complete", "All 1 exercises complete"}).empty());
    BOOST_TEST(fs::exists(report));

    // A wrong file: its verdict, the first failure, and only that file recompiled.
    write_file(dir / "softmax.cpp", replaced(solution("softmax.cpp"), unnormalised_softmax_from, unnormalised_softmax_to));
    std::string s = tmux.wait_for({"0/1 exercises complete", "✗ softmax", "sums_to_one", "the entries sum to"});
    BOOST_TEST_REQUIRE(!s.empty(), "the wrong softmax was not graded");
    BOOST_TEST(s.find("compiled softmax.cpp; unchanged loss.cpp gradient.cpp") != std::string::npos, s);
    BOOST_TEST(s.find("h hint for softmax") != std::string::npos);
    BOOST_TEST(slurp(report).find("sums_to_one") != std::string::npos, "the HTML report is rewritten");

    // Keys: the hint page, back, all results.
    tmux.keys("h");
    BOOST_TEST(!tmux.wait_for({"## softmax", "any key: back"}).empty());
    tmux.keys("x");
    BOOST_TEST(!tmux.wait_for({"h hint for softmax"}).empty());
    tmux.keys("a");
    BOOST_TEST(!tmux.wait_for({"Exercises complete: 0/1", "Score:"}).empty());
    tmux.keys("x");

    // Code that does not compile, then code that crashes: still watching.
    write_file(dir / "softmax.cpp", solution("softmax.cpp") + "\nthis is not C++\n");
    BOOST_TEST(!tmux.wait_for({"does not compile", "this is not C++"}).empty());
    write_file(dir / "softmax.cpp",
               replaced(solution("softmax.cpp"), unnormalised_softmax_from, "    std::abort();  // a crash\n" + unnormalised_softmax_from));
    BOOST_TEST(!tmux.wait_for({"crashed", "SIGABRT"}).empty());

    // The right file: complete again.
    write_file(dir / "softmax.cpp", solution("softmax.cpp"));
    BOOST_TEST(!tmux.wait_for({"1/1 exercises complete", "All 1 exercises complete"}).empty());

    // Ctrl-C while an infinite loop is being graded: the grader stops after that exercise (its time
    // limit, --timeout 2) and no process of ours is left.
    write_file(dir / "softmax.cpp",
               replaced(solution("softmax.cpp"), unnormalised_softmax_from, "    for (volatile int i = 0;; ) (void)i;\n" + unnormalised_softmax_from));
    BOOST_TEST_REQUIRE(!tmux.wait_for({"saved: grading again"}).empty());
    std::this_thread::sleep_for(std::chrono::seconds(3));  // compiled by now, and looping in the sandbox
    BOOST_TEST_REQUIRE(alive(tmux.pid()));
    tmux.keys("C-c");
    BOOST_TEST(!tmux.wait_for({"celab --watch: stopped."}).empty());
    for (int i = 0; i < 100 && alive(tmux.pid()); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    BOOST_TEST(!alive(tmux.pid()), "celab-grade still runs after Ctrl-C");
    const std::vector<std::string> left = processes_mentioning(dir.string());
    BOOST_TEST(left.empty(), "processes left behind after Ctrl-C: " << (left.empty() ? "" : left.front()));
}

BOOST_AUTO_TEST_CASE(poll_notices_saves_without_inotify, *boost::unit_test::precondition(have_tmux)) {
    const fs::path dir = reference_submission(source_dir, scratch("watch", "poll-submission"));
    Tmux tmux("poll");
    tmux.start({grade_program, "--watch", "--poll", "--submission", dir.string(), "--exercise", "softmax", "--seed", "3"});
    BOOST_TEST_REQUIRE(!tmux.wait_for({"(polling every 0.5 s (--poll))", "1/1 exercises complete"}).empty());
    write_file(dir / "softmax.cpp", replaced(solution("softmax.cpp"), unnormalised_softmax_from, unnormalised_softmax_to));
    BOOST_TEST(!tmux.wait_for({"0/1 exercises complete", "✗ softmax", "sums_to_one"}).empty());
    write_file(dir / "softmax.cpp", solution("softmax.cpp"));
    BOOST_TEST(!tmux.wait_for({"1/1 exercises complete"}).empty());
    tmux.keys("q");
    BOOST_TEST(!tmux.wait_for({"celab --watch: stopped."}).empty());
    for (int i = 0; i < 100 && alive(tmux.pid()); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    BOOST_TEST(!alive(tmux.pid()), "q does not end celab-grade");
}
