// Stands in for exercise functions a submission cannot provide, so that the rest of the submission
// can still be built and graded. The submission builder compiles it in one of four ways:
//  -DCELAB_FALLBACK_SOFTMAX, _LOSS or _GRADIENT: that file's functions (include/celab/exercises.hpp),
//     used when the file is missing, does not compile, or breaks the link; each throws
//     std::runtime_error("celab::NAME is unavailable: FILE.cpp did not compile or link").
//  -DCELAB_FALLBACK_WEAK: all nine functions as weak symbols, linked into every submission; the
//     linker uses them only for a function the submission does not define (deleted, renamed, or
//     declared with another signature), which then throws "celab::NAME is not defined ...".
#include <celab/exercises.hpp>

#include <stdexcept>
#include <string>

#if defined(CELAB_FALLBACK_SOFTMAX) + defined(CELAB_FALLBACK_LOSS) + defined(CELAB_FALLBACK_GRADIENT) + \
        defined(CELAB_FALLBACK_WEAK) !=                                                                  \
    1
#error "define exactly one of CELAB_FALLBACK_SOFTMAX, CELAB_FALLBACK_LOSS, CELAB_FALLBACK_GRADIENT, CELAB_FALLBACK_WEAK"
#endif

namespace celab {

namespace {
[[noreturn]] void unavailable(const char* function, const char* file) {
#if defined(CELAB_FALLBACK_WEAK)
    throw std::runtime_error(std::string("celab::") + function + " is not defined: define it in " + file +
                             ".cpp with exactly the signature in include/celab/exercises.hpp");
#else
    throw std::runtime_error(std::string("celab::") + function + " is unavailable: " + file +
                             ".cpp did not compile or link");
#endif
}
}  // namespace

#if defined(CELAB_FALLBACK_WEAK)
#define CELAB_FALLBACK_DEFINITION __attribute__((weak))
#define CELAB_FALLBACK_SOFTMAX
#define CELAB_FALLBACK_LOSS
#define CELAB_FALLBACK_GRADIENT
#else
#define CELAB_FALLBACK_DEFINITION
#endif

#if defined(CELAB_FALLBACK_SOFTMAX)
CELAB_FALLBACK_DEFINITION Eigen::VectorXd softmax(const Eigen::VectorXd&) { unavailable("softmax", "softmax"); }
CELAB_FALLBACK_DEFINITION Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd&) {
    unavailable("softmax_rows", "softmax");
}
CELAB_FALLBACK_DEFINITION double log_sum_exp(const Eigen::VectorXd&) { unavailable("log_sum_exp", "softmax"); }
#endif

#if defined(CELAB_FALLBACK_LOSS)
CELAB_FALLBACK_DEFINITION double cross_entropy(const Eigen::VectorXd&, int) { unavailable("cross_entropy", "loss"); }
CELAB_FALLBACK_DEFINITION Eigen::VectorXd cross_entropy_from_probs(const Eigen::MatrixXd&, const Eigen::MatrixXd&,
                                                                   double) {
    unavailable("cross_entropy_from_probs", "loss");
}
CELAB_FALLBACK_DEFINITION Eigen::VectorXd cross_entropy_from_logits(const Eigen::MatrixXd&, const Eigen::MatrixXd&) {
    unavailable("cross_entropy_from_logits", "loss");
}
CELAB_FALLBACK_DEFINITION double reduce(const Eigen::VectorXd&, Reduction) { unavailable("reduce", "loss"); }
#endif

#if defined(CELAB_FALLBACK_GRADIENT)
CELAB_FALLBACK_DEFINITION Eigen::VectorXd cross_entropy_grad(const Eigen::VectorXd&, int) {
    unavailable("cross_entropy_grad", "gradient");
}
CELAB_FALLBACK_DEFINITION Eigen::MatrixXd cross_entropy_grad_batch(const Eigen::MatrixXd&, const Eigen::MatrixXd&,
                                                                   Reduction) {
    unavailable("cross_entropy_grad_batch", "gradient");
}
#endif

}  // namespace celab
