package io.jgrad.data.augment;

import io.jgrad.data.Batch;
import io.jgrad.data.DataLoader;
import io.jgrad.data.HostArrays;
import io.jgrad.data.TensorDataset;
import io.jgrad.data.Transform;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AugmentTest {

    /** A {@code [c, h, w]} image whose pixel values are 1, 2, 3, ... in row-major order. */
    private static NDArray image(int c, int h, int w) {
        float[] x = new float[c * h * w];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        return NDArray.of(x, c, h, w);
    }

    private static void assertSameResult(Transform t, NDArray x, long seed) {
        assertArrayEquals(t.apply(x, new Generator(seed)).toFloatArray(), t.apply(x, new Generator(seed)).toFloatArray(),
                "same seed, same result");
    }

    @Test
    void flippingTwiceIsTheIdentity() {
        NDArray x = image(2, 3, 4);
        Generator gen = new Generator(0);
        for (RandomFlip flip : List.of(RandomFlip.horizontal(1), RandomFlip.vertical(1))) {
            NDArray once = flip.apply(x, gen);
            assertFalse(x.allClose(once, 0, 0));
            assertArrayEquals(x.toFloatArray(), flip.apply(once, gen).toFloatArray());
        }
        assertArrayEquals(new float[] {4, 3, 2, 1}, RandomFlip.horizontal(1).apply(image(1, 1, 4), gen).toFloatArray());
        assertArrayEquals(new float[] {3, 4, 1, 2}, RandomFlip.vertical(1).apply(image(1, 2, 2), gen).toFloatArray());
        assertSame(x, RandomFlip.horizontal(0).apply(x, gen), "p = 0 never flips");
    }

    @Test
    void flipProbability() {
        Generator gen = new Generator(3);
        NDArray x = image(1, 1, 2);
        int flipped = 0;
        for (int i = 0; i < 4000; i++) if (RandomFlip.horizontal(0.25).apply(x, gen) != x) flipped++;
        assertEquals(1000, flipped, 100);
    }

    @Test
    void cropKeepsShapeAndCutsAWindowOfThePaddedImage() {
        NDArray x = image(1, 6, 6);
        RandomCrop crop = new RandomCrop(6, 2);
        Generator gen = new Generator(11);
        boolean[] seenOffset = new boolean[25];
        for (int trial = 0; trial < 400; trial++) {
            float[] out = crop.apply(x, gen).toFloatArray();
            assertEquals(36, out.length);
            // The top-left corner shows pixel (dy, dx) of the image, or padding when that is outside it.
            int dy = -9, dx = -9;
            for (int oy = -2; oy <= 2 && dy == -9; oy++) {
                for (int ox = -2; ox <= 2; ox++) if (window(x, oy, ox).equals(List.of(box(out)))) { dy = oy; dx = ox; break; }
            }
            assertTrue(dy != -9, "output is a window of the zero-padded image");
            seenOffset[(dy + 2) * 5 + dx + 2] = true;
        }
        for (boolean s : seenOffset) assertTrue(s, "every offset within the padding occurs");
        assertArrayEquals(new int[] {3, 4, 5}, new RandomCrop(4, 5, 0).apply(image(3, 6, 7), gen).shape());
        assertSameResult(crop, x, 5);
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(9, 1).apply(x, gen));
        assertThrows(IllegalArgumentException.class, () -> crop.apply(NDArray.zeros(36), gen));
    }

    /** The 6x6 window of {@code x} (one channel) at offset (dy, dx), zero outside. */
    private static List<Float> window(NDArray x, int dy, int dx) {
        float[] v = x.toFloatArray();
        Float[] out = new Float[36];
        for (int y = 0; y < 6; y++) {
            for (int c = 0; c < 6; c++) {
                int sy = y + dy, sx = c + dx;
                out[y * 6 + c] = sy < 0 || sy >= 6 || sx < 0 || sx >= 6 ? 0f : v[sy * 6 + sx];
            }
        }
        return List.of(out);
    }

    private static Float[] box(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }

    @Test
    void shiftMovesContentAndFillsWithZero() {
        NDArray x = image(1, 6, 6);
        assertArrayEquals(x.toFloatArray(), new RandomShift(0).apply(x, new Generator(1)).toFloatArray());
        Generator gen = new Generator(2);
        for (int trial = 0; trial < 50; trial++) {
            float[] out = new RandomShift(2).apply(x, gen).toFloatArray();
            boolean matched = false;
            for (int dy = -2; dy <= 2; dy++) for (int dx = -2; dx <= 2; dx++) matched |= window(x, -dy, -dx).equals(List.of(box(out)));
            assertTrue(matched, "a shift by at most 2 pixels each way");
        }
        assertSameResult(new RandomShift(3), x, 9);
    }

    @Test
    void rotationByNinetyDegreesMovesPixelsExactly() {
        for (int size : new int[] {5, 6}) {
            NDArray x = image(2, size, size);
            float[] in = x.toFloatArray();
            for (RandomRotation.Interpolation mode : RandomRotation.Interpolation.values()) {
                float[] out = RandomRotation.rotate(Image.of("test", x), 90, mode).toArray().toFloatArray();
                // Counter-clockwise on screen: output (y, x) shows input (x, size - 1 - y).
                for (int c = 0; c < 2; c++) {
                    for (int y = 0; y < size; y++) {
                        for (int col = 0; col < size; col++) {
                            int o = (c * size + y) * size + col, i = (c * size + col) * size + size - 1 - y;
                            assertEquals(in[i], out[o], 1e-4, mode + " size " + size + " at " + y + "," + col);
                        }
                    }
                }
                assertArrayEquals(in, RandomRotation.rotate(Image.of("test", x), 0, mode).toArray().toFloatArray(), mode + ": 0 degrees");
            }
        }
    }

    @Test
    void rotationIsSeededAndKeepsShape() {
        NDArray x = image(1, 28, 28);
        RandomRotation r = new RandomRotation(15);
        assertArrayEquals(new int[] {1, 28, 28}, r.apply(x, new Generator(0)).shape());
        assertSameResult(r, x, 4);
        assertFalse(r.apply(x, new Generator(4)).allClose(r.apply(x, new Generator(5)), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RandomRotation(200));
    }

    @Test
    void gaussianNoiseHasMeanZeroAndTheGivenStd() {
        NDArray zeros = NDArray.zeros(1, 100, 100);
        float[] noise = new GaussianNoise(0.5).apply(zeros, new Generator(8)).toFloatArray();
        double sum = 0, sq = 0;
        for (float v : noise) {
            sum += v;
            sq += v * v;
        }
        double mean = sum / noise.length, std = Math.sqrt(sq / noise.length - mean * mean);
        assertEquals(0, mean, 0.02);
        assertEquals(0.5, std, 0.02);
        assertSameResult(new GaussianNoise(0.1), zeros, 3);
        assertArrayEquals(new float[10000], zeros.toFloatArray(), "the input is left as it was");
    }

    @Test
    void normalizePerChannel() {
        NDArray x = NDArray.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 2, 2, 2);
        float[] out = new Normalize(new double[] {1, 4}, new double[] {2, 0.5}).apply(x, null).toFloatArray();
        assertArrayEquals(new float[] {-0.5f, 0, 0.5f, 1, 0, 2, 4, 6}, out, 1e-6f);
        float[] one = new Normalize(0.5, 0.25).apply(x, null).toFloatArray();
        assertEquals((7 - 0.5) / 0.25, one[7], 1e-5);
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new double[] {0, 0, 0}, new double[] {1, 1, 1}).apply(x, null));
        assertThrows(IllegalArgumentException.class, () -> new Normalize(0, 0));
    }

    @Test
    void composeAppliesInOrder() {
        NDArray x = image(1, 3, 3);
        Transform flipTwice = new Compose(RandomFlip.horizontal(1), RandomFlip.vertical(1), RandomFlip.horizontal(1), RandomFlip.vertical(1));
        assertArrayEquals(x.toFloatArray(), flipTwice.apply(x, new Generator(0)).toFloatArray());
        Transform doubleThenAddOne = new Compose((v, gen) -> v.mul(2), (v, gen) -> v.add(1));
        assertEquals(3f, doubleThenAddOne.apply(x, null).toFloatArray()[0], "pixel 1: (1 * 2) + 1, not (1 + 1) * 2");
    }

    @Test
    void augmentedLoaderIsDeterministic() {
        float[] pixels = image(1, 28, 28).toFloatArray();
        float[] x = new float[8 * 784];
        for (int i = 0; i < 8; i++) System.arraycopy(pixels, 0, x, i * 784, 784);
        TensorDataset ds = new TensorDataset(NDArray.of(x, 8, 1, 28, 28), NDArray.of(new long[8], 8));
        Transform augment = new Compose(new RandomCrop(28, 2), new RandomRotation(10), new GaussianNoise(0.05));
        DataLoader a = DataLoader.builder(ds).batchSize(3).shuffle(true).transform(augment).seed(7).build();
        DataLoader b = DataLoader.builder(ds).batchSize(3).shuffle(true).transform(augment).seed(7).build();
        for (int epoch = 0; epoch < 2; epoch++) {
            var ia = a.iterator();
            for (Batch batch : b) assertArrayEquals(ia.next().inputs().toFloatArray(), batch.inputs().toFloatArray());
        }
        float[] first = a.epoch(0).next().inputs().toFloatArray();
        assertFalse(Arrays.equals(Arrays.copyOf(first, 784), Arrays.copyOfRange(first, 784, 1568)),
                "each example is augmented differently");
    }

    @Test
    void mixupMixesPairsWithOneLambda() {
        int n = 16;
        float[] x = new float[n * 3];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) x[3 * i + k] = i;
            y[i] = i % 4;
        }
        Batch batch = new Batch(HostArrays.floats(x, n, 3), HostArrays.longs(y, n));
        MixedBatch m = new Mixup(0.4).apply(batch, new Generator(21));
        double lambda = m.lambda();
        assertTrue(lambda >= 0 && lambda <= 1);
        assertArrayEquals(y, m.labels().toLongArray());
        float[] mixed = m.inputs().toFloatArray();
        long[] other = m.otherLabels().toLongArray();
        float[] targets = m.targets(4).toFloatArray();
        for (int i = 0; i < n; i++) {
            // Example i mixed with some j: lambda i + (1 - lambda) j, and j's label is the other label.
            double j = lambda == 1 ? i : (mixed[3 * i] - lambda * i) / (1 - lambda);
            int partner = (int) Math.round(j);
            assertEquals(partner, j, 1e-3);
            assertEquals(partner % 4, other[i]);
            double rowSum = 0;
            for (int k = 0; k < 4; k++) rowSum += targets[4 * i + k];
            assertEquals(1, rowSum, 1e-6);
        }
        assertEquals(lambda, new Mixup(0.4).apply(batch, new Generator(21)).lambda(), "seeded");
        assertThrows(IllegalArgumentException.class, () -> new Mixup(0));
    }

    @Test
    void betaSamplesHaveTheRightMeanAndVariance() {
        double[][] params = {{2, 5}, {0.4, 0.4}, {1, 1}, {0.05, 0.05}};
        for (double[] p : params) {
            Generator gen = new Generator(99);
            double a = p[0], b = p[1], sum = 0, sq = 0;
            int n = 40000;
            for (int i = 0; i < n; i++) {
                double v = Beta.sample(gen, a, b);
                assertTrue(v >= 0 && v <= 1, "in [0, 1]: " + v);
                sum += v;
                sq += v * v;
            }
            double mean = sum / n, var = sq / n - mean * mean;
            double wantMean = a / (a + b), wantVar = a * b / ((a + b) * (a + b) * (a + b + 1));
            assertEquals(wantMean, mean, 0.01, "Beta(" + a + ", " + b + ") mean");
            assertEquals(wantVar, var, 0.05 * wantVar, "Beta(" + a + ", " + b + ") variance");
        }
        Generator gen = new Generator(1);
        double sum = 0;
        for (int i = 0; i < 40000; i++) sum += Beta.gamma(gen, 3.5);
        assertEquals(3.5, sum / 40000, 0.05, "Gamma(k) has mean k");
    }
}
