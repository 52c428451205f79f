package io.jgrad.bench;

import io.jgrad.autograd.GradMode;
import io.jgrad.autograd.Tensor;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.GRU;
import io.jgrad.layers.Init;
import io.jgrad.layers.LSTM;
import io.jgrad.layers.Loss;
import io.jgrad.layers.MSELoss;
import io.jgrad.layers.Module;
import io.jgrad.layers.TransformerEncoderLayer;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.train.models.Mlp;
import io.jgrad.train.models.MnistCnn;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code jgrad bench models}: for each model (the MNIST MLP and ConvNet, an LSTM, a GRU, a Transformer encoder
 * layer) the training step (forward, loss, backward, Adam) and the inference latency at batch 1 and 32 (eval,
 * no-grad), jgrad beside PyTorch CPU with all cores on both sides. Each round runs the PyTorch process and then
 * jgrad (the next round the other way round), so that the machine's load hits both alike; the table gives the
 * minimum and the median over rounds ({@link ModelsTable}).
 *
 * <p>PyTorch runs at its best: OPENBLAS_CORETYPE/L2_SIZE are unset and glibc malloc keeps freed memory
 * ({@link PythonAnchor}), and every round it runs once with its default CPU capability and once with
 * {@code ATEN_CPU_CAPABILITY=avx512} (where the default is not AVX-512 already), and each workload's faster time of
 * the two is the round's anchor time. Not one choice per model from the first round: that single comparison is as
 * noisy as any one reading, and once kept avx512 for the ConvNet (1.05x in the first round) whose anchor then ran
 * 35 ms a step in the other rounds instead of the 28-30 it can do.
 */
final class ModelsReport {

    static final List<String> MODELS = List.of("mlp", "cnn", "lstm", "gru", "transformer");
    static final int DEFAULT_ROUNDS = 3;
    static final int SEQUENCE = 64;
    /** Warm-up of each inference workload in the first round, before {@link Timing}'s own. */
    static final long INFERENCE_WARMUP_NANOS = 3_000_000_000L;

    /** The parsed command line: which models, how many rounds. */
    record Options(List<String> models, int rounds) {

