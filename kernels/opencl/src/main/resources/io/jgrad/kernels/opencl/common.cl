// Prepended by ClRuntime to every program: the strided-array struct and its index helpers.

// Every operation rounded on its own, as the reference backend's (no a*b+c contracted into fma; nvcc gets
// -fmad=false for the same).
#ifdef __OPENCL_VERSION__
#pragma OPENCL FP_CONTRACT OFF
#ifdef JGRAD_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif
#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable
#endif

#define MAX_RANK 8

// An array view: element [i0, i1, ...] lives at offset + i0*strides[0] + i1*strides[1] + ... (in elements).
// Built on the host by ClLayout, passed by value.
typedef struct {
    int offset;
    int rank;
    int shape[MAX_RANK];
    int strides[MAX_RANK];
} Layout;

// Storage index of the element at row-major position i of l's shape.
FN int layout_at(const Layout l, int i) {
    if (l.rank == 0) return l.offset;
    if (l.rank == 1) return l.offset + i * l.strides[0];
    int p = l.offset;
    for (int d = l.rank - 1; d >= 0; d--) {
        int size = l.shape[d];
        p += (i % size) * l.strides[d];
        i /= size;
    }
    return p;
}

// The coordinate along dim of row-major position i of l's shape.
FN int layout_coord(const Layout l, int i, int dim) {
    for (int d = l.rank - 1; d > dim; d--) i /= l.shape[d];
    return i % l.shape[dim];
}

// Storage index of [n, c, h, w] in a rank-4 layout.
FN int layout_at4(const Layout l, int n, int c, int h, int w) {
    return l.offset + n * l.strides[0] + c * l.strides[1] + h * l.strides[2] + w * l.strides[3];
}

// NaN tests that also compile for the integral instantiation (T=long), which has no NaN.
#ifdef INTEGRAL
#define IS_NAN(v) 0
#else
#define IS_NAN(v) isnan(v)
#endif

// Row-major coordinates of position i of l's shape into coord[0 .. l.rank-1].
FN void layout_coords(const Layout l, int i, int* coord) {
    for (int d = l.rank - 1; d >= 0; d--) {
        coord[d] = i % l.shape[d];
        i /= l.shape[d];
    }
}

// Storage index of coord (of l's rank) in l.
FN int layout_at_coords(const Layout l, const int* coord) {
    int p = l.offset;
    for (int d = 0; d < l.rank; d++) p += coord[d] * l.strides[d];
    return p;
}

// Records the first out-of-range index a kernel met, for the host to report at its next read (ClKernelErrors):
// err = {flag, op code, dim size, index low word, index high word}. The kernel then skips that index.
FN void report_bad_index(GLOBAL int* err, int op, long index, int size) {
    if (atomic_cmpxchg(err, 0, 1) == 0) {
        err[1] = op;
        err[2] = size;
        err[3] = (int) (index & 0xffffffffL);
        err[4] = (int) (index >> 32);
    }
}
