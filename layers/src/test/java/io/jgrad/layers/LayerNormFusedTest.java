package io.jgrad.layers;

import io.jgrad.autograd.GradMode;
import io.jgrad.autograd.Graph;
import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused layer normalisation ({@code Tensor.layerNorm}, what {@link LayerNorm} records in training) against
 * its composition of recorded ops, in float32 on the fast backend: the same values and gradients for the input,
 * weight and bias, at a Transformer layer's width and at odd sizes, on contiguous and transposed inputs.
 */
class LayerNormFusedTest {

    private final Generator gen = new Generator(3);

    private void compare(int[] inputShape, int[] normalized, boolean transposed, boolean affine) {
        NDArray x = NDArray.randn(gen, DType.FLOAT32, inputShape).mul(2).add(1), g = NDArray.randn(gen, DType.FLOAT32, inputShape);
        NDArray w = NDArray.randn(gen, DType.FLOAT32, normalized), b = NDArray.randn(gen, DType.FLOAT32, normalized);
        Tensor[] fused = leaves(x, w, b), composed = leaves(x, w, b);
        Tensor yf = view(fused[0], transposed).layerNorm(normalized, affine ? fused[1] : null, affine ? fused[2] : null, 1e-5);
        Tensor yc = LayerNorm.composed(view(composed[0], transposed), normalized, affine ? composed[1] : null, affine ? composed[2] : null, 1e-5);
        yf.backward(view(Tensor.of(g), transposed).data().contiguous());
        yc.backward(view(Tensor.of(g), transposed).data().contiguous());
        String at = java.util.Arrays.toString(inputShape) + " over " + java.util.Arrays.toString(normalized) + (transposed ? " transposed" : "");
        close(yc.data(), yf.data(), at + " values");
        close(composed[0].grad(), fused[0].grad(), at + " input gradient");
        if (affine) {
            close(composed[1].grad(), fused[1].grad(), at + " weight gradient");
            close(composed[2].grad(), fused[2].grad(), at + " bias gradient");
        }
    }

    private static Tensor[] leaves(NDArray... arrays) {
        Tensor[] t = new Tensor[arrays.length];
        for (int i = 0; i < t.length; i++) t[i] = Tensor.of(arrays[i].copy()).requiresGrad(true);
        return t;
    }

    private static Tensor view(Tensor t, boolean transposed) {
        return transposed ? t.transpose(0, 1) : t;
    }

    private static void close(NDArray expected, NDArray actual, String what) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        double scale = 0;
        for (double v : e) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= 1e-4 * scale + 1e-5, what + ": element " + i + " expected " + e[i] + " got " + a[i]);
        }
    }

    @Test
    void fusedMatchesTheComposition() {
        compare(new int[] {4, 64, 128}, new int[] {128}, false, true);
        compare(new int[] {3, 7, 33}, new int[] {33}, false, true);
        compare(new int[] {2, 5, 3, 13}, new int[] {3, 13}, false, true);
        compare(new int[] {5, 3, 31}, new int[] {31}, true, true);
        compare(new int[] {257, 1}, new int[] {1}, false, true);
        compare(new int[] {6, 17}, new int[] {17}, false, false);
    }

    @Test
    void layerRecordsOneNodeInTrainingAndTheCompositionUnderAnomalyDetection() {
        LayerNorm norm = new LayerNorm(8);
        Tensor x = Tensor.of(NDArray.randn(gen, DType.FLOAT32, 3, 8)).requiresGrad(true);
        String fused = Graph.toDot(norm.forward(x));
        assertTrue(fused.contains("LAYER_NORM") && !fused.contains("SQRT"), fused);
        try (var scope = GradMode.detectAnomaly()) {
            String composed = Graph.toDot(norm.forward(x));
            assertTrue(composed.contains("SQRT") && !composed.contains("LAYER_NORM"), composed);
        }
    }
}
