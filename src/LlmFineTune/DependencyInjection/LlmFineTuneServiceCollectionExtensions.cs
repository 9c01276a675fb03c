using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using LlmFineTune.Training.Checkpoints;
using LlmFineTune.Training.Optimizers;
using LlmFineTune.Training.Schedules;
using LlmFineTune.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmFineTune.DependencyInjection;

/// <summary>Registers LlmFineTune's trainer, evaluator and named parts with a service collection.</summary>
public static class LlmFineTuneServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="Trainer"/> and <see cref="Evaluator"/> (transient), <see cref="TextClassifierFactory"/>, the options
    /// (<see cref="LlmFineTuneOptions"/> and its parts, each validated at start-up), and the built-in heads, optimizers, schedules,
    /// backbones and tokenizers as keyed services under the names in <see cref="LlmFineTuneNames"/> and the transformer preset names (<c>bert-*</c>, <c>gpt2-*</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets options; runs in addition to any earlier call's.</param>
    /// <returns>The same collection.</returns>
    /// <remarks>Uses only <c>TryAdd</c>: calling it again adds nothing twice, and what you registered first (for example your own <c>"adamw"</c>) wins.</remarks>
    public static IServiceCollection AddLlmFineTune(this IServiceCollection services, Action<LlmFineTuneOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (configure is not null)
            services.Configure(configure);
        // ValidateOnStart adds a registration per call; the second call has nothing left to add.
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<LlmFineTuneOptions>) && d.ImplementationType == typeof(LlmFineTuneOptionsValidator)))
            return services;
        services.AddOptions<LlmFineTuneOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmFineTuneOptions>, LlmFineTuneOptionsValidator>());

        AddPart(services, o => o.Trainer, TrainerOptionsValidator.Instance);
        AddPart(services, o => o.Head, HeadOptionsValidator.Instance);
        AddPart(services, o => o.Evaluation, EvaluationOptionsValidator.Instance);
        AddPart(services, o => o.HashingTokenizer, HashingTokenizerOptionsValidator.Instance);
        AddPart(services, o => o.WordPiece, WordPieceTrainerOptionsValidator.Instance);

        services.TryAddTransient(sp =>
        {
            var o = sp.GetRequiredService<IOptions<LlmFineTuneOptions>>().Value;
            return new Trainer(
                sp.GetRequiredService<IOptions<TrainerOptions>>().Value,
                NamedComponent.Resolve<IOptimizerFactory>(sp, o.Optimizer, "LlmFineTuneOptions.Optimizer"),
                NamedComponent.Resolve<ILearningRateSchedule>(sp, o.Schedule, "LlmFineTuneOptions.Schedule"),
                sp.GetServices<ITrainingCallback>(),
                sp.GetService<ICheckpointStore>(),
                sp.GetService<ILogger<Trainer>>());
        });
        services.TryAddTransient(sp => new Evaluator(sp.GetRequiredService<IOptions<EvaluationOptions>>().Value));
        services.TryAddTransient(sp => new TextClassifierFactory(sp, sp.GetRequiredService<IOptions<LlmFineTuneOptions>>().Value));

        HeadOptions Head(IServiceProvider sp) => sp.GetRequiredService<IOptions<HeadOptions>>().Value;
        TryAddNamed<ITaskHeadFactory>(services, LlmFineTuneNames.SingleLabelHead, sp => new DelegateTaskHeadFactory((hidden, labels) => new SingleLabelHead(hidden, labels.Count, Head(sp))));
        TryAddNamed<ITaskHeadFactory>(services, LlmFineTuneNames.MultiLabelHead, sp => new DelegateTaskHeadFactory((hidden, labels) => new MultiLabelHead(hidden, labels.Count, Head(sp))));
        TryAddNamed<ITaskHeadFactory>(services, LlmFineTuneNames.RegressionHead, sp => new DelegateTaskHeadFactory((hidden, _) => new RegressionHead(hidden, Head(sp))));

        foreach (string optimizer in NamedOptimizers.Names)
            TryAddNamed(services, optimizer, _ => NamedOptimizers.Create(optimizer));

        int Warmup(IServiceProvider sp) => sp.GetRequiredService<IOptions<LlmFineTuneOptions>>().Value.WarmupSteps;
        TryAddNamed<ILearningRateSchedule>(services, LlmFineTuneNames.ConstantSchedule, sp => new ConstantSchedule(Warmup(sp)));
        TryAddNamed<ILearningRateSchedule>(services, LlmFineTuneNames.LinearSchedule, sp => new LinearSchedule(Warmup(sp)));
        TryAddNamed<ILearningRateSchedule>(services, LlmFineTuneNames.CosineSchedule, sp => new CosineSchedule(Warmup(sp)));
        TryAddNamed<ILearningRateSchedule>(services, LlmFineTuneNames.SlantedTriangularSchedule, _ => new SlantedTriangularSchedule());
        TryAddNamed<ILearningRateSchedule>(services, LlmFineTuneNames.OneCycleSchedule, _ => new OneCycleSchedule());

        // Every preset is built from its catalogue entry, as ClassifierFactory and the CLI build it.
        foreach (var preset in ModelPresets.All)
            TryAddNamed<IBackboneFactory>(services, preset.Name, sp => new DelegateBackboneFactory(tokenizer =>
            {
                var o = sp.GetRequiredService<IOptions<LlmFineTuneOptions>>().Value;
                return preset.Create(tokenizer, preset.PositionsFor(o.MaxLength ?? preset.MaxLength, o.MaxPositions), o.BagDimension);
            }));

        TryAddNamed<ITokenizerFactory>(services, LlmFineTuneNames.HashingTokenizer, sp => new DelegateTokenizerFactory(_ =>
            new HashingTokenizer(sp.GetRequiredService<IOptions<HashingTokenizerOptions>>().Value)));
        TryAddNamed<ITokenizerFactory>(services, LlmFineTuneNames.WordPieceTokenizer, sp => new DelegateTokenizerFactory(texts =>
            new WordPieceTrainer(sp.GetRequiredService<IOptions<WordPieceTrainerOptions>>().Value).Train(texts)));
        return services;
    }

    /// <summary>Registers LlmFineTune as <see cref="AddLlmFineTune(IServiceCollection, Action{LlmFineTuneOptions}?)"/> does, binding <see cref="LlmFineTuneOptions"/> to a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section, for example <c>configuration.GetSection("LlmFineTune")</c>.</param>
    /// <param name="configure">Sets options after binding.</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddLlmFineTune(this IServiceCollection services, IConfiguration configuration, Action<LlmFineTuneOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LlmFineTuneOptions>().Bind(configuration);
        return services.AddLlmFineTune(configure);
    }

    /// <summary>Registers a task head factory under a name (a keyed <see cref="ITaskHeadFactory"/>), replacing an earlier one of that name.</summary>
    /// <typeparam name="T">The factory; created once by the container.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The name <see cref="LlmFineTuneOptions.TaskHead"/> selects it by.</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddTaskHead<T>(this IServiceCollection services, string name)
        where T : class, ITaskHeadFactory =>
        AddNamed<ITaskHeadFactory>(services, name, sp => ActivatorUtilities.CreateInstance<T>(sp));

    /// <summary>Registers a task head under a name from a function of the backbone width and labels.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The name <see cref="LlmFineTuneOptions.TaskHead"/> selects it by.</param>
    /// <param name="create">Creates the head from the backbone's width and the labels.</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddTaskHead(this IServiceCollection services, string name, Func<int, LabelMap, ITaskHead> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        return AddNamed<ITaskHeadFactory>(services, name, _ => new DelegateTaskHeadFactory(create));
    }

    /// <summary>Registers an optimizer factory under a name (a keyed <see cref="IOptimizerFactory"/>), replacing an earlier one of that name.</summary>
    /// <typeparam name="T">The factory; created once by the container.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The name <see cref="LlmFineTuneOptions.Optimizer"/> selects it by.</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddOptimizer<T>(this IServiceCollection services, string name)
        where T : class, IOptimizerFactory =>
        AddNamed<IOptimizerFactory>(services, name, sp => ActivatorUtilities.CreateInstance<T>(sp));

    /// <summary>Registers an optimizer factory instance under a name (for factories with settings, such as <c>new SgdFactory(momentum: 0.9)</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The name <see cref="LlmFineTuneOptions.Optimizer"/> selects it by.</param>
    /// <param name="factory">The factory.</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddOptimizer(this IServiceCollection services, string name, IOptimizerFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return AddNamed<IOptimizerFactory>(services, name, _ => factory);
    }

    /// <summary>Registers a learning-rate schedule under a name (a keyed <see cref="ILearningRateSchedule"/>), replacing an earlier one of that name.</summary>
    /// <typeparam name="T">The schedule; created once by the container.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The name <see cref="LlmFineTuneOptions.Schedule"/> selects it by.</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddSchedule<T>(this IServiceCollection services, string name)
        where T : class, ILearningRateSchedule =>
        AddNamed<ILearningRateSchedule>(services, name, sp => ActivatorUtilities.CreateInstance<T>(sp));

    /// <summary>Registers a backbone factory under a name (a keyed <see cref="IBackboneFactory"/>), replacing an earlier one of that name.</summary>
    /// <typeparam name="T">The factory; created once by the container.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The name <see cref="LlmFineTuneOptions.Backbone"/> selects it by.</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddBackbone<T>(this IServiceCollection services, string name)
        where T : class, IBackboneFactory =>
        AddNamed<IBackboneFactory>(services, name, sp => ActivatorUtilities.CreateInstance<T>(sp));

    /// <summary>Registers a tokenizer factory under a name (a keyed <see cref="ITokenizerFactory"/>), replacing an earlier one of that name.</summary>
    /// <typeparam name="T">The factory; created once by the container.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The name <see cref="LlmFineTuneOptions.Tokenizer"/> selects it by.</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddTokenizer<T>(this IServiceCollection services, string name)
        where T : class, ITokenizerFactory =>
        AddNamed<ITokenizerFactory>(services, name, sp => ActivatorUtilities.CreateInstance<T>(sp));

    /// <summary>Serves a part of the root options as options of its own, validated at start-up by its own validator.</summary>
    private static void AddPart<T>(IServiceCollection services, Func<LlmFineTuneOptions, T> part, IValidateOptions<T> validator)
        where T : class
    {
        services.AddOptions<T>().ValidateOnStart();
        services.TryAddTransient<IOptionsFactory<T>>(sp => new NestedOptionsFactory<T>(
            new OptionsFactory<LlmFineTuneOptions>(sp.GetServices<IConfigureOptions<LlmFineTuneOptions>>(), sp.GetServices<IPostConfigureOptions<LlmFineTuneOptions>>(), []), part,
            sp.GetServices<IConfigureOptions<T>>(), sp.GetServices<IPostConfigureOptions<T>>(), sp.GetServices<IValidateOptions<T>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton(validator));
    }

    private static void TryAddNamed<T>(IServiceCollection services, string name, Func<IServiceProvider, T> create)
        where T : class
    {
        services.TryAddKeyedSingleton<T>(name, (sp, _) => create(sp));
        NamedComponent.Register<T>(services, name);
    }

    private static IServiceCollection AddNamed<T>(IServiceCollection services, string name, Func<IServiceProvider, T> create)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.AddKeyedSingleton<T>(name, (sp, _) => create(sp));
        NamedComponent.Register<T>(services, name);
        return services;
    }
}
