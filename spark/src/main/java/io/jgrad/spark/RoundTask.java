package io.jgrad.spark;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.Loss;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.NDArray;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One partition's work in one round: the model from the round's broadcast, then either the gradient of the
 * partition's local batch (gradient averaging: one step per round, the driver applies the optimiser) or
 * {@code K} local optimiser steps (parameter averaging: the task returns its parameters, buffers and
 * optimiser state). Everything is weighted by the partition's share {@code b_p} of the global batch, so
 * that the driver's division by {@code B} gives the global-batch mean. The result depends only on the
 * broadcast, the partition's data and the plan: a re-run computes the same bits.
 */
final class RoundTask implements Function2<Integer, Iterator<TrainingExample>, Iterator<PartitionTree>> {

    private static final long serialVersionUID = 1L;

    static final String GRAD = "grad/", MODEL = "model/", OPTIM = "optim/";

    private final TrainingSetup setup;
    private final Broadcast<RoundInput> input;

    RoundTask(TrainingSetup setup, Broadcast<RoundInput> input) {
        this.setup = setup;
        this.input = input;
    }

    @Override
    public Iterator<PartitionTree> call(Integer partition, Iterator<TrainingExample> examples) {
        ShardPlan plan = setup.plan();
        RoundInput round = input.value();
        ShardData data = ShardData.read(examples, partition, plan.partitionSize(partition), setup.exampleShape(), setup.exampleSize());

        Module model = setup.model().create();
        model.loadStateDict(round.modelArrays());
        model.train();
        Optimizer optimizer = null;
        if (setup.averageParameters()) {
            optimizer = setup.optimizer().create(model.parameters());
            optimizer.loadStateDict(round.optimizerDict());
        }
        Loss loss = setup.loss().create();

        int b = plan.localBatch(partition);
        Contribution out = new Contribution(round.steps());
        int orderEpoch = -1;
        int[] order = null;
        for (int k = 0; k < round.steps(); k++) {
            long step = round.firstStep() + k;
            int epoch = (int) (step / plan.stepsPerEpoch());
            if (epoch != orderEpoch) {
                order = plan.order(epoch, partition);
                orderEpoch = epoch;
            }
            int[] indices = plan.batch(order, (int) (step % plan.stepsPerEpoch()), partition);
            NDArray labels = data.labels(indices);
            Tensor logits = model.forward(Tensor.of(data.inputs(indices)));
            Tensor l = loss.forward(logits, Tensor.of(labels));
            out.stepLossSum[k] = l.item() * b;
            out.stepCorrect[k] = countCorrect(logits.data(), labels);
            out.stepExamples[k] = b;
            model.zeroGrad();
            l.backward();
            if (optimizer != null) optimizer.step();
        }

        if (optimizer == null) {
            // Gradient averaging: b_p · (mean gradient of the local batch) = the local batch's share of the global sum.
            for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
                NDArray g = p.getValue().grad();
                if (g != null) out.put(GRAD + p.getKey(), TensorSnapshot.of(g, "the gradient of '" + p.getKey() + "'"), b);
            }
            model.namedBuffers().forEach((k, v) -> out.put(MODEL + k, TensorSnapshot.of(v, "buffer '" + k + "'"), b));
        } else {
            model.stateDict().forEach((k, v) -> out.put(MODEL + k, TensorSnapshot.of(v, "model entry '" + k + "'"), b));
            List<Map<String, NDArray>> state = optimizer.stateDict().state();
            for (int i = 0; i < state.size(); i++) {
                for (Map.Entry<String, NDArray> e : state.get(i).entrySet()) {
                    String key = OPTIM + i + "/" + e.getKey();
                    out.put(key, TensorSnapshot.of(e.getValue(), optimizer.name() + " " + key), b);
                }
            }
        }
        return List.of(new PartitionTree(plan.partitions()).add(partition, out)).iterator();
    }

    static long countCorrect(NDArray logits, NDArray labels) {
        long[] predicted = logits.argmax(1, false).toLongArray(), actual = labels.toLongArray();
        long n = 0;
        for (int i = 0; i < actual.length; i++) if (predicted[i] == actual[i]) n++;
        return n;
    }
}
