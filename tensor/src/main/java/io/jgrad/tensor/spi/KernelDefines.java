package io.jgrad.tensor.spi;

import io.jgrad.tensor.DType;

import java.util.EnumMap;
import java.util.Map;

/**
 * The preprocessor defines that template the portable kernel sources (kernels/opencl resources, compiled as
 * OpenCL C at run time and as CUDA C to committed PTX): the element type and the op codes of the Java enums.
 * One definition for both GPU backends, so the sources, the OpenCL build options and the PTX cannot disagree.
 */
public final class KernelDefines {

    /** Work-group (block) size of the one-group-per-output reduction; a power of two every device supports. */
    public static final int REDUCE_GROUP = 64;

    /**
     * Logits (rows x classes) up to which a GPU backend computes a reduced cross-entropy's rows and total in one
     * launch of one {@link #REDUCE_GROUP} work-group ({@link Backend#crossEntropyReduced}): at most 128 logits per
     * work-item, a few microseconds, about one launch's cost (a batch of 512 over 10 classes is 80 each). More
     * take one work-item per row, then a second launch for the total.
     */
    public static final int CROSS_ENTROPY_ONE_GROUP_LOGITS = 128 * REDUCE_GROUP;

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
        return TYPE_DEFINES.get(dtype);
    }

    /** {@link #typeDefines} then {@link #OP_CODES}: the defines of most portable kernels. */
    public static String typeAndOpDefines(DType dtype) {
        return TYPE_AND_OP_DEFINES.get(dtype);
    }

    // One string per dtype, made once: kernels are looked up by their defines on every launch, and a string built
    // per launch (the op codes are hundreds of characters) would be hashed and compared anew each time.
    private static final Map<DType, String> TYPE_DEFINES = new EnumMap<>(DType.class), TYPE_AND_OP_DEFINES = new EnumMap<>(DType.class);
    private static final Map<DType, Map<DType, String>> COPY_DEFINES = new EnumMap<>(DType.class), WHERE_DEFINES = new EnumMap<>(DType.class);

    static {
        for (DType dtype : DType.values()) {
            TYPE_DEFINES.put(dtype, "-DT=" + typeName(dtype) + (dtype.isFloatingPoint() ? "" : " -DINTEGRAL"));
            TYPE_AND_OP_DEFINES.put(dtype, TYPE_DEFINES.get(dtype) + OP_CODES);
            COPY_DEFINES.put(dtype, new EnumMap<>(DType.class));
            WHERE_DEFINES.put(dtype, new EnumMap<>(DType.class));
            for (DType other : DType.values()) {
                COPY_DEFINES.get(dtype).put(other, "-DSRC=" + typeName(dtype) + " -DDST=" + typeName(other)
                        + (dtype.isFloatingPoint() && other == DType.INT64 ? " -DTO_LONG_SAT" : ""));
                WHERE_DEFINES.get(dtype).put(other, TYPE_DEFINES.get(dtype) + " -DC=" + typeName(other) + OP_CODES);
            }
        }
    }

    /** The defines of the copy kernel from {@code src} to {@code dst} (float to int64 saturates, as Java's cast). */
    public static String copyDefines(DType src, DType dst) {
        return COPY_DEFINES.get(src).get(dst);
    }

    /** The defines of the where kernel: elements of {@code dtype}, a condition of {@code cond}, with the op codes. */
    public static String whereDefines(DType dtype, DType cond) {
        return WHERE_DEFINES.get(dtype).get(cond);
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
