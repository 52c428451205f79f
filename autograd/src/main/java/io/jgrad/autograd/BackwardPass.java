package io.jgrad.autograd;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Storage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation: order the graph topologically (iteratively, so deep graphs cannot overflow
 * the stack), seed the root, then visit each node after everything that consumed its output, turning its
 * output gradient into input gradients with the {@link Gradients} table and adding them up.
 */
final class BackwardPass {

    private BackwardPass() {
    }

    static void run(Tensor root, NDArray seed, boolean retainGraph) {
        if (root.node() == null) { // a leaf: its gradient is the seed itself
            root.accumulateGrad(seed);
            return;
        }
        Map<Node, NDArray> pending = new IdentityHashMap<>();
        // The leaves' gradients, added to them once every node has used its own: a leaf without a gradient then
        // keeps a buffer of this pass instead of copying it (PyTorch's AccumulateGrad steals a gradient that
        // nothing else references).
        Map<Tensor, NDArray> leaves = new IdentityHashMap<>();
        // Gradient buffers this pass allocated and has not handed on: the only ones it may add into in place or
        // give to a leaf (a gradient from the table may be shared, as ADD gives the same g to both inputs).
        Set<NDArray> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        pending.put(root.node(), seed);
        for (Node node : reverseTopologicalOrder(root.node())) {
            NDArray g = pending.remove(node);
            if (g == null) continue;
            boolean gOwned = owned.remove(g);
            if (node.result != null && node.result.retainsGrad()) node.result.accumulateGrad(g);
            Tensor viewed = node.inputs[0];
            if (viewed.node() != null && viewed.requiresGrad() && !GradMode.isAnomalyDetectionEnabled()
                    && Gradients.viewInto(node, viewed.data()) != null) {
                Gradients.viewInto(node, ownedBuffer(pending, owned, viewed)).addInPlace(g);
            } else {
                NDArray[] inputGrads = Gradients.of(node, g);
                if (GradMode.isAnomalyDetectionEnabled()) Anomalies.checkBackward(node, inputGrads);
                for (int i = 0; i < node.inputs.length; i++) {
                    Tensor input = node.inputs[i];
                    if (inputGrads[i] == null || !input.requiresGrad()) continue;
                    boolean fresh = isFresh(node, g, gOwned, inputGrads, i);
                    if (input.node() == null) accumulate(leaves, owned, input, inputGrads[i], fresh);
                    else accumulate(pending, owned, input.node(), inputGrads[i], fresh);
                }
            }
            if (!retainGraph) node.free();
        }
        // A leaf keeps row-major gradients only (as its own layout), so a transposed buffer is copied.
        leaves.forEach((leaf, g) -> leaf.accumulateGrad(g, owned.contains(g) && g.isContiguous()));
    }

    /**
     * Adds {@code grad} to what {@code target} has pending: in place into a buffer of this pass, else into a new
     * one. A {@code fresh} gradient (see {@link #isFresh}) becomes a buffer of this pass itself.
     */
    private static <K> void accumulate(Map<K, NDArray> pending, Set<NDArray> owned, K target, NDArray grad, boolean fresh) {
        NDArray acc = pending.get(target);
        if (acc == null) {
            pending.put(target, grad);
            if (fresh) owned.add(grad);
        } else if (owned.contains(acc)) {
            acc.addInPlace(grad);
        } else if (fresh) {
            grad.addInPlace(acc);   // acc + grad: addition commutes exactly, so the sum is the one a new buffer would hold
            pending.put(target, grad);
            owned.add(grad);
        } else {
            NDArray sum = acc.add(grad);
            pending.put(target, sum);
            owned.add(sum);
        }
    }

    /**
     * Whether input gradient {@code i} of {@code node} is a buffer nothing else holds: dense in some order of its dims
     * (no two elements share memory, so it can be added into; a transposed product counts), covering its whole storage, and on storage that is neither another of the
     * input gradients (ADD passes g to both inputs, LSTM_CELL one array to two), nor an array the node saved (its
     * output, inputs, arguments), nor the output gradient {@code g} unless this pass owned g: then a view op's
     * gradient (a view of g, as a transpose's) hands g's buffer on. So the weight of a Linear layer, used as the
     * transposed view W^T, gets the product the MATMUL case made for W^T, transposed back, without a copy.
     */
    private static boolean isFresh(Node node, NDArray g, boolean gOwned, NDArray[] inputGrads, int i) {
        NDArray a = inputGrads[i];
        Storage s = a.storage();
        if (!a.isDense() || a.offset() != 0 || a.numel() != s.size() || (s == g.storage() && !gOwned)) return false;
        for (int j = 0; j < inputGrads.length; j++) if (j != i && inputGrads[j] != null && inputGrads[j].storage() == s) return false;
        return !node.holds(s);
    }

    /** The pending gradient of {@code t}, made a buffer of this pass (zeros, or a copy of what was pending) if it is not one. */
    private static NDArray ownedBuffer(Map<Node, NDArray> pending, Set<NDArray> owned, Tensor t) {
        NDArray acc = pending.get(t.node());
        if (acc != null && owned.contains(acc)) return acc;
        NDArray fresh = acc == null ? t.data().zerosLike() : acc.copy();
        pending.put(t.node(), fresh);
        owned.add(fresh);
        return fresh;
    }

    /** Nodes such that each comes before the nodes that produced its inputs (root first). */
    private static List<Node> reverseTopologicalOrder(Node root) {
        List<Node> postOrder = new ArrayList<>();
        Set<Node> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Node> stack = new ArrayDeque<>();
        ArrayDeque<Integer> nextChild = new ArrayDeque<>();
        stack.push(root);
        nextChild.push(0);
        visited.add(root);
        while (!stack.isEmpty()) {
            Node node = stack.peek();
            int i = nextChild.pop();
            if (i < node.inputs.length) {
                nextChild.push(i + 1);
                Node child = node.inputs[i].node();
                if (child != null && visited.add(child)) {
                    stack.push(child);
                    nextChild.push(0);
                }
            } else {
                stack.pop();
                postOrder.add(node); // all of node's inputs are already in the list
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }
}
