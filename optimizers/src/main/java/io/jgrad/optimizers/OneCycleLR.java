package io.jgrad.optimizers;

import java.util.Arrays;
import java.util.List;

/**
 * The 1cycle policy (Smith and Topin, 2018) as PyTorch implements it: over {@code pctStart} of the
 * {@code totalSteps} the learning rate rises from {@code maxLr/divFactor} to {@code maxLr}, then falls to
 * {@code maxLr/divFactor/finalDivFactor}. Momentum (SGD's and RMSprop's {@code momentum}, or {@code beta1}
 * of the Adam family) moves the opposite way, from {@code maxMomentum} down to {@code baseMomentum} and
 * back. With {@code threePhase} the rate first returns to its start and only then falls to the minimum.
 *
 * <pre>
 * phase            epochs (e)                             lr                    momentum
 * warm-up          0 .. pctStart·total − 1                initial → max          maxMomentum → baseMomentum
 * anneal           .. total − 1                           max → min              baseMomentum → maxMomentum
 * (threePhase: warm-up; max → initial until 2·pctStart·total − 2; then initial → min at maxMomentum)
 * each phase: value = anneal(start, end, (e − phaseStart)/(phaseEnd − phaseStart)), cosine or linear
 * </pre>
 */
public final class OneCycleLR extends LRScheduler {

    /** How a phase moves from its start value to its end value as {@code pct} goes from 0 to 1. */
    public enum AnnealStrategy {
        COS {
            @Override
            double anneal(double start, double end, double pct) {
                return end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
            }
        },
        LINEAR {
            @Override
            double anneal(double start, double end, double pct) {
                return (end - start) * pct + start;
            }
        };

        abstract double anneal(double start, double end, double pct);
    }

    private enum Level { INITIAL, MAX, MIN }

    private record Phase(double endStep, Level startLr, Level endLr, double startMomentum, double endMomentum) {
    }

    private final int totalSteps;
    private final AnnealStrategy anneal;
    private final double[] initialLr, maxLr, minLr;
    private final String momentumName;   // null when momentum is not cycled
    private final List<Phase> phases;

    public static Builder builder(double maxLr, int totalSteps) {
        return new Builder(maxLr, totalSteps);
    }

    private OneCycleLR(Optimizer optimizer, Builder b) {
        super(optimizer);
        List<ParamGroup> groups = optimizer.paramGroups();
        if (b.totalSteps < 1) throw new IllegalArgumentException("OneCycleLR: totalSteps must be >= 1, got " + b.totalSteps);
        if (!(b.pctStart >= 0 && b.pctStart <= 1)) throw new IllegalArgumentException("OneCycleLR: pctStart must be in [0, 1], got " + b.pctStart);
        if (b.maxLr.length != 1 && b.maxLr.length != groups.size()) {
            throw new IllegalArgumentException("OneCycleLR: " + b.maxLr.length + " maxLr values for " + groups.size() + " param groups");
        }
        this.totalSteps = b.totalSteps;
        this.anneal = b.anneal;
        this.initialLr = new double[groups.size()];
        this.maxLr = new double[groups.size()];
        this.minLr = new double[groups.size()];
        for (int i = 0; i < groups.size(); i++) {
            maxLr[i] = b.maxLr.length == 1 ? b.maxLr[0] : b.maxLr[i];
            initialLr[i] = maxLr[i] / b.divFactor;
            minLr[i] = initialLr[i] / b.finalDivFactor;
        }
        this.momentumName = b.cycleMomentum ? momentumOf(optimizer) : null;
        this.phases = phases(b);
        for (int i = 0; i < groups.size(); i++) groups.get(i).setLr(nextLr(i, groups.get(i)));   // epoch 0
    }

    /** Adam-family optimisers cycle beta1, the others their momentum; PyTorch checks in the same order. */
    private static String momentumOf(Optimizer optimizer) {
        ParamGroup first = optimizer.paramGroups().get(0);
        if (first.has(Optimizer.BETA1)) return Optimizer.BETA1;
        if (first.has(Optimizer.MOMENTUM)) return Optimizer.MOMENTUM;
        throw new IllegalArgumentException("OneCycleLR: " + optimizer.name() + " has no momentum or beta1 to cycle; use cycleMomentum(false)");
    }

