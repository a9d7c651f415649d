// Student code reads nothing of the course (docs/sandbox.md): the sandbox child reads only the system's
// libraries and what it is given, sees none of the grader's environment and none of the parent's
// memory, holds no hidden input in a process that runs visible cases, and nothing a hidden case's process
// says (printed text, exception messages, exit status) reaches the report beyond its rows' verdicts.
#define BOOST_TEST_MODULE confinement
#include <boost/test/unit_test.hpp>

#include "support/grade_cli.hpp"

#include "cli.hpp"
#include "isolation.hpp"
#include "sandbox.hpp"
#include "submission_loader.hpp"

#include <nlohmann/json.hpp>

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <thread>
#include <vector>

#ifndef CELAB_TEST_LINUX_CONFINEMENT
#define CELAB_TEST_LINUX_CONFINEMENT 1
#endif
#include "sanitizer.hpp"

namespace fs = std::filesystem;
namespace sb = celab::grader::sandbox;

namespace {

// Landlock confines reads on this machine (the Linux build on a kernel that has it); elsewhere reading
// the course stays possible and the tests say so instead of failing.
bool reads_confined() { return CELAB_TEST_LINUX_CONFINEMENT && sb::isolation_support().landlock_abi >= 1; }

constexpr const char* secret_token = "tok-CELAB-CI-SECRET-5f3a9c";
constexpr const char* hidden_file_marker = "HIDDEN-CASE-FILE-MARKER-71c2";
constexpr const char* other_student_marker = "OTHER-STUDENT-SECRET-9d04";

const fs::path scratch = CELAB_CONFINE_SCRATCH_DIR;

std::size_t count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

// The course as read_secrets.cpp expects it: a folder of hidden cases, another student's folder, and a
// secret in the grader's environment.
struct Course {
    Course() {
        fs::remove_all(scratch);
        fs::create_directories(scratch / "hidden-cases");
        fs::create_directories(scratch / "other-student");
        std::ofstream(scratch / "hidden-cases" / "softmax.json")
            << R"({"exercise": "softmax", "description": ")" << hidden_file_marker << R"(",
  "defaults": {"visibility": "hidden", "points": 1},
  "cases": [{"name": "secret_one", "logits": [1, 2, 123.456789]},
            {"name": "secret_two", "logits": [3, 4, 765.4321]}]})";
        std::ofstream(scratch / "other-student" / "softmax.cpp") << "// " << other_student_marker << "\n";
        ::setenv("CELAB_CONFINE_SECRET_TOKEN", secret_token, 1);
    }
    ~Course() { ::unsetenv("CELAB_CONFINE_SECRET_TOKEN"); }
    Course(const Course&) = delete;
    Course& operator=(const Course&) = delete;
};

using Run = celab::test::GradeRun;

Run grade(std::vector<std::string> args) { return celab::test::grade_cli(std::move(args)); }

std::string describe(const sb::Outcome& o) {
    return std::string("end=") + sb::name(o.end) + " exit_code=" + std::to_string(o.exit_code) + " error='" + o.error +
           "' output='" + o.output.substr(0, 500) + "'";
}

// In an isolated child: "read: TEXT" or "denied: ERROR" for each path, one message each.
sb::Outcome try_reading(const std::vector<std::string>& paths, const sb::Limits& limits) {
    return sb::run(
        [&](sb::Channel& channel) {
            for (const std::string& path : paths) {
                const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                    channel.send(std::string("denied: ") + std::strerror(errno));
                    continue;
                }
                char buffer[4096];
                const ssize_t n = ::read(fd, buffer, sizeof buffer);
                ::close(fd);
                channel.send(n < 0 ? std::string("denied: ") + std::strerror(errno)
                                   : "read: " + std::string(buffer, static_cast<std::size_t>(n)));
            }
        },
        limits);
}

}  // namespace

