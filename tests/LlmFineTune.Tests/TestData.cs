using LlmFineTune.Data;

namespace LlmFineTune.Tests;

/// <summary>Small deterministic datasets the tests make themselves.</summary>
internal static class TestData
{
    private static readonly string[][] Topics =
    [
        ["goal", "match", "striker", "league", "coach", "penalty", "season", "stadium"],
        ["stock", "market", "shares", "profit", "investor", "bank", "earnings", "inflation"],
        ["planet", "orbit", "telescope", "galaxy", "astronaut", "comet", "rocket", "nebula"],
        ["recipe", "oven", "flour", "butter", "bake", "garlic", "simmer", "pasta"],
    ];

    private static readonly string[] Filler = ["the", "a", "today", "news", "about", "new", "report", "said", "this", "week", "big", "more"];

    /// <summary>A four-topic single-label set: each text mixes topic words with shared filler, so it is learnable but not trivial.</summary>
    public static TextDataset Topical(int perClass, int seed)
    {
        var random = new Random(seed);
        var examples = new List<TextExample>();
        string[] names = ["sports", "finance", "space", "cooking"];
        for (int c = 0; c < Topics.Length; c++)
        {
            for (int i = 0; i < perClass; i++)
            {
                int length = random.Next(6, 14);
                var words = new List<string>();
                for (int w = 0; w < length; w++)
                    words.Add(random.NextDouble() < 0.35 ? Topics[c][random.Next(Topics[c].Length)] : Filler[random.Next(Filler.Length)]);
                words.Add(Topics[c][random.Next(Topics[c].Length)]);
                examples.Add(TextExample.Labeled(string.Join(' ', words), names[c]));
            }
        }
        return TextDataset.FromExamples(examples);
    }
}
