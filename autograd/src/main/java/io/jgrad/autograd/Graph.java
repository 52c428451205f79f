package io.jgrad.autograd;

import io.jgrad.tensor.Shapes;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/** Pictures of the recorded graph, for teaching and debugging. */
public final class Graph {

    private Graph() {
    }

    /**
     * The graph that produced {@code t} in Graphviz DOT: one box per op with its output shape, one ellipse
     * per leaf (its {@link Tensor#named name}, shape and whether it requires grad), arrows in the direction
     * data flows. Render with {@code dot -Tpng graph.dot -o graph.png}.
     */
    public static String toDot(Tensor t) {
        StringBuilder sb = new StringBuilder("digraph jgrad {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
        Map<Tensor, String> ids = new IdentityHashMap<>();
        ArrayDeque<Tensor> todo = new ArrayDeque<>();
        todo.add(t);
        ids.put(t, "t0");
        while (!todo.isEmpty()) {
            Tensor cur = todo.poll();
            String id = ids.get(cur);
            String label = cur.name() != null ? cur.name() + "\\n" : "";
            if (cur.node() == null) {
                sb.append("  ").append(id).append(" [shape=ellipse, label=\"").append(label).append(Shapes.str(cur.shape()))
                        .append(cur.requiresGrad() ? "\\nrequiresGrad" : "").append("\"];\n");
                continue;
            }
            sb.append("  ").append(id).append(" [shape=box, label=\"").append(label).append(cur.node().op).append("\\n")
                    .append(Shapes.str(cur.shape())).append("\"];\n");
            for (Tensor in : cur.node().inputs) {
                String inId = ids.get(in);
                if (inId == null) {
                    inId = "t" + ids.size();
                    ids.put(in, inId);
                    todo.add(in);
                }
                sb.append("  ").append(inId).append(" -> ").append(id).append(";\n");
            }
        }
        return sb.append("}\n").toString();
    }
}