        /** Parses {@code [--models a,b] [--rounds N]}; throws IllegalArgumentException with the message for the user. */
        static Options parse(String[] args) {
            List<String> models = MODELS;
            int rounds = DEFAULT_ROUNDS;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value;
                if (arg.equals("--models") || arg.equals("--rounds")) {
                    if (i + 1 >= args.length) throw new IllegalArgumentException(arg + " needs a value");
                    value = args[++i];
                } else if (arg.startsWith("--models=") || arg.startsWith("--rounds=")) {
                    value = arg.substring(arg.indexOf('=') + 1);
                    arg = arg.substring(0, arg.indexOf('='));
                } else {
                    throw new IllegalArgumentException("unknown option '" + arg + "' (--models " + String.join(",", MODELS) + ", --rounds N)");
                }
                if (arg.equals("--models")) {
                    models = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
                    for (String m : models) {
                        if (!MODELS.contains(m)) throw new IllegalArgumentException("unknown model '" + m + "' (one of " + String.join(",", MODELS) + ")");
                    }
                    if (models.isEmpty()) throw new IllegalArgumentException("--models needs at least one of " + String.join(",", MODELS));
                } else {
                    try {
                        rounds = Integer.parseInt(value.trim());
                    } catch (NumberFormatException e) {
                        rounds = 0;
                    }
                    if (rounds < 1) throw new IllegalArgumentException("--rounds expects a positive integer, got '" + value + "'");
                }
            }
            return new Options(models, rounds);
        }
    }

    static final String SCRIPT = PythonAnchor.TORCH + """
            """ + PythonAnchor.BLAS + EpochReport.CONVNET + """
            class Seq(nn.Module):
                def __init__(s, rnn):
                    super().__init__(); s.rnn = rnn
                def forward(s, x):
                    return s.rnn(x)[0]
            def make(name):
                if name == 'mlp': return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)), lambda b: torch.rand(b, 784), 128, True
                if name == 'cnn': return ConvNet(), lambda b: torch.rand(b, 1, 28, 28), 128, True
                seq = lambda b: torch.randn(b, %d, 128)
                if name == 'lstm': return Seq(nn.LSTM(128, 256, batch_first=True)), seq, 32, False
                if name == 'gru': return Seq(nn.GRU(128, 256, batch_first=True)), seq, 32, False
                if name == 'transformer': return nn.TransformerEncoderLayer(128, 4, 512, batch_first=True), seq, 32, False
                raise ValueError(name)
            for name in sys.argv[1].split(','):
                m, x_of, b, classify = make(name)
                opt = torch.optim.Adam(m.parameters(), 1e-3)
                X = x_of(b)
                Y = torch.randint(0, 10, (b,)) if classify else torch.randn(m(X).shape)
                loss = F.cross_entropy if classify else F.mse_loss
                m.train()
                def step():
                    opt.zero_grad(); loss(m(X), Y).backward(); opt.step()
                print('torch.%%s.train' %% name, median_seconds(step), flush=True)
                m.eval()
                with torch.no_grad():
                    for bi in (1, 32):
                        x = x_of(bi)
                        print('torch.%%s.infer%%d' %% (name, bi), median_seconds(lambda: m(x)), flush=True)
            """.formatted(SEQUENCE);

    private ModelsReport() {
    }

    static void run(Options options, PrintStream out) {
        int all = Machine.cores();
        String models = String.join(",", options.models());
        out.println("jgrad bench models: training step (forward, loss, backward, Adam) and eval no-grad inference at batch 1 and 32, "
                + all + " threads on both sides, " + options.rounds() + " alternated round" + (options.rounds() == 1 ? "" : "s"));
        out.println("models: mlp 784-128-10 (train batch 128), cnn the MNIST ConvNet (128), lstm/gru LSTM/GRU(128 -> 256, batch_first) x "
                + SEQUENCE + " steps (32), transformer TransformerEncoderLayer(d 128, 4 heads, ff 512, dropout 0.1, batch_first) length " + SEQUENCE + " (32)");
        Machine.describe(out);
        out.println(PythonAnchor.allocatorLine());
        out.println("jgrad backend: " + Backends.forDevice(Device.CPU).name());
        ModelsTable table = new ModelsTable(options.models());
        for (int round = 0; round < options.rounds(); round++) {
            boolean torchFirst = round % 2 == 0;
            if (!torchFirst) measureJgrad(table, options.models(), round == 0);
            PythonAnchor.Result plain = PythonAnchor.run(SCRIPT, all, List.of(models));
            String cap = plain.info().getOrDefault("capability", "n/a");
            if (round == 0) {
                out.println("torch " + plain.info().getOrDefault("torch", "n/a") + " (/usr/bin/python3), CPU capability " + cap
                        + ", BLAS " + plain.info().getOrDefault("blas", "n/a") + (plain.note() != null ? "; note: " + plain.note() : ""));
                if (PythonAnchor.blasWarning(plain) != null) out.println(PythonAnchor.blasWarning(plain));
            } else if (plain.note() != null) {
                out.println("round " + (round + 1) + " anchor note: " + plain.note());
            }
            Map<String, Double> best = plain.values();
            if (!cap.toUpperCase(Locale.ROOT).startsWith("AVX512") && plain.note() == null) {
                PythonAnchor.Result forced = PythonAnchor.run(SCRIPT, all, List.of(models), Map.of("ATEN_CPU_CAPABILITY", "avx512"));
                if (forced.note() == null) {
                    List<String> faster = new ArrayList<>();
                    for (String m : options.models()) {
                        double speedup = speedup(valuesOf(plain.values(), m), valuesOf(forced.values(), m));
                        if (!Double.isNaN(speedup)) faster.add(String.format(Locale.ROOT, "%s %.2fx", m, speedup));
                    }
                    out.println("round " + (round + 1) + ": ATEN_CPU_CAPABILITY=avx512 (capability " + forced.info().getOrDefault("capability", "n/a")
                            + ") against the default, geometric mean per model: " + String.join(", ", faster) + "; each workload keeps its faster time");
                    best = fasterOf(plain.values(), forced.values());
                } else {
                    out.println("round " + (round + 1) + ": ATEN_CPU_CAPABILITY=avx512 not measured: " + forced.note());
                }
            }
            table.addTorch(best);
            if (torchFirst) measureJgrad(table, options.models(), round == 0);
            out.println("round " + (round + 1) + " of " + options.rounds() + " done; load " + Machine.loadAverage());
        }
        out.println();
        table.print(out, options.rounds());
    }

    /** Each key's smaller value (the faster time) of the two runs; a key only one of them printed keeps that value. */
    static Map<String, Double> fasterOf(Map<String, Double> a, Map<String, Double> b) {
        Map<String, Double> faster = new LinkedHashMap<>(a);
        b.forEach((k, v) -> faster.merge(k, v, Math::min));
        return faster;
    }

    /** The values of {@code model}'s workloads: the keys {@code torch.MODEL.*}. */
    static Map<String, Double> valuesOf(Map<String, Double> values, String model) {
        Map<String, Double> of = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith("torch." + model + ".")) of.put(k, v);
        });
        return of;
    }

    /** How much faster {@code b} ran than {@code a}: the geometric mean of a/b over the keys both have. */
    static double speedup(Map<String, Double> a, Map<String, Double> b) {
        double[] logs = a.keySet().stream().filter(b::containsKey).mapToDouble(k -> Math.log(a.get(k) / b.get(k))).filter(Double::isFinite).toArray();
        return logs.length == 0 ? Double.NaN : Math.exp(Arrays.stream(logs).average().orElse(Double.NaN));
    }

    private static void measureJgrad(ModelsTable table, List<String> models, boolean firstRound) {
        for (String name : models) {
            Bench bench = Bench.of(name);
            double train = bench.trainStepSeconds(firstRound);
            double infer1 = bench.inferSeconds(1, firstRound);
            double infer32 = bench.inferSeconds(32, firstRound);
            table.addJgrad(new ModelsTable.Row(name, ModelsTable.Workload.TRAIN), train);
            table.addJgrad(new ModelsTable.Row(name, ModelsTable.Workload.INFER_1), infer1);
            table.addJgrad(new ModelsTable.Row(name, ModelsTable.Workload.INFER_32), infer32);
        }
    }

    /** One model with its input maker and loss, as the anchor script builds it. */
    record Bench(Module model, Function<Integer, NDArray> input, int batch, boolean classify) {

        static Bench of(String name) {
            Init.manualSeed(0);
            Generator gen = new Generator(0);
            Function<Integer, NDArray> sequence = b -> NDArray.randn(gen, DType.FLOAT32, b, SEQUENCE, 128);
            return switch (name) {
                case "mlp" -> new Bench(new Mlp(784, 128, 10), b -> NDArray.rand(gen, DType.FLOAT32, b, 784), 128, true);
                case "cnn" -> new Bench(new MnistCnn(), b -> NDArray.rand(gen, DType.FLOAT32, b, 1, 28, 28), 128, true);
                case "lstm" -> new Bench(new LSTM(128, 256, 1, true, true, 0.0), sequence, 32, false);
                case "gru" -> new Bench(new GRU(128, 256, 1, true, true, 0.0), sequence, 32, false);
                case "transformer" -> new Bench(new TransformerEncoderLayer(128, 4, 512, 0.1, TransformerEncoderLayer.Activation.RELU, true, false), sequence, 32, false);
                default -> throw new IllegalArgumentException("unknown model " + name);
            };
        }

        double trainStepSeconds(boolean firstRound) {
            Runnable step = trainingStep();
            // A whole training step is a lot of code for the JIT: in the first round give it more than Timing's warm-up.
            for (int i = 0; i < (firstRound ? EpochReport.WARMUP_STEPS : 2); i++) step.run();
            return Timing.medianSeconds(step);
        }

        /** One training step (zero grads, forward, loss, backward, Adam) on a fixed batch, ready to run repeatedly. */
        Runnable trainingStep() {
            Generator gen = new Generator(1);
            model.train();
            Optimizer adam = Adam.builder().lr(1e-3).build(model.parameters());
            Tensor x = Tensor.of(input.apply(batch));
            Tensor y;
            Loss loss;
            if (classify) {
                long[] labels = new long[batch];
                for (int i = 0; i < batch; i++) labels[i] = gen.nextInt(10);
                y = Tensor.of(NDArray.of(labels, batch));
                loss = new CrossEntropyLoss();
            } else {
                y = Tensor.of(NDArray.randn(gen, DType.FLOAT32, model.forward(x).shape()));
                loss = new MSELoss();
            }
            return () -> {
                adam.zeroGrad();
                loss.forward(model.forward(x), y).backward();
                adam.step();
            };
        }

        double inferSeconds(int b, boolean firstRound) {
            model.eval();
            Tensor x = Tensor.of(input.apply(b));
            try (var scope = GradMode.noGrad()) {
                // Inference runs kernels training did not (the few-row GEMM at batch 1): on a loaded machine C2 takes
                // seconds to compile them, and until then the Vector API runs its Java fallback, ~100x slower.
                long end = System.nanoTime() + (firstRound ? INFERENCE_WARMUP_NANOS : 0);
                while (System.nanoTime() < end) model.forward(x);
                return Timing.medianSeconds(() -> model.forward(x));
            }
        }
    }
}
