// MLM transfer study (issue 4, point 5): pretrain a BERT encoder with masked LM on unlabeled text,
// report held-out perplexity along the way, then fine-tune it and the same architecture from
// scratch on a few hundred labels and compare test accuracy.
//
//   dotnet run -c Release --project benchmarks/accuracy/MlmTransfer -- [--preset bert-mini] [--epochs 2]
//       [--max-length 64] [--labels-per-class 150] [--finetune-lr 1e-4] [--finetune-epochs 8]
//       [--pooling pooler|mean] [--reuse-pretrained 0|1] [--out /tmp/mlm-transfer]
//
// Data: fine-foods (build with ../shared/data/build.sh fine_foods, found via $LLMFT_DATA or
// ~/.cache/llmfinetune-data). Pretraining text = the *train* split's review texts with labels
// discarded (minus 200 held out for perplexity); the test split is never seen before evaluation.
using System.Diagnostics;
using System.Globalization;
using LlmFineTune.Benchmarks.MlmTransfer;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Pretraining;
using LlmFineTune.Runtime;
using LlmFineTune.Training;
using static TorchSharp.torch;

var options = Args.Parse(args);
TorchRuntime.EnsureAvailable();
set_num_threads(options.Threads);
string data = Environment.GetEnvironmentVariable("LLMFT_DATA") is { Length: > 0 } d ? d : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "llmfinetune-data");
var train = ReadTsv(Path.Combine(data, "labeled", "fine-foods.train.tsv"));
var test = ReadTsv(Path.Combine(data, "labeled", "fine-foods.test.tsv"));
Directory.CreateDirectory(options.Out);
var clock = Stopwatch.StartNew();

// A compact vocabulary: bert-base-uncased pieces seen at least 3 times in the pretraining text, plus every single character.
var full = StandInWordPieceTokenizer.FromVocabulary(Path.Combine(data, "vocab", "bert-base-uncased", "vocab.txt"));
var counts = new int[full.VocabularySize];
foreach (var example in train)
    foreach (int id in full.Encode(example.Text)) counts[id]++;
string vocabPath = Path.Combine(options.Out, "vocab.txt");
File.WriteAllLines(vocabPath, full.Vocabulary.Where((piece, id) => id <= 103 && piece.StartsWith('[') || counts[id] >= 3 || piece.Length == 1 || (piece.Length == 3 && piece.StartsWith("##", StringComparison.Ordinal))));
var tokenizer = StandInWordPieceTokenizer.FromVocabulary(vocabPath);
Console.WriteLine($"vocabulary: {tokenizer.VocabularySize} pieces (from {full.VocabularySize})");

var documents = train.Select(e => e.Text).ToList();
var heldOut = documents.TakeLast(200).ToList();
var corpus = documents.Take(documents.Count - heldOut.Count).ToList();
var config = TransformerEncoderConfig.Preset(options.Preset, tokenizer.VocabularySize);
config.MaxPositionEmbeddings = options.MaxLength;

// 1. Pretraining (skipped with --reuse-pretrained 1 when the output directory already holds it).
manual_seed(options.Seed);
string pretrainedDir = Path.Combine(options.Out, "pretrained");
if (options.ReusePretrained == 0)
using (var mlm = new MaskedLanguageModel(new TransformerEncoder(config), tokenizer))
{
    var task = new PretrainingTask(mlm, tokenizer, corpus, new PretrainingOptions { MaxLength = options.MaxLength, BatchSize = options.PretrainBatch });
    long perEpoch = task.BatchesPerEpoch!.Value;
    Console.WriteLine($"pretraining {options.Preset} on {corpus.Count} documents: {perEpoch} batches of {options.PretrainBatch}x{options.MaxLength} per epoch, {options.Epochs} epochs");
    var initial = task.Evaluate(heldOut);
    Console.WriteLine($"step 0: held-out MLM loss {initial.Loss:F3}, perplexity {initial.Perplexity:F1}");
    var curve = new List<(int Step, double Loss, double Perplexity)> { (0, initial.Loss, initial.Perplexity) };
    double running = 0;
    var progress = new SynchronousProgress(p =>
    {
        running = running == 0 ? p.Loss : 0.98 * running + 0.02 * p.Loss;
        if (p.Step % options.EvalEvery == 0 || p.Step == p.TotalSteps)
        {
            var e = task.Evaluate(heldOut);
            curve.Add((p.Step, e.Loss, e.Perplexity));
            Console.WriteLine($"step {p.Step}/{p.TotalSteps}: train loss (EMA) {running:F3}, held-out MLM loss {e.Loss:F3}, perplexity {e.Perplexity:F1}  [{clock.Elapsed:mm\\:ss}]");
        }
    });
    new Trainer(new TrainerOptions { Epochs = options.Epochs, LearningRate = options.PretrainLearningRate, Seed = options.Seed }).Train(task, progress);
    ModelDirectory.SaveMaskedLanguageModel(mlm, tokenizer, pretrainedDir);
    File.WriteAllLines(Path.Combine(options.Out, "perplexity.tsv"), curve.Select(c => FormattableString.Invariant($"{c.Step}\t{c.Loss:F4}\t{c.Perplexity:F2}")).Prepend("step\tloss\tperplexity"));
}

