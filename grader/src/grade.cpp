#include "grade.hpp"

#include "checks.hpp"
#include "submission_loader.hpp"

#include <chrono>
#include <cstdio>
#include <map>

namespace celab::grader {

namespace {

Eigen::Index input_entries(const Inputs& in) {
    return in.z.size() + in.Z.size() + in.P.size() + in.losses.size();
}

// The sandbox child: open the submission and run calls [start, end) in order, sending each result.
void run_calls(const std::filesystem::path& library, Exercise e, const std::vector<PlannedCall>& plan,
               std::size_t start, sandbox::Channel& channel) {
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
    for (std::size_t i = start; i < plan.size(); ++i) {
        CallResult r = invoke(*functions, e, plan[i].inputs);
        // An absurdly large result (a wrong shape, say 30,000,000 entries for 3 logits) is not sent:
        // its size is the verdict, and the grader must not hold gigabytes of it.
        const Eigen::Index limit = 4 * input_entries(plan[i].inputs) + 1024;
        if (r.outcome == Outcome::value && r.value.data.size() > limit) {
            r.outcome = Outcome::oversized;
            r.text = "returned " + std::to_string(r.value.data.rows()) + "x" + std::to_string(r.value.data.cols()) +
                     " entries, far more than the inputs have (" + std::to_string(input_entries(plan[i].inputs)) +
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

// Runs every planned call of one exercise, restarting the child after a crash, within one time budget.
// `budget` is what is left of the exercise's time limit; the calls use it up.
std::vector<CallResult> run_plan(const std::filesystem::path& library, Exercise e, const std::vector<PlannedCall>& plan,
                                 const sandbox::Limits& limits, double& budget, std::string& output) {
    std::vector<CallResult> results(plan.size());
    std::size_t next = 0;
    const auto timed_out = [&] {
        char limit[32];
        std::snprintf(limit, sizeof limit, "%g", limits.timeout_seconds);
        CallResult dead;
        dead.outcome = Outcome::timeout;
        dead.text = std::string("timed out: ") + name(e) + " used up its " + limit + " s time limit (an infinite loop?)";
        return dead;
    };
    while (next < plan.size()) {
        if (budget <= 0.0) {  // the time limit is used up: the remaining calls are not run
            for (std::size_t i = next; i < plan.size(); ++i) results[i] = timed_out();
            break;
        }
        sandbox::Limits now = limits;
        now.timeout_seconds = budget;
        const std::size_t start = next;
        const sandbox::Outcome o =
            sandbox::run([&](sandbox::Channel& channel) { run_calls(library, e, plan, start, channel); }, now);
        budget -= o.seconds;
        if (!o.output.empty()) {
            if (output.size() < limits.output_bytes) output += o.output;
            if (o.output_truncated || output.size() > limits.output_bytes) {
                output.resize(std::min(output.size(), limits.output_bytes));
                output += "\n[... output truncated ...]\n";
            }
        }
        bool load_failed = false;
        for (const std::string& message : o.messages) {
            std::uint32_t index = 0;
            CallResult r;
            try {
                r = decode(message, index);
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
        dead.outcome = o.end == sandbox::End::timed_out || budget <= 0.0 ? Outcome::timeout : Outcome::crash;
        dead.text = death_text(o, name(e));
        if (dead.outcome == Outcome::timeout) {
            budget = 0.0;
            for (std::size_t i = next; i < plan.size(); ++i) results[i] = timed_out();
            break;
        }
        // A crash costs the rest of that case's calls (they would likely crash too), not the other cases.
        const std::size_t crashed_case = plan[next].case_index;
        while (next < plan.size() && plan[next].case_index == crashed_case) results[next++] = dead;
    }
    return results;
}

}  // namespace

Report grade(const std::vector<Case>& cases, const std::filesystem::path& library, const GradeSettings& settings) {
    Report report;
    report.seed = settings.seed;
    report.submission = settings.submission_label;
    for (Exercise e : all_exercises()) {
        // Plan: every call of every case of this exercise, in case order; visible cases and hidden
        // ones in separate processes, so that what the code prints about hidden inputs is never shown.
        std::vector<PlannedCall> plans[2];
        std::vector<std::size_t> case_indices;
        for (std::size_t k = 0; k < cases.size(); ++k) {
            if (cases[k].exercise != e) continue;
            case_indices.push_back(k);
            const bool hidden = cases[k].visibility == Visibility::hidden;
            for (Role role : roles_for(cases[k], checks_for(cases[k])))
                plans[hidden].push_back(PlannedCall{k, role, inputs_for(cases[k], role)});
        }
        if (case_indices.empty()) continue;
        double budget = settings.limits.timeout_seconds;
        std::string output, hidden_output;
        std::vector<CallResult> results = run_plan(library, e, plans[0], settings.limits, budget, output);
        std::vector<CallResult> hidden_results = run_plan(library, e, plans[1], settings.limits, budget, hidden_output);
        if (!hidden_output.empty()) output += "[... what the code printed while running hidden cases is not shown ...]\n";
        if (!output.empty()) report.student_output.emplace_back(e, output);
        std::vector<PlannedCall>& plan = plans[0];
        plan.insert(plan.end(), std::make_move_iterator(plans[1].begin()), std::make_move_iterator(plans[1].end()));
        results.insert(results.end(), std::make_move_iterator(hidden_results.begin()),
                       std::make_move_iterator(hidden_results.end()));

        std::map<std::size_t, CaseRun> runs;
        for (std::size_t i = 0; i < plan.size(); ++i) {
            CaseRun& run = runs[plan[i].case_index];
            run.c = &cases[plan[i].case_index];
            run.inputs[plan[i].role] = &plan[i].inputs;
            run.results[plan[i].role] = std::move(results[i]);
        }
        for (std::size_t k : case_indices) {
            for (CheckResult& row : judge(runs.at(k))) {
                if (row.visibility == Visibility::hidden && row.status != Status::pass) {
                    row.hint.clear();
                    row.diagnosis.clear();
                    row.mistake.clear();
                    row.plot.reset();
                    row.message = "hidden case: " + std::string(grader::name(row.status)) + " (inputs and expected values are not shown)";
                }
                report.checks.push_back(std::move(row));
            }
        }
    }
    return report;
}

}  // namespace celab::grader
