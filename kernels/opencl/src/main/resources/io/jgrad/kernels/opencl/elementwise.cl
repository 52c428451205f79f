// Elementwise kernels over strided views: copy with dtype conversion, fill, unary and binary ops, where.
// All operands of one launch share a shape (ClLayout.coalesce); work-item i handles row-major position i.
// Unary and binary ops are chosen at run time (op codes UNARY_* / BINARY_* defined by the host from the
// Java enums), so one program per dtype serves them all. Every switch has a case for every constant of its
// enum in both the floating and the INTEGRAL instantiation (OpCasesTest scans these sources), and the host
// passes each enum's size: a constant added in Java without its case here stops the build of this program
// with the #error below (under #ifdef T) instead of computing NaN. Adding an op: docs/adding-an-op.md.

#ifdef SRC
// Float to int64 saturates and maps NaN to 0, as Java's (long) cast of the reference backend does.
#ifdef TO_LONG_SAT
#define CONVERT(x) convert_long_sat(x)
#else
#define CONVERT(x) ((DST) (x))
#endif

KERNEL void copy(GLOBAL const SRC* src, GLOBAL DST* dst, const Layout sl, const Layout dl, int n) {
    int i = get_global_id(0);
    if (i < n) dst[layout_at(dl, i)] = CONVERT(src[layout_at(sl, i)]);
}
#endif

#ifdef T
// (copy alone is built without T and without the op codes.)
#define UNARY_CASES 18
#define BINARY_CASES 14
#if UNARY_COUNT != UNARY_CASES || BINARY_COUNT != BINARY_CASES
#error "UnaryOp or BinaryOp has a constant without its case in elementwise.cl: add the case and count it in UNARY_CASES / BINARY_CASES"
#endif

KERNEL void fill(GLOBAL T* dst, const Layout dl, int n, T value) {
    int i = get_global_id(0);
    if (i < n) dst[layout_at(dl, i)] = value;
}

// One element of a unary op: ReferenceBackend.apply(UnaryOp, ...) in OpenCL C.
FN T unary_op(int op, T x, T alpha, T beta) {
    switch (op) {
        case UNARY_NEG: return -x;
        case UNARY_SQUARE: return x * x;
#ifdef INTEGRAL
        case UNARY_ABS: return x < 0 ? -x : x;
        case UNARY_SIGN: return (T) (x > 0) - (T) (x < 0);
        case UNARY_RELU: return x > 0 ? x : 0;
        case UNARY_CLAMP: return min(max(x, alpha), beta);
        // Floating-point only: NDArray rejects them for integer arrays before any kernel runs.
        case UNARY_EXP: case UNARY_LOG: case UNARY_SQRT: case UNARY_RSQRT: case UNARY_RECIPROCAL: case UNARY_TANH:
        case UNARY_SIGMOID: case UNARY_ERF: case UNARY_GELU_ERF: case UNARY_GELU_TANH: case UNARY_LEAKY_RELU:
        case UNARY_POW_SCALAR:
        default: return x;
#else
        case UNARY_ABS: return fabs(x);
        // Math.signum: NaN and signed zeros pass through (OpenCL's sign() maps NaN to 0).
        case UNARY_SIGN: return isnan(x) || x == 0 ? x : (x > 0 ? (T) 1 : (T) -1);
        case UNARY_EXP: return exp(x);
        case UNARY_LOG: return log(x);
        case UNARY_SQRT: return sqrt(x);
        case UNARY_RSQRT: return (T) 1 / sqrt(x);
        case UNARY_RECIPROCAL: return (T) 1 / x;
        case UNARY_TANH: return tanh(x);
        // Two branches so that exp never overflows: for x < 0, e^x / (1 + e^x).
        case UNARY_SIGMOID: return x >= 0 ? (T) 1 / ((T) 1 + exp(-x)) : exp(x) / ((T) 1 + exp(x));
        case UNARY_RELU: return x > 0 || isnan(x) ? x : (T) 0;
        case UNARY_ERF: return erf(x);
        // 1 + erf(z) as erfc(-z): no cancellation for x << 0 (float erf is near -1 there).
        case UNARY_GELU_ERF: return (T) 0.5 * x * erfc(-x / sqrt((T) 2));
        // 0.5·x·(1 + tanh(u)) written as x / (1 + e^(-2u)): the same function without the cancellation in
        // 1 + tanh(u) for u << 0, where a float tanh a hair above -1 would leave a visible residue.
        case UNARY_GELU_TANH: return x / ((T) 1 + exp((T) -2 * sqrt((T) 2 / (T) M_PI) * (x + (T) 0.044715 * x * x * x)));
        case UNARY_LEAKY_RELU: return x > 0 ? x : x * alpha;
        case UNARY_POW_SCALAR: return pow(x, alpha);
        case UNARY_CLAMP: return isnan(x) ? x : fmin(fmax(x, alpha), beta);
        default: return NAN;
#endif
    }
}

