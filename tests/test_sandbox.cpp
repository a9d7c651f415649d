// The sandbox (grader/src/sandbox.hpp) on plain lambdas and on hostile submission libraries
// (tests/hostile/*.cpp), and the submission loader. Every case checks how the child ended, what it
// sent and printed, and that the parent carries on.
#define BOOST_TEST_MODULE sandbox
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "isolation.hpp"
#include "sandbox.hpp"
#include "submission_loader.hpp"
#include "support/busy_machine.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <set>
#include <thread>
#include <vector>

#include "sanitizer.hpp"

namespace sb = celab::grader::sandbox;
namespace data = boost::unit_test::data;
using sb::End;

namespace celab::grader::sandbox {
std::ostream& operator<<(std::ostream& os, End end) { return os << name(end); }
}  // namespace celab::grader::sandbox

namespace {

// Slack on top of a timeout: poll wake-up, SIGKILL delivery and reaping, on a loaded 2-core machine.
constexpr double timeout_margin_seconds = 0.25;

// The isolated child reads only the system's libraries and Limits::readable (here the test modules), and
// sees only Limits::environment (here where a hostile should aim, when a test set CELAB_HOSTILE_TARGET).
sb::Limits quick_limits(double timeout_seconds = 5.0) {
    sb::Limits limits;
    limits.timeout_seconds = timeout_seconds;
    limits.readable = {CELAB_MODULE_DIR, CELAB_SOLUTIONS_MODULE};
    if (const char* target = std::getenv("CELAB_HOSTILE_TARGET"))
        limits.environment.push_back(std::string("CELAB_HOSTILE_TARGET=") + target);
    return limits;
}

// Everything about an outcome, for failure messages.
std::string describe(const sb::Outcome& o) {
    std::ostringstream os;
    os << "end=" << sb::name(o.end) << " exit_code=" << o.exit_code << " signal=" << o.signal_name
       << " messages=" << o.messages.size() << " seconds=" << o.seconds << " error='" << o.error << "' output='"
       << o.output.substr(0, 300) << (o.output.size() > 300 ? "...'" : "'");
    return os.str();
}

// The write end of the message pipe, found the way a hostile child could: the first write-only pipe above stderr.
int find_message_fd() {
    int found = -1;
    DIR* dir = ::opendir("/proc/self/fd");
    if (dir == nullptr) return -1;
    while (const dirent* entry = ::readdir(dir)) {
        const int fd = std::atoi(entry->d_name);
        if (fd <= 2 || fd == ::dirfd(dir)) continue;
        char target[64] = {};
        const std::string link = std::string("/proc/self/fd/") + entry->d_name;
        if (::readlink(link.c_str(), target, sizeof target - 1) <= 0) continue;
        if (std::string(target).rfind("pipe:", 0) == 0 && (::fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY &&
            (found < 0 || fd < found)) {
            found = fd;  // the lowest: pipes inherited from whoever started the tests come later
        }
    }
    ::closedir(dir);
    return found;
}

// True when `pid` no longer runs (gone, or a zombie waiting for init), waiting up to `seconds`.
bool process_gone(pid_t pid, double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    for (;;) {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string line;
        if (!stat || !std::getline(stat, line)) return true;
        const std::size_t close = line.rfind(')');
        if (close != std::string::npos && close + 2 < line.size() && (line[close + 2] == 'Z' || line[close + 2] == 'X')) {
            return true;
        }
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

std::string encode(const Eigen::VectorXd& v) {
    std::ostringstream os;
    os.precision(17);
    for (Eigen::Index i = 0; i < v.size(); ++i) os << (i ? " " : "") << v[i];
    return os.str();
}

Eigen::VectorXd decode(const std::string& text) {
    std::istringstream in(text);
    std::vector<double> values;
    for (double x; in >> x;) values.push_back(x);
    return Eigen::Map<const Eigen::VectorXd>(values.data(), Eigen::Index(values.size()));
}

}  // namespace

// ---- plain lambdas -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(messages_arrive_complete_and_in_order) {
    const sb::Outcome o = sb::run(
        [](sb::Channel& channel) {
            for (int i = 0; i < 200; ++i) channel.send("message " + std::to_string(i));
            channel.send("");  // an empty message is a message too
            channel.send(std::string("a\0b", 3));
        },
        quick_limits());
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::exited);
    BOOST_TEST(o.exit_code == 0);
    BOOST_TEST(o.error.empty());
    BOOST_REQUIRE_EQUAL(o.messages.size(), 202u);
    for (int i = 0; i < 200; ++i) BOOST_TEST(o.messages[std::size_t(i)] == "message " + std::to_string(i));
    BOOST_TEST(o.messages[200].empty());
    BOOST_TEST(o.messages[201] == std::string("a\0b", 3));
}

BOOST_AUTO_TEST_CASE(big_messages_arrive_intact) {
    // Much bigger than a pipe buffer: the parent must read while the child writes.
    const auto pattern = [](std::size_t size, char seed) {
        std::string s(size, '\0');
        for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>(seed + char(i % 251));
        return s;
    };
    const std::size_t big = std::size_t(24) << 20;
    const sb::Outcome o = sb::run(
        [&](sb::Channel& channel) {
            channel.send(pattern(big, 'a'));
            channel.send("small in between");
            channel.send(pattern(big / 3, 'k'));
        },
        quick_limits());
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::exited);
    BOOST_REQUIRE_EQUAL(o.messages.size(), 3u);
    BOOST_TEST(o.messages[0].size() == big);
    BOOST_TEST((o.messages[0] == pattern(big, 'a')), "first big message differs from what the child sent");
    BOOST_TEST(o.messages[1] == "small in between");
    BOOST_TEST((o.messages[2] == pattern(big / 3, 'k')), "second big message differs from what the child sent");
}

