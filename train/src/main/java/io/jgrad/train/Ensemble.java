package io.jgrad.train;

import io.jgrad.autograd.GradMode;
import io.jgrad.autograd.Tensor;
import io.jgrad.data.DataLoader;
import io.jgrad.layers.Module;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

import java.util.Arrays;
import java.util.List;

/**
 * Several trained classifiers used as one. Each member's logits become class probabilities (softmax), and
 * the ensemble predicts either
 * <ul>
 *   <li>{@link Fusion#AVERAGE}: the class with the highest mean probability over the members, or</li>
 *   <li>{@link Fusion#VOTE}: the class most members predict. A tie between classes with equally many votes
 *       goes to the tied class with the highest mean probability (it uses the members' confidence rather than
 *       an arbitrary order), and only if that is tied too, to the lowest class index.</li>
 * </ul>
 * The members are put in evaluation mode, and run without recording gradients.
 *
 * <pre>{@code
 * Ensemble ensemble = new Ensemble(List.of(modelA, modelB, modelC));
 * Evaluation e = ensemble.evaluate(testLoader, Ensemble.Fusion.VOTE, 10);
 * }</pre>
 */
public final class Ensemble {

    /** How the members' predictions combine. */
    public enum Fusion { AVERAGE, VOTE }

    /** Keeps the loss of a member that gave the right class probability 0 finite. */
    private static final double MIN_PROBABILITY = 1e-12;

    private final List<Module> members;

    public Ensemble(List<? extends Module> members) {
        if (members.isEmpty()) throw new IllegalArgumentException("Ensemble: needs at least one model");
        this.members = List.copyOf(members);
        for (Module m : this.members) m.eval();
    }

    public int size() {
        return members.size();
    }

    /** Each member's class probabilities for {@code inputs}, {@code [members][N, C]}. */
    public NDArray[] memberProbabilities(NDArray inputs) {
        NDArray[] out = new NDArray[members.size()];
        try (var scope = GradMode.noGrad()) {
            for (int k = 0; k < out.length; k++) {
                NDArray logits = members.get(k).forward(Tensor.of(inputs)).data();
                if (logits.rank() != 2 || (k > 0 && !Arrays.equals(logits.shape(), out[0].shape()))) {
                    throw new IllegalArgumentException("Ensemble: model " + k + " gave logits of shape " + Shapes.str(logits.shape())
                            + (k > 0 ? ", model 0 gave " + Shapes.str(out[0].shape()) : ", expected [N, classes]"));
                }
                out[k] = logits.softmax(1);
            }
        }
        return out;
    }

    /** The mean of the members' class probabilities, {@code [N, C]}. */
    public NDArray probabilities(NDArray inputs) {
        return mean(memberProbabilities(inputs));
    }

    /** The predicted class of every example, {@code [N]}. */
    public long[] predict(NDArray inputs, Fusion fusion) {
        return predict(memberProbabilities(inputs), fusion);
    }

    /**
     * Accuracy and confusion matrix of the fused predictions over {@code data}; the loss is the negative
     * log-likelihood of the mean probabilities (for either fusion, as votes carry no probability).
     */
    public Evaluation evaluate(DataLoader data, Fusion fusion, int numClasses) {
        return Evaluation.over(data, numClasses, batch -> {
            NDArray[] each = memberProbabilities(batch.inputs());
            double[] p = mean(each).toDoubleArray();
            long[] labels = batch.labels().toLongArray();
            int classes = each[0].shape(1);
            double nll = 0;
            for (int i = 0; i < labels.length; i++) nll -= Math.log(Math.max(MIN_PROBABILITY, p[i * classes + (int) labels[i]]));
            return new Evaluation.Scored(nll / labels.length, predict(each, fusion));
        });
    }

    private static NDArray mean(NDArray[] each) {
        NDArray sum = each[0];
        for (int k = 1; k < each.length; k++) sum = sum.add(each[k]);
        return sum.div(each.length);
    }

    private static long[] predict(NDArray[] each, Fusion fusion) {
        NDArray mean = mean(each);
        if (fusion == Fusion.AVERAGE) return mean.argmax(1, false).toLongArray();
        int n = mean.shape(0), classes = mean.shape(1);
        int[] votes = new int[n * classes];
        for (NDArray p : each) {
            long[] choice = p.argmax(1, false).toLongArray();
            for (int i = 0; i < n; i++) votes[i * classes + (int) choice[i]]++;
        }
        double[] confidence = mean.toDoubleArray();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                int v = votes[i * classes + c], bestVotes = votes[i * classes + best];
                // strictly greater, so that a full tie keeps the lower class index
                if (v > bestVotes || (v == bestVotes && confidence[i * classes + c] > confidence[i * classes + best])) best = c;
            }
            out[i] = best;
        }
        return out;
    }
}
