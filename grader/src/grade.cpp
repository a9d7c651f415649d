#include "grade.hpp"

#include "course_file.hpp"

#include "answers.hpp"
#include "checks.hpp"
#include "isolation.hpp"
#include "submission_loader.hpp"
#include "timings.hpp"
#include "wipe.hpp"

#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <numeric>
#include <optional>
#include <thread>

#include "sanitizer.hpp"

// Freed memory is overwritten, so that a sandbox child forked later holds no leftover of what the grader
// freed before (the text of hidden case files, parsed; docs/sandbox.md). glibc: M_PERTURB, set before main,
// so before any case file is read, fills every freed block with zeros (and, as a side effect, new blocks
// with 0xff: the child switches that off before it loads student code); wipe_reusable_blocks() does the
// blocks glibc keeps per thread without filling them. AddressSanitizer: its own allocator fills freed
// blocks (up to 1 MiB each) with 0x55 when asked here.
#if CELAB_ASAN
extern "C" __attribute__((visibility("default"))) const char* __asan_default_options() {
    return "max_free_fill_size=1048576";
}
#elif defined(__GLIBC__) && defined(M_PERTURB)
namespace {
constexpr int perturb_zero_on_free = 0x100;  // low byte 0: freed blocks become zeros; nonzero: on
[[maybe_unused]] const bool freed_memory_is_wiped = ::mallopt(M_PERTURB, perturb_zero_on_free) == 1;
}  // namespace
#endif

