package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.REFERENCE;
import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static io.jgrad.kernels.cpu.VectorChecks.assertClose;
import static io.jgrad.kernels.cpu.VectorChecks.randn;
import static io.jgrad.kernels.cpu.VectorChecks.zeros;

import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.ComposedRecurrentCells;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * The fused LSTM and GRU cells, forward and backward: the vector kernels and the composed defaults (what a
 * backend without a fused kernel runs) against the reference, at hidden sizes around the vector width, on
 * contiguous, row-strided (a gap after each row), element-strided and transposed views; and the reference
 * against values computed by hand.
 */
class VectorRecurrentTest {

    /** float32 against the double reference: a few ulp of the largest term, as the other transcendental kernels. */
    private static final double RTOL = 2e-6, ATOL = 1e-6;

    private static final UnaryOperator<NDArray> CONTIGUOUS = a -> a;
    /** A gap after every row: the vector path (rows contiguous, any row stride). */
    private static final UnaryOperator<NDArray> ROW_STRIDED = a -> NDArray.zeros(a.dtype(), a.shape(0), a.shape(1) + 3).narrow(1, 2, a.shape(1)).assign(a);

    private static UnaryOperator<NDArray> layout(String name) {
        return switch (name) {
            case "contiguous" -> CONTIGUOUS;
            case "rows" -> ROW_STRIDED;
            case "spaced" -> VectorChecks::spaced;        // gaps between elements: the reference path
            case "transposed" -> VectorChecks::transposed;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The cell's outputs from {@code backend}, each written into a view of the given layout. */
    private static NDArray[] outputs(UnaryOperator<NDArray> layout, int... shapes) {
        NDArray[] out = new NDArray[shapes.length / 2];
        for (int k = 0; k < out.length; k++) out[k] = layout.apply(zeros(shapes[2 * k], shapes[2 * k + 1]));
        return out;
    }

    private static NDArray[] lstmForward(Backend b, NDArray[] in, UnaryOperator<NDArray> layout) {
        int n = in[2].shape(0), h = in[2].shape(1);
        NDArray[] out = outputs(layout, n, h, n, h, n, 4 * h);
        if (b == null) ComposedRecurrentCells.lstmCell(in[0], in[1], in[2], out[0], out[1], out[2]);
        else b.lstmCell(in[0], in[1], in[2], out[0], out[1], out[2]);
        return out;
    }

    private static NDArray[] lstmBackward(Backend b, NDArray[] in, UnaryOperator<NDArray> layout) {
        int n = in[2].shape(0), h = in[2].shape(1);
        NDArray[] out = outputs(layout, n, 4 * h, n, h);
        if (b == null) ComposedRecurrentCells.lstmCellBackward(in[0], in[1], in[2], in[3], in[4], out[0], out[1]);
        else b.lstmCellBackward(in[0], in[1], in[2], in[3], in[4], out[0], out[1]);
        return out;
    }

    private static NDArray[] gruForward(Backend b, NDArray[] in, UnaryOperator<NDArray> layout) {
        int n = in[2].shape(0), h = in[2].shape(1);
        NDArray[] out = outputs(layout, n, h, n, 4 * h);
        if (b == null) ComposedRecurrentCells.gruCell(in[0], in[1], in[2], out[0], out[1]);
        else b.gruCell(in[0], in[1], in[2], out[0], out[1]);
        return out;
    }

    private static NDArray[] gruBackward(Backend b, NDArray[] in, UnaryOperator<NDArray> layout) {
        int n = in[1].shape(0), h = in[1].shape(1);
        NDArray[] out = outputs(layout, n, 3 * h, n, 3 * h, n, h);
        if (b == null) ComposedRecurrentCells.gruCellBackward(in[0], in[1], in[2], out[0], out[1], out[2]);
        else b.gruCellBackward(in[0], in[1], in[2], out[0], out[1], out[2]);
        return out;
    }

    /** Runs {@code cell} on the reference, the vector backend and the composition (null), all on {@code layout}'s views. */
    private static void compare(String what, NDArray[] inputs, UnaryOperator<NDArray> layout, BiFunction<Backend, NDArray[], NDArray[]> cell) {
        NDArray[] viewed = new NDArray[inputs.length];
        for (int k = 0; k < inputs.length; k++) viewed[k] = layout.apply(inputs[k]);
        NDArray[] expected = cell.apply(REFERENCE, viewed), vector = cell.apply(VECTOR, viewed), composed = cell.apply(null, viewed);
        for (int k = 0; k < expected.length; k++) {
            assertClose(expected[k], vector[k], RTOL, ATOL, what + ", vector, output " + k);
            assertClose(expected[k], composed[k], RTOL, ATOL, what + ", composed, output " + k);
        }
    }

    @ParameterizedTest(name = "batch {0}, hidden {1}, {2}")
    @CsvSource({
            "1, 1, contiguous", "2, 3, contiguous", "7, 13, contiguous", "2, 33, contiguous", "7, 33, rows", "1, 13, rows",
            "2, 3, spaced", "7, 13, transposed", "1, 33, transposed", "3, 64, contiguous", "2, 17, rows"})
    void lstmCellMatchesTheReference(int batch, int hidden, String layoutName) {
        UnaryOperator<NDArray> layout = layout(layoutName);
        Generator gen = new Generator(31L * batch + hidden);
        // gates scaled so that some saturate and some sit near 0 (both branches of tanh and σ)
        NDArray xGates = randn(gen, batch, 4 * hidden).mul(3), hGates = randn(gen, batch, 4 * hidden), c = randn(gen, batch, hidden);
        String what = "lstm [" + batch + ", " + hidden + "] " + layoutName;
        compare(what + " forward", new NDArray[] {xGates, hGates, c}, layout, (b, in) -> lstmForward(b, in, layout));
        NDArray[] fwd = lstmForward(REFERENCE, new NDArray[] {xGates, hGates, c}, CONTIGUOUS);
        NDArray gradH = randn(gen, batch, hidden), gradC = randn(gen, batch, hidden);
        compare(what + " backward", new NDArray[] {gradH, gradC, c, fwd[1], fwd[2]}, layout, (b, in) -> lstmBackward(b, in, layout));
    }

    @ParameterizedTest(name = "batch {0}, hidden {1}, {2}")
    @CsvSource({
            "1, 1, contiguous", "2, 3, contiguous", "7, 13, contiguous", "2, 33, contiguous", "7, 33, rows", "1, 13, rows",
            "2, 3, spaced", "7, 13, transposed", "1, 33, transposed", "3, 64, contiguous", "2, 17, rows"})
    void gruCellMatchesTheReference(int batch, int hidden, String layoutName) {
        UnaryOperator<NDArray> layout = layout(layoutName);
        Generator gen = new Generator(17L * batch + hidden);
        NDArray xGates = randn(gen, batch, 3 * hidden).mul(3), hGates = randn(gen, batch, 3 * hidden), h = randn(gen, batch, hidden);
        String what = "gru [" + batch + ", " + hidden + "] " + layoutName;
        compare(what + " forward", new NDArray[] {xGates, hGates, h}, layout, (b, in) -> gruForward(b, in, layout));
        NDArray[] fwd = gruForward(REFERENCE, new NDArray[] {xGates, hGates, h}, CONTIGUOUS);
        NDArray gradH = randn(gen, batch, hidden);
        compare(what + " backward", new NDArray[] {gradH, h, fwd[1]}, layout, (b, in) -> gruBackward(b, in, layout));
    }

    /** One cell by hand: i = σ(0) = 0.5, f = σ(ln 3) = 0.75, g = tanh(0.5·ln 3) = 0.5, o = σ(-ln 3) = 0.25. */
    @Test
    void lstmCellByHand() {
        double ln3 = Math.log(3);
        NDArray xGates = NDArray.of(new float[] {0, (float) ln3, (float) (0.5 * ln3), 0}, 1, 4);
        NDArray hGates = NDArray.of(new float[] {0, 0, 0, (float) -ln3}, 1, 4);
        NDArray c = NDArray.of(new float[] {2}, 1, 1);
        NDArray[] out = lstmForward(REFERENCE, new NDArray[] {xGates, hGates, c}, CONTIGUOUS);
        double cNew = 0.75 * 2 + 0.5 * 0.5;                                         // 1.75
        assertClose(NDArray.of(new float[] {(float) cNew}, 1, 1), out[1], 1e-6, 1e-7, "c'");
        assertClose(NDArray.of(new float[] {(float) (0.25 * Math.tanh(cNew))}, 1, 1), out[0], 1e-6, 1e-7, "h'");
        assertClose(NDArray.of(new float[] {0.5f, 0.75f, 0.5f, 0.25f}, 1, 4), out[2], 1e-6, 1e-7, "gates");
    }

    /** One GRU cell by hand: r = σ(0) = 0.5, z = σ(ln 3) = 0.75, n = tanh(x_n + r·h_n) = tanh(0), h' = 0.75·h. */
    @Test
    void gruCellByHand() {
        double ln3 = Math.log(3);
        NDArray xGates = NDArray.of(new float[] {0, (float) ln3, -1}, 1, 3);
        NDArray hGates = NDArray.of(new float[] {0, 0, 2}, 1, 3);
        NDArray h = NDArray.of(new float[] {4}, 1, 1);
        NDArray[] out = gruForward(REFERENCE, new NDArray[] {xGates, hGates, h}, CONTIGUOUS);
        assertClose(NDArray.of(new float[] {3}, 1, 1), out[0], 1e-6, 1e-7, "h'");
        assertClose(NDArray.of(new float[] {0.5f, 0.75f, 0, 2}, 1, 4), out[1], 1e-6, 1e-7, "saved r, z, n, h_n");
    }
}
