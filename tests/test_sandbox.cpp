// The sandbox (grader/src/sandbox.hpp) on plain lambdas and on hostile submission libraries
// (tests/hostile/*.cpp), and the submission loader. Every case checks how the child ended, what it
// sent and printed, and that the parent carries on.
#define BOOST_TEST_MODULE sandbox
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "sandbox.hpp"
#include "submission_loader.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define CELAB_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CELAB_TEST_ASAN 1
#endif
#endif
#ifndef CELAB_TEST_ASAN
#define CELAB_TEST_ASAN 0
#endif

namespace sb = celab::grader::sandbox;
namespace data = boost::unit_test::data;
using sb::End;

namespace celab::grader::sandbox {
std::ostream& operator<<(std::ostream& os, End end) { return os << name(end); }
}  // namespace celab::grader::sandbox

namespace {

// Slack on top of a timeout: poll wake-up, SIGKILL delivery and reaping, on a loaded 2-core machine.
constexpr double timeout_margin_seconds = 0.25;

sb::Limits quick_limits(double timeout_seconds = 5.0) {
    sb::Limits limits;
    limits.timeout_seconds = timeout_seconds;
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

BOOST_AUTO_TEST_CASE(sleeping_child_times_out_within_the_limit) {
    const double limit = 0.3;
    const sb::Outcome o = sb::run(
        [](sb::Channel& channel) {
            channel.send("started");
            for (;;) ::pause();
        },
        quick_limits(limit));
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::timed_out);
    BOOST_TEST(o.signal == 0);
    BOOST_TEST(o.seconds >= limit);
    BOOST_TEST(o.seconds <= limit + timeout_margin_seconds);
    BOOST_REQUIRE_EQUAL(o.messages.size(), 1u);  // what it sent before the deadline still counts
    BOOST_TEST(o.messages[0] == "started");
}

BOOST_AUTO_TEST_CASE(spinning_child_times_out_within_the_limit) {
    const double limit = 0.3;
    const sb::Outcome o = sb::run(
        [](sb::Channel&) {
            for (volatile unsigned long spin = 0;; spin = spin + 1) {
            }
        },
        quick_limits(limit));
    BOOST_TEST_INFO(describe(o));
    BOOST_TEST(o.end == End::timed_out);
    BOOST_TEST(o.seconds <= limit + timeout_margin_seconds);
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
    BOOST_TEST(o.seconds < 1.0);
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
    if (CELAB_TEST_ASAN) {
        BOOST_TEST_MESSAGE("skipped under AddressSanitizer: the sandbox sets no address-space limit there");
        return;
    }
    sb::Limits limits = quick_limits();
    limits.memory_bytes = std::size_t(256) << 20;
    const sb::Outcome o = sb::run(
        [](sb::Channel& channel) {
            try {
                std::vector<char> big(std::size_t(1) << 30, 1);
                channel.send("allocated " + std::to_string(big.size()));
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

BOOST_AUTO_TEST_CASE(many_short_runs_are_fast) {
    // The grader forks 10-60 children per run and the whole run must take under a second.
    const int runs = 40;
    const auto start = std::chrono::steady_clock::now();
    int messages = 0;
    for (int i = 0; i < runs; ++i) {
        const sb::Outcome o = sb::run([&](sb::Channel& channel) { channel.send(std::to_string(i)); }, quick_limits());
        messages += (o.end == End::exited && o.messages.size() == 1 && o.messages[0] == std::to_string(i)) ? 1 : 0;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST_MESSAGE(runs << " sandbox runs took " << seconds << " s (" << 1000 * seconds / runs << " ms each)");
    BOOST_TEST(messages == runs);
    BOOST_TEST(seconds < 0.025 * runs * (CELAB_TEST_ASAN ? 4 : 1));
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
};
std::ostream& operator<<(std::ostream& os, const HostileSample& s) { return os << s.name; }

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
    {"fork_sleeper", End::exited, 0, "", 1, "grandchild ", 5.0, std::size_t(2) << 30},
};

BOOST_DATA_TEST_CASE(hostile_submission_is_contained, data::make(hostile_samples), sample) {
    if (CELAB_TEST_ASAN && sample.name == "memory_hog") {
        BOOST_TEST_MESSAGE("memory_hog skipped under AddressSanitizer: no address-space limit can be set there, "
                           "so it would eat the machine's memory");
        return;
    }
    const std::string library = std::string(CELAB_MODULE_DIR) + "/celab_hostile_" + sample.name + ".so";
    sb::Limits limits;
    limits.timeout_seconds = sample.timeout_seconds;
    limits.memory_bytes = sample.memory_bytes;
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
        BOOST_TEST(o.seconds <= sample.timeout_seconds + timeout_margin_seconds);
    } else {
        BOOST_TEST(o.seconds < sample.timeout_seconds);
    }
    if (sample.messages == 1) {
        // A well-computed softmax([1,2,3]) after the misbehaviour: the child's result arrives intact.
        const Eigen::VectorXd p = decode(o.messages.front());
        BOOST_REQUIRE_EQUAL(p.size(), 3);
        BOOST_TEST(p.sum() == 1.0, boost::test_tools::tolerance(1e-12));
        BOOST_TEST(p[2] == 0.66524095577482190, boost::test_tools::tolerance(1e-12));
    }
    if (sample.name == "chatty") BOOST_TEST(o.output_truncated);
    if (sample.name == "fork_sleeper") {
        // The grandchild held the pipes open; run() must return at once and kill it with the group.
        BOOST_TEST(o.seconds < 1.0);
        const std::size_t at = o.output.find("grandchild ");
        BOOST_REQUIRE(at != std::string::npos);
        const pid_t grandchild = static_cast<pid_t>(std::stol(o.output.substr(at + 11)));
        BOOST_TEST(grandchild > 0);
        BOOST_TEST(process_gone(grandchild, 2.0), "grandchild " << grandchild << " still runs after run() returned");
    }
}

BOOST_AUTO_TEST_CASE(parent_survives_all_hostile_submissions) {
    // After all of the above the parent still works normally.
    const sb::Outcome o = sb::run([](sb::Channel& channel) { channel.send("still here"); }, quick_limits());
    BOOST_TEST(o.end == End::exited);
    BOOST_REQUIRE_EQUAL(o.messages.size(), 1u);
    BOOST_TEST(o.messages[0] == "still here");
}
