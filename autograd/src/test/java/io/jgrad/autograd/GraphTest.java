package io.jgrad.autograd;

import org.junit.jupiter.api.Test;

import static io.jgrad.autograd.Float64Leaves.constant;
import static io.jgrad.autograd.Float64Leaves.leaf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Graph#toDot}: a Graphviz picture of the recorded graph. */
class GraphTest {

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length())) n++;
        return n;
    }

    @Test
    void showsOpsShapesNamesAndOneEdgePerInput() {
        Tensor x = leaf(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).named("x");
        Tensor w = constant(new double[] {1, 1, 1, 2, 2, 2}, 2, 3).named("w");
        Tensor loss = x.mul(w).sum().named("loss");
        String dot = Graph.toDot(loss);
        assertTrue(dot.startsWith("digraph"), dot);
        assertTrue(dot.contains("MUL"), dot);
        assertTrue(dot.contains("SUM"), dot);
        assertTrue(dot.contains("[2, 3]"), dot);
        assertTrue(dot.contains("[]"), "the 0-d loss shows its shape: " + dot);
        assertTrue(dot.contains("x\\n") && dot.contains("w\\n") && dot.contains("loss\\n"), dot);
        assertTrue(dot.contains("requiresGrad"), "the leaf that requires grad is marked: " + dot);
        assertEquals(3, count(dot, "->"), "MUL has two inputs, SUM one: " + dot);
        assertTrue(dot.trim().endsWith("}"), dot);
    }

    @Test
    void aTensorUsedTwiceHasTwoEdges() {
        Tensor x = leaf(new double[] {1, 2}, 2).named("x");
        String dot = Graph.toDot(x.mul(x));
        assertEquals(2, count(dot, "->"), dot);
        assertEquals(1, count(dot, "x\\n"), "the shared input is drawn once: " + dot);
    }

    @Test
    void sharedIntermediatesAreDrawnOnce() {
        // a = exp(x); b = a + a·a: the nodes are x, a, a·a, b; the edges x→a, a→mul (twice), a→add, mul→add
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor a = x.exp();
        String dot = Graph.toDot(a.add(a.mul(a)));
        assertEquals(1, count(dot, "EXP"), dot);
        assertEquals(5, count(dot, "->"), dot);
        assertEquals(1, count(dot, "shape=ellipse"), dot);
        assertEquals(3, count(dot, "shape=box"), dot);
    }

    @Test
    void aLeafIsASingleNode() {
        String dot = Graph.toDot(leaf(new double[] {1}, 1).named("w"));
        assertTrue(dot.contains("digraph") && dot.contains("w\\n") && dot.contains("[1]"), dot);
        assertEquals(0, count(dot, "->"), dot);
    }
}
