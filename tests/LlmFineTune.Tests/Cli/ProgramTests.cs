using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Modeling;

namespace LlmFineTune.Tests.Cli;

[TestClass]
public sealed class ProgramTests
{
    private const string Buckets = "4096";
    private static string root = "";
    private static string trainPath = "";
    private static string testPath = "";
    private static string corpusPath = "";
    private static string bagModel = "";

    [ClassInitialize]
    public static void CreateData(TestContext context)
    {
        root = Directory.CreateTempSubdirectory("llmft-cli-").FullName;
        var (train, test) = TestData.Topical(perClass: 24, seed: 5).StratifiedSplit(0.25, seed: 5);
        trainPath = Write("train.tsv", train.Select(e => $"{e.Label}\t{e.Text}"));
        testPath = Write("test.tsv", test.Select(e => $"{e.Label}\t{e.Text}"));
        corpusPath = Write("corpus.txt", TestData.Topical(perClass: 20, seed: 9).Select(e => e.Text));
        bagModel = Path.Combine(root, "bag");
        var run = CliRun.Of("finetune", "--train", trainPath, "--output", bagModel, "--buckets", Buckets, "--epochs", "4", "--lr", "0.1");
        Assert.AreEqual(0, run.ExitCode, run.Error);
        File.WriteAllText(Path.Combine(root, "afile"), "not a directory");
        File.CreateSymbolicLink(Path.Combine(root, "loop-a.tsv"), Path.Combine(root, "loop-b.tsv"));
        File.CreateSymbolicLink(Path.Combine(root, "loop-b.tsv"), Path.Combine(root, "loop-a.tsv"));
        File.WriteAllLines(Path.Combine(root, "columns.csv"), ["body,category", "the striker scored a goal,sports", "shares and profit,finance"]);
    }

    [ClassCleanup]
    public static void DeleteData() => Directory.Delete(root, recursive: true);

    private static string Write(string name, IEnumerable<string> lines)
    {
        string path = Path.Combine(root, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [TestMethod]
    public void Evaluate_FineTunedBag_PrintsTableAndWritesJsonAndPlots()
    {
        string json = Path.Combine(root, "report.json");
        string plots = Path.Combine(root, "plots");

        var run = CliRun.Of("evaluate", "--model", bagModel, "--test", testPath, "--json", json, "--plots", plots);

        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Output, "macroF1");
        StringAssert.Contains(run.Output, "95% interval");
        StringAssert.Contains(run.Output, "finance");
        var report = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        foreach (string field in new[] { "accuracy", "macroF1", "logLoss", "labels", "perClass", "confusionMatrix" })
            Assert.IsNotNull(report[field], $"report.json lacks '{field}'");
        Assert.IsGreaterThan(0.7, report["accuracy"]!.GetValue<double>(), "four separable topics should be learned");
        Assert.HasCount(4, report["labels"]!.AsArray());
        Assert.AreEqual(24, report["confusionMatrix"]!.AsArray().Sum(row => row!.AsArray().Sum(n => n!.GetValue<long>())));
        Assert.IsGreaterThan(1000L, new FileInfo(Path.Combine(plots, "confusion-matrix.png")).Length);
    }

    [TestMethod]
    public void Evaluate_ModelWithATemperature_PrintsAndSavesLogLossAndCalibrationErrorAtOneAndAtIt()
    {
        string scaled = Path.Combine(root, "scaled");
        using (var model = TextClassifier.Load(bagModel))
        {
            model.Temperature = 2.5;
            model.Save(scaled);
        }
        string json = Path.Combine(root, "scaled.json");

        var run = CliRun.Of("evaluate", "--model", scaled, "--test", testPath, "--json", json);

        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Output, "calibration: temperature 2.500; test log-loss");
        var report = JsonNode.Parse(File.ReadAllText(json))!;
        var scaling = report["temperatureScaling"]!;
        Assert.AreEqual(2.5, scaling["temperature"]!.GetValue<double>());
        Assert.AreEqual(report["logLoss"]!.GetValue<double>(), scaling["logLossAfter"]!.GetValue<double>());
        Assert.AreEqual(report["expectedCalibrationError"]!.GetValue<double>(), scaling["calibrationErrorAfter"]!.GetValue<double>());
        Assert.AreNotEqual(scaling["logLossBefore"]!.GetValue<double>(), scaling["logLossAfter"]!.GetValue<double>(), "T = 2.5 softens every probability");
    }