struct ExitSample {
    int code;
};
std::ostream& operator<<(std::ostream& os, const ExitSample& s) { return os << "_exit(" << s.code << ")"; }

BOOST_DATA_TEST_CASE(exit_codes_are_reported,
                     data::make(std::vector<ExitSample>{{0}, {1}, {3}, {42}, {255}}), sample) {
    const sb::Outcome o = sb::run(
        [&](sb::Channel& channel) {
            channel.send("before exit");
            std::fflush(stdout);
            ::_exit(sample.code);
        },
        quick_limits());
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::exited);
    BOOST_TEST(o.exit_code == sample.code);
    BOOST_TEST(o.signal == 0);
    BOOST_REQUIRE_EQUAL(o.messages.size(), 1u);
    BOOST_TEST(o.messages[0] == "before exit");
}

BOOST_AUTO_TEST_CASE(escaping_exception_exits_70_and_prints_what) {
    const sb::Outcome o = sb::run([](sb::Channel&) { throw std::logic_error("lambda gave up"); }, quick_limits());
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::exited);
    BOOST_TEST(o.exit_code == sb::exit_code_uncaught_exception);
    BOOST_TEST(o.output.find("lambda gave up") != std::string::npos);
}

struct SignalSample {
    int signal;
    const char* name;
};
std::ostream& operator<<(std::ostream& os, const SignalSample& s) { return os << s.name; }

BOOST_DATA_TEST_CASE(signals_are_reported_by_name,
                     data::make(std::vector<SignalSample>{{SIGSEGV, "SIGSEGV"},
                                                          {SIGABRT, "SIGABRT"},
                                                          {SIGFPE, "SIGFPE"},
                                                          {SIGBUS, "SIGBUS"},
                                                          {SIGTERM, "SIGTERM"},
                                                          {SIGKILL, "SIGKILL"}}),
                     sample) {
    // Boost.Test (and ASan) install handlers for these in the parent: the child must die of the signal anyway.
    const sb::Outcome o = sb::run([&](sb::Channel&) { ::kill(::getpid(), sample.signal); }, quick_limits());
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::signaled);
    BOOST_TEST(o.signal == sample.signal);
    BOOST_TEST(o.signal_name == sample.name);
}

BOOST_AUTO_TEST_CASE(sleeping_child_is_stopped_by_the_wall_clock_backstop) {
    // Sleeping uses no CPU time, so the CPU limit never comes: the wall-clock backstop ends it.
    sb::Limits limits = quick_limits(5.0);
    limits.wall_seconds = 0.3;
    const sb::Outcome o = sb::run(
        [](sb::Channel& channel) {
            channel.send("started");
            for (;;) ::pause();
        },
        limits);
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::timed_out);
    BOOST_TEST(o.wall_clock_ran_out);
    BOOST_TEST(o.signal == 0);
    BOOST_TEST(o.seconds >= limits.wall_seconds);
    BOOST_TEST(o.seconds <= limits.wall_seconds + 2.0);  // poll's wake-up on a busy machine
    BOOST_TEST(o.cpu_seconds < 0.1);
    BOOST_REQUIRE_EQUAL(o.messages.size(), 1u);  // what it sent before the deadline still counts
    BOOST_TEST(o.messages[0] == "started");
}

BOOST_AUTO_TEST_CASE(the_default_backstop_is_generous) {
    // Eight grading jobs on two cores slow each child down fourfold: the backstop must not come first.
    BOOST_TEST(sb::backstop_seconds(5.0) >= 4 * 5.0);
    BOOST_TEST(sb::backstop_seconds(0.1) >= 4 * 0.1 + 1.0);  // process start on a busy machine
}

BOOST_AUTO_TEST_CASE(spinning_child_times_out_after_its_cpu_time) {
    const double limit = 0.3;
    const sb::Outcome o = sb::run(
        [](sb::Channel&) {
            for (volatile unsigned long spin = 0;; spin = spin + 1) {
            }
        },
        quick_limits(limit));
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::timed_out);
    BOOST_TEST(!o.wall_clock_ran_out);
    BOOST_TEST(o.cpu_seconds >= limit);
    BOOST_TEST(o.cpu_seconds <= limit + timeout_margin_seconds);
}

