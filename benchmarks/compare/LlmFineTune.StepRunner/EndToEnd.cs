using System.Diagnostics;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using LlmFineTune.Training.Optimizers;

namespace LlmFineTune.StepRunner;

/// <summary>
/// fastText's job done with the library: HashingTokenizer (words + word bigrams) + BagOfNgrams +
/// SingleLabelHead trained by the Trainer on a <c>label&lt;TAB&gt;text</c> train file, then scored on
/// the test file (accuracy and macro-F1 over the test set's classes, as the peers' fastText script).
/// </summary>
internal static class EndToEnd
{
    public static void Run(RunnerOptions o, Dictionary<string, object?> result)
    {
        var total = Stopwatch.StartNew();
        var train = TextDataset.FromExamples(ReadTsv(o.TrainFile!));
        var testExamples = ReadTsv(o.TestFile!).ToList();
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = o.Buckets, WordNgrams = o.WordNgrams });
        using var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, o.Dimension),
            new SingleLabelHead(o.Dimension, train.LabelMap.Count), train.LabelMap, o.MaxLength);

        var trainClock = Stopwatch.StartNew();
        var history = new Trainer(new TrainerOptions { Epochs = o.Epochs, BatchSize = o.BatchSize, LearningRate = o.LearningRate, Seed = o.Seed }, new AdamWFactory())
            .Train(model, train);
        double trainSeconds = trainClock.Elapsed.TotalSeconds;

        var evalClock = Stopwatch.StartNew();
        var predicted = new List<string>(testExamples.Count);
        foreach (var chunk in testExamples.Chunk(256))
            predicted.AddRange(model.PredictBatch(chunk.Select(e => e.Text).ToList()).Select(p => p.Label));
        double evalSeconds = evalClock.Elapsed.TotalSeconds;
        var gold = testExamples.Select(e => e.Label!).ToList();

        // What one epoch's inline data preparation (tokenize + pad every batch) costs on its own.
        var collateClock = Stopwatch.StartNew();
        var examples = Enumerable.Range(0, train.Count).Select(i => train[i]).ToArray();
        foreach (var chunk in examples.Chunk(o.BatchSize))
            model.Collator.Build(chunk, train.Kind, train.LabelMap).Dispose();
        double collateSecondsPerEpoch = collateClock.Elapsed.TotalSeconds;

        result["train_file"] = o.TrainFile;
        result["train_examples"] = train.Count;
        result["test_examples"] = gold.Count;
        result["classes"] = train.LabelMap.Count;
        result["epochs"] = o.Epochs;
        result["lr"] = o.LearningRate;
        result["batch"] = o.BatchSize;
        result["buckets"] = o.Buckets;
        result["dim"] = o.Dimension;
        result["word_ngrams"] = o.WordNgrams;
        result["max_length"] = o.MaxLength;
        result["steps"] = history.Steps;
        result["loss_last"] = history.FinalLoss;
        result["train_s"] = trainSeconds;
        result["eval_s"] = evalSeconds;
        result["collate_s_per_epoch"] = collateSecondsPerEpoch;
        result["collate_share"] = collateSecondsPerEpoch * o.Epochs / trainSeconds;
        result["total_s"] = total.Elapsed.TotalSeconds;
        result["accuracy"] = gold.Zip(predicted).Count(p => p.First == p.Second) / (double)gold.Count;
        result["macro_f1"] = MacroF1(gold, predicted);
        result["rss_end_mb"] = ProcessStats.RssMb();
    }

    /// <summary>Mean over the gold classes of each class's F1 (0 when it has no true positives).</summary>
    public static double MacroF1(IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        var f1 = new List<double>();
        foreach (string c in gold.Distinct(StringComparer.Ordinal))
        {
            int tp = 0, fp = 0, fn = 0;
            for (int i = 0; i < gold.Count; i++)
            {
                bool g = gold[i] == c, p = predicted[i] == c;
                if (g && p) tp++;
                else if (p) fp++;
                else if (g) fn++;
            }
            double precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
            double recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
            f1.Add(precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall));
        }
        return f1.Average();
    }

    private static IEnumerable<TextExample> ReadTsv(string path)
    {
        int line = 0;
        foreach (string row in File.ReadLines(path))
        {
            line++;
            int tab = row.IndexOf('\t');
            if (tab <= 0)
                throw new InvalidDataException($"{path}:{line}: expected 'label<TAB>text'.");
            yield return new TextExample { Text = row[(tab + 1)..], Label = row[..tab], Source = $"{path}:{line}" };
        }
    }
}
