using System.Reflection;
using System.Text.Json;
using LlmFineTune.Cli;
using LlmFineTune.Cli.Commands;
using LlmFineTune.Data;
using LlmFineTune.DependencyInjection;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Tokenization;
using LlmFineTune.Training.Optimizers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace LlmFineTune.Tests.Modeling;

/// <summary>The same backbone name builds the same model through every door: the library, the DI container and the CLI.</summary>
[TestClass]
public sealed class ModelPresetsTests
{
    private static readonly TextDataset Train = TestData.Topical(perClass: 4, seed: 1);

    [TestInitialize]
    public void Seed() => torch.manual_seed(3);

    public static IEnumerable<object[]> SmallPresets => ModelPresets.Names.Where(n => !n.EndsWith("-base", StringComparison.Ordinal)).Select(n => new object[] { n });

    public static IEnumerable<object[]> BasePresets => ModelPresets.Names.Where(n => n.EndsWith("-base", StringComparison.Ordinal)).Select(n => new object[] { n });

    [TestMethod]
    [DynamicData(nameof(SmallPresets))]
    public void SameName_LibraryDiAndCli_BuildTheSameModel(string name) => AssertThreeDoorsAgree(name);

    /// <summary>The 12-layer presets cost a second or more per build, so they run with the slow tests.</summary>
    [TestMethod]
    [TestCategory("Slow")]
    [DynamicData(nameof(BasePresets))]
    public void SameName_LibraryDiAndCli_BuildTheSameModel_BaseSizes(string name) => AssertThreeDoorsAgree(name);

    [TestMethod]
    public void EveryOptimizerName_LibraryDiAndCli_SameHyperparameters()
    {
        using var provider = new ServiceCollection().AddLogging().AddLlmFineTune().BuildServiceProvider();
        foreach (string name in NamedOptimizers.Names)
        {
            var library = NamedOptimizers.Create(name);
            var di = provider.GetRequiredKeyedService<IOptimizerFactory>(name);
            var (_, cli) = FinetuneCommand.Model(CliParse("--optimizer", name));

            Assert.AreEqual(Hyperparameters(library), Hyperparameters(di), name);
            Assert.AreEqual(Hyperparameters(library), Hyperparameters(cli), name);
        }
        Assert.AreEqual(0.9, ((SgdFactory)provider.GetRequiredKeyedService<IOptimizerFactory>("sgd")).Momentum);
    }

    [TestMethod]
    public void Create_MaxPositionsApartFromMaxLength_PositionTableAndTruncationDiffer()
    {
        using var model = ClassifierFactory.Create(Train, new ClassifierFactoryOptions { Backbone = "bert-tiny", MaxPositions = 64, MaxLength = 16 });

        Assert.AreEqual((64, 16), (model.Backbone.MaxPositions, model.MaxLength));
        Assert.AreEqual(64, ((BertBackbone)model.Backbone).Config.MaxPositionEmbeddings);
    }

    [TestMethod]
    public void CliFlags_MaxPositionsAndMaxLength_ReachTheFactoryApart()
    {
        var (options, _) = FinetuneCommand.Model(CliParse("--backbone", "bert-tiny", "--max-positions", "64", "--max-length", "16"));

        Assert.AreEqual((64, 16), (options.MaxPositions, options.MaxLength));
    }

    [TestMethod]
    public void Create_MaxLengthBeyondThePresetsPositions_GrowsThePositionTable()
    {
        using var model = ClassifierFactory.Create(Train, new ClassifierFactoryOptions { Backbone = "gpt2-tiny", MaxLength = 1500 });

        Assert.AreEqual((1500, 1500), (model.Backbone.MaxPositions!.Value, model.MaxLength));
    }

