package io.jgrad.examples;

import io.jgrad.autograd.GradMode;
import io.jgrad.autograd.Tensor;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Embedding;
import io.jgrad.layers.Init;
import io.jgrad.layers.LSTM;
import io.jgrad.layers.Linear;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.Clipping;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A character-level language model: each character of a short text is embedded (16 numbers), an LSTM (64
 * units) reads the sequence, and a linear layer scores every possible next character. Trained with Adam on
 * random 32-character windows of {@link #TEXT}, then asked to continue a prompt, greedily (always the most
 * likely character) and by sampling at temperature 0.8. A model that knows nothing scores
 * {@code ln(vocabulary size)} (every character equally likely); this one must get far below that.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp examples/target/jgrad-examples.jar io.jgrad.examples.CharLstm [STEPS]
 * </pre>
 */
public final class CharLstm {

    public static final String TEXT = "the quick brown fox jumps over the lazy dog. the lazy dog sleeps in the warm sun. "
            + "the quick fox runs into the dark woods. the sun sets and the dog wakes up. ";

    private static final int WINDOW = 32, BATCH = 16;

    private CharLstm() {
    }

    /** Losses (cross-entropy in nats per character) and two continuations of the prompt "the ". */
    public record Outcome(double uniformLoss, double firstLoss, double finalLoss, String greedy, String sampled) {
    }

    /** Embedding -> LSTM -> Linear; {@link #forward} gives next-character logits {@code [N, L, vocabulary]}. */
    static final class CharModel extends Module {
        private final Embedding embedding;
        private final LSTM lstm;
        private final Linear head;

        CharModel(int vocabulary) {
            embedding = registerModule("embedding", new Embedding(vocabulary, 16));
            lstm = registerModule("lstm", new LSTM(16, 64, 1, true, true, 0));
            head = registerModule("head", new Linear(64, vocabulary));
        }

        @Override
        public Tensor forward(Tensor indices) {
            return run(indices, null, null).output();
        }

        /** Reads {@code indices} {@code [N, L]} from state ({@code h}, {@code c}) (null: zeros); output is logits. */
        LSTM.Output run(Tensor indices, Tensor h, Tensor c) {
            LSTM.Output o = lstm.forward(embedding.forward(indices), h, c);
            return new LSTM.Output(head.forward(o.output()), o.hN(), o.cN());
        }
    }

    public static void main(String[] args) {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 300, 0, System.out);
    }

    public static Outcome run(int steps, long seed, PrintStream out) {
        String vocabulary = TEXT.chars().distinct().sorted().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        int v = vocabulary.length();
        long[] text = encode(TEXT, vocabulary);
        double uniform = Math.log(v);
        out.println(String.format(Locale.ROOT, "%d characters of text, vocabulary of %d: a uniform guess scores ln %d = %.4f", TEXT.length(), v, v, uniform));

        Init.manualSeed(seed);
        CharModel model = new CharModel(v);
        Optimizer optimizer = Adam.builder().lr(5e-3).build(model.parameters());
        CrossEntropyLoss loss = new CrossEntropyLoss();
        Generator gen = new Generator(seed);
        double first = Double.NaN, recent = 0;
        int recentCount = 0;
        for (int step = 1; step <= steps; step++) {
            // BATCH random windows; the target of each character is the one after it.
            long[] inputs = new long[BATCH * WINDOW], targets = new long[BATCH * WINDOW];
            for (int b = 0; b < BATCH; b++) {
                int start = gen.nextInt(text.length - WINDOW);
                System.arraycopy(text, start, inputs, b * WINDOW, WINDOW);
                System.arraycopy(text, start + 1, targets, b * WINDOW, WINDOW);
            }
            Tensor logits = model.forward(Tensor.of(NDArray.of(inputs, BATCH, WINDOW)));
            Tensor l = loss.forward(logits.reshape(BATCH * WINDOW, v), Tensor.of(NDArray.of(targets, BATCH * WINDOW)));
            optimizer.zeroGrad();
            l.backward();
            Clipping.clipGradNorm(model.parameters(), 1.0); // the usual guard against an LSTM's occasional huge gradient
            optimizer.step();

            double value = l.item();
            if (step == 1) first = value;
            if (step > steps - 10) {
                recent += value;
                recentCount++;
            }
            if (step == 1 || step % 50 == 0 || step == steps) out.println(String.format(Locale.ROOT, "step %4d/%d  loss %.4f", step, steps, value));
        }
        double finalLoss = recent / recentCount;
        String greedy = continueText(model, vocabulary, "the ", 80, 0, gen);
        String sampled = continueText(model, vocabulary, "the ", 80, 0.8, gen);
        out.println(String.format(Locale.ROOT, "mean loss of the last %d steps: %.4f (uniform %.4f)", recentCount, finalLoss, uniform));
        out.println("greedy:          " + greedy);
        out.println("temperature 0.8: " + sampled);
        return new Outcome(uniform, first, finalLoss, greedy, sampled);
    }

    /**
     * The prompt followed by {@code length} generated characters: the model reads the prompt, then each
     * character it picks is fed back in with the LSTM's state. Temperature 0 picks the most likely character;
     * otherwise it samples from {@code softmax(logits / temperature)} (lower is more conservative).
     */
    static String continueText(CharModel model, String vocabulary, String prompt, int length, double temperature, Generator gen) {
        StringBuilder sb = new StringBuilder(prompt);
        try (var scope = GradMode.noGrad()) {
            long[] p = encode(prompt, vocabulary);
            LSTM.Output o = model.run(Tensor.of(NDArray.of(p, 1, p.length)), null, null);
            for (int i = 0; i < length; i++) {
                double[] logits = o.output().data().select(1, o.output().shape(1) - 1).reshape(-1).toDoubleArray();
                int next = temperature == 0 ? argmax(logits) : sample(logits, temperature, gen);
                sb.append(vocabulary.charAt(next));
                o = model.run(Tensor.of(NDArray.of(new long[] {next}, 1, 1)), o.hN(), o.cN());
            }
        }
        return sb.toString();
    }

    private static int argmax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    private static int sample(double[] logits, double temperature, Generator gen) {
        double max = logits[argmax(logits)], total = 0;
        double[] weights = new double[logits.length];
        for (int i = 0; i < logits.length; i++) total += weights[i] = Math.exp((logits[i] - max) / temperature);
        double u = gen.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            u -= weights[i];
            if (u < 0) return i;
        }
        return weights.length - 1;
    }

    private static long[] encode(String s, String vocabulary) {
        long[] out = new long[s.length()];
        for (int i = 0; i < out.length; i++) out[i] = vocabulary.indexOf(s.charAt(i));
        return out;
    }
}
