package io.jgrad.train;

import io.jgrad.autograd.Tensor;
import io.jgrad.data.DataLoader;
import io.jgrad.data.TensorDataset;
import io.jgrad.layers.Module;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnsembleTest {

    /**
     * A "trained model" whose answers are fixed: input row i holds an example number, the output is row
     * (example number) of a table of logits. The logits are log-probabilities, so its softmax is the table's
     * probabilities.
     */
    private static final class FixedAnswers extends Module {
        private final NDArray logits;

        FixedAnswers(double[][] probabilities) {
            int n = probabilities.length, c = probabilities[0].length;
            double[] flat = new double[n * c];
            for (int i = 0; i < n; i++) for (int k = 0; k < c; k++) flat[i * c + k] = Math.log(probabilities[i][k]);
            this.logits = NDArray.of(flat, n, c);
        }

        @Override
        public Tensor forward(Tensor input) {
            return Tensor.of(logits.indexSelect(0, input.data().flatten().to(io.jgrad.tensor.DType.INT64)));
        }
    }

    // Three members, three classes, four examples (rows). Per example, each member's favourite class:
    //   example 0: A->0, B->0, C->1   a 2-1 vote for 0, though C is so sure of 1 that the mean favours 1
    //   example 1: A->2, B->2, C->2   unanimous
    //   example 2: A->0, B->1, C->2   a three-way tie: the mean probability decides (class 2)
    //   example 3: A->0, B->1, C->2   a three-way tie with equal means: the lowest class index (0); its
    //              probabilities are powers of two so that the means are exactly equal
    private static final FixedAnswers A = new FixedAnswers(new double[][] {{0.5, 0.4, 0.1}, {0.2, 0.2, 0.6}, {0.4, 0.3, 0.3}, {0.5, 0.25, 0.25}});
    private static final FixedAnswers B = new FixedAnswers(new double[][] {{0.5, 0.3, 0.2}, {0.1, 0.3, 0.6}, {0.3, 0.4, 0.3}, {0.25, 0.5, 0.25}});
    private static final FixedAnswers C = new FixedAnswers(new double[][] {{0.05, 0.9, 0.05}, {0.3, 0.3, 0.4}, {0.1, 0.1, 0.8}, {0.25, 0.25, 0.5}});

    private static final NDArray EXAMPLES = NDArray.of(new float[] {0, 1, 2, 3}, 4, 1);

    @Test
    void averagingTakesTheMeanOfTheSoftmaxes() {
        Ensemble e = new Ensemble(List.of(A, B, C));
        double[] expected = {
                0.35, 1.6 / 3, 0.35 / 3,
                0.6 / 3, 0.8 / 3, 1.6 / 3,
                0.8 / 3, 0.8 / 3, 1.4 / 3,
                1.0 / 3, 1.0 / 3, 1.0 / 3};
        assertArrayEquals(expected, e.probabilities(EXAMPLES).toDoubleArray(), 1e-6);
        assertArrayEquals(new long[] {1, 2, 2, 0}, e.predict(EXAMPLES, Ensemble.Fusion.AVERAGE));
    }

    @Test
    void votingCountsFavouritesAndBreaksTiesByMeanProbabilityThenLowestClass() {
        Ensemble e = new Ensemble(List.of(A, B, C));
        assertArrayEquals(new long[] {0, 2, 2, 0}, e.predict(EXAMPLES, Ensemble.Fusion.VOTE));
    }

    @Test
    void aSingleMemberIsItself() {
        Ensemble e = new Ensemble(List.of(C));
        assertArrayEquals(new long[] {1, 2, 2, 2}, e.predict(EXAMPLES, Ensemble.Fusion.VOTE));
        assertArrayEquals(e.predict(EXAMPLES, Ensemble.Fusion.AVERAGE), e.predict(EXAMPLES, Ensemble.Fusion.VOTE));
    }

    @Test
    void evaluationCountsFusedPredictionsAgainstLabels() {
        // Labels 0, 2, 1, 0: voting gets examples 0, 1, 3 right; averaging gets 1 and 3.
        TensorDataset data = new TensorDataset(EXAMPLES, NDArray.of(new long[] {0, 2, 1, 0}, 4));
        DataLoader loader = DataLoader.builder(data).batchSize(3).build(); // two batches: the per-example weighting matters
        Ensemble e = new Ensemble(List.of(A, B, C));
        Evaluation vote = e.evaluate(loader, Ensemble.Fusion.VOTE, 3);
        Evaluation average = e.evaluate(loader, Ensemble.Fusion.AVERAGE, 3);
        assertEquals(0.75, vote.accuracy());
        assertEquals(0.5, average.accuracy());
        assertEquals(1, vote.confusion().count(1, 2));
        assertEquals(1, average.confusion().count(0, 1));
        // The loss is the mean negative log of the mean probability of the right class, for both fusions.
        double nll = -(Math.log(0.35) + Math.log(1.6 / 3) + Math.log(0.8 / 3) + Math.log(1.0 / 3)) / 4;
        assertEquals(nll, vote.loss(), 1e-6);
        assertEquals(nll, average.loss(), 1e-6);
    }

    @Test
    void membersMustAgreeOnTheClasses() {
        FixedAnswers two = new FixedAnswers(new double[][] {{0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}});
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new Ensemble(List.of(A, two)).probabilities(EXAMPLES));
        assertTrue(ex.getMessage().contains("model 1") && ex.getMessage().contains("[4, 2]"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Ensemble(List.of()));
    }
}
