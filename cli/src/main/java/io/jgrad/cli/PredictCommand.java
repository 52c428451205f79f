package io.jgrad.cli;

import io.jgrad.autograd.GradMode;
import io.jgrad.autograd.Tensor;
import io.jgrad.data.IdxReader;
import io.jgrad.data.PngReader;
import io.jgrad.layers.Init;
import io.jgrad.layers.Module;
import io.jgrad.train.CheckpointInfo;
import io.jgrad.train.Checkpoints;
import io.jgrad.train.models.Models;
import io.jgrad.tensor.NDArray;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code jgrad predict}: the classes a checkpoint assigns to the images of an IDX file or a PNG. */
public final class PredictCommand {

    static final String USAGE = """
            usage: jgrad predict --checkpoint FILE [--model mlp|cnn|lstm] [--limit N] IMAGE

            Classifies IMAGE: an IDX image file (MNIST format, plain or .gz; every image, up to --limit) or a PNG
            (converted to grayscale, scaled to 28x28, inverted when the background is light so that digits are
            bright on dark as in MNIST). Prints the predicted class and the three most likely classes.

              --checkpoint FILE      the .safetensors model file (required)
              --model mlp|cnn|lstm   the architecture (default: the one recorded in the checkpoint, else mlp)
              --limit N              at most N images of an IDX file (default 20)""";

    private PredictCommand() {
    }

    public static int run(List<String> args, PrintStream out) throws Exception {
        Flags f = new Flags(args, Set.of("--checkpoint", "--model", "--limit"), Set.of());
        if (f.help()) {
            out.println(USAGE);
            return 0;
        }
        if (f.positional().size() != 1) throw new UsageError("expected one IMAGE (an IDX file or a PNG), got " + f.positional().size());
        if (!f.has("--checkpoint")) throw new UsageError("--checkpoint FILE is required");
        Path image = Path.of(f.positional().get(0)), checkpoint = Path.of(f.string("--checkpoint", null));
        if (!Files.isRegularFile(image)) throw new UsageError(image + ": no such file");
        if (!Files.isRegularFile(checkpoint)) throw new UsageError("--checkpoint " + checkpoint + ": no such file");
        int limit = f.positiveInt("--limit", 20);

        CheckpointInfo info = Checkpoints.readInfo(checkpoint);
        String modelName = EvalCommand.modelName(f, info, checkpoint);
        double[] normalization = Preprocessing.normalization(info, checkpoint, null);
        NDArray images = isPng(image) ? png(image, out) : IdxReader.images(image);
        if (images.rank() != 4 || images.shape(2) != 28 || images.shape(3) != 28) {
            throw new UsageError(image + ": expected 28x28 images, got shape " + io.jgrad.tensor.Shapes.str(images.shape()));
        }
        int n = Math.min(images.shape(0), limit);
        images = images.narrow(0, 0, n);
        if (normalization != null) images = images.sub(normalization[0]).div(normalization[1]);

        Init.manualSeed(0);
        Module model = Models.create(modelName, new int[] {1, 28, 28}, info.numClasses(10, io.jgrad.data.CsvReader.DEFAULT_MAX_CLASSES, checkpoint));
        Checkpoints.load(checkpoint, model);
        model.eval();
        NDArray probabilities;
        try (var scope = GradMode.noGrad()) {
            probabilities = model.forward(Tensor.of(images)).softmax(1).data();
        }
        for (int i = 0; i < n; i++) {
            double[] p = probabilities.select(0, i).toDoubleArray();
            Integer[] order = new Integer[p.length];
            for (int k = 0; k < p.length; k++) order[k] = k;
            java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
            out.println(String.format(Locale.ROOT, "%s%d  (top 3: %d %.3f, %d %.3f, %d %.3f)", n > 1 ? "image " + i + ": predicted " : "predicted: ",
                    order[0], order[0], p[order[0]], order[1], p[order[1]], order[2], p[order[2]]));
        }
        return 0;
    }

    private static boolean isPng(Path file) throws IOException {
        byte[] head = new byte[8];
        try (var in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, 8) == 8 && (head[0] & 0xFF) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G';
        }
    }

    /** A PNG as one [1, 1, 28, 28] image of pixel values / 255, bright digit on dark background. */
    static NDArray png(Path file, PrintStream out) throws IOException {
        PngReader.Digit digit = PngReader.readDigit(file);
        if (digit.inverted()) out.println("(inverted a light-background image)");
        return digit.image();
    }
}