BOOST_AUTO_TEST_CASE(a_busy_machine_does_not_turn_finishing_code_into_a_timeout) {
    // The child needs 0.4 s of CPU time and has 0.6 s. On a machine busy with four spinners per core, it
    // gets a fifth of a core: about 2 s of wall-clock time. A wall-clock limit would stop it; the
    // CPU-time limit lets it finish, as on an idle machine.
    const celab::test::BusyMachine busy(celab::test::BusyMachine::spinners(4));
    const sb::Outcome o = sb::run(
        [](sb::Channel& channel) {
            celab::test::work_until_cpu_seconds(0.4);
            channel.send("done");
        },
        quick_limits(0.6));
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::exited);
    BOOST_REQUIRE_EQUAL(o.messages.size(), 1u);
    BOOST_TEST(o.cpu_seconds >= 0.4);
    BOOST_TEST_MESSAGE("busy machine: 0.4 s of CPU time took " << o.seconds << " s of wall-clock time");
}

BOOST_AUTO_TEST_CASE(output_is_kept_up_to_the_limit_and_marked_truncated) {
    sb::Limits limits = quick_limits();
    limits.output_bytes = 1000;
    std::string printed;
    for (int i = 0; printed.size() < 100000; ++i) printed += "line " + std::to_string(i) + "\n";
    const sb::Outcome o = sb::run(
        [&](sb::Channel&) {
            std::fwrite(printed.data(), 1, printed.size() / 2, stdout);  // buffered stdio, flushed at the end
            std::cerr << printed.substr(printed.size() / 2);  // stderr goes to the same capture
        },
        limits);
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::exited);
    BOOST_TEST(o.output_truncated);
    BOOST_TEST(o.output.size() == limits.output_bytes);
    BOOST_TEST(o.output == printed.substr(0, limits.output_bytes));
}

BOOST_AUTO_TEST_CASE(short_output_is_kept_whole) {
    const sb::Outcome o = sb::run(
        [](sb::Channel&) {
            std::printf("to stdout\n");
            std::fflush(stdout);
            std::fprintf(stderr, "to stderr\n");
        },
        quick_limits());
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(!o.output_truncated);
    BOOST_TEST(o.output == "to stdout\nto stderr\n");
}

BOOST_AUTO_TEST_CASE(chatty_child_does_not_block) {
    // 64 MiB of output, far beyond the pipe buffer: the parent drains it while keeping 8 KiB.
    const sb::Outcome o = sb::run(
        [](sb::Channel& channel) {
            const std::string block(1 << 20, 'y');
            for (int i = 0; i < 64; ++i) ::write(STDOUT_FILENO, block.data(), block.size());
            channel.send("done talking");
        },
        quick_limits(10.0));
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::exited);
    BOOST_TEST(o.output_truncated);
    BOOST_TEST(o.output == std::string(8192, 'y'));
    BOOST_REQUIRE_EQUAL(o.messages.size(), 1u);
    BOOST_TEST(o.seconds < 5.0);
}

BOOST_AUTO_TEST_CASE(oversized_message_claim_is_a_protocol_error) {
    const sb::Outcome o = sb::run(
        [](sb::Channel& channel) {
            channel.send("honest first");
            const int fd = find_message_fd();
            if (fd < 0) throw std::runtime_error("test setup: message pipe not found among /proc/self/fd");
            const unsigned char lie[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};  // 2^63 - 1 bytes
            ::write(fd, lie, sizeof lie);
            for (;;) ::pause();  // the parent must not wait for the rest: it kills the child
        },
        quick_limits(5.0));
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.error.find("protocol error") != std::string::npos);
    BOOST_TEST(o.end == End::signaled);
    BOOST_TEST(o.signal_name == "SIGKILL");
    BOOST_REQUIRE_EQUAL(o.messages.size(), 1u);
    BOOST_TEST(o.messages[0] == "honest first");
    // Killed at once, not at the wall-clock backstop (25 s): far below it even on a busy machine.
    BOOST_TEST(o.seconds < 10.0);
}

BOOST_AUTO_TEST_CASE(unfinished_message_is_dropped_and_reported) {
    const sb::Outcome o = sb::run(
        [](sb::Channel& channel) {
            channel.send("complete");
            const int fd = find_message_fd();
            if (fd < 0) throw std::runtime_error("test setup: message pipe not found among /proc/self/fd");
            const unsigned char header[8] = {100, 0, 0, 0, 0, 0, 0, 0};
            ::write(fd, header, sizeof header);
            ::write(fd, "only ten..", 10);
            ::_exit(0);
        },
        quick_limits());
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::exited);
    BOOST_REQUIRE_EQUAL(o.messages.size(), 1u);
    BOOST_TEST(o.messages[0] == "complete");
    BOOST_TEST(o.error.find("10 of 100 bytes") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(memory_limit_stops_a_big_allocation) {
    if (CELAB_ASAN) {
        BOOST_TEST_MESSAGE("skipped under AddressSanitizer: the sandbox sets no address-space limit there");
        return;
    }
    sb::Limits limits = quick_limits();
    limits.memory_bytes = std::size_t(256) << 20;
    const sb::Outcome o = sb::run(
        [](sb::Channel& channel) {
            try {
                std::vector<char> big(std::size_t(1) << 30, 1);
                // A volatile read keeps the allocation: clang may elide an allocation nobody reads.
                const volatile char* middle = &big[big.size() / 2];
                channel.send("allocated " + std::to_string(big.size()) + " " + std::to_string(int(*middle)));
            } catch (const std::bad_alloc&) {
                channel.send("bad_alloc");
            }
        },
        limits);
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::exited);
    BOOST_REQUIRE_EQUAL(o.messages.size(), 1u);
    BOOST_TEST(o.messages[0] == "bad_alloc");
}

