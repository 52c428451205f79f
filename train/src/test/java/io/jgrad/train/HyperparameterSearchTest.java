package io.jgrad.train;

import io.jgrad.data.DataSources;
import io.jgrad.data.Datasets;
import io.jgrad.data.Subset;
import io.jgrad.data.TensorDataset;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.SGD;
import io.jgrad.train.HyperparameterSearch.Trial;
import io.jgrad.train.models.Mlp;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HyperparameterSearchTest {

    @Test
    void gridIsEveryCombinationWithTheLearningRateVaryingSlowest() {
        List<Trial> grid = HyperparameterSearch.grid(List.of(0.1, 0.01), List.of(16, 32), List.of("adam"), List.of(0.0, 1e-4));
        assertEquals(8, grid.size());
        assertEquals(new Trial(0.1, 16, "adam", 0.0), grid.get(0));
        assertEquals(new Trial(0.1, 16, "adam", 1e-4), grid.get(1));
        assertEquals(new Trial(0.1, 32, "adam", 0.0), grid.get(2));
        assertEquals(new Trial(0.01, 32, "adam", 1e-4), grid.get(7));
    }

    @Test
    void randomTrialsAreSeededAndTheLearningRateIsLogUniform() {
        List<Trial> a = HyperparameterSearch.random(2000, 1e-5, 1e-1, List.of(32, 64), List.of("adam", "sgd"), List.of(0.0), 42);
        assertEquals(a, HyperparameterSearch.random(2000, 1e-5, 1e-1, List.of(32, 64), List.of("adam", "sgd"), List.of(0.0), 42));
        assertNotEquals(a, HyperparameterSearch.random(2000, 1e-5, 1e-1, List.of(32, 64), List.of("adam", "sgd"), List.of(0.0), 43));
        int[] perDecade = new int[4];
        int sgd = 0;
        for (Trial t : a) {
            assertTrue(t.lr() >= 1e-5 && t.lr() <= 1e-1, "lr " + t.lr());
            perDecade[(int) Math.floor(Math.log10(t.lr()) + 5)]++;
            if (t.optimizer().equals("sgd")) sgd++;
        }
        // Log-uniform: each of the four decades gets about a quarter (a uniform draw would put 90% in the last).
        for (int n : perDecade) assertTrue(n > 400 && n < 600, java.util.Arrays.toString(perDecade));
        assertTrue(sgd > 900 && sgd < 1100, "sgd drawn " + sgd + " of 2000 times");
        assertEquals(1e-3, HyperparameterSearch.random(1, 1e-3, 1e-3, List.of(8), List.of("adam"), List.of(0.0), 0).get(0).lr(), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> HyperparameterSearch.random(3, 0, 1, List.of(8), List.of("adam"), List.of(0.0), 0));
    }

    @Test
    void searchTrainsEveryTrialAndRanksThemByValidationAccuracy() throws Exception {
        TensorDataset digits = DataSources.digits().train();
        Datasets.Split split = Datasets.split(new Subset(digits, IntStream.range(0, 300).toArray()), 0.2, 0);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        HyperparameterSearch search = HyperparameterSearch.builder(() -> new Mlp(784, 32, 10),
                        (name, params, lr, wd) -> name.equals("sgd") ? SGD.builder().lr(lr).weightDecay(wd).build(params)
                                : Adam.builder().lr(lr).weightDecay(wd).build(params),
                        split.train(), split.validation())
                .epochs(1).log(new PrintStream(log, true, StandardCharsets.UTF_8)).build();
        // A learning rate of 1e-6 learns nothing in one epoch; 1e-2 with Adam learns a lot.
        List<Trial> trials = List.of(new Trial(1e-6, 32, "sgd", 0), new Trial(1e-2, 32, "adam", 0), new Trial(1e-3, 64, "adam", 1e-4));
        SearchResults results = search.run(trials);

        assertEquals(3, results.ranked().size());
        assertEquals(2, results.best().number());
        assertEquals(1, results.ranked().get(2).number());
        for (int i = 1; i < 3; i++) {
            assertTrue(results.ranked().get(i - 1).validationAccuracy() >= results.ranked().get(i).validationAccuracy(), results.formatTable());
        }
        assertTrue(results.best().validationAccuracy() > 0.6, results.formatTable());
        String[] lines = results.formatTable().split("\n");
        assertEquals(4, lines.length);
        assertTrue(lines[0].matches("trial +lr +batch +optimizer +wd +val loss +val acc +seconds"), lines[0]);
        assertTrue(lines[1].matches(" +2 +0\\.01 +32 +adam +0 +\\d\\.\\d{4} +\\d+\\.\\d\\d% +\\d+\\.\\d"), lines[1]);
        assertTrue(lines[3].matches(" +1 +0\\.000001 +32 +sgd .*"), lines[3]);
        assertEquals(3, log.toString(StandardCharsets.UTF_8).lines().count());

        // Every trial starts from the same weights: running one trial again gives the same result.
        SearchResults again = search.run(List.of(trials.get(1)));
        assertEquals(results.best().validationLoss(), again.best().validationLoss());
    }

    @Test
    void divergedTrialsComeLast() {
        SearchResults r = new SearchResults(List.of(
                new SearchResults.Entry(1, new Trial(10, 8, "sgd", 0), Double.NaN, Double.NaN, 1),
                new SearchResults.Entry(2, new Trial(1e-3, 8, "adam", 0), 0.9, 0.7, 1),
                new SearchResults.Entry(3, new Trial(3e-3, 8, "adam", 0), 0.8, 0.7, 1)));
        assertEquals(List.of(3, 2, 1), r.ranked().stream().map(SearchResults.Entry::number).toList()); // equal accuracy: lower loss first
        assertTrue(r.formatTable().lines().reduce((a, b) -> b).orElseThrow().contains("diverged"), r.formatTable());
    }
}