namespace celab::grader {

namespace {

Eigen::Index input_entries(const Inputs& in) {
    return in.z.size() + in.Z.size() + in.P.size() + in.losses.size();
}

// What the child prints is attributed to cases by a marker written (straight to the capture pipe, after
// flushing what the previous case printed) before the first call of each case: '\x1e', the call's
// index, '\x1f'. Markers are removed before anyone sees the output.
constexpr char marker_begin = '\x1e', marker_end = '\x1f';
constexpr std::size_t marker_bytes = 12;  // at most, per case

void flush_student_output() {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
}

// The output of one run split at the markers: (index of the call that printed it, text).
std::vector<std::pair<std::size_t, std::string>> split_output(const std::string& output, std::size_t first_call) {
    std::vector<std::pair<std::size_t, std::string>> pieces{{first_call, ""}};
    for (std::size_t at = 0; at < output.size();) {
        const std::size_t begin = output.find(marker_begin, at);
        pieces.back().second += output.substr(at, begin == std::string::npos ? std::string::npos : begin - at);
        if (begin == std::string::npos) break;
        const std::size_t end = output.find(marker_end, begin);
        if (end == std::string::npos) break;  // cut off by the output limit
        std::size_t index = pieces.back().first;
        try {
            index = std::stoul(output.substr(begin + 1, end - begin - 1));
        } catch (const std::exception&) {  // not ours: printed by the student; keep it as it is
            pieces.back().second += output.substr(begin, end + 1 - begin);
        }
        pieces.emplace_back(index, "");
        at = end + 1;
    }
    std::vector<std::pair<std::size_t, std::string>> kept;
    for (auto& piece : pieces)
        if (!piece.second.empty()) kept.push_back(std::move(piece));
    return kept;
}

// "V = 100,000" or "N = 100, V = 10,000": the size of a case's inputs, for a timeout message.
std::string with_commas(Eigen::Index n) {
    std::string digits = std::to_string(n);
    for (int k = static_cast<int>(digits.size()) - 3; k > 0; k -= 3) digits.insert(static_cast<std::size_t>(k), ",");
    return digits;
}

std::string case_size(const Inputs& in) {
    if (in.z.size() > 0) return "V = " + with_commas(in.z.size());
    const Eigen::MatrixXd& m = in.Z.size() > 0 ? in.Z : in.P;
    if (m.size() > 0) return "N = " + with_commas(m.rows()) + ", V = " + with_commas(m.cols());
    if (in.losses.size() > 0) return "N = " + with_commas(in.losses.size());
    return "";
}

void wipe(void* data, std::size_t size) { wipe_bytes(data, size); }
void wipe(const Eigen::MatrixXd& m) { wipe(const_cast<double*>(m.data()), sizeof(double) * std::size_t(m.size())); }
void wipe(const Eigen::VectorXd& v) { wipe(const_cast<double*>(v.data()), sizeof(double) * std::size_t(v.size())); }
void wipe(const std::string& s) { wipe(const_cast<char*>(s.data()), s.size()); }

// In the sandbox child, before the submission is loaded: the child is a copy of the grader, which holds
// every case. What the child does not run is overwritten with zeros, in place (the grader's copy is
// untouched: fork() gave the child its own pages): every input of the cases outside `plan` (the hidden
// ones, in a child that runs visible cases), and every expected value (the parent judges). The objects are
// the caller's non-const ones (grade() receives them by const reference only to promise the caller that
// the grader leaves them alone).
void wipe_case(const Case& c) {
    if (c.expected) wipe(c.expected->data);
    wipe(c.inputs.z);
    wipe(c.inputs.Z);
    wipe(c.inputs.P);
    wipe(c.inputs.Y);
    wipe(c.inputs.losses);
    wipe(const_cast<int*>(&c.inputs.target), sizeof c.inputs.target);
    wipe(const_cast<double*>(&c.inputs.eps), sizeof c.inputs.eps);
    wipe(c.hint);
    wipe(c.file);
}
// `held`: the caller's other cases (GradeSettings::held_cases), which no child of this grading runs.
void wipe_what_the_child_does_not_run(const std::vector<Case>& cases, const std::vector<PlannedCall>& plan,
                                      const std::vector<const std::vector<Case>*>& held) {
    std::vector<bool> runs(cases.size(), false);
    for (const PlannedCall& call : plan) runs[call.case_index] = true;
    for (std::size_t k = 0; k < cases.size(); ++k) {
        const Case& c = cases[k];
        if (!runs[k]) wipe_case(c);
        else if (c.expected) wipe(c.expected->data);
    }
    for (const std::vector<Case>* others : held)
        for (const Case& c : *others) wipe_case(c);
}

// The stack below the caller's frame, zeroed: what deeper calls left there before (the JSON parser's
// numbers and tokens of the case files) would otherwise be copied into every child.
constexpr std::size_t stack_wipe_bytes = std::size_t(64) << 10;  // small enough for any thread
__attribute__((noinline)) void wipe_stack_below_caller() {
    unsigned char area[stack_wipe_bytes];
    wipe(area, sizeof area);
}

// The sandbox child: open the submission and run calls [start, end) in order, sending each result.
// The inputs of each call are made here, from the case (the plan holds no copies of them).
void run_calls(const std::vector<Case>& cases, const std::vector<const std::vector<Case>*>& held,
               const std::filesystem::path& library, Exercise e, const std::vector<PlannedCall>& plan, std::size_t start,
               sandbox::Channel& channel) {
    wipe_what_the_child_does_not_run(cases, plan, held);
    answers::wipe_remembered();  // the reference's answers a Memo keeps (watch, ./course grade)
    wipe_stack_below_caller();  // what this thread's stack held before (a previous grading's judging)
#if !CELAB_ASAN && defined(__GLIBC__) && defined(M_PERTURB)
    ::mallopt(M_PERTURB, 0);  // student code gets glibc's usual allocator, whatever it reads uninitialized
#endif
    const abi::SubmissionTable* functions = nullptr;
    try {
        functions = &load_submission(library);
    } catch (const std::exception& error) {
        CallResult r;
        r.outcome = Outcome::exception;
        r.text = std::string("could not load the submission: ") + error.what();
        channel.send(encode(static_cast<std::uint32_t>(start), r));
        return;
    }
    // Every call's inputs go through the same objects: consecutive calls of one shape see the same
    // buffers, so code that caches by address or by shape shows it (the repeatable check).
    Inputs inputs;
    for (std::size_t i = start; i < plan.size(); ++i) {
        if (i == start || plan[i].case_index != plan[i - 1].case_index) {
            flush_student_output();
            const std::string marker = marker_begin + std::to_string(i) + marker_end;
            [[maybe_unused]] const ssize_t written = ::write(STDOUT_FILENO, marker.data(), marker.size());
        }
        CallResult r;
        Eigen::Index entries = 0;
        {
            // main and again start from the case's own inputs (inputs_for() would only copy them).
            const Case& c = cases[plan[i].case_index];
            const bool own = plan[i].role == Role::main || plan[i].role == Role::again;
            std::optional<Inputs> made;
            const Inputs& source = own ? c.inputs : made.emplace(inputs_for(c, plan[i].role));
            entries = input_entries(source);
            assign_inputs(inputs, source);
            r = invoke(*functions, e, inputs);
            flush_student_output();
            // The inputs are const references: code that writes into them (through const_cast or a
            // pointer) fails the call, whatever it returned.
            if (r.outcome == Outcome::value) {
                if (auto change = changed_input(inputs, source)) {
                    r.outcome = Outcome::modified_input;
                    r.text = "wrote into its input (" + *change + "): inputs are const; compute into a copy of your own";
                    r.value = Value{};
                }
            }
        }
        // An absurdly large result (a wrong shape, say 30,000,000 entries for 3 logits) is not sent:
        // its size is the verdict, and the grader must not hold gigabytes of it.
        const Eigen::Index limit = 4 * entries + 1024;
        if (r.outcome == Outcome::value && r.value.data.size() > limit) {
            r.outcome = Outcome::oversized;
            r.text = "returned " + std::to_string(r.value.data.rows()) + "x" + std::to_string(r.value.data.cols()) +
                     " entries, far more than the inputs have (" + std::to_string(entries) +
                     "): check the shape of the result";
            r.value = Value{};
        }
        channel.send(encode(static_cast<std::uint32_t>(i), r));
    }
}

std::string death_text(const sandbox::Outcome& o, const char* function) {
    switch (o.end) {
        case sandbox::End::signaled:
            return std::string("crashed with ") + o.signal_name + " in " + function;
        case sandbox::End::exited:
            if (o.exit_code == sandbox::exit_code_uncaught_exception)
                return std::string("the process could not send the results of ") + function +
                       " back to the grader (were its file descriptors closed or redirected?)";
            return "the process exited with status " + std::to_string(o.exit_code) + " inside " + function +
                   " (calling exit() or quick_exit() ends the run; return the result instead)";
        case sandbox::End::timed_out: return std::string("timed out in ") + function;
        case sandbox::End::failed_to_start: return "could not start the sandbox: " + o.error;
    }
    return "ended unexpectedly";
}

// What is left of one exercise's time: CPU time (the limit students see, the same on a busy machine)
// and the wall-clock backstop for code that sleeps or blocks. Each child run uses up both.
struct TimeBudget {
    double cpu = 0.0;
    double wall = 0.0;
    bool used_up() const { return cpu <= 0.0 || wall <= 0.0; }
};

// Runs every planned call of one exercise, restarting the child after a crash, within one time budget.
// `budget` is what is left of the exercise's time limit; the calls use it up. `output`: what the calls
// printed, attributed to the call that printed it (see split_output).
std::vector<CallResult> run_plan(const std::vector<Case>& cases, const std::filesystem::path& library, Exercise e,
                                 const std::vector<PlannedCall>& plan, const GradeSettings& settings, TimeBudget& budget,
                                 std::vector<std::pair<std::size_t, std::string>>& output, bool& truncated) {
    const sandbox::Limits& limits = settings.limits;
    std::vector<CallResult> results(plan.size());
    std::size_t next = 0;
    std::size_t kept = 0;  // bytes of output kept
    // The call the time ran out in names the case's size: a timeout on a large case is more likely an
    // O(V^2) loop than an infinite one.
    const auto timed_out = [&](std::size_t call) {
        char limit[32];
        CallResult dead;
        dead.outcome = Outcome::timeout;
        const std::string size = call < plan.size() ? case_size(cases[plan[call].case_index].inputs) : "";
        const std::string in_case = size.empty() ? "" : " in a case of " + size;
        if (budget.wall <= 0.0 && budget.cpu > 0.0) {  // stopped by the backstop: it waited, it did not compute
            std::snprintf(limit, sizeof limit, "%g", sandbox::wall_limit(limits));
            dead.text = std::string("timed out: ") + name(e) + " did not finish within " + limit +
                        " s of wall-clock time while using little CPU time" + in_case +
                        " (is it waiting for something: a sleep, a lock, input?)";
            return dead;
        }
        std::snprintf(limit, sizeof limit, "%g", limits.timeout_seconds);
        const bool large = call < plan.size() && input_entries(cases[plan[call].case_index].inputs) >= 10000;
        dead.text = std::string("timed out: ") + name(e) + " used up its " + limit + " s CPU time limit" + in_case +
                    (large ? " (a loop over every pair of entries, O(V²), is too slow here; or an infinite loop?)"
                           : " (an infinite loop?)");
        return dead;
    };
    while (next < plan.size()) {
        if (budget.used_up()) {  // the time limit is used up: the remaining calls are not run
            for (std::size_t i = next; i < plan.size(); ++i) results[i] = timed_out(next);
            break;
        }
        sandbox::Limits now = limits;
        now.timeout_seconds = budget.cpu;
        now.wall_seconds = budget.wall;
        now.output_bytes = limits.output_bytes + marker_bytes * (plan.size() - next);
        now.readable.push_back(library.string());  // the only file of the checkout the child may read
        const std::size_t start = next;
        sandbox::Outcome o =
            sandbox::run([&](sandbox::Channel& channel) { run_calls(cases, settings.held_cases, library, e, plan, start, channel); }, now);
        timings::add("child: process start + calls", o.seconds);
        budget.cpu -= o.cpu_seconds;
        budget.wall -= o.seconds;
        for (auto& [call, text] : split_output(o.output, start)) {
            if (kept >= limits.output_bytes) {
                truncated = true;
                break;
            }
            if (kept + text.size() > limits.output_bytes) {
                text.resize(limits.output_bytes - kept);
                truncated = true;
            }
            kept += text.size();
            output.emplace_back(call, std::move(text));
        }
        truncated = truncated || o.output_truncated;
        bool load_failed = false;
        for (std::string& message : o.messages) {
            std::uint32_t index = 0;
            CallResult r;
            try {
                r = decode(message, index);
                std::string().swap(message);  // the bytes are in r now: do not hold both
            } catch (const std::exception& error) {
                r.outcome = Outcome::crash;
                r.text = std::string("sent a corrupted result (") + error.what() + ")";
                index = static_cast<std::uint32_t>(next);
            }
            if (index != next) {  // results arrive in order; anything else is forged
                r.outcome = Outcome::crash;
                r.text = "sent a result out of order";
                index = static_cast<std::uint32_t>(next);
            }
            load_failed = r.text.rfind("could not load the submission", 0) == 0;
            results[next++] = std::move(r);
            if (next >= plan.size() || load_failed) break;
        }
        if (load_failed) {
            for (std::size_t i = next; i < plan.size(); ++i) results[i] = results[next - 1];
            break;
        }
        if (next >= plan.size()) break;
        // The child ended (or hung) inside call `next`.
        CallResult dead;
        dead.outcome = o.end == sandbox::End::timed_out || budget.used_up() ? Outcome::timeout : Outcome::crash;
        dead.text = death_text(o, name(e));
        if (dead.outcome == Outcome::crash && o.end == sandbox::End::signaled && o.signal_name == "SIGABRT") {
            // The standard library's assertions (-D_GLIBCXX_ASSERTIONS) abort with a message; so does an
            // Eigen check thrown where no exception may pass (a noexcept function).
            std::string text = library_assertion_text(o.output, name(e));
            const std::string eigen = "instance of 'celab::abi::EigenCheckFailed'";
            const std::size_t thrown = o.output.rfind(eigen);
            if (text.empty() && thrown != std::string::npos) {
                const std::size_t what = o.output.find("what():", thrown);
                std::string condition = what == std::string::npos ? "" : o.output.substr(what + 7);
                condition = condition.substr(0, condition.find('\n'));
                condition.erase(0, condition.find_first_not_of(' '));
                bool out_of_range = false;
                text = eigen_check_text(condition, name(e), out_of_range);
                if (!out_of_range) dead.outcome = Outcome::check_failed;
            }
            if (!text.empty()) {
                if (dead.outcome == Outcome::crash) dead.outcome = Outcome::out_of_range;
                dead.text = text;
            }
        }
        if (dead.outcome == Outcome::timeout) {
            if (o.wall_clock_ran_out) budget.wall = 0.0;
            else budget.cpu = 0.0;
            const CallResult timeout = timed_out(next);
            for (std::size_t i = next; i < plan.size(); ++i) results[i] = timeout;
            break;
        }
        // A crash costs the rest of that case's calls (they would likely crash too), not the other cases.
        const std::size_t crashed_case = plan[next].case_index;
        while (next < plan.size() && plan[next].case_index == crashed_case) results[next++] = dead;
    }
    return results;
}

// One exercise, graded: its rows in case order and what its code printed.
struct ExerciseGrade {
    Exercise exercise = nullptr;
    std::vector<std::size_t> case_indices;
    double work = 0.0;  // input entries of its cases: the longest exercises start first
    // Its calls, visible cases and hidden ones in separate processes (plans[0], plans[1]), so that what
    // the code prints about hidden inputs is never shown; their results, and what the visible ones printed.
    std::vector<PlannedCall> plans[2];
    std::vector<CallResult> results[2];
    TimeBudget budget;
    std::vector<std::pair<std::size_t, std::string>> pieces;
    bool truncated = false, hidden_printed = false;
    // What the hidden calls printed: kept only in the instructor's view (GradeSettings::instructor_view).
    std::vector<std::pair<std::size_t, std::string>> hidden_pieces;
    bool hidden_truncated = false;
    std::vector<CheckResult> rows;
    std::string output;
};

void plan_exercise(const std::vector<Case>& cases, const GradeSettings& settings, ExerciseGrade& g) {
    // Every call of every case of this exercise, in case order.
    for (std::size_t k : g.case_indices) {
        const bool hidden = cases[k].visibility == Visibility::hidden;
        for (Role role : roles_for(cases[k], checks_for(cases[k])))
            g.plans[hidden].push_back(PlannedCall{k, role, Inputs{}});  // inputs: made where needed
    }
    g.budget = TimeBudget{settings.limits.timeout_seconds,
                          sandbox::wall_limit(settings.limits)};
}

// Runs the visible (hidden = false) or the hidden calls of one exercise.
void run_exercise(const std::vector<Case>& cases, const std::filesystem::path& library, const GradeSettings& settings,
                  bool hidden, ExerciseGrade& g) {
    if (!hidden) {
        g.results[0] = run_plan(cases, library, g.exercise, g.plans[0], settings, g.budget, g.pieces, g.truncated);
        return;
    }
    // What the hidden calls printed: only whether there was any is said (all of it in the instructor's view).
    std::vector<std::pair<std::size_t, std::string>> hidden_pieces;
    bool hidden_truncated = false;
    g.results[1] = run_plan(cases, library, g.exercise, g.plans[1], settings, g.budget, hidden_pieces, hidden_truncated);
    g.hidden_printed = !hidden_pieces.empty();
    if (settings.instructor_view) {
        g.hidden_pieces = std::move(hidden_pieces);
        g.hidden_truncated = hidden_truncated;
    }
}

void judge_exercise(const std::vector<Case>& cases, const GradeSettings& settings, ExerciseGrade& g) {
    // What the visible cases printed, under the name of the case that printed it.
    std::string output;
    std::size_t shown_case = cases.size();
    for (const auto& [call, text] : g.pieces) {
        const std::size_t k = call < g.plans[0].size() ? g.plans[0][call].case_index : cases.size();
        if (k != shown_case && k < cases.size()) output += "case \"" + cases[k].name + "\":\n";
        shown_case = k;
        output += text;
        if (!output.empty() && output.back() != '\n') output += '\n';
    }
    if (g.truncated) output += "[... output truncated ...]\n";
    if (settings.instructor_view) {  // the instructor's view: what the hidden cases printed too
        shown_case = cases.size();
        for (const auto& [call, text] : g.hidden_pieces) {
            const std::size_t k = call < g.plans[1].size() ? g.plans[1][call].case_index : cases.size();
            if (k != shown_case && k < cases.size()) output += "case \"" + cases[k].name + "\" (hidden):\n";
            shown_case = k;
            output += text;
            if (!output.empty() && output.back() != '\n') output += '\n';
        }
        if (g.hidden_truncated) output += "[... output truncated ...]\n";
    } else if (g.hidden_printed) {
        output += "[... what the code printed while running hidden cases is not shown ...]\n";
    }
    g.output = std::move(output);
    std::vector<PlannedCall>& plan = g.plans[0];
    plan.insert(plan.end(), std::make_move_iterator(g.plans[1].begin()), std::make_move_iterator(g.plans[1].end()));
    std::vector<CallResult>& results = g.results[0];
    results.insert(results.end(), std::make_move_iterator(g.results[1].begin()),
                   std::make_move_iterator(g.results[1].end()));

    timings::Scope judging("parent: judge (all checks)");
    std::map<std::size_t, std::vector<std::size_t>> calls_of;  // case -> its calls in the plan
    for (std::size_t i = 0; i < plan.size(); ++i) calls_of[plan[i].case_index].push_back(i);
    for (std::size_t k : g.case_indices) {
        // One case at a time: its results are kept only while it is judged, and its shifted inputs only
        // while a check looks at them (CaseRun::input).
        CaseRun run;
        run.c = &cases[k];
        for (std::size_t i : calls_of.at(k)) {
            const Role role = plan[i].role;
            if (role == Role::main || role == Role::again) run.inputs[role] = &cases[k].inputs;  // inputs_for() copies
            run.results[role] = std::move(results[i]);
        }
        for (CheckResult& row : judge(run)) {
            row.instructor_view = settings.instructor_view;
            if (row.withheld() && row.status != Status::pass) {
                row.hint.clear();
                row.diagnosis.clear();
                row.mistake.clear();
                row.plot.reset();
                row.message = "hidden case: " + std::string(grader::name(row.status)) + " (inputs and expected values are not shown)";
            }
            g.rows.push_back(std::move(row));
        }
    }
}

}  // namespace

namespace {

__attribute__((noinline)) Report grade_all(const std::vector<Case>& cases, const std::filesystem::path& library,
                                           const GradeSettings& settings) {
    Report report;
    report.seed = settings.seed;
    report.submission = settings.submission_label;
    report.instructor_view = settings.instructor_view;
    if (settings.limits.isolate) report.note = sandbox::confinement_note();

    if (timings::enabled()) {
        // The fixed cost of one sandbox child, measured once: fork, limits, confinement, loading the
        // library, exit (scripts/benchmark multiplies it by the number of children).
        sandbox::Limits limits = settings.limits;
        limits.readable.push_back(library.string());
        const sandbox::Outcome o = sandbox::run(
            [&](sandbox::Channel&) {
                try {
                    load_submission(library);
                } catch (const std::exception&) {
                }
            },
            limits);
        timings::add("child: start + load library + exit (one empty child)", o.seconds);
    }

    std::vector<ExerciseGrade> exercises;
    for (Exercise e : all_exercises()) {
        ExerciseGrade g;
        g.exercise = e;
        for (std::size_t k = 0; k < cases.size(); ++k) {
            if (cases[k].exercise != e) continue;
            g.case_indices.push_back(k);
            g.work += static_cast<double>(input_entries(cases[k].inputs)) + 100.0;
        }
        if (!g.case_indices.empty()) exercises.push_back(std::move(g));
    }

    // Exercises are independent processes: grade them concurrently, one per core, the longest first
    // (each keeps its own time budget); the report keeps the order of all_exercises(). In three steps,
    // each finished before the next starts: every visible child, then every hidden child, then judging.
    // So no child that runs visible cases is forked while the grader holds anything a hidden child sent
    // or printed (which the code could have filled with hidden inputs), or what judging hidden cases makes.
    for (ExerciseGrade& g : exercises) plan_exercise(cases, settings, g);
    std::vector<std::size_t> order(exercises.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return exercises[a].work > exercises[b].work; });
    unsigned jobs = settings.jobs != 0 ? settings.jobs : std::max(1u, std::thread::hardware_concurrency());
    jobs = static_cast<unsigned>(std::min<std::size_t>(sandbox::forking_threads(jobs), exercises.size()));
    std::vector<std::exception_ptr> errors(exercises.size());
    std::vector<char> left_out(exercises.size(), 0);  // interrupted before it started
    const auto in_parallel = [&](const std::function<void(ExerciseGrade&)>& step, bool first_step) {
        std::atomic<std::size_t> next{0};
        const auto worker = [&] {
            for (std::size_t i = next++; i < order.size(); i = next++) {
                if (first_step && settings.interrupted && settings.interrupted()) left_out[order[i]] = 1;
                if (errors[order[i]] || left_out[order[i]]) continue;
                try {
                    step(exercises[order[i]]);
                } catch (...) {
                    errors[order[i]] = std::current_exception();
                }
            }
        };
        std::vector<std::thread> threads;
        for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(worker);
        worker();
        for (std::thread& t : threads) t.join();
    };
    in_parallel([&](ExerciseGrade& g) { run_exercise(cases, library, settings, false, g); }, true);
    in_parallel([&](ExerciseGrade& g) { run_exercise(cases, library, settings, true, g); }, false);
    in_parallel([&](ExerciseGrade& g) { judge_exercise(cases, settings, g); }, false);

    for (std::size_t i = 0; i < exercises.size(); ++i) {
        if (errors[i]) std::rethrow_exception(errors[i]);
        if (left_out[i]) continue;
        ExerciseGrade& g = exercises[i];
        if (!g.output.empty()) report.student_output.emplace_back(g.exercise, std::move(g.output));
        for (CheckResult& row : g.rows) report.checks.push_back(std::move(row));
    }
    course::apply_points(report, settings.points, settings.scoring);
    return report;
}

}  // namespace

Report grade(const std::vector<Case>& cases, const std::filesystem::path& library, const GradeSettings& settings) {
    // Before any child is forked: no leftovers of loading the cases in this thread's free blocks or on its
    // stack where grading's own frames (grade_all and below, never wiped) are about to be.
    wipe_stack_below_caller();
    wipe_reusable_blocks();
    return grade_all(cases, library, settings);
}

}  // namespace celab::grader