    [TestMethod]
    public void Predict_StandardInput_OneJsonObjectPerLineInOrderWithLabelAndScores()
    {
        var run = CliRun.WithInput("the striker scored a goal in the match\n\nthe oven needs flour and butter to bake\n   \n", "predict", "--model", bagModel);

        Assert.AreEqual(0, run.ExitCode, run.Error);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(4, lines, "one line out per line in, so 'paste' pairs the right rows");
        var first = JsonNode.Parse(lines[0])!.AsObject();
        var third = JsonNode.Parse(lines[2])!.AsObject();
        Assert.AreEqual("sports", first["label"]!.GetValue<string>());
        Assert.AreEqual("empty text", JsonNode.Parse(lines[1])!["error"]!.GetValue<string>());
        Assert.AreEqual("cooking", third["label"]!.GetValue<string>());
        Assert.AreEqual("empty text", JsonNode.Parse(lines[3])!["error"]!.GetValue<string>());
        var scores = first["scores"]!.AsObject();
        Assert.HasCount(4, scores);
        Assert.AreEqual(1.0, scores.Sum(s => s.Value!.GetValue<double>()), 1e-4);
    }

    [TestMethod]
    public void Predict_TopK_KeepsTheMostProbableLabelsInOrder()
    {
        var all = JsonNode.Parse(CliRun.WithInput("the striker scored a goal\n", "predict", "--model", bagModel).Output)!["scores"]!.AsObject();

        var run = CliRun.WithInput("the striker scored a goal\n", "predict", "--model", bagModel, "--top-k", "2");

        Assert.AreEqual(0, run.ExitCode, run.Error);
        var top = JsonNode.Parse(run.Output)!["scores"]!.AsObject().Select(s => (s.Key, s.Value!.GetValue<double>())).ToList();
        var expected = all.Select(s => (s.Key, s.Value!.GetValue<double>())).OrderByDescending(s => s.Item2).Take(2).ToList();
        CollectionAssert.AreEqual(expected, top);
        Assert.AreEqual("sports", top[0].Key);
    }

    [TestMethod]
    [Timeout(60_000)]
    public void Predict_PausingPipe_AnswersEachLineBeforeTheNextArrives()
    {
        using var input = new PausingReader();
        var output = new LineWriter();
        var run = Task.Run(() => CliRun.With(input, output, default, "predict", "--model", bagModel));

        input.Send("the striker scored a goal");
        Assert.AreEqual("sports", JsonNode.Parse(output.Next())!["label"]!.GetValue<string>(), "answered while the pipe is still open");
        input.Send("");
        StringAssert.Contains(output.Next(), "empty text");
        input.Send("the oven needs flour and butter to bake");
        Assert.AreEqual("cooking", JsonNode.Parse(output.Next())!["label"]!.GetValue<string>());
        input.End();

        Assert.AreEqual(0, run.Result.ExitCode, run.Result.Error);
    }

    [TestMethod]
    [Timeout(60_000)]
    public void Predict_CancelledWhileWaitingForInput_StopsPromptlyWithExitCode130()
    {
        using var input = new PausingReader();
        using var cancel = new CancellationTokenSource();
        var run = Task.Run(() => CliRun.With(input, new StringWriter(), cancel.Token, "predict", "--model", bagModel));
        input.Send("the striker scored a goal");
        Thread.Sleep(200);

        cancel.Cancel();

        Assert.IsTrue(run.Wait(TimeSpan.FromSeconds(10)), "predict keeps waiting for stdin after Ctrl-C");
        Assert.AreEqual(130, run.Result.ExitCode, run.Result.Error);
    }

