package io.jgrad.spark;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.Loss;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Optimizer;

import java.io.Serializable;
import java.util.List;

/**
 * Everything a task needs besides the round's broadcast: how to build the model, its optimiser and loss on
 * the executor, the shape of one example and the plan of batches. The factories are serialisable so that
 * Spark can ship them; a lambda assigned to these interfaces is.
 */
record TrainingSetup(ModelFactory model, OptimizerFactory optimizer, LossFactory loss, int[] exampleShape, ShardPlan plan,
                     boolean averageParameters) implements Serializable {

    /** Builds a fresh model of the architecture being trained (its initial weights do not matter on executors). */
    @FunctionalInterface
    public interface ModelFactory extends Serializable {
        Module create();
    }

    /** Builds the optimiser over a model's parameters. */
    @FunctionalInterface
    public interface OptimizerFactory extends Serializable {
        Optimizer create(List<Tensor> parameters);
    }

    /** Builds the loss. */
    @FunctionalInterface
    public interface LossFactory extends Serializable {
        Loss create();
    }

    /** Number of floats in one example. */
    int exampleSize() {
        int n = 1;
        for (int s : exampleShape) n *= s;
        return n;
    }
}