// ---- the sandbox on its own -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_child_reads_only_the_system_libraries_and_what_it_is_given) {
    const Course course;
    const std::string hidden = (scratch / "hidden-cases" / "softmax.json").string();
    const std::string other = (scratch / "other-student" / "softmax.cpp").string();
    const std::string solution = std::string(CELAB_SOURCE_DIR) + "/solutions/gradient.cpp";
    sb::Limits limits;
    limits.readable = {other};  // one file: that file only, not its folder
    const sb::Outcome o = try_reading({hidden, solution, other, "/etc/passwd", "/usr/lib/os-release"}, limits);
    BOOST_TEST_INFO(describe(o));
    BOOST_REQUIRE_EQUAL(o.messages.size(), 5u);
    BOOST_TEST(o.messages[2] == std::string("read: // ") + other_student_marker + "\n");  // given: readable
    if (!reads_confined()) {
        BOOST_TEST_MESSAGE("no Landlock here (portable build or old kernel): the child can read the course");
        return;
    }
    const std::string denied = std::string("denied: ") + std::strerror(EACCES);
    BOOST_TEST(o.messages[0] == denied);  // a hidden case file
    BOOST_TEST(o.messages[1] == denied);  // a reference source
    BOOST_TEST(o.messages[3] == denied);  // outside the system's library folders
    if (fs::exists("/usr/lib/os-release")) BOOST_TEST(o.messages[4].rfind("read: ", 0) == 0u);  // inside them

    // Without isolation (a debugging setting), everything is readable.
    limits.isolate = false;
    const sb::Outcome open = try_reading({hidden}, limits);
    BOOST_REQUIRE_EQUAL(open.messages.size(), 1u);
    BOOST_TEST(open.messages[0].find(hidden_file_marker) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_child_sees_only_the_environment_it_is_given) {
    const Course course;  // the secret is in this process's environment
    sb::Limits limits;
    limits.environment = {"ONLY=this"};
    const sb::Outcome o = sb::run(
        [](sb::Channel& channel) {
            extern char** environ;
            std::string all;
            for (char** entry = environ; *entry != nullptr; ++entry) all += std::string(*entry) + ";";
            channel.send(all);
            const char* secret = std::getenv("CELAB_CONFINE_SECRET_TOKEN");
            channel.send(secret == nullptr ? "unset" : secret);
            std::ifstream block("/proc/self/environ", std::ios::binary);  // the original block, zeroed
            std::ostringstream text;
            text << block.rdbuf();
            channel.send(text.str());
        },
        limits);
    BOOST_TEST_INFO(describe(o));
    BOOST_REQUIRE_EQUAL(o.messages.size(), 3u);
    BOOST_TEST(o.messages[0] == "ONLY=this;");
    BOOST_TEST(o.messages[1] == "unset");
    BOOST_TEST(o.messages[2].find(secret_token) == std::string::npos);
    BOOST_TEST(o.messages[2].find("PATH=") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_parent_process_is_out_of_reach) {
    if (!reads_confined()) {
        BOOST_TEST_MESSAGE("skipped: no Landlock here");
        return;
    }
    const std::string parent = "/proc/" + std::to_string(::getpid());
    const sb::Outcome o = try_reading({parent + "/environ", parent + "/mem", parent + "/maps", "/proc/self/status"}, sb::Limits{});
    BOOST_TEST_INFO(describe(o));
    BOOST_REQUIRE_EQUAL(o.messages.size(), 4u);
    for (std::size_t i = 0; i < 3; ++i) BOOST_TEST(o.messages[i].rfind("denied: ", 0) == 0u, o.messages[i]);
    BOOST_TEST(o.messages[3].find("NoNewPrivs:\t1") != std::string::npos);  // its own /proc entry stays readable
}

BOOST_AUTO_TEST_CASE(what_well_behaved_code_asks_for_still_works) {
    // The number of cores (thread pools), the dynamic loader finding a system library not loaded yet,
    // std::random_device, and the submission library given as readable.
    sb::Limits limits;
    limits.readable = {CELAB_SOLUTIONS_MODULE};
    const sb::Outcome o = sb::run(
        [](sb::Channel& channel) {
            channel.send(std::to_string(std::thread::hardware_concurrency()));
            void* library = ::dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
            channel.send(library != nullptr || !fs::exists("/usr/lib/x86_64-linux-gnu/libz.so.1") ? "dlopen ok" : ::dlerror());
            std::random_device random;
            channel.send(std::to_string(random() != random() || random() != random()));
            const celab::abi::SubmissionTable& table = celab::grader::load_submission(CELAB_SOLUTIONS_MODULE);
            Eigen::VectorXd z(3);
            z << 1.0, 2.0, 3.0;
            channel.send(std::to_string(table.softmax(z).sum()));
        },
        limits);
    BOOST_TEST_INFO(describe(o));
    BOOST_REQUIRE_EQUAL(o.messages.size(), 4u);
    BOOST_TEST(o.messages[0] == std::to_string(std::thread::hardware_concurrency()));
    BOOST_TEST(o.messages[1] == "dlopen ok");
    BOOST_TEST(o.messages[2] == "1");
    BOOST_TEST(o.messages[3] == "1.000000");
}

BOOST_AUTO_TEST_CASE(address_sanitizer_still_reports_in_the_confined_child) {
    // It reads /proc/self/maps for its report: the child's own /proc entry stays readable for that.
    if (!CELAB_ASAN) {
        BOOST_TEST_MESSAGE("skipped: not an AddressSanitizer build");
        return;
    }
    const sb::Outcome o = sb::run(
        [](sb::Channel&) {
            static volatile int past_the_end = 4;
            int* block = new int[4]();
            int* volatile laundered = block;  // no size known at compile time: ASan's check, not UBSan's
            volatile int* entries = laundered;
            std::printf("%d\n", entries[past_the_end]);  // heap-buffer-overflow
            delete[] block;
        },
        sb::Limits{});
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.output.find("ERROR: AddressSanitizer: heap-buffer-overflow") != std::string::npos);
    BOOST_TEST(o.output.find("SUMMARY: AddressSanitizer") != std::string::npos);
    BOOST_TEST(o.output.find("CHECK failed") == std::string::npos);
    BOOST_TEST(!(o.end == sb::End::exited && o.exit_code == 0));
}

