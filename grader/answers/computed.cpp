// The answers of the instructor's copy: computed by the reference solutions (solutions/, linked in)
// and the exact formulas. A student release has grader/answers/frozen.cpp instead (see answers.hpp).
#include "answers.hpp"
#include "checks.hpp"
#include "formulas.hpp"
#include "recording.hpp"
#include "wipe.hpp"

#include <pthread.h>

#include <cmath>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

namespace celab::grader {

const abi::SubmissionTable& reference() {
    static const abi::SubmissionTable table = abi::linked_table();
    return table;
}

namespace answers {
namespace {

std::mutex recording_mutex;  // guards the book's map while answers are put into it
std::atomic<Book*> recording{nullptr};  // read on every answer: no lock when nobody records

void record(std::uint64_t key, const Value& v, bool compact = false) {
    std::lock_guard<std::mutex> lock(recording_mutex);
    if (Book* book = recording.load()) book->put(key, v, compact);
}

// log(sum(exp(z - m))) + m per row, as formulas::stable_lse_rows but not recorded.
Eigen::VectorXd lse_rows(const Eigen::MatrixXd& z) {
    Eigen::VectorXd out(z.rows());
    for (Eigen::Index n = 0; n < z.rows(); ++n) {
        const double m = z.row(n).maxCoeff();
        out[n] = std::isfinite(m) ? m + std::log((z.row(n).array() - m).unaryExpr(&formulas::exp_std).sum()) : m;
    }
    return out;
}

bool is_recording() { return recording.load() != nullptr; }

// The Memo's store (one Memo at a time; nested ones share it).
std::mutex memo_mutex;
int memo_depth = 0;
std::map<std::pair<const Case*, int>, std::shared_ptr<const Value>> memo_values;
std::map<std::tuple<const Case*, std::string, double>, double> memo_quotients;

// fork() waits until no thread is changing the store, so that a child (a copy of this process) finds it
// whole for wipe_remembered(); the child's copy of the mutex is released again in the child.
void lock_store_for_fork() { memo_mutex.lock(); }
void unlock_store_after_fork() { memo_mutex.unlock(); }
[[maybe_unused]] const bool fork_waits_for_the_store =
    ::pthread_atfork(lock_store_for_fork, unlock_store_after_fork, unlock_store_after_fork) == 0;

}  // namespace

void wipe_remembered() {
    std::lock_guard<std::mutex> lock(memo_mutex);
    for (auto& [key, value] : memo_values) {
        const Eigen::MatrixXd& data = value->data;
        wipe_bytes(const_cast<double*>(data.data()), sizeof(double) * static_cast<std::size_t>(data.size()));
    }
    for (auto& [key, quotient] : memo_quotients) zero_bytes(&quotient, sizeof quotient);
}

Memo::Memo() {
    std::lock_guard<std::mutex> lock(memo_mutex);
    ++memo_depth;
}

Memo::~Memo() {
    std::lock_guard<std::mutex> lock(memo_mutex);
    if (--memo_depth == 0) {
        memo_values.clear();
        memo_quotients.clear();
    }
}

Value for_case(const Case& c, Role role, const Inputs& in) {
    const auto key = std::make_pair(&c, static_cast<int>(role == Role::again ? Role::main : role));  // the same inputs
    bool remembering = false;
    {
        std::lock_guard<std::mutex> lock(memo_mutex);
        remembering = memo_depth > 0;
        if (remembering) {
            const auto it = memo_values.find(key);
            if (it != memo_values.end()) return *it->second;
        }
    }
    // Computed outside the lock: exercises are judged concurrently, and fork() waits for the lock.
    Value v = of(*c.exercise, in);
    if (!remembering) return v;
    std::lock_guard<std::mutex> lock(memo_mutex);
    if (memo_depth > 0) memo_values.emplace(key, std::make_shared<const Value>(v));
    return v;
}

void start_recording(Book& book) {
    std::lock_guard<std::mutex> lock(recording_mutex);
    recording.store(&book);
}

void stop_recording() {
    std::lock_guard<std::mutex> lock(recording_mutex);
    recording.store(nullptr);
}

bool frozen() { return false; }
std::optional<unsigned long long> frozen_seed() { return std::nullopt; }

Value of(const Descriptor& e, const Inputs& in) {
    Value v = e.call(reference(), in);
    if (is_recording()) {
        const std::uint64_t key = Key("of").add(e.name).add(in).value();
        if (e.compact && v.data.size() > compact_above) record(key, Value{v.shape, lse_rows(e.compact->logits(in))}, true);
        else record(key, v);
    }
    return v;
}

double difference_quotient(const Descriptor& e, const Inputs& in, const Eigen::MatrixXd& centred,
                           const Eigen::MatrixXd& d, double h, const std::string& direction, const Case* c) {
    const auto memo_key = std::make_tuple(c, direction, h);
    if (c != nullptr) {
        std::lock_guard<std::mutex> lock(memo_mutex);
        if (memo_depth > 0) {
            const auto it = memo_quotients.find(memo_key);
            if (it != memo_quotients.end()) return it->second;
        }
    }
    // One side at a time: a large case's two shifted copies of the logits never exist at once.
    const double up = e.loss(in, centred + h * d);
    const double down = e.loss(in, centred - h * d);
    const double q = (up - down) / (2 * h);
    if (is_recording()) {
        Value v;
        v.data = Eigen::MatrixXd::Constant(1, 1, q);
        record(Key("difference_quotient").add(e.name).add(in).add(direction).add(h).value(), v);
    }
    if (c != nullptr) {
        std::lock_guard<std::mutex> lock(memo_mutex);
        if (memo_depth > 0) memo_quotients.emplace(memo_key, q);
    }
    return q;
}

}  // namespace answers

// ---- the exact formulas (declared in grader/registry/formulas.hpp) ------------------------------------
namespace formulas {

Eigen::MatrixXd stable_softmax_rows(const Eigen::MatrixXd& z) {
    Eigen::MatrixXd p = softmax_rows_minus(z, z.rowwise().maxCoeff());
    if (answers::is_recording()) {
        const std::uint64_t key = answers::Key("softmax_rows").add(z).value();
        if (p.size() > answers::compact_above) answers::record(key, Value{Shape::matrix, answers::lse_rows(z)}, true);
        else answers::record(key, Value{Shape::matrix, p});
    }
    return p;
}

Eigen::VectorXd stable_lse_rows(const Eigen::MatrixXd& z) {
    const Eigen::VectorXd out = answers::lse_rows(z);
    if (answers::is_recording())
        answers::record(answers::Key("lse_rows").add(z).value(), Value{Shape::vector, Eigen::MatrixXd(out)});
    return out;
}

}  // namespace formulas

}  // namespace celab::grader