BOOST_AUTO_TEST_CASE(parent_stdio_is_not_duplicated_by_the_child) {
    // Text the parent has buffered but not flushed must not reach the child: the child flushes stdio
    // before _exit, so run() has to flush the parent's buffers before fork().
    std::printf("[parent text, flushed by run() before fork] ");
    std::cout << "[parent cout text] ";
    const sb::Outcome o = sb::run([](sb::Channel&) {}, quick_limits());
    std::printf("\n");
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.output.empty());
}

BOOST_AUTO_TEST_CASE(many_short_runs_each_deliver_their_message) {
    // The grader forks 10-60 children per run: each must start, talk and end cleanly.
    const int runs = 40;
    const auto start = std::chrono::steady_clock::now();
    int messages = 0;
    for (int i = 0; i < runs; ++i) {
        const sb::Outcome o = sb::run([&](sb::Channel& channel) { channel.send(std::to_string(i)); }, quick_limits());
        messages += (o.end == End::exited && o.messages.size() == 1 && o.messages[0] == std::to_string(i)) ? 1 : 0;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST_MESSAGE(runs << " sandbox runs took " << seconds << " s (" << 1000 * seconds / runs << " ms each)");
    BOOST_TEST(messages == runs);  // how fast: scripts/benchmark, never a timed assertion here
}

BOOST_AUTO_TEST_CASE(signal_names_are_stable) {
    BOOST_TEST(sb::signal_name(SIGSEGV) == "SIGSEGV");
    BOOST_TEST(sb::signal_name(SIGXCPU) == "SIGXCPU");
    BOOST_TEST(sb::signal_name(SIGRTMIN + 1) == "SIG" + std::to_string(SIGRTMIN + 1));
}

// ---- the submission loader -----------------------------------------------------------------------

// Runs `body` in a sandbox child and returns the single message it sent (or fails the test).
template <typename Body>
std::string in_child(Body body) {
    const sb::Outcome o = sb::run([&](sb::Channel& channel) { channel.send(body()); }, quick_limits());
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::exited);
    BOOST_TEST(o.exit_code == 0);
    return o.messages.size() == 1 ? o.messages[0] : "<no message: " + describe(o) + ">";
}

template <typename Body>
std::string error_in_child(Body body) {
    return in_child([&]() -> std::string {
        try {
            body();
            return "no exception";
        } catch (const std::runtime_error& e) {
            return e.what();
        }
    });
}

