using System.Globalization;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>Command line of the suite and the sizes that follow from --quick.</summary>
internal sealed record SuiteOptions(bool Quick, bool RenderOnly, string Data, string Shared, string Work, string Cache, string Docs, IReadOnlyList<string> Sets,
    IReadOnlyList<string> Methods, IReadOnlyList<int?> Budgets, int Seed, int Threads, BagSettings Bag, int PretrainMinutes)
{
    public static readonly string[] AllSets = ["spamassassin", "fine-foods", "austen-books", "debian-sections-topical"];

    /// <summary>Label budgets; null is "all labels".</summary>
    public static readonly int?[] AllBudgets = [100, 500, null];

    /// <summary>Tokens per sequence for pretraining and fine-tuning bert-mini (64 keeps the full suite under an hour on 2 cores).</summary>
    public int MaxLength => SequenceLength;

    /// <summary><see cref="MaxLength"/>, for the studies that read the suite's cached encoders.</summary>
    public const int SequenceLength = 64;

    /// <summary>
    /// MLM optimizer steps of 32 sequences. Transfer starts to pay only after the masked LM leaves the unigram plateau:
    /// debian-topical at 494 labels, pretrained minus scratch macro-F1 was −0.08, −0.03, +0.02 and +0.04 after 1,500, 3,000,
    /// 4,500 and 6,000 steps of a 6,000-step run. Quick mode only checks that the pipeline runs.
    /// </summary>
    public int PretrainSteps => Quick ? 300 : 9000;

    public int PretrainBatch => 32;

    /// <summary>Examples seen per bert-mini fine-tuning run at the 100 and 500 budgets (epochs = this / labels); "all" trains one epoch.</summary>
    public int FineTuneExamples => Quick ? 2400 : 3000;

    /// <summary>Quick mode caps every bert-mini run at this many steps, "all" included.</summary>
    public int? FineTuneMaxSteps => Quick ? FineTuneExamples / FineTuneBatch : null;

    public int FineTuneBatch => 16;

    /// <summary>Peak fine-tuning learning rate for bert-mini, scratch and pretrained alike (MLM never trains [CLS] or the pooler, so the head pools the mean of token states).</summary>
    public double FineTuneLearningRate => 5e-4;

    /// <summary>Quick mode scores on a seeded sample of each test split.</summary>
    public int? TestCap => Quick ? 600 : null;

    public string Suffix => Quick ? "-quick" : "";

    public static SuiteOptions Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        bool quick = false, renderOnly = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--quick") { quick = true; continue; }
            if (args[i] == "--render") { renderOnly = true; continue; }
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Unexpected argument '{args[i]}'. Options: --quick, --render (only rewrite the documents from finished runs), --data DIR, --shared DIR, --work DIR, --cache DIR, --docs DIR, --sets a,b, --methods a,b, --budgets 100,500,all, --seed N, --threads N, --bag-lr X, --bag-epochs N, --bag-buckets N, --bag-dim N, --bag-batch N, --bag-char-ngrams MIN-MAX, --bag-freeze-vectors true|false, --pretrain-minutes N.");
            map[args[i][2..]] = args[++i];
        }
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string Get(string key, string fallback) => map.GetValueOrDefault(key, fallback);
        int Int(string key, int fallback) => int.Parse(Get(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        double Double(string key, double fallback) => double.Parse(Get(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        string data = Get("data", Environment.GetEnvironmentVariable("LLMFT_DATA") is { Length: > 0 } d ? d : Path.Combine(home, ".cache", "llmfinetune-data"));
        var sets = Get("sets", string.Join(',', AllSets)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string s in sets)
            if (!AllSets.Contains(s)) throw new ArgumentException($"--sets: unknown set '{s}'. Known: {string.Join(", ", AllSets)}.");
        var methods = Get("methods", string.Join(',', Method.All)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string m in methods)
            if (!Method.All.Contains(m)) throw new ArgumentException($"--methods: unknown method '{m}'. Known: {string.Join(", ", Method.All)}.");
        var budgets = Get("budgets", "100,500,all").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(b => b == "all" ? (int?)null : int.Parse(b, CultureInfo.InvariantCulture)).ToArray();
        string[] chars = Get("bag-char-ngrams", "0-0").Split('-');
        var bag = new BagSettings(Double("bag-lr", BagSettings.Default.LearningRate), Int("bag-epochs", BagSettings.Default.Epochs),
            Int("bag-buckets", BagSettings.Default.Buckets), Int("bag-dim", BagSettings.Default.Dimension), Int("bag-batch", BagSettings.Default.Batch),
            int.Parse(chars[0], CultureInfo.InvariantCulture), int.Parse(chars[^1], CultureInfo.InvariantCulture), Get("bag-freeze-vectors", "false") == "true");
        return new SuiteOptions(quick, renderOnly, data, Get("shared", "/work/shared"), Get("work", Path.Combine(home, ".cache", "llmfinetune-accuracy", quick ? "work-quick" : "work")),
            Get("cache", Path.Combine(home, ".cache", "llmfinetune-accuracy")), Get("docs", "docs"), sets, methods, budgets, Int("seed", 42), Int("threads", 2), bag, Int("pretrain-minutes", 15));
    }
}

/// <summary>The bag-of-n-grams model's settings (hashing tokenizer + <c>BagOfNgrams</c> + linear head).</summary>
/// <param name="FreezeVectors">Keep a table that starts from word vectors fixed and train only the head (bag-vectors methods).</param>
internal sealed record BagSettings(double LearningRate, int Epochs, int Buckets, int Dimension, int Batch, int MinCharNgram, int MaxCharNgram, bool FreezeVectors = false)
{
    public static readonly BagSettings Default = new(LearningRate: 0.02, Epochs: 5, Buckets: 1 << 18, Dimension: 64, Batch: 32, MinCharNgram: 0, MaxCharNgram: 0);

    public override string ToString() => FormattableString.Invariant($"AdamW lr {LearningRate}, batch {Batch}, {Epochs} epochs (at least 10,000 examples seen), {Buckets} buckets, dim {Dimension}, words + bigrams{(MaxCharNgram > 0 ? $" + char {MinCharNgram}-{MaxCharNgram}-grams" : "")}");
}

/// <summary>Method names as they appear in tables, plots and --methods.</summary>
internal static class Method
{
    public const string NaiveBayes = "naive-bayes";
    public const string FastText = "fasttext";
    public const string FastTextBigrams = "fasttext-bigrams";
    public const string Bag = "bag";
    public const string BertScratch = "bert-mini-scratch";
    public const string BertPretrained = "bert-mini-pretrained";

    /// <summary>bert-mini MLM-pretrained with the library's defaults for --pretrain-minutes on the public corpus.</summary>
    public const string BertBudget = "bert-mini-mlm-budget";

    /// <summary>bert-mini from random weights with the vocabulary and configuration of <see cref="BertBudget"/>'s encoder: the scratch baseline of the budget study, which differs from it in the weights only (and needs no 35-minute encoder).</summary>
    public const string BertScratchBudget = "bert-mini-scratch-budget";

    /// <summary>bert-mini MLM-pretrained with the library's defaults for --pretrain-minutes on the set's own training texts.</summary>
    public const string BertSelf = "bert-mini-mlm-self";

    /// <summary>bert-mini ELECTRA-pretrained (replaced-token detection, the library's defaults) for --pretrain-minutes on the public corpus.</summary>
    public const string ElectraBudget = "bert-mini-electra-budget";

    /// <summary>bert-mini ELECTRA-pretrained for --pretrain-minutes on the set's own training texts.</summary>
    public const string ElectraSelf = "bert-mini-electra-self";

    /// <summary>fastText's own transfer path: <c>fasttext skipgram</c> on the public corpus, then the bigram setting with <c>-pretrainedVectors</c>.</summary>
    public const string FastTextVectors = "fasttext-vectors";

    /// <summary>The bag starting from skip-gram vectors learned on the public corpus.</summary>
    public const string BagVectors = "bag-vectors";

    /// <summary>The bag starting from skip-gram vectors learned on the set's own training texts.</summary>
    public const string BagVectorsSelf = "bag-vectors-self";

    public static readonly string[] All = [NaiveBayes, FastText, FastTextBigrams, FastTextVectors, Bag, BagVectors, BagVectorsSelf, BertScratch, BertPretrained, BertScratchBudget, BertBudget, BertSelf, ElectraBudget, ElectraSelf];
}
