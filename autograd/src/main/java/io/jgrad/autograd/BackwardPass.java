package io.jgrad.autograd;

import io.jgrad.tensor.NDArray;

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
        // Gradient buffers this pass allocated and has not handed on: the only ones it may add into in place
        // (a gradient from the table may be shared, as ADD gives the same g to both inputs).
        Set<NDArray> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        pending.put(root.node(), seed);
        for (Node node : reverseTopologicalOrder(root.node())) {
            NDArray g = pending.remove(node);
            if (g == null) continue;
            owned.remove(g);
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
                    if (input.node() == null) input.accumulateGrad(inputGrads[i]);
                    else accumulate(pending, owned, input.node(), inputGrads[i]);
                }
            }
            if (!retainGraph) node.free();
        }
    }

    /** Adds {@code grad} to what {@code target} has pending: in place into a buffer of this pass, else into a new one. */
    private static void accumulate(Map<Node, NDArray> pending, Set<NDArray> owned, Node target, NDArray grad) {
        NDArray acc = pending.get(target);
        if (acc == null) {
            pending.put(target, grad);
        } else if (owned.contains(acc)) {
            acc.addInPlace(grad);
        } else {
            NDArray sum = acc.add(grad);
            pending.put(target, sum);
            owned.add(sum);
        }
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