BOOST_AUTO_TEST_CASE(loader_opens_the_reference_module) {
    const std::string reply = in_child([] {
        const celab::abi::SubmissionTable& table = celab::grader::load_submission(CELAB_SOLUTIONS_MODULE);
        Eigen::VectorXd z(3);
        z << 1.0, 2.0, 1000.0;
        return encode(table.softmax(z));
    });
    const Eigen::VectorXd p = decode(reply);
    BOOST_TEST_INFO("reply: " << reply);
    BOOST_REQUIRE_EQUAL(p.size(), 3);
    // softmax([1, 2, 1000]) = [~0, ~0, 1]: a naive exp() would give NaN here.
    BOOST_TEST(p[2] == 1.0, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(std::abs(p[0]) <= 1e-300);
    BOOST_TEST(std::abs(p[1]) <= 1e-300);
}

BOOST_AUTO_TEST_CASE(loader_reports_a_missing_library) {
    const std::string what = error_in_child([] { celab::grader::load_submission("/nonexistent/sub.so"); });
    BOOST_TEST(what.find("/nonexistent/sub.so") != std::string::npos, what);
    BOOST_TEST(what.find("No such file") != std::string::npos, what);  // dlerror()'s text
}

BOOST_AUTO_TEST_CASE(loader_reports_a_library_without_the_entry_symbol) {
    const std::string what = error_in_child([] { celab::grader::load_submission("libm.so.6"); });
    BOOST_TEST(what.find("celab_submission_table_v1") != std::string::npos, what);
}

// ---- hostile submissions ---------------------------------------------------------------------------

struct HostileSample {
    std::string name;
    End end;
    int exit_code;                // when exited
    std::string signal_name;      // when signaled
    std::size_t messages;         // the child sends the softmax result when softmax returns
    std::string output_contains;  // "" = no requirement
    double timeout_seconds;
    std::size_t memory_bytes;
    bool isolate = true;  // Limits::isolate
};
std::ostream& operator<<(std::ostream& os, const HostileSample& s) {
    return os << s.name << (s.isolate ? "" : " (isolate = false)");
}

const std::vector<HostileSample> hostile_samples{
    {"segfault", End::signaled, 0, "SIGSEGV", 0, "", 5.0, std::size_t(2) << 30},
    {"abort", End::signaled, 0, "SIGABRT", 0, "", 5.0, std::size_t(2) << 30},
    {"infinite_loop", End::timed_out, 0, "", 0, "", 0.4, std::size_t(2) << 30},
    // new throws std::bad_alloc at the address-space limit; it escapes child_main.
    {"memory_hog", End::exited, sb::exit_code_uncaught_exception, "", 0, "bad_alloc", 10.0, std::size_t(512) << 20},
    {"fake_report", End::exited, 0, "", 0, "All checks passed", 5.0, std::size_t(2) << 30},
    {"throws", End::exited, sb::exit_code_uncaught_exception, "", 0, "hostile softmax refuses to work", 5.0,
     std::size_t(2) << 30},
    {"chatty", End::exited, 0, "", 1, "xxxxxxxx", 5.0, std::size_t(2) << 30},
    // Isolated, fork() fails and the hostile prints "grandchild -1"; without isolation the fork
    // succeeds and the process-group kill (the second line of defence) must end the grandchild.
    {"fork_sleeper", End::exited, 0, "", 1, "grandchild -1\n", 5.0, std::size_t(2) << 30},
    {"fork_sleeper", End::exited, 0, "", 1, "grandchild ", 5.0, std::size_t(2) << 30, false},
};

BOOST_DATA_TEST_CASE(hostile_submission_is_contained, data::make(hostile_samples), sample) {
    if (CELAB_ASAN && sample.name == "memory_hog") {
        BOOST_TEST_MESSAGE("memory_hog skipped under AddressSanitizer: no address-space limit can be set there, "
                           "so it would eat the machine's memory");
        return;
    }
    if (sample.isolate && sample.name == "fork_sleeper" && !sb::isolation_support().seccomp) {
        BOOST_TEST_MESSAGE("isolated fork_sleeper skipped: no seccomp filter on this kernel or architecture");
        return;
    }
    const std::string library = std::string(CELAB_MODULE_DIR) + "/celab_hostile_" + sample.name + ".so";
    sb::Limits limits = quick_limits(sample.timeout_seconds);
    limits.memory_bytes = sample.memory_bytes;
    limits.isolate = sample.isolate;
    const sb::Outcome o = sb::run(
        [&](sb::Channel& channel) {
            const celab::abi::SubmissionTable& table = celab::grader::load_submission(library);
            Eigen::VectorXd z(3);
            z << 1.0, 2.0, 3.0;
            channel.send(encode(table.softmax(z)));
        },
        limits);
    BOOST_TEST_INFO(sample.name << ": " << describe(o));
    BOOST_TEST(o.end == sample.end);
    if (sample.end == End::exited) BOOST_TEST(o.exit_code == sample.exit_code);
    BOOST_TEST(o.signal_name == sample.signal_name);
    BOOST_TEST(o.messages.size() == sample.messages);
    BOOST_TEST(o.output.size() <= limits.output_bytes);
    if (!sample.output_contains.empty()) BOOST_TEST(o.output.find(sample.output_contains) != std::string::npos);
    if (sample.end == End::timed_out) {
        BOOST_TEST(o.cpu_seconds <= sample.timeout_seconds + timeout_margin_seconds);
    } else {
        BOOST_TEST(o.cpu_seconds < sample.timeout_seconds);
    }
    if (sample.messages == 1) {
        // A well-computed softmax([1,2,3]) after the misbehaviour: the child's result arrives intact.
        const Eigen::VectorXd p = decode(o.messages.front());
        BOOST_REQUIRE_EQUAL(p.size(), 3);
        BOOST_TEST(p.sum() == 1.0, boost::test_tools::tolerance(1e-12));
        BOOST_TEST(p[2] == 0.66524095577482190, boost::test_tools::tolerance(1e-12));
    }
    if (sample.name == "chatty") BOOST_TEST(o.output_truncated);
    if (sample.name == "fork_sleeper" && !sample.isolate) {
        // The grandchild held the pipes open; run() must return at once (not at the 25 s wall-clock
        // backstop) and kill it with the group.
        BOOST_TEST(o.seconds < 10.0);
        const std::size_t at = o.output.find("grandchild ");
        BOOST_REQUIRE(at != std::string::npos);
        const pid_t grandchild = static_cast<pid_t>(std::stol(o.output.substr(at + 11)));
        BOOST_TEST(grandchild > 0);
        BOOST_TEST(process_gone(grandchild, 2.0), "grandchild " << grandchild << " still runs after run() returned");
    }
}

// ---- isolation (Limits::isolate): no processes, no signals to others, no writes to disk ----------

namespace {

// The result every hostile below returns after misbehaving: softmax([1, 2, 3]).
constexpr double softmax_123_last = 0.66524095577482190;
// Two runs of the same deterministic code on the same machine agree to the last bit; this only
// absorbs the 17-digit text round trip.
constexpr double same_result_tolerance = 1e-15;

sb::Outcome run_hostile(const std::string& name, const sb::Limits& limits) {
    const std::string library = std::string(CELAB_MODULE_DIR) + "/celab_hostile_" + name + ".so";
    return sb::run(
        [&](sb::Channel& channel) {
            const celab::abi::SubmissionTable& table = celab::grader::load_submission(library);
            Eigen::VectorXd z(3);
            z << 1.0, 2.0, 3.0;
            channel.send(encode(table.softmax(z)));
        },
        limits);
}

// The child ended normally and its one message is softmax([1, 2, 3]).
void expect_correct_softmax(const sb::Outcome& o) {
    BOOST_TEST(o.end == End::exited);
    BOOST_TEST(o.exit_code == 0);
    BOOST_REQUIRE_EQUAL(o.messages.size(), 1u);
    const Eigen::VectorXd p = decode(o.messages.front());
    BOOST_REQUIRE_EQUAL(p.size(), 3);
    BOOST_TEST(p[2] == softmax_123_last, boost::test_tools::tolerance(1e-12));
}

std::size_t count_lines_starting(const std::string& text, const std::string& prefix) {
    std::size_t count = 0;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) count += line.rfind(prefix, 0) == 0 ? 1 : 0;
    return count;
}

// "Seccomp:" / "NoNewPrivs:" ... of /proc/self/status, or -1.
int status_field(const std::string& status, const std::string& field) {
    const std::size_t at = status.find("\n" + field + ":");
    return at == std::string::npos ? -1 : std::atoi(status.c_str() + at + field.size() + 2);
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream os;
    os << in.rdbuf();
    return os.str();
}

// Every file in a directory, for "nothing was created" checks.
std::set<std::string> files_in(const std::filesystem::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) names.insert(entry.path().filename().string());
    return names;
}

