using System.Text.Json.Nodes;
using LlmFineTune.Parts;

namespace LlmFineTune.Training.Optimizers;

/// <summary>How an optimizer factory type is recorded in <c>config.json</c> and rebuilt from the record.</summary>
/// <param name="Name">The recorded name.</param>
/// <param name="Type">The factory's exact type.</param>
/// <param name="Options">The factory's settings as JSON.</param>
/// <param name="Create">Rebuilds the factory from its settings; the second argument names the field for messages.</param>
internal sealed record OptimizerPart(string Name, Type Type, Func<IOptimizerFactory, JsonNode?> Options, Func<JsonNode?, string, IOptimizerFactory> Create) : IPart;