// 2. Fine-tuning on a few labels: pretrained encoder vs the same architecture from scratch.
var labels = LabelMap.FromLabels(train.Select(e => e.Label!));
var few = TextDataset.FromExamples(train.GroupBy(e => e.Label).SelectMany(g => g.Take(options.LabelsPerClass)), labelMap: labels);
var testSet = TextDataset.FromExamples(test, labelMap: labels);
Console.WriteLine($"fine-tuning on {few.Count} labels ({options.LabelsPerClass} per class), testing on {testSet.Count}");
double Finetune(string name, TransformerEncoder encoder)
{
    manual_seed(options.Seed);
    encoder.UsePooler = options.Pooling == "pooler";
    using var model = new TextClassifier(tokenizer, encoder, new SingleLabelHead(encoder.HiddenSize, labels.Count), labels, options.MaxLength);
    new Trainer(new TrainerOptions { Epochs = options.FinetuneEpochs, BatchSize = 16, LearningRate = options.FinetuneLearningRate, Seed = options.Seed }).Train(model, few);
    double accuracy = new Evaluator().Evaluate(model, testSet).Accuracy;
    Console.WriteLine($"{name}: test accuracy {accuracy:F4}  [{clock.Elapsed:mm\\:ss}]");
    return accuracy;
}
manual_seed(options.Seed);
double scratch = Finetune("from scratch", new TransformerEncoder(config));
double pretrained = Finetune("MLM-pretrained", ModelDirectory.LoadEncoder(pretrainedDir));
int majority = test.GroupBy(e => e.Label).Max(g => g.Count());
Console.WriteLine(FormattableString.Invariant($"majority-class accuracy {(double)majority / test.Count:F4}; pretrained - scratch = {pretrained - scratch:+0.0000;-0.0000}; total {clock.Elapsed:mm\\:ss}"));

static List<TextExample> ReadTsv(string path)
{
    if (!File.Exists(path))
        throw new FileNotFoundException($"{path} not found. Build it with ../shared/data/build.sh fine_foods (or set LLMFT_DATA).", path);
    return File.ReadLines(path).Select((line, i) =>
    {
        int tab = line.IndexOf('\t');
        if (tab <= 0) throw new InvalidDataException($"{path}:{i + 1}: expected 'label<TAB>text'.");
        return TextExample.Labeled(line[(tab + 1)..], line[..tab]);
    }).ToList();
}

internal sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}

internal sealed record Args(string Preset, int Epochs, int MaxLength, int PretrainBatch, double PretrainLearningRate, int EvalEvery,
    int LabelsPerClass, int FinetuneEpochs, double FinetuneLearningRate, int Seed, int Threads, string Out, string Pooling, int ReusePretrained)
{
    public static Args Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2)
            map[args[i].TrimStart('-')] = args[i + 1];
        string Get(string key, string fallback) => map.GetValueOrDefault(key, fallback);
        int Int(string key, int fallback) => int.Parse(Get(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        double Double(string key, double fallback) => double.Parse(Get(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        return new Args(Get("preset", "bert-mini"), Int("epochs", 2), Int("max-length", 64), Int("batch", 32), Double("lr", 5e-4), Int("eval-every", 25),
            Int("labels-per-class", 150), Int("finetune-epochs", 8), Double("finetune-lr", 1e-4), Int("seed", 42), Int("threads", 2),
            Get("out", Path.Combine(Path.GetTempPath(), "mlm-transfer")), Get("pooling", "pooler"), Int("reuse-pretrained", 0));
    }
}
