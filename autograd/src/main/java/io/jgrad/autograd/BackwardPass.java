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
        pending.put(root.node(), seed);
        for (Node node : reverseTopologicalOrder(root.node())) {
            NDArray g = pending.remove(node);
            if (g == null) continue;
            if (node.result != null && node.result.retainsGrad()) node.result.accumulateGrad(g);
            NDArray[] inputGrads = Gradients.of(node, g);
            if (GradMode.isAnomalyDetectionEnabled()) Anomalies.checkBackward(node, inputGrads);
            for (int i = 0; i < node.inputs.length; i++) {
                Tensor input = node.inputs[i];
                if (inputGrads[i] == null || !input.requiresGrad()) continue;
                if (input.node() == null) input.accumulateGrad(inputGrads[i]);
                else pending.merge(input.node(), inputGrads[i], NDArray::add);
            }
            if (!retainGraph) node.free();
        }
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
