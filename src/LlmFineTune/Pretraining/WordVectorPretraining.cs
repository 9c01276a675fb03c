using System.Text.Json.Nodes;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Tokenization;
using static TorchSharp.torch;

namespace LlmFineTune.Pretraining;

/// <summary>
/// Word vectors for the bag of n-grams: fastText's skip-gram or CBOW with negative sampling on unlabeled text, learned on
/// the rows the bag's <see cref="HashingTokenizer"/> hashes words (and their character n-grams) to, and saved as a bag
/// model directory whose table <see cref="ClassifierFactory.FromPretrained"/> starts fine-tuning from.
/// </summary>
public static class WordVectorPretraining
{
    /// <summary>Learns the vectors and saves them.</summary>
    /// <param name="documents">The unlabeled documents; windows never cross from one to the next.</param>
    /// <param name="outputDirectory">Where the bag directory is written (created if missing).</param>
    /// <param name="options">Objective, hashing and sizes; defaults when null.</param>
    /// <param name="cancellationToken">Stops between documents.</param>
    /// <returns>Corpus size and the loss of the first and last pass.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    /// <exception cref="InvalidDataException">The documents contain no words.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static WordVectorResult Run(IEnumerable<string> documents, string outputDirectory, WordVectorOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        options ??= new WordVectorOptions();
        options.Validate();
        var tokenizer = new HashingTokenizer(options.Tokenizer);
        var (ids, wordStarts, documentStarts) = Flatten(tokenizer, documents);
        int words = wordStarts.Length - 1;
        if (words == 0)
            throw new InvalidDataException("The documents contain no words to learn vectors from.");
        var trainer = new WordVectorTrainer(tokenizer.VocabularySize, options);
        var losses = trainer.Train(ids, wordStarts, documentStarts, cancellationToken);

        Runtime.TorchRuntime.EnsureAvailable();
        using var bag = new BagOfNgrams(tokenizer.VocabularySize, options.Dimension);
        using (no_grad())
        {
            using var table = tensor(trainer.Input, [tokenizer.VocabularySize, options.Dimension]);
            bag.parameters().Single().copy_(table);
        }
        var recipe = new JsonObject
        {
            ["objective"] = options.Objective == WordVectorObjective.SkipGram ? "skipgram" : "cbow",
            ["words"] = words,
            ["epochs"] = options.Epochs,
            ["window"] = options.Window,
            ["negatives"] = options.Negatives,
            ["learning_rate"] = options.LearningRate,
            ["sampling_threshold"] = options.SamplingThreshold,
            ["seed"] = options.Seed,
            ["loss_first_epoch"] = losses[0],
            ["loss_last_epoch"] = losses[^1],
        };
        BagDirectory.Save(bag, tokenizer, outputDirectory, new JsonObject { ["word_vectors"] = recipe });
        return new WordVectorResult(words, options.Epochs, losses[0], losses[^1]);
    }

    /// <summary>Every word's ids back to back, where each word starts (plus the end), and where each document's words start (plus the end).</summary>
    private static (int[] Ids, int[] WordStarts, int[] DocumentStarts) Flatten(HashingTokenizer tokenizer, IEnumerable<string> documents)
    {
        var ids = new List<int>();
        var wordStarts = new List<int>();
        var documentStarts = new List<int>();
        foreach (string document in documents)
        {
            var units = tokenizer.WordIds(document ?? "");
            if (units.Count == 0) continue;
            documentStarts.Add(wordStarts.Count);
            foreach (var unit in units)
            {
                wordStarts.Add(ids.Count);
                ids.AddRange(unit);
            }
        }
        wordStarts.Add(ids.Count);
        documentStarts.Add(wordStarts.Count - 1);
        return ([.. ids], [.. wordStarts], [.. documentStarts]);
    }
}
