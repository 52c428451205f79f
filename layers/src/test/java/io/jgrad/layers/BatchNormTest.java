package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Batch norm's two modes and its running statistics, against numbers worked out by hand. The two batches
 * used throughout, per channel (columns):
 * <pre>
 *   batch 1 [[1, 2], [3, 6]]: mean [2, 4], biased var [1, 4], unbiased var [2, 8]
 *   batch 2 [[0, 0], [2, 2]]: mean [1, 1], biased var [1, 1], unbiased var [2, 2]
 * </pre>
 */
class BatchNormTest {

    private static final double EPS = 1e-5;
    private static final Tensor BATCH1 = Tensor.of(new double[] {1, 2, 3, 6}, 2, 2);
    private static final Tensor BATCH2 = Tensor.of(new double[] {0, 0, 2, 2}, 2, 2);

    private static BatchNorm1d float64(Double momentum, boolean affine, boolean track) {
        DType previous = Init.setDefaultDType(DType.FLOAT64);
        try {
            return new BatchNorm1d(2, EPS, momentum, affine, track);
        } finally {
            Init.setDefaultDType(previous);
        }
    }

    private static void assertValues(double[] expected, NDArray actual) {
        assertArrayEquals(expected, actual.toDoubleArray(), 1e-6);
    }

    @Test
    void trainingNormalisesWithBiasedBatchVarianceAndUpdatesRunningStatsWithUnbiasedOne() {
        BatchNorm1d bn = float64(0.1, true, true);
        Tensor y = bn.forward(BATCH1);
        double a = 1 / Math.sqrt(1 + EPS), b = 2 / Math.sqrt(4 + EPS);
        assertValues(new double[] {-a, -b, a, b}, y.data());
        var state = bn.stateDict();
        assertValues(new double[] {0.2, 0.4}, state.get("running_mean"));           // 0.9·0 + 0.1·[2, 4]
        assertValues(new double[] {1.1, 1.7}, state.get("running_var"));           // 0.9·1 + 0.1·[2, 8]
        assertEquals(1L, state.get("num_batches_tracked").toLongArray()[0]);

        bn.forward(BATCH2);
        assertValues(new double[] {0.28, 0.46}, state.get("running_mean"));        // 0.9·[0.2, 0.4] + 0.1·[1, 1]
        assertValues(new double[] {1.19, 1.73}, state.get("running_var"));         // 0.9·[1.1, 1.7] + 0.1·[2, 2]
        assertEquals(2L, state.get("num_batches_tracked").toLongArray()[0]);
    }

    @Test
    void evalUsesRunningStatsAndLeavesThemAlone() {
        BatchNorm1d bn = float64(0.1, true, true);
        bn.forward(BATCH1);
        bn.forward(BATCH2);
        bn.eval();
        Tensor y = bn.forward(Tensor.of(new double[] {1, 1}, 1, 2));   // one sample is fine in eval mode
        assertValues(new double[] {(1 - 0.28) / Math.sqrt(1.19 + EPS), (1 - 0.46) / Math.sqrt(1.73 + EPS)}, y.data());
        assertValues(new double[] {0.28, 0.46}, bn.stateDict().get("running_mean"));
        assertEquals(2L, bn.stateDict().get("num_batches_tracked").toLongArray()[0]);
    }

    @Test
    void nullMomentumIsACumulativeAverage() {
        BatchNorm1d bn = float64(null, true, true);
        bn.forward(BATCH1);
        assertValues(new double[] {2, 4}, bn.stateDict().get("running_mean"));     // factor 1/1
        assertValues(new double[] {2, 8}, bn.stateDict().get("running_var"));
        bn.forward(BATCH2);
        assertValues(new double[] {1.5, 2.5}, bn.stateDict().get("running_mean")); // factor 1/2: the mean of both batches
        assertValues(new double[] {2, 5}, bn.stateDict().get("running_var"));
    }

    @Test
    void affineScalesAndShiftsPerChannel() {
        BatchNorm1d bn = float64(0.1, true, true);
        bn.weight.data().assign(NDArray.of(new double[] {2, -1}, 2));
        bn.bias.data().assign(NDArray.of(new double[] {0.5, 3}, 2));
        Tensor y = bn.forward(BATCH1);
        double a = 1 / Math.sqrt(1 + EPS), b = 2 / Math.sqrt(4 + EPS);
        assertValues(new double[] {-2 * a + 0.5, b + 3, 2 * a + 0.5, -b + 3}, y.data());
    }

    @Test
    void withoutRunningStatsBothModesUseTheBatch() {
        BatchNorm1d bn = float64(0.1, false, false);
        assertEquals(List.of(), List.copyOf(bn.stateDict().keySet()));
        double[] training = bn.forward(BATCH1).data().toDoubleArray();
        assertArrayEquals(training, bn.eval().forward(BATCH1).data().toDoubleArray(), 0);
    }

    @Test
    void normalisesLengthAndSpatialDimsTogether() {
        // [N=1, C=1, 2, 2] = [[1, 2], [3, 4]]: mean 2.5, biased var 1.25, unbiased var 5/3
        BatchNorm2d bn = new BatchNorm2d(1);
        Tensor y = bn.forward(Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2));
        double s = Math.sqrt(1.25 + EPS);
        assertArrayEquals(new double[] {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s}, y.data().toDoubleArray(), 1e-6);
        assertValues(new double[] {0.25}, bn.stateDict().get("running_mean"));
        assertValues(new double[] {0.9 + 0.1 * 5 / 3}, bn.stateDict().get("running_var"));

        // [N=2, C=1, L=2] = [[1, 3]], [[5, 7]]: mean 4, biased var 5
        BatchNorm1d seq = new BatchNorm1d(1);
        Tensor z = seq.forward(Tensor.of(new float[] {1, 3, 5, 7}, 2, 1, 2));
        double t = Math.sqrt(5 + EPS);
        assertArrayEquals(new double[] {-3 / t, -1 / t, 1 / t, 3 / t}, z.data().toDoubleArray(), 1e-6);
    }

    @Test
    void trainingRejectsOneValuePerChannelWithoutTouchingTheState() {
        BatchNorm1d bn = new BatchNorm1d(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.of(new float[] {1, 2}, 1, 2)));
        assertEquals("batchNorm: expected more than 1 value per channel when training, got input shape [1, 2]", e.getMessage());
        assertEquals(0L, bn.stateDict().get("num_batches_tracked").toLongArray()[0]);
        assertValues(new double[] {0, 0}, bn.stateDict().get("running_mean"));
    }

    @Test
    void buffersAreUpdatedInPlace() {
        BatchNorm1d bn = new BatchNorm1d(2);
        NDArray before = bn.stateDict().get("running_mean");
        bn.forward(Tensor.of(new float[] {1, 2, 3, 6}, 2, 2));
        assertSame(before, bn.stateDict().get("running_mean"));
        assertEquals(DType.INT64, bn.stateDict().get("num_batches_tracked").dtype());
    }

    @Test
    void functionalEvalNeedsRunningStats() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BatchNorm.batchNorm(BATCH1, null, null, null, null, false, 0.1, EPS));
        assertEquals("batchNorm: eval mode needs running_mean and running_var", e.getMessage());
    }
}
