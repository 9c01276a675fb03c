using LlmFineTune.Data;
using LlmFineTune.DependencyInjection;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using LlmFineTune.Training.Optimizers;
using LlmFineTune.Training.Schedules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.DependencyInjection;

[TestClass]
public sealed class LlmFineTuneServiceCollectionExtensionsTests
{
    [TestInitialize]
    public void Seed() => torch.manual_seed(5);

    private static ServiceProvider Build(Action<IServiceCollection> register) =>
        Configure(register).BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

    private static ServiceCollection Configure(Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        register(services);
        return services;
    }

    [TestMethod]
    public void AddLlmFineTune_Defaults_ResolvesTrainerEvaluatorAndEveryBuiltInName()
    {
        using var provider = Build(s => s.AddLlmFineTune());
        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.IsInstanceOfType<Trainer>(provider.GetRequiredService<Trainer>());
        Assert.AreEqual(64, provider.GetRequiredService<Evaluator>().BatchSize);
        Assert.IsInstanceOfType<AdamWFactory>(provider.GetRequiredKeyedService<IOptimizerFactory>("adamw"));
        Assert.IsInstanceOfType<AdamFactory>(provider.GetRequiredKeyedService<IOptimizerFactory>("adam"));
        Assert.IsInstanceOfType<SgdFactory>(provider.GetRequiredKeyedService<IOptimizerFactory>("sgd"));
        Assert.IsInstanceOfType<RmsPropFactory>(provider.GetRequiredKeyedService<IOptimizerFactory>("rmsprop"));
        Assert.IsInstanceOfType<AdagradFactory>(provider.GetRequiredKeyedService<IOptimizerFactory>("adagrad"));
        Assert.IsInstanceOfType<ConstantSchedule>(provider.GetRequiredKeyedService<ILearningRateSchedule>("constant"));
        Assert.IsInstanceOfType<LinearSchedule>(provider.GetRequiredKeyedService<ILearningRateSchedule>("linear"));
        Assert.IsInstanceOfType<CosineSchedule>(provider.GetRequiredKeyedService<ILearningRateSchedule>("cosine"));
        Assert.IsInstanceOfType<SlantedTriangularSchedule>(provider.GetRequiredKeyedService<ILearningRateSchedule>("slanted-triangular"));
        Assert.IsInstanceOfType<OneCycleSchedule>(provider.GetRequiredKeyedService<ILearningRateSchedule>("one-cycle"));

        var labels = new LabelMap(["a", "b", "c"]);
        using (var single = (SingleLabelHead)provider.GetRequiredKeyedService<ITaskHeadFactory>("single").Create(8, labels))
            Assert.AreEqual(3, single.Classes);
        using (var multi = (MultiLabelHead)provider.GetRequiredKeyedService<ITaskHeadFactory>("multi").Create(8, labels))
            Assert.AreEqual(3, multi.Outputs);
        using (var regression = (RegressionHead)provider.GetRequiredKeyedService<ITaskHeadFactory>("regression").Create(8, labels))
            Assert.AreEqual(TaskKind.Regression, regression.Kind);

        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 64 });
        using (var bag = (BagOfNgrams)provider.GetRequiredKeyedService<IBackboneFactory>("bag").Create(tokenizer))
            Assert.AreEqual((65, 64), (bag.VocabularySize, bag.HiddenSize));
        foreach (var (name, hidden) in new[] { ("bert-tiny", 128), ("bert-mini", 256), ("bert-small", 512) })
        {
            using var encoder = (BertBackbone)provider.GetRequiredKeyedService<IBackboneFactory>(name).Create(tokenizer);
            Assert.AreEqual((hidden, 65), (encoder.HiddenSize, encoder.Config.VocabSize), name);
        }
        Assert.IsNotNull(provider.GetKeyedService<IBackboneFactory>("bert-base"));
        using (var decoder = (CausalDecoder)provider.GetRequiredKeyedService<IBackboneFactory>("gpt2-tiny").Create(tokenizer))
            Assert.AreEqual((128, 65, 128), (decoder.HiddenSize, decoder.Config.VocabSize, decoder.Config.NPositions));
        Assert.IsInstanceOfType<HashingTokenizer>(provider.GetRequiredKeyedService<ITokenizerFactory>("hashing").Create([]));
    }

    [TestMethod]
    public void AddLlmFineTune_CalledTwice_RegistersNothingTwice()
    {
        var once = Configure(s => s.AddLlmFineTune());
        var twice = Configure(s => s.AddLlmFineTune().AddLlmFineTune());

        Assert.AreEqual(once.Count, twice.Count);
        using var provider = twice.BuildServiceProvider();
        Assert.HasCount(1, provider.GetKeyedServices<IOptimizerFactory>("adamw"));
        Assert.HasCount(1, provider.GetServices<IValidateOptions<TrainerOptions>>());
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [TestMethod]
    public void AddLlmFineTune_InvalidTrainerOption_FailsStartupNamingTheOption()
    {
        using var provider = Build(s => s.AddLlmFineTune(o => o.Trainer.BatchSize = 0));

        var e = Assert.ThrowsExactly<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        StringAssert.Contains(e.Message, "BatchSize: must be at least 1 (was 0)");
    }

    [TestMethod]
    public void AddLlmFineTune_InvalidEvaluationAndHeadOptions_ReportBothAtStartup()
    {
        using var provider = Build(s => s.AddLlmFineTune(o =>
        {
            o.Evaluation.ConfidenceLevel = 2;
            o.Head.Dropout = 1.5;
        }));

        var e = Assert.ThrowsExactly<AggregateException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        string all = string.Join(" | ", e.InnerExceptions.Select(i => i.Message));
        StringAssert.Contains(all, "Property ConfidenceLevel: must lie strictly between 0 and 1");
        StringAssert.Contains(all, "Property Dropout: must be in [0, 1) (was 1.5)");
    }

    [TestMethod]
    public void AddLlmFineTune_UnknownOptimizerName_FailsStartupListingRegisteredNames()
    {
        using var provider = Build(s => s.AddLlmFineTune(o => o.Optimizer = "lion"));

        var e = Assert.ThrowsExactly<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        StringAssert.Contains(e.Message, "Property Optimizer: 'lion' is not a registered IOptimizerFactory; use one of adamw, adam, sgd, rmsprop, adagrad");
    }

    [TestMethod]
    public void AddLlmFineTune_UnknownName_FailsInHostStart()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLlmFineTune(o => o.Backbone = "gpt-5");
        using var host = builder.Build();

        var e = Assert.ThrowsExactly<OptionsValidationException>(() => host.StartAsync().GetAwaiter().GetResult());
        StringAssert.Contains(e.Message, "Property Backbone: 'gpt-5' is not a registered IBackboneFactory; use one of bag, bert-tiny, bert-mini, bert-small, bert-base");
    }

    [TestMethod]
    public void AddLlmFineTune_ConfigurationSection_BindsNestedOptionsAndNames()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmFineTune:Optimizer"] = "sgd",
            ["LlmFineTune:Schedule"] = "cosine",
            ["LlmFineTune:WarmupSteps"] = "3",
            ["LlmFineTune:Trainer:Epochs"] = "7",
            ["LlmFineTune:Trainer:LearningRate"] = "0.25",
            ["LlmFineTune:Head:Dropout"] = "0.2",
            ["LlmFineTune:Evaluation:BatchSize"] = "8",
        }).Build();
        using var provider = Build(s => s.AddLlmFineTune(configuration.GetSection("LlmFineTune"), o => o.Trainer.Seed = 9));
        provider.GetRequiredService<IStartupValidator>().Validate();

        var trainer = provider.GetRequiredService<Trainer>().Options;
        Assert.AreEqual((7, 0.25, 9), (trainer.Epochs, trainer.LearningRate, trainer.Seed));
        Assert.AreEqual(0.2, provider.GetRequiredService<IOptions<HeadOptions>>().Value.Dropout);
        Assert.AreEqual(8, provider.GetRequiredService<Evaluator>().BatchSize);
        Assert.AreEqual(3, ((CosineSchedule)provider.GetRequiredKeyedService<ILearningRateSchedule>("cosine")).WarmupSteps);
    }

    [TestMethod]
    public void AddLlmFineTune_ConfigurationWithBadValue_FailsStartupNamingTheOption()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Trainer:LearningRate"] = "-1" }).Build();
        using var provider = Build(s => s.AddLlmFineTune(configuration));

        var e = Assert.ThrowsExactly<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        StringAssert.Contains(e.Message, "Property LearningRate: must be a positive finite number (was -1)");
    }

    [TestMethod]
    public void ConfigureTrainerOptions_AfterAddLlmFineTune_AppliesToTheRegisteredTrainer()
    {
        using var provider = Build(s => s
            .AddLlmFineTune(o => o.Trainer.Epochs = 5)
            .Configure<TrainerOptions>(t => t.BatchSize = 4));

        var options = provider.GetRequiredService<Trainer>().Options;

        Assert.AreEqual((5, 4), (options.Epochs, options.BatchSize));
    }

    [TestMethod]
    public void AddOptimizer_UserFactory_IsWhatTheTrainerUses()
    {
        using var provider = Build(s => s
            .AddOptimizer<CountingOptimizerFactory>("counting")
            .AddLlmFineTune(o =>
            {
                o.Optimizer = "counting";
                o.Trainer.Epochs = 1;
                o.HashingTokenizer.Buckets = 512;
                o.BagDimension = 8;
            }));
        provider.GetRequiredService<IStartupValidator>().Validate();
        var train = TestData.Topical(perClass: 8, seed: 1);
        using var model = provider.GetRequiredService<TextClassifierFactory>().Create(train);

        provider.GetRequiredService<Trainer>().Train(model, train);

        Assert.AreEqual(1, ((CountingOptimizerFactory)provider.GetRequiredKeyedService<IOptimizerFactory>("counting")).Created);
    }

    [TestMethod]
    public void AddOptimizer_RegisteredBeforeAddLlmFineTune_ReplacesTheBuiltInOfThatName()
    {
        var mine = new SgdFactory(momentum: 0.9);
        using var provider = Build(s => s.AddOptimizer("adamw", mine).AddLlmFineTune());

        Assert.AreSame(mine, provider.GetRequiredKeyedService<IOptimizerFactory>("adamw"));
    }

    [TestMethod]
    public void AddTaskHead_UserHead_IsWhatTheClassifierFactoryBuilds()
    {
        using var provider = Build(s => s
            .AddLlmFineTune(o =>
            {
                o.TaskHead = "mlp";
                o.HashingTokenizer.Buckets = 256;
                o.BagDimension = 12;
            })
            .AddTaskHead("mlp", (hidden, labels) => new SingleLabelHead(hidden, labels.Count, new HeadOptions { HiddenSize = 5 })));
        provider.GetRequiredService<IStartupValidator>().Validate();

        using var model = provider.GetRequiredService<TextClassifierFactory>().Create(TestData.Topical(perClass: 2, seed: 1));

        Assert.AreEqual(5, ((SingleLabelHead)model.Head).Options.HiddenSize);
        Assert.AreEqual((12, 257), (model.Backbone.HiddenSize, ((BagOfNgrams)model.Backbone).VocabularySize));
    }

    [TestMethod]
    public void AddTaskHead_GenericFactory_IsResolvedByName()
    {
        using var provider = Build(s => s.AddLlmFineTune().AddTaskHead<RegressionHeadFactory>("value"));

        using var head = (RegressionHead)provider.GetRequiredKeyedService<ITaskHeadFactory>("value").Create(4, LabelMap.Empty);

        Assert.AreEqual(1, head.Outputs);
    }

    [TestMethod]
    public void TextClassifierFactory_BertTiny_TrainsAWordPieceVocabularyForTheEncoder()
    {
        using var provider = Build(s => s.AddLlmFineTune(o =>
        {
            o.Backbone = "bert-tiny";
            o.WordPiece.VocabularySize = 120;
            o.WordPiece.MinFrequency = 1;
        }));
        provider.GetRequiredService<IStartupValidator>().Validate();

        using var model = provider.GetRequiredService<TextClassifierFactory>().Create(TestData.Topical(perClass: 10, seed: 2));

        var tokenizer = (WordPieceTokenizer)model.Tokenizer;
        var encoder = (BertBackbone)model.Backbone;
        Assert.AreEqual((tokenizer.VocabularySize, tokenizer.PadId, 128), (encoder.Config.VocabSize, encoder.Config.PadTokenId, encoder.HiddenSize));
        Assert.IsLessThanOrEqualTo(120, tokenizer.VocabularySize);
        Assert.HasCount(4, model.Predict("the striker scored a goal").Scores);
    }

    [TestMethod]
    public void Resolved_TrainerAndEvaluator_LearnTheToySet()
    {
        using var provider = Build(s => s.AddLlmFineTune(o =>
        {
            o.Trainer.Epochs = 4;
            o.Trainer.LearningRate = 0.05;
            o.HashingTokenizer.Buckets = 2048;
            o.BagDimension = 16;
            o.Evaluation.BootstrapSamples = 0;
        }));
        var train = TestData.Topical(perClass: 30, seed: 4);
        using var model = provider.GetRequiredService<TextClassifierFactory>().Create(train);

        provider.GetRequiredService<Trainer>().Train(model, train);
        var report = provider.GetRequiredService<Evaluator>().Evaluate(model, TestData.Topical(perClass: 20, seed: 8));

        Assert.IsGreaterThan(0.8, report.Accuracy);
    }

    private sealed class CountingOptimizerFactory : IOptimizerFactory
    {
        public int Created { get; private set; }

        public optim.Optimizer Create(IReadOnlyList<ParameterGroup> groups, double learningRate)
        {
            Created++;
            return new SgdFactory().Create(groups, learningRate);
        }
    }

    private sealed class RegressionHeadFactory : ITaskHeadFactory
    {
        public ITaskHead Create(int hiddenSize, LabelMap labels) => new RegressionHead(hiddenSize);
    }
}
