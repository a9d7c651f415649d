// The answers of a student release: looked up in the answer book the release was made with
// (grader/answers/book.cbor, written by ./course release). There is no reference here, and no formula
// that computes a right answer: a question the book cannot answer is NotFrozen.
#include "answers.hpp"
#include "book.hpp"
#include "formulas.hpp"
#include "locations.hpp"

#include <mutex>

namespace celab::grader {

namespace answers {

// Nothing is remembered here; the book in memory is the student's own file (grader/answers/book.cbor).
void wipe_remembered() {}

namespace {

const Book& book() {
    static const Book b = [] {
        const std::filesystem::path root = locations::source_root();
        return Book::read((root.empty() ? std::filesystem::path(".") : root) / book_path);
    }();
    return b;
}

const Entry& look_up(std::uint64_t key, const std::string& what) {
    const Entry* v = book().find(key);
    if (v == nullptr)
        throw NotFrozen("this student release holds no answer for " + what +
                        ": it was made for its own cases with seed " + std::to_string(book().seed) +
                        " (other cases, --seed or --fresh-seed need the instructor's copy)");
    return *v;
}

}  // namespace

bool frozen() { return true; }
std::optional<unsigned long long> frozen_seed() { return book().seed; }

Value of(const Descriptor& e, const Inputs& in) {
    const Entry& entry = look_up(Key("of").add(e.name).add(in).value(), "these inputs");
    if (!entry.compact) return entry.value;
    if (!e.compact) throw NotFrozen("the answer book keeps a compact answer for " + e.name + ", which has no expansion");
    return e.compact->expand(in, entry.value.data.col(0));
}

Value for_case(const Case& c, Role, const Inputs& in) { return of(*c.exercise, in); }
Memo::Memo() = default;
Memo::~Memo() = default;

double difference_quotient(const Descriptor& e, const Inputs& in, const Eigen::MatrixXd&, const Eigen::MatrixXd&,
                           double h, const std::string& direction, const Case*) {
    return look_up(Key("difference_quotient").add(e.name).add(in).add(direction).add(h).value(),
                   "the finite difference along " + direction)
        .value.data(0, 0);
}

}  // namespace answers

namespace formulas {

Eigen::MatrixXd stable_softmax_rows(const Eigen::MatrixXd& z) {
    const answers::Entry& entry = answers::look_up(answers::Key("softmax_rows").add(z).value(), "a softmax a diagnosis needs");
    return entry.compact ? softmax_from_lse(z, entry.value.data.col(0)) : entry.value.data;
}

Eigen::VectorXd stable_lse_rows(const Eigen::MatrixXd& z) {
    return answers::look_up(answers::Key("lse_rows").add(z).value(), "a log-sum-exp a diagnosis needs").value.data.col(0);
}

}  // namespace formulas

}  // namespace celab::grader
