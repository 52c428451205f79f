package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.REFERENCE;
import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static io.jgrad.kernels.cpu.VectorChecks.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.CrossEntropyParams;
import org.junit.jupiter.api.Test;

/**
 * The vector cross-entropy (rows of adjacent float32 classes) against the reference: odd row and class counts
 * around the lane width, rows at a stride (a slice of wider rows), class weights, ignored rows, label smoothing,
 * expanded loss gradients, edge values; the layouts it does not take (classes strided) go to the reference.
 */
class VectorCrossEntropyTest {

    private static final int[] ROWS = {1, 2, 3, 7, 33, 257};
    private static final int[] CLASSES = {1, 2, 3, 7, 13, 31, 33, 255, 257, 1021};

    private final Generator gen = new Generator(11);

    @Test
    void matchesTheReferenceAtOddSizes() {
        int seed = 0;
        for (int rows : ROWS) {
            for (int classes : CLASSES) {
                seed++;
                NDArray wide = NDArray.randn(gen, DType.FLOAT32, rows, classes + 3).mul(4);
                NDArray x = seed % 2 == 0 ? wide.narrow(1, 1, classes) : wide.narrow(1, 0, classes).contiguous();   // rows at a stride, or dense
                int ignore = seed % 3 == 0 ? 0 : -100;
                long[] t = NDArray.randint(gen, 0, classes, rows).toLongArray();
                for (int i = 1; i < rows; i += 4) t[i] = ignore;
                NDArray weight = seed % 4 < 2 ? null : NDArray.rand(gen, DType.FLOAT32, classes).add(0.25f);
                double eps = seed % 5 < 2 ? 0 : 0.15;
                check("rows " + rows + " classes " + classes + " ignore " + ignore + (weight == null ? "" : " weighted") + " eps " + eps,
                        x, NDArray.of(t, rows), weight, new CrossEntropyParams(ignore, eps));
            }
        }
    }

    @Test
    void edgeValuesAndOtherLayouts() {
        float inf = Float.POSITIVE_INFINITY;
        NDArray edges = NDArray.of(new float[] {-inf, -inf, -inf, 1, inf, 2, 0, Float.NaN, 1, 3, -1, 2, 88, -88, 0}, 5, 3);
        check("edge values", edges, NDArray.of(new long[] {1, 0, 2, 1, 0}, 5), NDArray.of(new float[] {1, 0, 2}, 3), new CrossEntropyParams(-100, 0.3));
        NDArray classesStrided = NDArray.randn(gen, DType.FLOAT32, 9, 4).transpose(0, 1);   // [4, 9], class stride 4: the reference's
        check("classes strided", classesStrided, NDArray.of(new long[] {0, 8, 3, 5}, 4), null, new CrossEntropyParams(-100, 0.1));
    }

    @Test
    void aBadTargetIsRefusedBeforeAnyWork() {
        NDArray x = NDArray.randn(gen, DType.FLOAT32, 2, 5), loss = zeros(2), stats = zeros(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VECTOR.crossEntropy(x, NDArray.of(new long[] {4, 5}, 2), null, new CrossEntropyParams(-100, 0), loss, stats));
        assertEquals("crossEntropy: target 5 is out of range for 5 classes", e.getMessage());
    }

    private static void check(String what, NDArray x, NDArray target, NDArray weight, CrossEntropyParams p) {
        int rows = x.shape(0);
        NDArray[] expected = {zeros(rows), zeros(rows, 3)}, actual = {zeros(rows), zeros(rows, 3)};
        REFERENCE.crossEntropy(x, target, weight, p, expected[0], expected[1]);
        VECTOR.crossEntropy(x, target, weight, p, actual[0], actual[1]);
        double tol = 2e-6 * Math.log(x.shape(1) + 2);
        VectorChecks.assertClose(expected[0], actual[0], tol, tol, what + ": loss");
        VectorChecks.assertClose(expected[1], actual[1], tol, tol, what + ": row statistics");
        NDArray total = zeros(2);
        REFERENCE.crossEntropyTotal(expected[0], expected[1], true, total);
        NDArray gradLoss = NDArray.scalar(DType.FLOAT32, 1.5).expand(rows), divisor = total.select(0, 1).expand(rows);
        NDArray perRow = NDArray.randn(new Generator(3), DType.FLOAT32, rows);
        for (NDArray[] g : new NDArray[][] {{gradLoss, divisor}, {perRow, null}}) {
            NDArray ge = zeros(x.shape()), ga = zeros(x.shape());
            REFERENCE.crossEntropyBackward(x, target, weight, p, expected[1], g[0], g[1], ge);
            VECTOR.crossEntropyBackward(x, target, weight, p, expected[1], g[0], g[1], ga);
            VectorChecks.assertClose(ge, ga, tol, tol, what + ": gradient" + (g[1] == null ? " per row" : " of the mean"));
        }
    }
}
