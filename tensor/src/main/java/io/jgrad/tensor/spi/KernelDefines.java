package io.jgrad.tensor.spi;

import io.jgrad.tensor.DType;

/**
 * The preprocessor defines that template the portable kernel sources (kernels/opencl resources, compiled as
 * OpenCL C at run time and as CUDA C to committed PTX): the element type and the op codes of the Java enums.
 * One definition for both GPU backends, so the sources, the OpenCL build options and the PTX cannot disagree.
 */
public final class KernelDefines {

    /** Work-group (block) size of the one-group-per-output reduction; a power of two every device supports. */
    public static final int REDUCE_GROUP = 64;

    /**
     * The op codes of the Java enums as {@code -D} defines, so the sources' switches and the enums cannot drift
     * apart, each enum's size ({@code UNARY_COUNT}, ...), which the sources check against the cases they have,
     * and {@code REDUCE_GROUP}. Starts with a space.
     */
    public static final String OP_CODES = codes("UNARY_", UnaryOp.values()) + codes("BINARY_", BinaryOp.values())
            + codes("REDUCE_", ReduceOp.values()) + " -DREDUCE_GROUP=" + REDUCE_GROUP;

    private KernelDefines() {
    }

    private static String codes(String prefix, Enum<?>[] values) {
        StringBuilder sb = new StringBuilder();
        for (Enum<?> v : values) sb.append(" -D").append(prefix).append(v.name()).append('=').append(v.ordinal());
        return sb.append(" -D").append(prefix).append("COUNT=").append(values.length).toString();
    }

    /** The C type of a dtype's elements (OpenCL C and CUDA C on LP64 agree: long is 64 bits). */
    public static String typeName(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "float";
            case FLOAT64 -> "double";
            case INT64 -> "long";
        };
    }

    /**
     * The defines that template a source on {@code dtype}: {@code -DT=float}, {@code -DT=double}, or
     * {@code -DT=long -DINTEGRAL} (sources guard their floating-point-only code with {@code #ifndef INTEGRAL}).
     */
    public static String typeDefines(DType dtype) {
        return "-DT=" + typeName(dtype) + (dtype.isFloatingPoint() ? "" : " -DINTEGRAL");
    }

    /** The defines of the copy kernel from {@code src} to {@code dst} (float to int64 saturates, as Java's cast). */
    public static String copyDefines(DType src, DType dst) {
        return "-DSRC=" + typeName(src) + " -DDST=" + typeName(dst)
                + (src.isFloatingPoint() && dst == DType.INT64 ? " -DTO_LONG_SAT" : "");
    }

    /** The defines of the where kernel: elements of {@code dtype}, a condition of {@code cond}, with the op codes. */
    public static String whereDefines(DType dtype, DType cond) {
        return typeDefines(dtype) + " -DC=" + typeName(cond) + OP_CODES;
    }

    /** {@code value} as a kernel scalar of {@code dtype}: rounded to float, kept double, or truncated (saturating) to long. */
    public static Object scalar(DType dtype, double value) {
        return switch (dtype) {
            case FLOAT32 -> (float) value;
            case FLOAT64 -> value;
            case INT64 -> (long) value;
        };
    }
}
