package io.jgrad.kernels.cuda;

import io.jgrad.tensor.DType;

import java.util.ArrayList;
import java.util.List;

/**
 * Every kernel entry the backend launches, with the family of modules it lives in and its parameter list. The
 * runtime checks each launch's arguments against it (a wrong count or kind would otherwise be undefined
 * behaviour on the device), and {@code KernelSignatureTest} checks it against the {@code .entry} declarations of
 * the committed PTX, without a GPU.
 *
 * <p>Parameter tokens: {@code p} a device pointer, {@code i} int, {@code j} long, {@code f} float, {@code d}
 * double, {@code T} the element type of the module's dtype, {@code L} a {@code Layout} struct (18 ints),
 * {@code C} the {@code ConvShape} of im2col.cl (16 ints), {@code P} the {@code PoolGeometry} of pool.cl (12 ints),
 * {@code O} a GEMM {@code Operand} (4 longs).
 */
public enum CudaKernel {
    FILL("elementwise", "fill", "p L i T"),
    UNARY("elementwise", "unary", "p p L L i i T T"),
    BINARY("elementwise", "binary", "p p p L L L i i"),
    WHERE("elementwise", "where_select", "p p p p L L L L i"),
    COPY("copy", "copy", "p p L L i"),
    REDUCE_SERIAL("reduce", "reduce_serial", "p p L L L i i i T"),
    REDUCE_GROUP("reduce", "reduce_group", "p p L L L i i i T"),
    ARG_REDUCE("reduce", "arg_reduce", "p p L L i i i i"),
    SOFTMAX_ROWS("reduce", "softmax_rows", "p p L L i i i i i", true),
    CROSS_ENTROPY_ROWS("reduce", "cross_entropy_rows", "p p p p p L L L i i i i j T p", true),
    CROSS_ENTROPY_TOTAL("reduce", "cross_entropy_total", "p p p p p p L L L i i i i j T p i i", true),
    CROSS_ENTROPY_BACKWARD("reduce", "cross_entropy_backward", "p p p p p p p L L L L L L i i i i i i j T", true),
    GATHER("indexing", "gather", "p p p L L L i i i p"),
    SCATTER_ADD("indexing", "scatter_add", "p p p L L L i i p"),
    INDEX_SELECT("indexing", "index_select", "p p p L L i i i i i p"),
    INDEX_ADD("indexing", "index_add", "p p p L L i i i i i p"),
    IM2COL("im2col", "im2col", "p p L C i i"),
    COL2IM("im2col", "col2im", "p p L C i i"),
    ADD_BIAS("im2col", "add_bias", "p p L i i i i"),
    CONV2D_IMPLICIT("im2col", "conv2d_implicit", "p p p p L L C i i i i i i i"),
    MAX_POOL_FORWARD("pool", "max_pool_forward", "p p p L L L P"),
    MAX_POOL_BACKWARD("pool", "max_pool_backward", "p p p L L L P"),
    MAX_POOL_BACKWARD_CELLS("pool", "max_pool_backward_cells", "p p p p L L L L P i"),
    AVG_POOL_FORWARD("pool", "avg_pool_forward", "p p L L P"),
    AVG_POOL_BACKWARD("pool", "avg_pool_backward", "p p L L P"),
    ADAM_STEP("optim", "adam_step", "p p p p p i i i i i i T T T T T T T T i i i i"),
    SGD_STEP("optim", "sgd_step", "p p p i i i i T T T T i i i i i"),
    ADAM_MULTI("optim", "adam_multi", "p p p p p p i i T T T T T T T T i i i i"),
    SGD_MULTI("optim", "sgd_multi", "p p p p i i T T T T i i i i i"),
    SGEMM("gemm", "sgemm_128x128", "p p p O O O i i i f f"),
    SGEMM_VEC4("gemm", "sgemm_128x128_vec4", "p p p O O O i i i f f"),
    SGEMM_V2("gemm", "sgemm_128x128_v2", "p p p O O O i i i f f"),
    SGEMM_TF32("gemm", "sgemm_tf32_128x128", "p p p O O O i i i f f"),
    SGEMM_TF32_V2("gemm", "sgemm_tf32_v2", "p p p O O O i i i f f"),
    SGEMM_64("gemm", "sgemm_64x128", "p p p O O O i i i f f"),
    SGEMM_64_VEC4("gemm", "sgemm_64x128_vec4", "p p p O O O i i i f f"),
    SGEMM_SMALL("gemm", "sgemm_small", "p p p O O O i i i f f"),
    DGEMM("gemm", "dgemm_64x64", "p p p O O O i i i d d"),
    DGEMM_SMALL("gemm", "dgemm_small", "p p p O O O i i i d d"),
    SGEMM_SPLIT_SUM("gemm", "sgemm_split_sum", "p p O i i i f f"),
    DGEMM_SPLIT_SUM("gemm", "dgemm_split_sum", "p p O i i i d d");

    private final String family;
    private final String entry;
    private final String signature;
    private final boolean floatingOnly;
    /** {@link #paramKinds} for each dtype (by ordinal), made once: the runtime checks them on every launch. */
    private final List<List<String>> kindsByDtype = new ArrayList<>();

    CudaKernel(String family, String entry, String signature) {
        this(family, entry, signature, false);
    }

    CudaKernel(String family, String entry, String signature, boolean floatingOnly) {
        this.family = family;
        this.entry = entry;
        this.signature = signature;
        this.floatingOnly = floatingOnly;
        for (DType dtype : DType.values()) kindsByDtype.add(List.copyOf(kinds(dtype)));
    }

    /** True when the source has the kernel under {@code #ifndef INTEGRAL}: absent from the int64 module. */
    public boolean floatingOnly() {
        return floatingOnly;
    }

    /** The module family ({@code gemm} is one module for every dtype; the others are one module per dtype). */
    public String family() {
        return family;
    }

    /** The {@code .entry} name in the PTX. */
    public String entry() {
        return entry;
    }

    /** True when one module serves every dtype (the entry names the type instead). */
    public boolean dtypeIndependent() {
        return family.equals("gemm");
    }

    /**
     * The parameters as the kinds both the PTX and a launch's arguments reduce to: {@code b4} (32-bit integer),
     * {@code b8} (64-bit integer or pointer), {@code f32}, {@code f64}, or {@code s<bytes>} (a by-value struct).
     */
    public List<String> paramKinds(DType dtype) {
        return kindsByDtype.get(dtype.ordinal());
    }

    private List<String> kinds(DType dtype) {
        List<String> kinds = new ArrayList<>();
        for (String token : signature.split(" ")) {
            kinds.add(switch (token) {
                case "p", "j" -> "b8";
                case "i" -> "b4";
                case "f" -> "f32";
                case "d" -> "f64";
                case "T" -> switch (dtype) {
                    case FLOAT32 -> "f32";
                    case FLOAT64 -> "f64";
                    case INT64 -> "b8";
                };
                case "L" -> "s72";
                case "C" -> "s64";
                case "P" -> "s48";
                case "O" -> "s32";
                default -> throw new IllegalStateException("bad token " + token + " in the signature of " + this);
            });
        }
        return kinds;
    }
}