    private static List<Phase> phases(Builder b) {
        double warmupEnd = b.pctStart * b.totalSteps - 1;
        if (b.threePhase) {
            return List.of(
                    new Phase(warmupEnd, Level.INITIAL, Level.MAX, b.maxMomentum, b.baseMomentum),
                    new Phase(2 * b.pctStart * b.totalSteps - 2, Level.MAX, Level.INITIAL, b.baseMomentum, b.maxMomentum),
                    new Phase(b.totalSteps - 1, Level.INITIAL, Level.MIN, b.maxMomentum, b.maxMomentum));
        }
        return List.of(
                new Phase(warmupEnd, Level.INITIAL, Level.MAX, b.maxMomentum, b.baseMomentum),
                new Phase(b.totalSteps - 1, Level.MAX, Level.MIN, b.baseMomentum, b.maxMomentum));
    }

    /** Also sets the group's momentum (or beta1) for the epoch, when it is cycled. */
    @Override
    protected double nextLr(int i, ParamGroup group) {
        int e = epoch();
        if (e > totalSteps) throw new IllegalStateException("OneCycleLR: stepped to epoch " + e + ", past totalSteps = " + totalSteps);
        double phaseStart = 0;
        for (int k = 0; k < phases.size(); k++) {
            Phase phase = phases.get(k);
            if (e <= phase.endStep() || k == phases.size() - 1) {
                double pct = (e - phaseStart) / (phase.endStep() - phaseStart);
                if (momentumName != null) group.set(momentumName, anneal.anneal(phase.startMomentum(), phase.endMomentum(), pct));
                return anneal.anneal(lr(phase.startLr(), i), lr(phase.endLr(), i), pct);
            }
            phaseStart = phase.endStep();
        }
        throw new AssertionError("the last phase always matches");
    }

    private double lr(Level level, int i) {
        return switch (level) {
            case INITIAL -> initialLr[i];
            case MAX -> maxLr[i];
            case MIN -> minLr[i];
        };
    }

    /** OneCycleLR's settings, with PyTorch's defaults. */
    public static final class Builder {

        private double[] maxLr;
        private final int totalSteps;
        private double pctStart = 0.3;
        private AnnealStrategy anneal = AnnealStrategy.COS;
        private boolean cycleMomentum = true;
        private double baseMomentum = 0.85, maxMomentum = 0.95;
        private double divFactor = 25, finalDivFactor = 1e4;
        private boolean threePhase;

        private Builder(double maxLr, int totalSteps) {
            this.maxLr = new double[] {maxLr};
            this.totalSteps = totalSteps;
        }

        /** One peak learning rate per param group, instead of one for all. */
        public Builder maxLrPerGroup(double... maxLr) {
            this.maxLr = Arrays.copyOf(maxLr, maxLr.length);
            return this;
        }

        /** The fraction of the steps spent rising to maxLr (default 0.3). */
        public Builder pctStart(double pctStart) {
            this.pctStart = pctStart;
            return this;
        }

        public Builder annealStrategy(AnnealStrategy anneal) {
            this.anneal = anneal;
            return this;
        }

        /** Move momentum (or beta1) against the learning rate (default on). */
        public Builder cycleMomentum(boolean cycleMomentum) {
            this.cycleMomentum = cycleMomentum;
            return this;
        }

        /** The momentum at the learning rate's peak (default 0.85). */
        public Builder baseMomentum(double baseMomentum) {
            this.baseMomentum = baseMomentum;
            return this;
        }

        /** The momentum at the start and the end (default 0.95). */
        public Builder maxMomentum(double maxMomentum) {
            this.maxMomentum = maxMomentum;
            return this;
        }

        /** The starting rate is {@code maxLr/divFactor} (default 25). */
        public Builder divFactor(double divFactor) {
            this.divFactor = divFactor;
            return this;
        }

        /** The final rate is {@code maxLr/divFactor/finalDivFactor} (default 1e4). */
        public Builder finalDivFactor(double finalDivFactor) {
            this.finalDivFactor = finalDivFactor;
            return this;
        }

        /** Return to the starting rate before falling to the minimum (default off). */
        public Builder threePhase(boolean threePhase) {
            this.threePhase = threePhase;
            return this;
        }

        /** The schedule, which also sets epoch 0's learning rate (and momentum) on {@code optimizer} now. */
        public OneCycleLR build(Optimizer optimizer) {
            return new OneCycleLR(optimizer, this);
        }
    }
}