std::string join(const std::set<std::string>& names) {
    std::string all;
    for (const std::string& n : names) all += (all.empty() ? "" : ", ") + n;
    return all;
}

// A file the hostile code is pointed at through CELAB_HOSTILE_TARGET, alone in a fresh scratch directory.
struct HostileTarget {
    static constexpr const char* content = "the hidden cases: do not touch\n";
    std::filesystem::path dir;
    std::filesystem::path file;

    explicit HostileTarget(const std::string& test) {
        dir = std::filesystem::path(CELAB_TEST_SCRATCH_DIR) / test;
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        file = dir / "target.txt";
        std::ofstream(file) << content;
        ::setenv("CELAB_HOSTILE_TARGET", file.c_str(), 1);
    }
    ~HostileTarget() { ::unsetenv("CELAB_HOSTILE_TARGET"); }
    HostileTarget(const HostileTarget&) = delete;
    HostileTarget& operator=(const HostileTarget&) = delete;
};

// Running processes (not zombies) other than this one that run this test program: a child that got
// out of the sandbox's process group and outlived run() shows up here.
std::set<pid_t> other_copies_of_this_program() {
    std::set<pid_t> found;
    char self[4096] = {};
    if (::readlink("/proc/self/exe", self, sizeof self - 1) <= 0) return found;
    DIR* dir = ::opendir("/proc");
    if (dir == nullptr) return found;
    while (const dirent* entry = ::readdir(dir)) {
        const pid_t pid = static_cast<pid_t>(std::atol(entry->d_name));
        if (pid <= 0 || pid == ::getpid()) continue;
        char exe[4096] = {};
        const std::string proc = std::string("/proc/") + entry->d_name;
        if (::readlink((proc + "/exe").c_str(), exe, sizeof exe - 1) <= 0 || std::string(exe) != self) continue;
        if (!process_gone(pid, 0.0)) found.insert(pid);
    }
    ::closedir(dir);
    return found;
}

}  // namespace

struct IsolateSample {
    bool isolate;
};
std::ostream& operator<<(std::ostream& os, const IsolateSample& s) {
    return os << "isolate = " << (s.isolate ? "true" : "false");
}

BOOST_DATA_TEST_CASE(isolation_is_switched_by_limits, data::make(std::vector<IsolateSample>{{true}, {false}}),
                     sample) {
    // The child reports its seccomp and no_new_privs state and whether fork() works.
    sb::Limits limits = quick_limits();
    limits.isolate = sample.isolate;
    const sb::Outcome o = sb::run(
        [](sb::Channel& channel) {
            channel.send(read_file("/proc/self/status"));
            const pid_t pid = ::fork();
            if (pid == 0) ::_exit(0);
            if (pid > 0) ::waitpid(pid, nullptr, 0);
            channel.send(pid > 0 ? "fork ok" : std::string("fork: ") + std::strerror(errno));
            const int socket = ::socket(AF_INET, SOCK_STREAM, 0);
            channel.send(socket >= 0 ? "socket ok" : std::string("socket: ") + std::strerror(errno));
            if (socket >= 0) ::close(socket);
        },
        limits);
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::exited);
    BOOST_REQUIRE_EQUAL(o.messages.size(), 3u);
    const std::string parent_status = read_file("/proc/self/status");
    const int child_seccomp = status_field(o.messages[0], "Seccomp");
    const int child_nnp = status_field(o.messages[0], "NoNewPrivs");
    if (!sample.isolate) {
        // Exactly what the parent has: nothing was added.
        BOOST_TEST(child_seccomp == status_field(parent_status, "Seccomp"));
        BOOST_TEST(child_nnp == status_field(parent_status, "NoNewPrivs"));
        BOOST_TEST(o.messages[1] == "fork ok");
        BOOST_TEST(o.messages[2] == "socket ok");
        return;
    }