    [TestMethod]
    public void Evaluate_Cancelled_StopsWithExitCode130AndNoReport()
    {
        string json = Path.Combine(root, "cancelled-report.json");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        var run = CliRun.With(TextReader.Null, new StringWriter(), cancel.Token, "evaluate", "--model", bagModel, "--test", testPath, "--json", json);

        Assert.AreEqual(130, run.ExitCode, run.Error);
        Assert.IsFalse(File.Exists(json));
    }

    [TestMethod]
    public void Finetune_BatchSizeFarLargerThanTheData_TrainsOneBatchPerEpoch()
    {
        string model = Path.Combine(root, "huge-batch");

        var run = CliRun.Of("finetune", "--train", trainPath, "--output", model, "--buckets", Buckets, "--epochs", "2", "--batch-size", "50000000");

        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Output, "2 steps");
    }

    [TestMethod]
    public void Finetune_CsvWithOtherColumnNames_ReadsThemWithTextAndLabelField()
    {
        string csv = Write("named.csv", ["category,body", .. TestData.Topical(perClass: 6, seed: 3).Select(e => $"{e.Label},{e.Text}")]);
        string model = Path.Combine(root, "from-csv");

        var run = CliRun.Of("finetune", "--train", csv, "--output", model, "--buckets", Buckets, "--epochs", "1", "--text-field", "body", "--label-field", "category");

        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Output, "24 examples, 4 labels");
    }

    [TestMethod]
    public void Finetune_TsvWithHeaderLine_NotesOnStandardErrorThatItWasReadAsAHeader()
    {
        string tsv = Write("with-header.tsv", ["label\ttext", .. TestData.Topical(perClass: 6, seed: 3).Select(e => $"{e.Label}\t{e.Text}")]);

        var run = CliRun.Of("finetune", "--train", tsv, "--output", Path.Combine(root, "from-header"), "--buckets", Buckets, "--epochs", "1");

        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Output, "24 examples, 4 labels", "the header is not an example");
        Assert.HasCount(1, run.ErrorLines, run.Error);
        StringAssert.StartsWith(run.ErrorLines[0], $"llmft: note: --train {tsv}:1:");
    }

    [TestMethod]
    public void Compare_TwoModels_PrintsBothMetricsAndThePairedInterval()
    {
        string weaker = Path.Combine(root, "weaker");
        Assert.AreEqual(0, CliRun.Of("finetune", "--train", trainPath, "--output", weaker, "--buckets", Buckets, "--epochs", "1", "--lr", "0.001").ExitCode);

        var run = CliRun.Of("compare", "--model", bagModel, "--model", weaker, "--test", testPath, "--metric", "macroF1", "--samples", "200");
        var same = CliRun.Of("compare", "--model", bagModel, "--model", bagModel, "--test", testPath);

        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Output, "24 examples, macroF1 (higher is better)");
        StringAssert.Contains(run.Output, "95% paired bootstrap interval");
        StringAssert.Contains(run.Output, $"B {weaker}: ");
        Assert.AreEqual(0, same.ExitCode, same.Error);
        StringAssert.Contains(same.Output, "A - B: 0.0000");
        StringAssert.Contains(same.Output, "No significant difference");
    }

    [TestMethod]
    public void Predict_FileOfManyLinesOnTwoThreads_EveryAnswerInItsLineOrderAndTheLibrarysScores()
    {
        // 700 lines: several 128-line parts answered on two threads, empty lines falling inside and across parts
        var texts = TestData.Topical(perClass: 60, seed: 31).Select(e => e.Text).Take(700).ToArray();
        var lines = texts.Select((t, i) => i % 7 == 3 ? "" : i % 11 == 5 ? "   " : t).ToArray();
        string input = Write("many.txt", lines);

        int before = TorchSharp.torch.get_num_threads();
        CliRun run;
        try
        {
            run = CliRun.Of("predict", "--model", bagModel, "--input", input, "--threads", "2");
        }
        finally
        {
            TorchSharp.torch.set_num_threads(before); // --threads sets libtorch's threads for the whole process
        }

        Assert.AreEqual(0, run.ExitCode, run.Error);
        var answers = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(lines.Length, answers);
        using var model = TextClassifier.Load(bagModel);
        var expected = model.PredictBatch([.. lines.Where(l => !string.IsNullOrWhiteSpace(l))]);
        int next = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            var answer = JsonNode.Parse(answers[i])!.AsObject();
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                Assert.AreEqual("empty text", answer["error"]!.GetValue<string>(), $"line {i + 1}");
                continue;
            }
            var prediction = expected[next++];
            Assert.AreEqual(prediction.Label, answer["label"]!.GetValue<string>(), $"line {i + 1}");
            CollectionAssert.AreEqual(prediction.Scores.ToList(), answer["scores"]!.AsObject().Select(s => KeyValuePair.Create(s.Key, s.Value!.GetValue<float>())).ToList(), $"line {i + 1}");
        }
        Assert.AreEqual(expected.Count, next);
    }

    [TestMethod]
    public void Predict_InputFile_MatchesStandardInput()
    {
        string texts = Write("texts.txt", ["shares and profit for the investor", "a comet seen through the telescope"]);

        var fromFile = CliRun.Of("predict", "--model", bagModel, "--input", texts);
        var fromStdin = CliRun.WithInput(File.ReadAllText(texts), "predict", "--model", bagModel);

        Assert.AreEqual(0, fromFile.ExitCode, fromFile.Error);
        Assert.AreEqual(fromStdin.Output, fromFile.Output);
        StringAssert.Contains(fromFile.Output, "\"label\":\"finance\"");
    }

    [TestMethod]
    [DataRow("mlm", "held-out perplexity")]
    [DataRow("electra", "held-out loss (generator + 50 x discriminator)")]
    public void PretrainThenFinetuneFrom_BertTiny_ContinuesFromThePretrainedEncoder(string objective, string heldOut)
    {
        string pretrained = Path.Combine(root, "pretrained");
        string finetuned = Path.Combine(root, "from-pretrained");

        var pretrain = CliRun.Of("pretrain", "--corpus", corpusPath, "--output", pretrained, "--backbone", "bert-tiny", "--objective", objective, "--steps", "4",
            "--vocab-size", "120", "--max-length", "32", "--batch-size", "8", "--separator", "line", "--held-out", "8",
            "--warmup-steps", "2", "--clip", "1", "--mask-probability", "0.3");
        Assert.AreEqual(0, pretrain.ExitCode, pretrain.Error);
        StringAssert.Contains(pretrain.Output, "pretrain: step 4/4");
        StringAssert.Contains(pretrain.Output, heldOut);
        Assert.AreEqual(objective, (string)JsonNode.Parse(File.ReadAllText(Path.Combine(pretrained, "pretraining.json")))!["objective"]!);
        Assert.AreEqual("bert-tiny", ClassifierFactory.BackboneOf(pretrained));

        // A --backbone that matches the directory's is accepted.
        var finetune = CliRun.Of("finetune", "--train", trainPath, "--validation", testPath, "--from", pretrained, "--backbone", "bert-tiny",
            "--output", finetuned, "--epochs", "1", "--optimizer", "sgd", "--lr", "0.01");
        Assert.AreEqual(0, finetune.ExitCode, finetune.Error);
        StringAssert.Contains(finetune.Output, "validation: accuracy");
        using var model = TextClassifier.Load(finetuned, LlmFineTune.Tokenization.Tokenizers.Load);
        Assert.AreEqual("bert", model.Backbone.Kind);
        Assert.AreEqual(File.ReadAllText(Path.Combine(pretrained, "vocab.txt")), File.ReadAllText(Path.Combine(finetuned, "vocab.txt")), "the pretrained vocabulary carries over");
    }

    [TestMethod]
    public void PretrainWithTimeBudgetThenContinueFrom_BertTiny_PrintsAndSavesTheStepCount()
    {
        string pretrained = Path.Combine(root, "budgeted");
        string continued = Path.Combine(root, "continued");

        var pretrain = CliRun.Of("pretrain", "--corpus", corpusPath, "--output", pretrained, "--backbone", "bert-tiny", "--time-budget", "1s",
            "--vocab-size", "120", "--max-length", "32", "--batch-size", "8", "--separator", "line");
        Assert.AreEqual(0, pretrain.ExitCode, pretrain.Error);
        var recipe = JsonNode.Parse(File.ReadAllText(Path.Combine(pretrained, "pretraining.json")))!;
        int steps = (int)recipe["steps"]!;
        StringAssert.Contains(pretrain.Output, $"-> {steps} steps (repeat exactly with --steps {steps})");
        Assert.AreEqual(1.0, (double)recipe["time_budget_seconds"]!);

        var more = CliRun.Of("pretrain", "--corpus", trainPath, "--output", continued, "--from", pretrained, "--steps", "2", "--batch-size", "8", "--separator", "line");
        Assert.AreEqual(0, more.ExitCode, more.Error);
        StringAssert.Contains(more.Output, "from " + pretrained);
        Assert.AreEqual(File.ReadAllText(Path.Combine(pretrained, "vocab.txt")), File.ReadAllText(Path.Combine(continued, "vocab.txt")), "the vocabulary carries over");
    }

    [TestMethod]
    public void PretrainSkipgramThenFinetuneFrom_Bag_StartsFromTheVectors()
    {
        string vectors = Path.Combine(root, "vectors");
        string finetuned = Path.Combine(root, "bag-from-vectors");

        var pretrain = CliRun.Of("pretrain", "--corpus", corpusPath, "--output", vectors, "--objective", "skipgram", "--buckets", Buckets, "--dim", "16", "--separator", "line");
        Assert.AreEqual(0, pretrain.ExitCode, pretrain.Error);
        StringAssert.Contains(pretrain.Output, "skipgram word vectors");
        Assert.AreEqual("bag", ClassifierFactory.BackboneOf(vectors));

        var finetune = CliRun.Of("finetune", "--train", trainPath, "--validation", testPath, "--from", vectors, "--output", finetuned, "--epochs", "4", "--lr", "0.1");
        Assert.AreEqual(0, finetune.ExitCode, finetune.Error);
        StringAssert.Contains(finetune.Output, "fine-tuning bag from " + vectors);
        using var model = TextClassifier.Load(finetuned, LlmFineTune.Tokenization.Tokenizers.Load);
        Assert.AreEqual(16, model.Backbone.HiddenSize, "the vectors' width");
    }

    [TestMethod]
    public void FinetunePretrainOnTrain_BertTiny_SelfPretrainsThenFineTunes()
    {
        string finetuned = Path.Combine(root, "self-pretrained");

        var run = CliRun.Of("finetune", "--train", trainPath, "--output", finetuned, "--backbone", "bert-tiny", "--vocab-size", "120", "--max-length", "32",
            "--pretrain-on-train", "1s", "--epochs", "1");

        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Output, "self-pretraining bert-tiny on the");
        StringAssert.Contains(run.Output, "fine-tuning bert-tiny after self-pretraining");
        using var model = TextClassifier.Load(finetuned, LlmFineTune.Tokenization.Tokenizers.Load);
        Assert.AreEqual(32, model.MaxLength);
    }

    [TestMethod]
    public void FinetunePretrainOnTrain_ElectraObjective_SelfPretrainsTheDiscriminatorThenFineTunes()
    {
        string finetuned = Path.Combine(root, "self-pretrained-electra");

        var run = CliRun.Of("finetune", "--train", trainPath, "--output", finetuned, "--backbone", "bert-tiny", "--vocab-size", "120", "--max-length", "32",
            "--pretrain-on-train", "1s", "--pretrain-objective", "electra", "--epochs", "1");

        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Output, "self-pretraining bert-tiny (ELECTRA replaced-token detection) on the");
        StringAssert.Contains(run.Output, "fine-tuning bert-tiny after self-pretraining");
        using var model = TextClassifier.Load(finetuned, LlmFineTune.Tokenization.Tokenizers.Load);
        Assert.AreEqual("bert", model.Backbone.Kind, "the discriminator is saved as a BERT encoder and fine-tuned as one");
    }

    [TestMethod]
    public void PretrainClmThenFinetuneEvaluatePredict_Gpt2Tiny_DecoderAllTheWay()
    {
        string pretrained = Path.Combine(root, "pretrained-clm");
        string finetuned = Path.Combine(root, "from-clm");

        var pretrain = CliRun.Of("pretrain", "--corpus", corpusPath, "--output", pretrained, "--objective", "clm", "--backbone", "gpt2-tiny", "--steps", "2",
            "--vocab-size", "120", "--max-length", "32", "--batch-size", "8", "--separator", "line", "--held-out", "8");
        Assert.AreEqual(0, pretrain.ExitCode, pretrain.Error);
        StringAssert.Contains(pretrain.Output, "gpt2-tiny (causal LM)");
        StringAssert.Contains(pretrain.Output, "held-out perplexity");
        Assert.AreEqual("gpt2-tiny", ClassifierFactory.BackboneOf(pretrained));

        var finetune = CliRun.Of("finetune", "--train", trainPath, "--validation", testPath, "--from", pretrained, "--output", finetuned, "--epochs", "1", "--lr", "3e-3");
        Assert.AreEqual(0, finetune.ExitCode, finetune.Error);
        StringAssert.Contains(finetune.Output, "fine-tuning gpt2-tiny from");
        StringAssert.Contains(finetune.Output, "validation: accuracy");

        string json = Path.Combine(root, "clm-report.json");
        var evaluate = CliRun.Of("evaluate", "--model", finetuned, "--test", testPath, "--json", json);
        Assert.AreEqual(0, evaluate.ExitCode, evaluate.Error);
        Assert.AreEqual(24, JsonNode.Parse(File.ReadAllText(json))!["confusionMatrix"]!.AsArray().Sum(row => row!.AsArray().Sum(n => n!.GetValue<long>())));
        var predict = CliRun.WithInput("the striker scored a goal\nshares and profit for the investor\n", "predict", "--model", finetuned);
        Assert.AreEqual(0, predict.ExitCode, predict.Error);
        var lines = predict.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(2, lines);
        Assert.HasCount(4, JsonNode.Parse(lines[0])!["scores"]!.AsObject());
        using var model = TextClassifier.Load(finetuned, LlmFineTune.Tokenization.Tokenizers.Load);
        Assert.AreEqual("gpt2", model.Backbone.Kind);
    }

    [TestMethod]
    [DataRow("finetune", "--train", "{root}/missing.tsv", "--output", "{root}/x", "missing.tsv")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--backbone", "bert-huge", "bert-huge")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--from", "{bag}", "--backbone", "bert-tiny", "conflicts")]
    [DataRow("finetune", "--train", "{root}/train.parquet", "--output", "{root}/x", "--format", "parquet", "parquet")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--epochs", "0", "--epochs: must be at least 1")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/afile", "--output {root}/afile: is a file")]
    [DataRow("finetune", "--train", "{train}", "--output", "/proc/llmft-model", "--output /proc/llmft-model: cannot write")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/afile/model", "is a file, so nothing can be created")]
    [DataRow("finetune", "--train", "{root}", "--output", "{root}/x", "--train {root}: is a directory")]
    [DataRow("finetune", "--train", "{root}/loop-a.tsv", "--output", "{root}/x", "--train {root}/loop-a.tsv: the symbolic link cannot be followed")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--validation", "{root}", "--validation {root}: is a directory")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--backbone", "bert-tiny", "--max-length", "1", "--max-length 1 leaves the bert-tiny backbone no room")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--backbone", "bert-tiny", "--max-length", "2", "use at least 3")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--backbone", "bert-tiny", "--vocab-size", "5", "--vocab-size ('5') must be greater than or equal to '16'")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--resume", "--resume: no checkpoint in")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--warmup-steps", "2", "--warmup-ratio", "0.1", "give one")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--warmup-ratio", "1.5", "--warmup-ratio must be in [0, 1)")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--weight-decay", "-1", "--weight-decay must be 0 or more")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--early-stopping-patience", "2", "give --validation too")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--threads", "0", "--threads must be at least 1")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--checkpoint-every", "-1", "--checkpoint-every: must be 0 (off) or a positive step count")]
    [DataRow("finetune", "--train", "{root}/columns.csv", "--output", "{root}/x", "Set --text-field and --label-field")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--label-separator", "ab", "--label-separator must be one character")]
    [DataRow("finetune", "--train", "{root}/columns.csv", "--output", "{root}/x", "--text-field", "body", "--label-field", "topic", "no column 'topic'")]
    [DataRow("evaluate", "--model", "{bag}", "--test", "{test}", "--json", "{root}", "--json {root}: is a directory")]
    [DataRow("evaluate", "--model", "{bag}", "--test", "{test}", "--plots", "{root}/afile", "--plots {root}/afile: is a file")]
    [DataRow("evaluate", "--model", "{bag}", "--test", "{root}/loop-a.tsv", "--test {root}/loop-a.tsv")]
    [DataRow("evaluate", "--model", "{bag}", "--test", "{test}", "--k", "0", "--k must be at least 1")]
    [DataRow("predict", "--model", "{bag}", "--top-k", "0", "--top-k must be at least 1")]
    [DataRow("predict", "--model", "{bag}", "--threshold", "0.5", "--threshold applies to multi-label models")]
    [DataRow("predict", "--model", "{bag}", "--input", "{root}", "--input {root}: is a directory")]
    [DataRow("compare", "--model", "{bag}", "--test", "{test}", "--model")]
    [DataRow("compare", "--model", "{bag}", "--model", "{root}/nowhere", "--test", "{test}", "nowhere")]
    [DataRow("compare", "--model", "{bag}", "--model", "{bag}", "--test", "{test}", "--metric", "r2", "'r2' cannot be compared")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/afile", "--output {root}/afile: is a file")]
    [DataRow("pretrain", "--corpus", "{root}", "--output", "{root}/x", "--corpus {root}: is a directory")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--max-length", "2", "--max-length 2")]
    [DataRow("finetune", "--train", "{root}/bad.tsv", "--output", "{root}/x", "bad.tsv:2")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--from", "{root}/nowhere", "nowhere")]
    [DataRow("evaluate", "--model", "{root}/nowhere", "--test", "{test}", "nowhere")]
    [DataRow("evaluate", "--model", "{bag}", "--test", "{corpus}", "corpus.txt")]
    [DataRow("predict", "--model", "{bag}", "--input", "{root}/missing.txt", "missing.txt")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--objective", "clm", "--backbone", "bert-tiny", "--backbone gpt2-tiny")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--objective", "mlm", "--backbone", "gpt2-small", "--backbone bert-small")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--objective", "electra", "--backbone", "gpt2-tiny", "--backbone bert-tiny")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--generator-size", "0.5", "--generator-size applies to --objective electra only")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--objective", "electra", "--generator-size", "1.5", "--generator-size must be in (0, 1]")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--from", "{gpt2}", "--backbone", "gpt2-tiny", "holds a gpt2 model")]
    [DataRow("pretrain", "--output", "{root}/x", "--corpus")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--mask-probability", "0", "--mask-probability must be in (0, 1]")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--backbone", "gpt2-tiny", "--mask-probability", "0.3", "causal LM")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--clip", "0", "--clip: must be a positive finite number")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--warmup-steps", "-1", "--warmup-steps must be 0 or more")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--time-budget", "1m", "--steps", "5", "not both")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--time-budget", "soon", "--time-budget must be a positive duration")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--backbone", "bag", "--objective", "mlm", "--backbone bert-mini")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--backbone", "bert-tiny", "--objective", "cbow", "--backbone bag")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--from", "{bag}", "holds a bag model")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--backbone", "bert-tiny", "--pretrain-on-train", "0s", "--pretrain-on-train must be a positive duration")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--backbone", "bert-tiny", "--pretrain-objective", "electra", "add --pretrain-on-train")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--pretrain-on-train", "--pretrain-objective", "electra", "does not fit --backbone bag; it pretrains with skipgram or cbow")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--backbone", "gpt2-tiny", "--pretrain-on-train", "1s", "--pretrain-objective", "mlm", "it pretrains with clm")]
    [DataRow("train", "train")]
    public void Run_UserMistake_OneLineOnStandardErrorAndExitCode2(params string[] argsThenExpected)
    {
        File.WriteAllLines(Path.Combine(root, "bad.tsv"), ["sports\tthe match", "no tab on this line"]);
        string[] args = argsThenExpected[..^1].Select(a => a.Replace("{root}", root).Replace("{train}", trainPath).Replace("{test}", testPath)
            .Replace("{bag}", bagModel).Replace("{corpus}", corpusPath).Replace("{gpt2}", LlmFineTune.Tests.Backbones.Fixtures.Path("gpt2-tiny-parity"))).ToArray();

        var run = CliRun.Of(args);

        Assert.AreEqual(2, run.ExitCode, run.Error);
        Assert.HasCount(1, run.ErrorLines, run.Error);
        StringAssert.Contains(run.Error, argsThenExpected[^1].Replace("{root}", root));
        Assert.IsFalse(run.Error.Contains("   at ", StringComparison.Ordinal), "no stack trace for a user mistake");
        Assert.IsFalse(Directory.Exists(Path.Combine(root, "x")), "nothing is written after a mistake");
    }

    [TestMethod]
    public void Run_Help_ListsTheVerbsAndSucceeds()
    {
        var run = CliRun.Of("--help");

        Assert.AreEqual(0, run.ExitCode);
        foreach (string verb in new[] { "pretrain", "finetune", "evaluate", "predict", "compare" })
            StringAssert.Contains(run.Output, verb);
    }

    [TestMethod]
    [DataRow("finetune", "--threads", "--weight-decay", "--warmup-steps", "--warmup-ratio", "--early-stopping-patience", "--resume", "--checkpoint-every", "--text-field", "--label-field", "--label-separator")]
    [DataRow("predict", "--top-k", "--threshold", "--threads")]
    [DataRow("evaluate", "--k", "--text-field", "--threads")]
    [DataRow("compare", "--model", "--test", "--metric", "--samples", "--threads")]
    [DataRow("pretrain", "--threads")]
    public void Help_EveryVerb_DescribesEachFlag(string verb, params string[] flags)
    {
        var run = CliRun.Of(verb, "--help");

        Assert.AreEqual(0, run.ExitCode);
        foreach (string line in run.Output.Split('\n').Where(l => l.TrimStart().StartsWith("--", StringComparison.Ordinal)))
            Assert.IsGreaterThan(1, line.Trim().Split("  ", StringSplitOptions.RemoveEmptyEntries).Length, $"no description: {line}");
        foreach (string flag in flags)
            StringAssert.Contains(run.Output, flag);
    }
}
