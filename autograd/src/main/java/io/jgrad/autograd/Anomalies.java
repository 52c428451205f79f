package io.jgrad.autograd;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

/** The checks of anomaly mode ({@link GradMode#detectAnomaly()}): the first NaN or infinity names its op. */
final class Anomalies {

    private Anomalies() {
    }

    static void checkForward(Op op, NDArray out, Tensor[] inputs) {
        String bad = firstNonFinite(out);
        if (bad == null) return;
        StringBuilder shapes = new StringBuilder();
        for (Tensor t : inputs) shapes.append(shapes.length() > 0 ? ", " : "").append(Shapes.str(t.shape()));
        throw new AnomalyException("anomaly: forward of " + op + " produced " + bad + " (input shapes " + shapes + ", output shape " + Shapes.str(out.shape()) + ")");
    }

    static void checkBackward(Node node, NDArray[] grads) {
        for (int i = 0; i < grads.length; i++) {
            if (grads[i] == null) continue;
            String bad = firstNonFinite(grads[i]);
            if (bad != null) {
                throw new AnomalyException("anomaly: backward of " + node.op + " produced " + bad + " in the gradient of input " + i
                        + " (input shapes " + node.inputShapes() + ", gradient shape " + Shapes.str(grads[i].shape()) + ")");
            }
        }
    }

    private static String firstNonFinite(NDArray a) {
        if (!a.dtype().isFloatingPoint()) return null;
        double[] v = a.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            if (Double.isNaN(v[i])) return "NaN at flat index " + i;
            if (Double.isInfinite(v[i])) return (v[i] > 0 ? "+inf" : "-inf") + " at flat index " + i;
        }
        return null;
    }
}
