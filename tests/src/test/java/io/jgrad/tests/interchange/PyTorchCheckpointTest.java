package io.jgrad.tests.interchange;

import io.jgrad.autograd.GradMode;
import io.jgrad.autograd.Tensor;
import io.jgrad.data.DataSources;
import io.jgrad.data.Subset;
import io.jgrad.data.TensorDataset;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Linear;
import io.jgrad.layers.Module;
import io.jgrad.layers.Sequential;
import io.jgrad.layers.Tanh;
import io.jgrad.tensor.io.Json;
import io.jgrad.tensor.io.SafeTensors;
import io.jgrad.tensor.io.SafeTensorsFile;
import io.jgrad.cli.Jgrad;
import io.jgrad.train.CheckpointInfo;
import io.jgrad.train.Checkpoints;
import io.jgrad.train.Evaluation;
import io.jgrad.train.Trainer;
import io.jgrad.train.models.MnistCnn;
import io.jgrad.data.DataLoader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checkpoints written by PyTorch ({@code state_dict()} through safetensors, no jgrad metadata) load into the
 * built-in models and give PyTorch's results. The files and PyTorch's accuracies come from
 * {@code src/test/resources/interchange/make_checkpoints.py}.
 */
class PyTorchCheckpointTest {

    static final Path DIR = Path.of("src/test/resources/interchange");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> accuracies(String model) throws Exception {
        Map<String, Object> all = (Map<String, Object>) Json.parse(Files.readString(DIR.resolve("accuracies.json")));
        return (Map<String, Object>) all.get(model);
    }

    @Test
    void evalOfAPyTorchMlpReportsPyTorchsAccuracy() throws Exception {
        Map<String, Object> torch = accuracies("digits_mlp");
        double expected = 100.0 * ((Number) torch.get("correct")).doubleValue() / ((Number) torch.get("total")).doubleValue();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Jgrad.run(new String[] {"eval", "--model", "mlp", "--dataset", "digits", "--checkpoint", DIR.resolve("digits_mlp.safetensors").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, status);
        String last = out.toString(StandardCharsets.UTF_8).strip().lines().reduce((a, b) -> b).orElseThrow();
        assertEquals(String.format(Locale.ROOT, "test accuracy: %.2f%%", expected), last);
        assertEquals(CheckpointInfo.NONE, Checkpoints.readInfo(DIR.resolve("digits_mlp.safetensors")), "a PyTorch file carries no jgrad description");
    }

    /** The first 1000 Fashion-MNIST test images (all 10000 take minutes on the reference backend; 'jgrad eval' does them). */
    @Test
    void aPyTorchConvNetClassifiesFashionMnistAsPyTorchDid() throws Exception {
        assumeTrue(Files.isDirectory(DataSources.DEFAULT_FASHION_MNIST_DIR),
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); skipping the PyTorch ConvNet comparison");
        Map<String, Object> torch = accuracies("fashion_cnn");
        Module cnn = new MnistCnn();
        Checkpoints.load(DIR.resolve("fashion_cnn.safetensors"), cnn);
        TensorDataset test = DataSources.fashionMnist().test();
        Subset first = new Subset(test, IntStream.range(0, 1000).toArray());
        Evaluation e = Trainer.evaluate(cnn, DataLoader.builder(first).batchSize(250).build(), new CrossEntropyLoss(), 10);
        assertEquals(((Number) torch.get("correct_first_1000")).intValue(), Math.round(e.accuracy() * 1000));
    }

    @Test
    void endToEndFinalWeightsGivePyTorchsLogits() throws Exception {
        Module model = new Sequential(new Linear(10, 16), new Tanh(), new Linear(16, 3));
        Checkpoints.load(DIR.resolve("e2e_final_state_dict.safetensors"), model);
        SafeTensorsFile expected = SafeTensors.read(DIR.resolve("e2e_final_logits.safetensors"));
        Tensor logits;
        try (var scope = GradMode.noGrad()) {
            logits = model.forward(Tensor.of(expected.get("input")));
        }
        assertTrue(logits.data().allClose(expected.get("logits"), 1e-5, 1e-6), "jgrad " + logits + "\nPyTorch " + expected.get("logits"));
    }
}
