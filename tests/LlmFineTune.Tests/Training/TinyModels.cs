using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tokenization;
using TorchSharp;

namespace LlmFineTune.Tests.Training;

/// <summary>Tiny bag-of-n-grams models and the toy datasets the engine tests train on.</summary>
internal static class TinyModels
{
    private static readonly string[][] Topics =
    [
        ["goal", "match", "striker", "league", "coach", "penalty"],
        ["stock", "market", "shares", "profit", "investor", "bank"],
        ["planet", "orbit", "telescope", "galaxy", "comet", "rocket"],
    ];

    private static readonly string[] Filler = ["the", "a", "today", "news", "about", "new", "report", "said"];

    public static readonly string[] TopicNames = ["sports", "finance", "space"];

    public const int Dimension = 8;

    /// <summary>A bag model with the head its data needs; the head is built after seeding, so the same call gives the same weights.</summary>
    public static TextClassifier Create(ITextDataset data, HeadOptions? options = null, Func<ITaskHead>? head = null, int seed = 7)
    {
        torch.manual_seed(seed);
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 1024 });
        var backbone = new BagOfNgrams(tokenizer.VocabularySize, Dimension);
        var taskHead = head?.Invoke() ?? data.Kind switch
        {
            TaskKind.SingleLabel => new SingleLabelHead(Dimension, data.LabelMap.Count, options),
            TaskKind.MultiLabel => new MultiLabelHead(Dimension, data.LabelMap.Count, options),
            _ => new RegressionHead(Dimension, options),
        };
        return new TextClassifier(tokenizer, backbone, taskHead, data.LabelMap, maxLength: 32);
    }

    /// <summary>Each text is filler plus words of one topic.</summary>
    public static TextDataset SingleLabel(int perClass, int seed) =>
        TextDataset.FromExamples(Generate(perClass * Topics.Length, seed, (random, i) => [i % Topics.Length])
            .Select(g => TextExample.Labeled(g.Text, TopicNames[g.Topics[0]])));

    /// <summary>Each text mixes the words of a random non-empty subset of the topics; its labels are that subset.</summary>
    public static TextDataset MultiLabel(int count, int seed) =>
        TextDataset.FromExamples(
            Generate(count, seed, (random, _) =>
            {
                int mask = random.Next(1, 1 << Topics.Length);
                return [.. Enumerable.Range(0, Topics.Length).Where(t => (mask & (1 << t)) != 0)];
            }).Select(g => new TextExample { Text = g.Text, Labels = [.. g.Topics.Select(t => TopicNames[t])] }),
            TaskKind.MultiLabel, new LabelMap(TopicNames));

    /// <summary>The target is 2 for sports texts, -1 for finance, 0.5 for space: learnable from the words.</summary>
    public static TextDataset Regression(int count, int seed)
    {
        float[] values = [2f, -1f, 0.5f];
        return TextDataset.FromExamples(
            Generate(count, seed, (random, i) => [i % Topics.Length]).Select(g => new TextExample { Text = g.Text, Value = values[g.Topics[0]] }),
            TaskKind.Regression);
    }

    /// <summary>A copy of every parameter and buffer, for bit-exact comparisons.</summary>
    public static Dictionary<string, float[]> Weights(torch.nn.Module module) =>
        module.state_dict().ToDictionary(p => p.Key, p => p.Value.to_type(torch.ScalarType.Float32).data<float>().ToArray());

    public static void AssertSameWeights(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual, string? because = null)
    {
        CollectionAssert.AreEquivalent(expected.Keys.ToList(), actual.Keys.ToList());
        foreach (var (name, values) in expected)
            CollectionAssert.AreEqual(values, actual[name], $"{name} differs. {because}");
    }

    private static IEnumerable<(string Text, int[] Topics)> Generate(int count, int seed, Func<Random, int, int[]> pickTopics)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int[] topics = pickTopics(random, i);
            var words = new List<string>();
            foreach (int topic in topics)
                for (int w = 0; w < 3; w++)
                    words.Add(Topics[topic][random.Next(Topics[topic].Length)]);
            for (int w = random.Next(2, 6); w > 0; w--)
                words.Insert(random.Next(words.Count + 1), Filler[random.Next(Filler.Length)]);
            yield return (string.Join(' ', words), topics);
        }
    }
}