KERNEL void unary(GLOBAL const T* x, GLOBAL T* out, const Layout xl, const Layout ol, int n, int op, T alpha, T beta) {
    int i = get_global_id(0);
    if (i < n) out[layout_at(ol, i)] = unary_op(op, x[layout_at(xl, i)], alpha, beta);
}

#ifdef INTEGRAL
// Java's (long) Math.pow(a, b) for integers: exact repeated squaring; negative exponents as the double result truncated.
FN T int_pow(T a, T b) {
    if (b < 0) return a == 1 ? 1 : a == -1 ? ((b & 1) ? -1 : 1) : a == 0 ? LONG_MAX : 0;
    T result = 1;
    while (b > 0) {
        if (b & 1) result *= a;
        a *= a;
        b >>= 1;
    }
    return result;
}
#endif

// One element of a binary op: ReferenceBackend.apply(BinaryOp, ...) in OpenCL C. Comparisons give 1 or 0.
FN T binary_op(int op, T a, T b) {
    switch (op) {
        case BINARY_ADD: return a + b;
        case BINARY_SUB: return a - b;
        case BINARY_MUL: return a * b;
        // g·(x > 0): the product, as the composed g.mul(x.gt(0)), so that -0 and NaN of g come out the same.
        case BINARY_RELU_BACKWARD: return a * (b > 0 ? (T) 1 : (T) 0);
        case BINARY_EQ: return a == b ? 1 : 0;
        case BINARY_NE: return a != b ? 1 : 0;
        case BINARY_LT: return a < b ? 1 : 0;
        case BINARY_LE: return a <= b ? 1 : 0;
        case BINARY_GT: return a > b ? 1 : 0;
        case BINARY_GE: return a >= b ? 1 : 0;
#ifdef INTEGRAL
        // Java's (long) of the double quotient: x/0 saturates, 0/0 is 0.
        case BINARY_DIV: return b != 0 ? a / b : a == 0 ? 0 : a > 0 ? LONG_MAX : LONG_MIN;
        case BINARY_POW: return int_pow(a, b);
        case BINARY_MAXIMUM: return max(a, b);
        case BINARY_MINIMUM: return min(a, b);
#else
        case BINARY_DIV: return a / b;
        case BINARY_POW: return pow(a, b);
        case BINARY_MAXIMUM: return isnan(a) || isnan(b) ? (T) NAN : fmax(a, b);
        case BINARY_MINIMUM: return isnan(a) || isnan(b) ? (T) NAN : fmin(a, b);
#endif
        default: return 0;
    }
}

KERNEL void binary(GLOBAL const T* a, GLOBAL const T* b, GLOBAL T* out, const Layout al, const Layout bl, const Layout ol, int n, int op) {
    int i = get_global_id(0);
    if (i < n) out[layout_at(ol, i)] = binary_op(op, a[layout_at(al, i)], b[layout_at(bl, i)]);
}

#ifdef C
KERNEL void where_select(GLOBAL const C* cond, GLOBAL const T* a, GLOBAL const T* b, GLOBAL T* out,
                         const Layout cl, const Layout al, const Layout bl, const Layout ol, int n) {
    int i = get_global_id(0);
    if (i < n) out[layout_at(ol, i)] = cond[layout_at(cl, i)] != 0 ? a[layout_at(al, i)] : b[layout_at(bl, i)];
}
#endif
#endif