    [TestMethod]
    public void Create_MaxPositionsBelowMaxLength_RejectedNamingBoth()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ClassifierFactory.Create(Train, new ClassifierFactoryOptions { Backbone = "bert-tiny", MaxPositions = 32, MaxLength = 64 }));

        Assert.AreEqual("MaxPositions", e.ParamName);
        StringAssert.Contains(e.Message, "MaxLength 64");
    }

    [TestMethod]
    public void Get_UnknownName_ListsTheKnownOnes()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ModelPresets.Get("bert-huge"));

        StringAssert.Contains(e.Message, string.Join(", ", ModelPresets.Names));
    }

    [TestMethod]
    public void Backbones_DescribeTheirVocabularyAndPositions()
    {
        using var bag = new BagOfNgrams(100, 8);
        using var encoder = new BertBackbone(BertBackboneConfig.Preset("bert-tiny", 50));
        using var decoder = new CausalDecoder(CausalDecoderConfig.Preset("gpt2-tiny", 60));

        Assert.AreEqual((100, (int?)null), (((IBackbone)bag).VocabularySize, ((IBackbone)bag).MaxPositions));
        Assert.AreEqual((50, (int?)128), (((IBackbone)encoder).VocabularySize, ((IBackbone)encoder).MaxPositions));
        Assert.AreEqual((60, (int?)128), (((IBackbone)decoder).VocabularySize, ((IBackbone)decoder).MaxPositions));
    }

    private static void AssertThreeDoorsAgree(string name)
    {
        var preset = ModelPresets.Get(name);
        torch.manual_seed(3);
        using var library = ClassifierFactory.Create(Train, new ClassifierFactoryOptions { Backbone = name });

        using var provider = new ServiceCollection().AddLogging().AddLlmFineTune(o => o.Backbone = name).BuildServiceProvider();
        using var di = provider.GetRequiredService<TextClassifierFactory>().Create(Train);

        var (cliOptions, _) = FinetuneCommand.Model(CliParse("--backbone", name));
        using var cli = ClassifierFactory.Create(Train, cliOptions);

        foreach (var (door, model) in new[] { ("DI", di), ("CLI", cli) })
        {
            string where = $"{name} through {door}";
            Assert.AreEqual(Describe(library), Describe(model), where);
            Assert.AreEqual(library.MaxLength, model.MaxLength, where);
            Assert.AreEqual(Describe(library.Tokenizer), Describe(model.Tokenizer), where);
        }
        Assert.AreEqual(preset.Kind, library.Backbone.Kind);
        Assert.AreEqual(preset.HiddenSize, library.Backbone.HiddenSize);
        Assert.AreEqual(preset.MaxPositions, library.Backbone.MaxPositions);
        Assert.AreEqual(preset.MaxLength, library.MaxLength);
        // A WordPiece vocabulary learned from 8 texts stops short of any size, so the size each door asks for is compared as well:
        // DI's tokenizer settings, and the CLI leaving it to the catalogue (no default of its own).
        int diAsks = preset.Tokenizer == LlmFineTuneNames.WordPieceTokenizer
            ? provider.GetRequiredService<IOptions<WordPieceTrainerOptions>>().Value.VocabularySize
            : provider.GetRequiredService<IOptions<HashingTokenizerOptions>>().Value.Buckets;
        Assert.AreEqual(preset.VocabularySize, diAsks, name);
        Assert.AreEqual((null, null, null, null), (cliOptions.VocabularySize, cliOptions.BagBuckets, cliOptions.MaxLength, cliOptions.MaxPositions), name);
    }

    /// <summary>The backbone's whole shape: its config (every field), or the bag's sizes.</summary>
    private static string Describe(TextClassifier model) => model.Backbone switch
    {
        BertBackbone encoder => JsonSerializer.Serialize(encoder.Config),
        CausalDecoder decoder => JsonSerializer.Serialize(decoder.Config),
        var other => $"{other.Kind} {other.VocabularySize}x{other.HiddenSize} positions {other.MaxPositions}",
    };

    /// <summary>The tokenizer's kind, settings and vocabulary, and what it makes of a text.</summary>
    private static string Describe(ITokenizer tokenizer) =>
        $"{tokenizer.GetType().Name} {tokenizer.VocabularySize} pad {tokenizer.PadId} " +
        (tokenizer is HashingTokenizer hashing ? JsonSerializer.Serialize(hashing.Options) : JsonSerializer.Serialize(((WordPieceTokenizer)tokenizer).Options)) +
        " " + string.Join(",", tokenizer.Encode(string.Join(" ", Train.Take(3).Select(e => e.Text))));

    /// <summary>The optimizer's type and every public setting (momentum, betas, weight decay, …).</summary>
    private static string Hyperparameters(IOptimizerFactory factory) =>
        factory.GetType().Name + " " + string.Join(", ", factory.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.GetValue(factory)}"));

    /// <summary>The flags of <c>llmft finetune</c>, parsed by the CLI's own command.</summary>
    private static System.CommandLine.ParseResult CliParse(params string[] flags)
    {
        var cli = new CliContext(TextWriter.Null, TextWriter.Null, TextReader.Null, interactive: false, CancellationToken.None);
        var parse = FinetuneCommand.Create(cli).Parse(["--train", "train.tsv", "--output", "model", .. flags]);
        Assert.IsEmpty(parse.Errors, string.Join("; ", parse.Errors.Select(e => e.Message)));
        return parse;
    }
}