BOOST_AUTO_TEST_CASE(nothing_outlives_the_child_outside_the_file_system) {
    // The process that runs hidden cases could otherwise leave them for a later run's visible one.
#if defined(__linux__)
    if (!CELAB_TEST_LINUX_CONFINEMENT || !sb::isolation_support().seccomp) {
        BOOST_TEST_MESSAGE("skipped: no seccomp filter in this build or on this architecture");
        return;
    }
    const sb::Outcome o = sb::run(
        [](sb::Channel& channel) {
            const auto result = [&](const char* what, long value) {
                channel.send(std::string(what) + (value >= 0 ? " ok" : std::string(": ") + std::strerror(errno)));
            };
            result("shmget", ::syscall(SYS_shmget, 0 /* IPC_PRIVATE */, 4096, 01600 /* IPC_CREAT | 0600 */));
            result("shmat", ::syscall(SYS_shmat, 0, nullptr, 0));
            result("msgget", ::syscall(SYS_msgget, 0x7e1ab, 01600));
            result("semget", ::syscall(SYS_semget, 0x7e1ab, 1, 01600));
            result("mq_open", ::syscall(SYS_mq_open, "celab-confinement", O_CREAT | O_RDWR, 0600, nullptr));
            result("add_key", ::syscall(SYS_add_key, "user", "celab", "hidden", 6, -4 /* the user keyring */));
            result("keyctl", ::syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -4, 0));
            result("shm_open", ::open("/dev/shm/celab-confinement", O_CREAT | O_RDWR | O_CLOEXEC, 0600));
        },
        sb::Limits{});
    BOOST_TEST_INFO(describe(o));
    BOOST_REQUIRE_EQUAL(o.messages.size(), 8u);
    for (std::size_t i = 0; i + 1 < o.messages.size(); ++i)
        BOOST_TEST(o.messages[i].find(std::string(": ") + std::strerror(EPERM)) != std::string::npos, o.messages[i]);
    if (reads_confined()) BOOST_TEST(o.messages.back() == std::string("shm_open: ") + std::strerror(EACCES));
    BOOST_TEST(!fs::exists("/dev/shm/celab-confinement"));
