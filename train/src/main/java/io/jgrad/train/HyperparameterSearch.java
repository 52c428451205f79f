package io.jgrad.train;

import io.jgrad.autograd.Tensor;
import io.jgrad.data.DataLoader;
import io.jgrad.data.Dataset;
import io.jgrad.layers.Init;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.Generator;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Grid and random search over learning rate, batch size, optimiser and weight decay. Every trial trains a
 * fresh model for a few epochs with {@link Trainer} and is measured on the validation data; the results come
 * back ranked by validation accuracy ({@link SearchResults}).
 *
 * <p>Every trial starts from the same initial weights ({@code Init.manualSeed(seed)} before the model is
 * built) and the same shuffling seed, so trials differ only in their hyperparameters.
 *
 * <pre>{@code
 * HyperparameterSearch.OptimizerFactory optimizers = (name, params, lr, wd) -> switch (name) {
 *     case "sgd" -> SGD.builder().lr(lr).momentum(0.9).weightDecay(wd).build(params);
 *     default -> Adam.builder().lr(lr).weightDecay(wd).build(params);
 * };
 * var search = HyperparameterSearch.builder(() -> new Mlp(784, 128, 10), optimizers, train, validation).epochs(1).build();
 * SearchResults results = search.run(HyperparameterSearch.grid(List.of(1e-3, 3e-3), List.of(64), List.of("adam"), List.of(0.0)));
 * System.out.print(results.formatTable());
 * }</pre>
 */
public final class HyperparameterSearch {

    /** One combination of hyperparameters. */
    public record Trial(double lr, int batchSize, String optimizer, double weightDecay) {
    }

    /** Builds an optimiser from its name (e.g. {@code adam}) for a trial. */
    @FunctionalInterface
    public interface OptimizerFactory {
        Optimizer create(String name, List<Tensor> parameters, double lr, double weightDecay);
    }

    private final Supplier<Module> model;
    private final OptimizerFactory optimizers;
    private final Dataset train;
    private final Dataset validation;
    private final int epochs;
    private final int numClasses;
    private final long seed;
    private final PrintStream log;

    private HyperparameterSearch(Builder b) {
        this.model = b.model;
        this.optimizers = b.optimizers;
        this.train = b.train;
        this.validation = b.validation;
        this.epochs = b.epochs;
        this.numClasses = b.numClasses;
        this.seed = b.seed;
        this.log = b.log;
    }

    /** {@code model} makes a fresh, untrained model each time it is called. */
    public static Builder builder(Supplier<Module> model, OptimizerFactory optimizers, Dataset train, Dataset validation) {
        return new Builder(model, optimizers, train, validation);
    }

    /**
     * The most trials one search takes: each trains a model, so more is a mistake, and building the list of
     * 2^31 trials up front ran out of memory before the first one trained.
     */
    public static final int MAX_TRIALS = 10_000;

    /** Every combination, learning rate varying slowest and weight decay fastest; at most {@link #MAX_TRIALS}. */
    public static List<Trial> grid(List<Double> lrs, List<Integer> batchSizes, List<String> optimizers, List<Double> weightDecays) {
        long combinations = (long) lrs.size() * batchSizes.size() * optimizers.size() * weightDecays.size();
        if (combinations > MAX_TRIALS) {
            throw new IllegalArgumentException("grid: " + combinations + " combinations, more than the limit of " + MAX_TRIALS + " trials");
        }
        List<Trial> out = new ArrayList<>();
        for (double lr : lrs) for (int b : batchSizes) for (String o : optimizers) for (double wd : weightDecays) out.add(new Trial(lr, b, o, wd));
        if (out.isEmpty()) throw new IllegalArgumentException("grid: every list needs at least one value");
        return out;
    }

