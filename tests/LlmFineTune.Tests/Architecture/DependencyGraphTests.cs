using LlmFineTune.Modeling;

namespace LlmFineTune.Tests.Architecture;

/// <summary>Dependencies inside the library run one way, as docs/architecture.md draws them.</summary>
[TestClass]
public sealed class DependencyGraphTests
{
    /// <summary>The floors, lowest first: a namespace may use its own subtree and any lower floor, nothing beside or above it.</summary>
    internal static readonly string[][] Floors =
    [
        ["LlmFineTune", "LlmFineTune.IO", "LlmFineTune.Build", "LlmFineTune.Validation", "LlmFineTune.Parts"],
        ["LlmFineTune.Runtime"],
        ["LlmFineTune.Data"],
        ["LlmFineTune.Tokenization"],
        ["LlmFineTune.Batching"],
        ["LlmFineTune.Modeling"],
        ["LlmFineTune.Evaluation", "LlmFineTune.Serving"],
        ["LlmFineTune.Training"],
        ["LlmFineTune.Pretraining", "LlmFineTune.DependencyInjection"],
    ];

    [TestMethod]
    public void CoreAssembly_NamespaceDependencies_HaveNoBackEdges()
    {
        var edges = NamespaceDependencies.Read(typeof(TextClassifier).Assembly.Location);

        var backEdges = edges
            .Where(e => Module(e.FromNamespace) is { } from && Module(e.ToNamespace) is { } to && from != to && Floor(to) >= Floor(from))
            .Select(e => $"{e.FromType} -> {e.ToType}")
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.IsEmpty(backEdges, "uses against the layering (docs/architecture.md):\n" + string.Join("\n", backEdges));
    }

    [TestMethod]
    public void Reader_KnownUse_IsFound()
    {
        // TextClassifier constructs batches: the reader must see a use the layering allows, or the test above proves nothing.
        var edges = NamespaceDependencies.Read(typeof(TextClassifier).Assembly.Location);

        Assert.IsTrue(edges.Any(e => e.FromType == "LlmFineTune.Modeling.TextClassifier" && e.ToNamespace == "LlmFineTune.Batching"),
            "TextClassifier's use of LlmFineTune.Batching was not found");
    }

    /// <summary>The floor's module a namespace belongs to (<c>LlmFineTune.Modeling.Heads</c> belongs to <c>LlmFineTune.Modeling</c>); null outside the library.</summary>
    private static string? Module(string ns) =>
        Floors.SelectMany(f => f).Where(m => ns == m || ns.StartsWith(m + ".", StringComparison.Ordinal)).MaxBy(m => m.Length);

    private static int Floor(string module) => Array.FindIndex(Floors, f => f.Contains(module));
}
