using System.Text.Json;
using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Modeling.Serialization;

namespace LlmFineTune.Modeling.Export;

/// <summary>
/// Writes a classifier as an ONNX model directory: <c>model.onnx</c> (opset 17; inputs <c>input_ids</c>
/// and <c>attention_mask</c>, int64 <c>[batch, sequence]</c>; output <c>logits</c> <c>[batch, labels]</c>),
/// <c>config.json</c> and the tokenizer's files. The graph is built from the modules' weights with the
/// same maths as their TorchSharp forward passes.
/// </summary>
internal static class OnnxExporter
{
    /// <summary>The model file's name.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>The <c>config.json</c> section that tells an ONNX predictor how to read the logits.</summary>
    public const string Section = "onnx";

    public static void Export(TextClassifier model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (model.Head is not TaskHead head)
            throw new NotSupportedException($"ONNX export supports heads derived from {nameof(TaskHead)} (pooling and projection it knows); {model.Head.GetType().Name} is not one.");
        var graph = new OnnxGraph();
        string ids = graph.Input("input_ids", OnnxGraph.Int64, "batch", "sequence");
        string mask = graph.Input("attention_mask", OnnxGraph.Int64, "batch", "sequence");
        var features = model.Backbone switch
        {
            BagOfNgrams bag => OnnxBagOfNgrams.Build(graph, bag, ids, mask),
            BertBackbone encoder => OnnxBertBackbone.Build(graph, encoder, ids, mask),
            CausalDecoder decoder => OnnxCausalDecoder.Build(graph, decoder, ids, mask),
            _ => throw new NotSupportedException($"ONNX export supports the {nameof(BagOfNgrams)}, {nameof(BertBackbone)} and {nameof(CausalDecoder)} backbones, not {model.Backbone.GetType().Name}."),
        };
        graph.NodeInto("logits", "Identity", [OnnxTaskHead.Build(graph, head, features)]);
        graph.Output("logits", OnnxGraph.Float, "batch", head.Outputs);

        Directory.CreateDirectory(directory);
        WriteConfigAndTokenizer(model, head, directory);
        OnnxModelWriter.Write(Path.Combine(directory, ModelFileName), graph, model.Backbone.Kind + "_classifier", new Dictionary<string, string>
        {
            ["labels"] = string.Join('\n', model.Labels),
            ["problem_type"] = ProblemType(head.Kind),
        });
    }

    /// <summary>
    /// The model directory's own <c>config.json</c> and tokenizer files (written by <see cref="ModelDirectory"/>,
    /// so they say what a saved model says), without the safetensors weights the graph already holds,
    /// plus the <c>onnx</c> section: labels in id order, the task, the multi-label thresholds and the truncation length.
    /// </summary>
    private static void WriteConfigAndTokenizer(TextClassifier model, TaskHead head, string directory)
    {
        var staging = Directory.CreateTempSubdirectory("llmft-onnx-");
        try
        {
            model.Save(staging.FullName);
            foreach (var file in staging.GetFiles().Where(f => f.Name is not ModelDirectory.WeightsFileName and not ModelDirectory.ConfigFileName))
                AtomicFile.Write(Path.Combine(directory, file.Name), stream => { using var source = file.OpenRead(); source.CopyTo(stream); });
            var config = JsonFiles.ReadObject(Path.Combine(staging.FullName, ModelDirectory.ConfigFileName));
            config[Section] = new JsonObject
            {
                ["file"] = ModelFileName,
                ["opset"] = OnnxModelWriter.Opset,
                ["inputs"] = new JsonArray("input_ids", "attention_mask"),
                ["output"] = "logits",
                ["problem_type"] = ProblemType(head.Kind),
                ["labels"] = new JsonArray(model.Labels.Select(l => (JsonNode?)l).ToArray()),
                ["thresholds"] = head.Kind == TaskKind.MultiLabel ? new JsonArray(Enumerable.Range(0, head.Outputs).Select(i => (JsonNode?)head.DecisionThreshold(i)).ToArray()) : null,
                ["max_length"] = model.MaxLength,
                ["pad_id"] = model.Tokenizer.PadId,
            };
            AtomicFile.WriteAllText(Path.Combine(directory, ModelDirectory.ConfigFileName), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        finally
        {
            staging.Delete(recursive: true);
        }
    }

    private static string ProblemType(TaskKind kind) => kind switch
    {
        TaskKind.MultiLabel => "multi_label_classification",
        TaskKind.Regression => "regression",
        _ => "single_label_classification",
    };
}