#else
    BOOST_TEST_MESSAGE("skipped: the seccomp filter is Linux only");
#endif
}

// ---- a hostile submission, graded end to end --------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_submission_reads_and_leaks_nothing_of_the_course) {
    const Course course;
    const std::string library = std::string(CELAB_MODULE_DIR) + "/celab_hostile_read_secrets.so";
    const std::vector<std::string> base{"--cases", (scratch / "hidden-cases").string(), "--library", library,
                                        "--exercise", "softmax"};
    std::vector<std::string> json_args = base, text_args = base;
    json_args.insert(json_args.end(), {"--format", "json"});
    text_args.insert(text_args.end(), {"--format", "text"});
    const Run json_run = grade(json_args);
    const Run text_run = grade(text_args);
    BOOST_TEST_INFO("json: " << json_run.out.substr(0, 3000) << "\nstderr: " << json_run.err);
    BOOST_REQUIRE_EQUAL(json_run.status, 1);
    BOOST_REQUIRE_EQUAL(text_run.status, 1);
    const nlohmann::json report = nlohmann::json::parse(json_run.out);
    const std::string visible_output = report.at("student_output").value("softmax", "");

    // What the visible cases' process found: every attempt printed one line.
    BOOST_TEST_INFO("visible output:\n" << visible_output);
    BOOST_TEST(count(visible_output, "blocked ") + count(visible_output, "ALLOWED ") == 12u);
    // Its memory holds no hidden input: the grader's copy of the hidden cases was wiped in the child.
    BOOST_TEST(count(visible_output, "blocked memory-scan") == 1u, visible_output);
    BOOST_TEST(count(visible_output, "blocked environment") == 1u);
    BOOST_TEST(count(visible_output, "blocked proc-self-environ") == 1u);
    if (reads_confined()) {
        BOOST_TEST(count(visible_output, "ALLOWED") == 0u, visible_output);
    } else {
        BOOST_TEST_MESSAGE("no Landlock here: the files of the course were readable (see the output above)");
    }
    // What the hidden cases' process printed is not shown, only that there was some.
    BOOST_TEST(count(visible_output, "what the code printed while running hidden cases is not shown") == 1u);

    // The hidden rows: their verdicts only. secret_one threw (an exception naming its inputs),
    // secret_two ended the process with status 99.
    std::size_t hidden_rows = 0;
    for (const nlohmann::json& row : report.at("checks")) {
        if (row.at("visibility") != "hidden") continue;
        ++hidden_rows;
        BOOST_TEST(row.at("message") == "");
        BOOST_TEST(row.at("diagnosis") == "");
        const std::string name = row.at("case");
        BOOST_TEST(row.at("status") == (name == "secret_two" ? "crash" : "error"), name);
    }
    BOOST_TEST(hidden_rows > 0u);

    // Nothing secret anywhere, in either format, unless the file system is not confined here.
    // (Unconfined, the hidden case file itself is readable, and the code prints it.)
    const std::vector<std::string> never = {"the inputs were: 1 2 123.456789", "status 99", secret_token,
                                            "CELAB_CONFINE_SECRET_TOKEN"};
    const std::vector<std::string> never_when_confined = {"123.456789", "123.45679", "765.4321", hidden_file_marker,
                                                          other_student_marker, "secret_one\", \"logits"};
    for (const std::string* out : {&json_run.out, &text_run.out, &json_run.err, &text_run.err}) {
        for (const std::string& secret : never) BOOST_TEST(out->find(secret) == std::string::npos, secret);
        if (!reads_confined()) continue;
        for (const std::string& secret : never_when_confined) BOOST_TEST(out->find(secret) == std::string::npos, secret);
        // A line of the reference solution.
        BOOST_TEST(out->find("dL/dz = p - onehot(target)") == std::string::npos);
    }
    // The visible rows do show what the code said about the visible inputs (an exception message).
    BOOST_TEST(json_run.out.find("the inputs were: ") != std::string::npos);
}
