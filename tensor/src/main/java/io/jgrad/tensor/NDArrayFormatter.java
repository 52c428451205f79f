package io.jgrad.tensor;

import java.util.Locale;

/**
 * Prints arrays the way PyTorch does: nested brackets, one shared number format, and for arrays of more
 * than {@link #THRESHOLD} elements only the first and last {@link #EDGE} entries of each dim.
 */
final class NDArrayFormatter {

    static final int THRESHOLD = 1000;
    static final int EDGE = 3;

    private NDArrayFormatter() {
    }

    static String format(NDArray a) {
        double[] values = a.toDoubleArray();
        // int64 is printed from the longs themselves: doubles are not exact above 2^53
        long[] longs = a.dtype() == DType.INT64 ? a.toLongArray() : null;
        boolean summarise = values.length > THRESHOLD;
        String fmt = numberFormat(a.dtype(), values);
        StringBuilder sb = new StringBuilder("tensor(");
        int[] shape = a.shape();
        appendDim(sb, values, longs, shape, Shapes.contiguousStrides(shape), 0, 0, fmt, summarise, "tensor(".length());
        if (a.numel() == 0) sb.append(", size=").append(Shapes.str(shape));
        if (a.dtype() != DType.FLOAT32) sb.append(", dtype=").append(a.dtype());
        if (!a.device().isCpu()) sb.append(", device='").append(a.device()).append("'");
        return sb.append(')').toString();
    }

    private static void appendDim(StringBuilder sb, double[] v, long[] longs, int[] shape, int[] strides, int dim, int base,
                                  String fmt, boolean summarise, int indent) {
        if (dim == shape.length) {
            sb.append(longs != null ? Long.toString(longs[base]) : formatValue(v[base], fmt));
            return;
        }
        sb.append('[');
        int n = shape[dim];
        boolean cut = summarise && n > 2 * EDGE;
        for (int i = 0; i < n; i++) {
            if (cut && i == EDGE) {
                sb.append(dim == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + dim + 1));
                i = n - EDGE;
            }
            appendDim(sb, v, longs, shape, strides, dim + 1, base + i * strides[dim], fmt, summarise, indent);
            if (i < n - 1) {
                if (dim == shape.length - 1) sb.append(", ");
                else sb.append(",").append("\n".repeat(shape.length - dim - 1)).append(" ".repeat(indent + dim + 1));
            }
        }
        sb.append(']');
    }

    /**
     * Integers print as integers; floats with 4 decimals, or in scientific notation when, as in torch, the
     * nonzero finite magnitudes span more than a factor 1000 or reach 1e8 or fall below 1e-4.
     */
    private static String numberFormat(DType dtype, double[] values) {
        if (dtype == DType.INT64) return "%d"; // for show: format() prints int64 from the longs
        double maxAbs = 0, minAbs = Double.POSITIVE_INFINITY;
        for (double x : values) {
            if (!Double.isFinite(x)) continue;
            double m = Math.abs(x);
            maxAbs = Math.max(maxAbs, m);
            if (m > 0) minAbs = Math.min(minAbs, m);
        }
        if (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs > 0) || (maxAbs / minAbs > 1000 && minAbs != Double.POSITIVE_INFINITY)) {
            return "%.4e";
        }
        return "%.4f";
    }

    private static String formatValue(double x, String fmt) {
        if (Double.isNaN(x)) return "nan";
        if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
        return String.format(Locale.ROOT, fmt, x);
    }
}
