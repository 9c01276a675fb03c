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
    public void Predict_StandardInput_OneJsonObjectPerLineWithLabelAndScores()
    {
        var run = CliRun.WithInput("the striker scored a goal in the match\n\nthe oven needs flour and butter to bake\n", "predict", "--model", bagModel);

        Assert.AreEqual(0, run.ExitCode, run.Error);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(2, lines, "the blank line is skipped");
        var first = JsonNode.Parse(lines[0])!.AsObject();
        var second = JsonNode.Parse(lines[1])!.AsObject();
        Assert.AreEqual("sports", first["label"]!.GetValue<string>());
        Assert.AreEqual("cooking", second["label"]!.GetValue<string>());
        var scores = first["scores"]!.AsObject();
        Assert.HasCount(4, scores);
        Assert.AreEqual(1.0, scores.Sum(s => s.Value!.GetValue<double>()), 1e-4);
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
    public void PretrainThenFinetuneFrom_BertTiny_ContinuesFromThePretrainedEncoder()
    {
        string pretrained = Path.Combine(root, "pretrained");
        string finetuned = Path.Combine(root, "from-pretrained");

        var pretrain = CliRun.Of("pretrain", "--corpus", corpusPath, "--output", pretrained, "--backbone", "bert-tiny", "--steps", "4",
            "--vocab-size", "120", "--max-length", "32", "--batch-size", "8", "--separator", "line", "--held-out", "8",
            "--warmup-steps", "2", "--clip", "1", "--mask-probability", "0.3");
        Assert.AreEqual(0, pretrain.ExitCode, pretrain.Error);
        StringAssert.Contains(pretrain.Output, "pretrain: step 4/4");
        StringAssert.Contains(pretrain.Output, "held-out perplexity");
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
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--epochs", "0", "Epochs")]
    [DataRow("finetune", "--train", "{root}/bad.tsv", "--output", "{root}/x", "bad.tsv:2")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--from", "{root}/nowhere", "nowhere")]
    [DataRow("evaluate", "--model", "{root}/nowhere", "--test", "{test}", "nowhere")]
    [DataRow("evaluate", "--model", "{bag}", "--test", "{corpus}", "corpus.txt")]
    [DataRow("predict", "--model", "{bag}", "--input", "{root}/missing.txt", "missing.txt")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--objective", "clm", "--backbone", "bert-tiny", "--backbone gpt2-tiny")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--objective", "mlm", "--backbone", "gpt2-small", "--backbone bert-small")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--from", "{gpt2}", "--backbone", "gpt2-tiny", "holds a gpt2 model")]
    [DataRow("pretrain", "--output", "{root}/x", "--corpus")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--mask-probability", "0", "--mask-probability must be in (0, 1]")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--backbone", "gpt2-tiny", "--mask-probability", "0.3", "causal LM")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--clip", "0", "--clip must be a positive number")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--warmup-steps", "-1", "--warmup-steps must be 0 or more")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--time-budget", "1m", "--steps", "5", "not both")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--time-budget", "soon", "--time-budget must be a positive duration")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--backbone", "bag", "--objective", "mlm", "--backbone bert-mini")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--backbone", "bert-tiny", "--objective", "cbow", "--backbone bag")]
    [DataRow("pretrain", "--corpus", "{corpus}", "--output", "{root}/x", "--from", "{bag}", "holds a bag model")]
    [DataRow("finetune", "--train", "{train}", "--output", "{root}/x", "--backbone", "bert-tiny", "--pretrain-on-train", "0s", "--pretrain-on-train must be a positive duration")]
    [DataRow("train", "train")]
    public void Run_UserMistake_OneLineOnStandardErrorAndExitCode2(params string[] argsThenExpected)
    {
        File.WriteAllLines(Path.Combine(root, "bad.tsv"), ["sports\tthe match", "no tab on this line"]);
        string[] args = argsThenExpected[..^1].Select(a => a.Replace("{root}", root).Replace("{train}", trainPath).Replace("{test}", testPath)
            .Replace("{bag}", bagModel).Replace("{corpus}", corpusPath).Replace("{gpt2}", LlmFineTune.Tests.Backbones.Fixtures.Path("gpt2-tiny-parity"))).ToArray();

        var run = CliRun.Of(args);

        Assert.AreEqual(2, run.ExitCode, run.Error);
        Assert.HasCount(1, run.ErrorLines, run.Error);
        StringAssert.Contains(run.Error, argsThenExpected[^1]);
        Assert.IsFalse(run.Error.Contains("   at ", StringComparison.Ordinal), "no stack trace for a user mistake");
        Assert.IsFalse(Directory.Exists(Path.Combine(root, "x")), "nothing is written after a mistake");
    }

    [TestMethod]
    public void Run_Help_ListsTheVerbsAndSucceeds()
    {
        var run = CliRun.Of("--help");

        Assert.AreEqual(0, run.ExitCode);
        foreach (string verb in new[] { "pretrain", "finetune", "evaluate", "predict" })
            StringAssert.Contains(run.Output, verb);
    }
}