#if defined(CELAB_TEST_LINUX_CONFINEMENT) && !CELAB_TEST_LINUX_CONFINEMENT  // tests/portable.cmake
    // The portable fallback (macOS; the `portable` preset) installs nothing: only the process and its limits.
    BOOST_TEST(child_nnp == status_field(parent_status, "NoNewPrivs"));
    BOOST_TEST(o.messages[1] == "fork ok");
    return;
#endif
    BOOST_TEST(child_nnp == 1);
    if (!sb::isolation_support().seccomp) {
        BOOST_TEST_MESSAGE("no seccomp filter on this kernel or architecture: fork() stays possible");
        return;
    }
    BOOST_TEST(child_seccomp == 2);  // SECCOMP_MODE_FILTER
    BOOST_TEST(o.messages[1] == std::string("fork: ") + std::strerror(EPERM));
    BOOST_TEST(o.messages[2] == std::string("socket: ") + std::strerror(EPERM));
}

BOOST_AUTO_TEST_CASE(isolated_child_computes_like_an_unconfined_one) {
    // dlopen, Eigen, std::thread: the reference module gives bit-identical results with isolation on and off.
    const auto compute = [](bool isolate) {
        sb::Limits limits = quick_limits();
        limits.isolate = isolate;
        return sb::run(
            [](sb::Channel& channel) {
                const celab::abi::SubmissionTable& table = celab::grader::load_submission(CELAB_SOLUTIONS_MODULE);
                Eigen::MatrixXd z(3, 4);
                z << 1.0, 2.0, 3.0, 4.0, -1000.0, 0.0, 1000.0, 5.0, 0.5, 0.25, 0.125, 0.0625;
                Eigen::MatrixXd on_thread;
                std::thread worker([&] { on_thread = table.softmax_rows(z); });
                worker.join();
                channel.send(encode(Eigen::Map<const Eigen::VectorXd>(on_thread.data(), on_thread.size())));
                const Eigen::VectorXd v = z.row(2).transpose();
                channel.send(encode(table.softmax(v)));
            },
            limits);
    };
    const sb::Outcome isolated = compute(true);
    const sb::Outcome unconfined = compute(false);
    BOOST_TEST_INFO("isolated: " << describe(isolated) << "\nunconfined: " << describe(unconfined));
    BOOST_TEST(isolated.end == End::exited);
    BOOST_TEST(isolated.exit_code == 0);
    BOOST_REQUIRE_EQUAL(isolated.messages.size(), 2u);
    BOOST_REQUIRE_EQUAL(unconfined.messages.size(), 2u);
    for (std::size_t m = 0; m < 2; ++m) {
        const Eigen::VectorXd a = decode(isolated.messages[m]);
        const Eigen::VectorXd b = decode(unconfined.messages[m]);
        BOOST_REQUIRE_EQUAL(a.size(), b.size());
        BOOST_TEST(a.size() == (m == 0 ? 12 : 4));
        for (Eigen::Index i = 0; i < a.size(); ++i) {
            BOOST_TEST_INFO("message " << m << ", entry " << i << ": isolated " << a[i] << ", unconfined " << b[i]);
            BOOST_TEST(std::abs(a[i] - b[i]) <= same_result_tolerance * (1.0 + std::abs(b[i])));
        }
    }
}

struct SelfSignalSample {
    const char* how;
    bool from_thread;
};
std::ostream& operator<<(std::ostream& os, const SelfSignalSample& s) {
    return os << s.how << (s.from_thread ? " from a second thread" : " from the main thread");
}

BOOST_DATA_TEST_CASE(isolated_child_can_still_signal_itself,
                     data::make(std::vector<SelfSignalSample>{{"abort()", false}, {"abort()", true}, {"raise(SIGABRT)", true}}),
                     sample) {
    // abort() and raise() are tgkill(getpid(), gettid(), sig): the filter must let them through, or a
    // failed assert() in a submission would turn into something other than SIGABRT.
    const sb::Outcome o = sb::run(
        [&](sb::Channel&) {
            const auto die = [&] {
                if (std::string(sample.how) == "abort()") std::abort();
                ::raise(SIGABRT);
            };
            if (sample.from_thread) {
                std::thread(die).join();
            } else {
                die();
            }
        },
        quick_limits());
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::signaled);
    BOOST_TEST(o.signal_name == "SIGABRT");
}

BOOST_AUTO_TEST_CASE(kill_parent_cannot_harm_the_grader) {
    if (!sb::isolation_support().seccomp) {
        BOOST_TEST_MESSAGE("skipped: no seccomp filter on this kernel or architecture");
        return;
    }
    rlimit cpu_before{};
    ::getrlimit(RLIMIT_CPU, &cpu_before);
    const sb::Outcome o = run_hostile("kill_parent", quick_limits());
    // Still here: this process is the parent the hostile aimed at.
    BOOST_TEST_INFO(describe(o));
    expect_correct_softmax(o);
    BOOST_TEST(count_lines_starting(o.output, "ALLOWED") == 0u);
    // kill, tgkill, tkill, sigqueue, pidfd_open, prlimit, F_SETOWN, ptrace
    BOOST_TEST(count_lines_starting(o.output, "blocked ") == 8u);
    rlimit cpu_after{};
    ::getrlimit(RLIMIT_CPU, &cpu_after);
    BOOST_TEST(cpu_after.rlim_cur == cpu_before.rlim_cur, "the child changed the parent's RLIMIT_CPU");
    BOOST_TEST(cpu_after.rlim_max == cpu_before.rlim_max, "the child changed the parent's RLIMIT_CPU");
    const sb::Outcome next = sb::run([](sb::Channel& channel) { channel.send("parent still works"); }, quick_limits());
    BOOST_REQUIRE_EQUAL(next.messages.size(), 1u);
    BOOST_TEST(next.messages[0] == "parent still works");
}

