package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.CrossEntropyParams;
import io.jgrad.tensor.spi.KernelDefines;
import org.junit.jupiter.api.Test;

import static io.jgrad.kernels.opencl.OpenClTesting.View;
import static io.jgrad.kernels.opencl.OpenClTesting.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cross-entropy kernels (rows, total, both in one launch, backward) against the reference backend: odd row and class counts,
 * logits seen through every view, class weights, ignored rows (the default index and one inside the classes),
 * label smoothing, rank 3, float32 and float64; a bad target is reported at the next read.
 */
class CrossEntropyTest {

    private static final int[] ROWS = {1, 2, 7, 33, 257, 4099};
    private static final int[] CLASSES = {1, 3, 10, 31, 1021};

    @Test
    void rowsTotalAndGradientMatchTheReference() {
        OpenClBackend cl = OpenClTesting.backend();
        Device gpu = cl.device();
        int seed = 0;
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int rows : ROWS) {
                for (int classes : CLASSES) {
                    if ((long) rows * classes > 300_000 && dtype == DType.FLOAT64) continue;   // strides are dtype-blind
                    for (View view : View.values()) {
                        seed++;
                        NDArray x = OpenClTesting.randn(seed, DType.FLOAT64, rows, classes).mul(4).to(dtype);
                        int ignore = seed % 3 == 0 ? 0 : -100;   // 0: an ignored class that is also a valid one
                        NDArray target = targets(seed, rows, classes, ignore);
                        NDArray weight = seed % 2 == 0 ? null : OpenClTesting.randn(seed + 1, DType.FLOAT64, classes).abs().add(0.1).to(dtype);
                        double eps = seed % 4 == 0 ? 0.2 : 0;
                        check(dtype + " rows " + rows + " classes " + classes + " " + view + (weight == null ? "" : " weighted") + " ignore " + ignore
                                + " eps " + eps, view.of(x), view.of(x.to(gpu)), target, weight, new CrossEntropyParams(ignore, eps), gpu);
                    }
                }
            }
        }
    }

    @Test
    void rankThreeLogitsAndEdgeRows() {
        Device gpu = OpenClTesting.device();
        NDArray x = OpenClTesting.randn(5, DType.FLOAT64, 3, 7, 5).to(DType.FLOAT32);   // [N, C, d]: the classes strided by d
        NDArray target = targets(6, 15, 7, -100).reshape(3, 5);
        check("rank 3", x, x.to(gpu), target, null, new CrossEntropyParams(-100, 0.1), gpu);
        // A row of -inf (NaN loss, as log-softmax gives), +inf and NaN logits, and a row whose target weight is 0.
        float inf = Float.POSITIVE_INFINITY;
        NDArray edges = NDArray.of(new float[] {-inf, -inf, -inf, 1, inf, 2, 0, Float.NaN, 1, 3, -1, 2}, 4, 3);
        NDArray edgeTargets = NDArray.of(new long[] {1, 0, 2, 1}, 4);
        NDArray weight = NDArray.of(new float[] {1, 0, 2}, 3);
        check("edge values", edges, edges.to(gpu), edgeTargets, weight, new CrossEntropyParams(-100, 0.3), gpu);
        // Every row ignored: the mean is NaN (0/0), its divisor 1, every gradient 0.
        NDArray ignored = NDArray.of(new long[] {-100, -100}, 2);
        NDArray logits = OpenClTesting.randn(9, DType.FLOAT32, 2, 4);
        NDArray[] rows = logits.to(gpu).crossEntropy(ignored.to(gpu), null, new CrossEntropyParams(-100, 0));
        double[] total = NDArray.crossEntropyTotal(rows[0], rows[1], true).to(Device.CPU).toDoubleArray();
        assertTrue(Double.isNaN(total[0]), "mean of nothing: " + total[0]);
        assertEquals(1, total[1]);
    }

    /** The forward rows, both reductions and the gradient (of the mean, and per element) on both devices. */
    private static void check(String what, NDArray hx, NDArray dx, NDArray target, NDArray weight, CrossEntropyParams p, Device gpu) {
        NDArray dt = target.to(gpu), dw = weight == null ? null : weight.to(gpu);
        NDArray[] h = hx.crossEntropy(target, weight, p), d = dx.crossEntropy(dt, dw, p);
        double tol = OpenClTesting.ulps(hx.dtype()) * 10 * Math.log(hx.shape(1) + 2);
        assertMatches(what + ": loss", h[0], d[0], tol, tol);
        assertMatches(what + ": row statistics", h[1], d[1], tol, tol);
        for (boolean mean : new boolean[] {true, false}) {
            NDArray ht = NDArray.crossEntropyTotal(h[0], h[1], mean), dtot = NDArray.crossEntropyTotal(d[0], d[1], mean);
            double sumTol = tol * Math.max(1, target.numel() / 16.0);
            assertMatches(what + (mean ? ": mean" : ": sum"), ht, dtot, sumTol, sumTol);
            NDArray g = NDArray.scalar(hx.dtype(), 1.5).expand(target.shape());
            NDArray hg = hx.crossEntropyBackward(target, weight, p, h[1], g, ht.select(0, 1).expand(target.shape()));
            NDArray dg = dx.crossEntropyBackward(dt, dw, p, d[1], g.to(gpu), dtot.select(0, 1).expand(target.shape()));
            assertMatches(what + ": gradient of the " + (mean ? "mean" : "sum"), hg, dg, tol, tol);
        }
        // Rows and total in one call: one launch of one work-group for up to CROSS_ENTROPY_ONE_GROUP_LOGITS logits, else two.
        OpenClBackend cl = OpenClTesting.backend();
        for (boolean mean : new boolean[] {true, false}) {
            NDArray[] hr = hx.crossEntropyReduced(target, weight, p, mean);
            long before = cl.kernelLaunches();
            NDArray[] dr = dx.crossEntropyReduced(dt, dw, p, mean);
            long launches = cl.kernelLaunches() - before;
            double sumTol = tol * Math.max(1, target.numel() / 16.0);
            assertMatches(what + ": reduced, loss", hr[0], dr[0], tol, tol);
            assertMatches(what + ": reduced, row statistics", hr[1], dr[1], tol, tol);
            assertMatches(what + ": reduced, " + (mean ? "mean" : "sum"), hr[2], dr[2], sumTol, sumTol);
            long logits = (long) target.numel() * hx.shape(1);
            assertEquals(logits <= KernelDefines.CROSS_ENTROPY_ONE_GROUP_LOGITS ? 1 : 2, launches, what + ": launches of the reduced loss");
        }
        NDArray perElement = OpenClTesting.randn(3, hx.dtype(), target.shape());
        assertMatches(what + ": gradient per element", hx.crossEntropyBackward(target, weight, p, h[1], perElement, null),
                dx.crossEntropyBackward(dt, dw, p, d[1], perElement.to(gpu), null), tol, tol);
    }

    /** Random class targets with every fifth row at the ignore index. */
    private static NDArray targets(long seed, int rows, int classes, int ignore) {
        long[] t = OpenClTesting.randomIndex(seed, classes, rows).toLongArray();
        for (int i = 3; i < rows; i += 5) t[i] = ignore;
        return NDArray.of(t, rows);
    }

    @Test
    void aTargetOutsideTheClassesIsReportedAtTheNextRead() {
        Device gpu = OpenClTesting.device();
        NDArray x = NDArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).to(gpu);
        for (long bad : new long[] {3, -1}) {
            NDArray[] rows = x.crossEntropy(NDArray.of(new long[] {0, bad}, 2).to(gpu), null, new CrossEntropyParams(-100, 0));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rows[0].to(Device.CPU));
            assertTrue(e.getMessage().startsWith("crossEntropy: target " + bad + " is out of range for 3 classes"), e.getMessage());
        }
        // The same from the one-launch loss (rows and total together).
        NDArray[] reduced = x.crossEntropyReduced(NDArray.of(new long[] {7, 1}, 2).to(gpu), null, new CrossEntropyParams(-100, 0), true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> reduced[2].to(Device.CPU));
        assertTrue(e.getMessage().startsWith("crossEntropy: target 7 is out of range for 3 classes"), e.getMessage());
        // The report is cleared once thrown: the next loss reads back.
        NDArray[] ok = x.crossEntropy(NDArray.of(new long[] {0, 2}, 2).to(gpu), null, new CrossEntropyParams(-100, 0));
        assertEquals(2, ok[0].to(Device.CPU).toDoubleArray().length);
    }
}