    /**
     * {@code n} random combinations: the learning rate log-uniform in [{@code lrLow}, {@code lrHigh}] (equal
     * chances for each factor of ten, where good rates are spread), the others uniformly from their lists.
     * The same seed gives the same trials.
     */
    public static List<Trial> random(int n, double lrLow, double lrHigh, List<Integer> batchSizes, List<String> optimizers,
                                     List<Double> weightDecays, long seed) {
        if (n < 1 || n > MAX_TRIALS) throw new IllegalArgumentException("random: the number of trials must be in 1.." + MAX_TRIALS + ", got " + n);
        if (!(lrLow > 0 && lrHigh >= lrLow && Double.isFinite(lrHigh))) {
            throw new IllegalArgumentException("random: need 0 < lrLow <= lrHigh, got " + lrLow + " and " + lrHigh);
        }
        if (batchSizes.isEmpty() || optimizers.isEmpty() || weightDecays.isEmpty()) {
            throw new IllegalArgumentException("random: every list needs at least one value");
        }
        Generator gen = new Generator(seed);
        List<Trial> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double lr = Math.exp(Math.log(lrLow) + gen.nextDouble() * (Math.log(lrHigh) - Math.log(lrLow)));
            out.add(new Trial(lr, batchSizes.get(gen.nextInt(batchSizes.size())), optimizers.get(gen.nextInt(optimizers.size())),
                    weightDecays.get(gen.nextInt(weightDecays.size()))));
        }
        return out;
    }

    /** Trains and measures every trial in turn, logging one line each; returns them ranked. */
    public SearchResults run(List<Trial> trials) throws Exception {
        List<SearchResults.Entry> done = new ArrayList<>();
        for (int i = 0; i < trials.size(); i++) {
            SearchResults.Entry e = runTrial(i + 1, trials.get(i));
            done.add(e);
            log.println(String.format(Locale.ROOT, "trial %d/%d: %s -> %s", i + 1, trials.size(), SearchResults.describe(e.trial()),
                    e.diverged() ? "diverged" : String.format(Locale.ROOT, "val loss %.4f, val acc %.2f%%", e.validationLoss(), 100 * e.validationAccuracy())));
        }
        return new SearchResults(done);
    }

    private SearchResults.Entry runTrial(int number, Trial t) throws Exception {
        long start = System.nanoTime();
        Init.manualSeed(seed);
        Module m = model.get();
        Optimizer optimizer = optimizers.create(t.optimizer(), m.parameters(), t.lr(), t.weightDecay());
        Trainer trainer = Trainer.builder(m, optimizer).epochs(epochs).numClasses(numClasses)
                .log(new PrintStream(OutputStream.nullOutputStream()), false).build();
        Trainer.Result r = trainer.fit(DataLoader.builder(train).batchSize(t.batchSize()).shuffle(true).seed(seed).build(),
                DataLoader.builder(validation).batchSize(256).build());
        double seconds = (System.nanoTime() - start) / 1e9;
        if (r.outcome() == Trainer.Outcome.STOPPED_NON_FINITE_LOSS) return new SearchResults.Entry(number, t, Double.NaN, Double.NaN, seconds);
        return new SearchResults.Entry(number, t, r.last().validationLoss(), r.last().validationAccuracy(), seconds);
    }

    /** Settings of a {@link HyperparameterSearch}; defaults: 1 epoch, 10 classes, seed 0, log to standard output. */
    public static final class Builder {
        private final Supplier<Module> model;
        private final OptimizerFactory optimizers;
        private final Dataset train;
        private final Dataset validation;
        private int epochs = 1;
        private int numClasses = 10;
        private long seed;
        private PrintStream log = System.out;

        private Builder(Supplier<Module> model, OptimizerFactory optimizers, Dataset train, Dataset validation) {
            if (model == null || optimizers == null || train == null || validation == null) {
                throw new IllegalArgumentException("HyperparameterSearch: model, optimizers, train and validation are required");
            }
            if (validation.size() == 0) throw new IllegalArgumentException("HyperparameterSearch: the validation data is empty");
            this.model = model;
            this.optimizers = optimizers;
            this.train = train;
            this.validation = validation;
        }

        /** Epochs per trial. */
        public Builder epochs(int epochs) {
            if (epochs < 1) throw new IllegalArgumentException("HyperparameterSearch: epochs must be >= 1, got " + epochs);
            this.epochs = epochs;
            return this;
        }

        public Builder numClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        /** Seeds the initial weights and the shuffling of every trial. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Where the one line per finished trial goes. */
        public Builder log(PrintStream log) {
            this.log = log;
            return this;
        }

        public HyperparameterSearch build() {
            return new HyperparameterSearch(this);
        }
    }
}