BOOST_AUTO_TEST_CASE(daemon_cannot_fork_or_escape) {
    if (!sb::isolation_support().seccomp) {
        BOOST_TEST_MESSAGE("skipped: no seccomp filter on this kernel or architecture");
        return;
    }
    const HostileTarget target("daemon");
    const std::set<pid_t> before = other_copies_of_this_program();
    const sb::Outcome o = run_hostile("daemon", quick_limits());
    BOOST_TEST_INFO(describe(o));
    expect_correct_softmax(o);
    const std::string denied = std::strerror(EPERM);
    BOOST_TEST(o.output.find("fork failed: " + denied) != std::string::npos);
    BOOST_TEST(o.output.find("clone failed: " + denied) != std::string::npos);
    BOOST_TEST(o.output.find("daemon ") == std::string::npos, "a daemon started and printed its pid");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a daemon rewrites the file every 10 ms
    BOOST_TEST(read_file(target.file) == HostileTarget::content);
    std::set<pid_t> escaped;
    for (const pid_t pid : other_copies_of_this_program()) {
        if (before.count(pid) == 0) escaped.insert(pid);
    }
    BOOST_TEST(escaped.empty(), escaped.size() << " process(es) running this test program outlived run()");
    // Whatever got out must not outlive the test: the daemons printed their pids, and the scan found them.
    for (std::size_t at = o.output.find("daemon "); at != std::string::npos; at = o.output.find("daemon ", at + 1)) {
        escaped.insert(static_cast<pid_t>(std::atol(o.output.c_str() + at + 7)));
    }
    for (const pid_t pid : escaped) {
        if (pid > 1) ::kill(pid, SIGKILL);
    }
}

BOOST_DATA_TEST_CASE(write_file_cannot_touch_the_disk, data::make(std::vector<IsolateSample>{{true}, {false}}),
                     sample) {
    if (sample.isolate && sb::isolation_support().landlock_abi < 3) {
        BOOST_TEST_MESSAGE("skipped: this kernel has Landlock ABI " << sb::isolation_support().landlock_abi
                                                                    << "; truncate() is only blocked from ABI 3");
        return;
    }
    const HostileTarget target(sample.isolate ? "write_file" : "write_file_unconfined");
    sb::Limits limits = quick_limits();
    limits.isolate = sample.isolate;
    const sb::Outcome o = run_hostile("write_file", limits);
    BOOST_TEST_INFO(describe(o));
    expect_correct_softmax(o);
    const std::set<std::string> files = files_in(target.dir);
    if (sample.isolate) {
        BOOST_TEST(count_lines_starting(o.output, "ALLOWED") == 0u);
        // open-for-writing, truncate, create, mkdir, symlink, link, mkfifo, rename, unlink
        BOOST_TEST(count_lines_starting(o.output, "blocked ") == 9u);
        BOOST_TEST(read_file(target.file) == HostileTarget::content);
        BOOST_TEST(files == std::set<std::string>{"target.txt"}, "files in " << target.dir << ": " << join(files));
    } else {
        // Unconfined, the same code does damage: the checks above can fail.
        BOOST_TEST(count_lines_starting(o.output, "ALLOWED open-for-writing") == 1u);
        BOOST_TEST(!std::filesystem::exists(target.file), "the unconfined hostile should have deleted " << target.file);
        BOOST_TEST(files.count("target.txt.new") == 1u, "files in " << target.dir << ": " << join(files));
    }
}

BOOST_AUTO_TEST_CASE(spawn_cannot_run_commands) {
    if (!sb::isolation_support().seccomp) {
        BOOST_TEST_MESSAGE("skipped: no seccomp filter on this kernel or architecture");
        return;
    }
    const HostileTarget target("spawn");
    const sb::Outcome o = run_hostile("spawn", quick_limits());
    BOOST_TEST_INFO(describe(o));
    expect_correct_softmax(o);
    BOOST_TEST(count_lines_starting(o.output, "ALLOWED") == 0u);
    BOOST_TEST(count_lines_starting(o.output, "blocked ") == 3u);  // system, popen, posix_spawn
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::set<std::string> files = files_in(target.dir);
    BOOST_TEST(files == std::set<std::string>{"target.txt"}, "files in " << target.dir << ": " << join(files));
}

BOOST_AUTO_TEST_CASE(parent_survives_all_hostile_submissions) {
    // After all of the above the parent still works normally.
    const sb::Outcome o = sb::run([](sb::Channel& channel) { channel.send("still here"); }, quick_limits());
    BOOST_TEST(o.end == End::exited);
    BOOST_REQUIRE_EQUAL(o.messages.size(), 1u);
    BOOST_TEST(o.messages[0] == "still here");
}
