// Stands in for an exercise file that is missing or does not compile, so that the other files of a
// submission can still be built and graded. The submission builder compiles it with exactly one of
// -DCELAB_FALLBACK_SOFTMAX, -DCELAB_FALLBACK_LOSS or -DCELAB_FALLBACK_GRADIENT; it then defines
// that file's functions (include/celab/exercises.hpp), each throwing
// std::runtime_error("celab::NAME is unavailable: FILE.cpp did not compile").
#include <celab/exercises.hpp>

#include <stdexcept>
#include <string>

#if defined(CELAB_FALLBACK_SOFTMAX) + defined(CELAB_FALLBACK_LOSS) + defined(CELAB_FALLBACK_GRADIENT) != 1
#error "define exactly one of CELAB_FALLBACK_SOFTMAX, CELAB_FALLBACK_LOSS, CELAB_FALLBACK_GRADIENT"
#endif

namespace celab {

namespace {
[[noreturn]] void unavailable(const char* function, const char* file) {
    throw std::runtime_error(std::string("celab::") + function + " is unavailable: " + file +
                             ".cpp did not compile");
}
}  // namespace

#if defined(CELAB_FALLBACK_SOFTMAX)
Eigen::VectorXd softmax(const Eigen::VectorXd&) { unavailable("softmax", "softmax"); }
Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd&) { unavailable("softmax_rows", "softmax"); }
double log_sum_exp(const Eigen::VectorXd&) { unavailable("log_sum_exp", "softmax"); }
#endif

#if defined(CELAB_FALLBACK_LOSS)
double cross_entropy(const Eigen::VectorXd&, int) { unavailable("cross_entropy", "loss"); }
Eigen::VectorXd cross_entropy_from_probs(const Eigen::MatrixXd&, const Eigen::MatrixXd&, double) {
    unavailable("cross_entropy_from_probs", "loss");
}
Eigen::VectorXd cross_entropy_from_logits(const Eigen::MatrixXd&, const Eigen::MatrixXd&) {
    unavailable("cross_entropy_from_logits", "loss");
}
double reduce(const Eigen::VectorXd&, Reduction) { unavailable("reduce", "loss"); }
#endif

#if defined(CELAB_FALLBACK_GRADIENT)
Eigen::VectorXd cross_entropy_grad(const Eigen::VectorXd&, int) { unavailable("cross_entropy_grad", "gradient"); }
Eigen::MatrixXd cross_entropy_grad_batch(const Eigen::MatrixXd&, const Eigen::MatrixXd&, Reduction) {
    unavailable("cross_entropy_grad_batch", "gradient");
}
#endif

}  // namespace celab
