using System.CommandLine;
using LlmFineTune.Modeling;

namespace LlmFineTune.Cli.Commands;

/// <summary><c>llmft export</c>: writes a saved model in another format (ONNX: <c>model.onnx</c>, <c>config.json</c>, tokenizer files).</summary>
internal static class ExportCommand
{
    public static Command Create(CliContext cli)
    {
        var model = CommonOptions.RequiredPath("--model", "Model directory written by 'llmft finetune'.");
        var format = new Option<string>("--format") { Description = "The format to write: onnx (model.onnx, opset 17, for ONNX Runtime and LlmFineTune.Onnx).", Required = true };
        format.AcceptOnlyFromAmong("onnx");
        var output = CommonOptions.RequiredPath("--output", "Directory to write; created if missing.");
        var command = new Command("export", "Export a model for serving elsewhere: --format onnx writes model.onnx (inputs input_ids and attention_mask, output logits) with config.json and the tokenizer files.")
        {
            model, format, output,
        };
        command.SetAction(parse => cli.Guard(() =>
        {
            using var classifier = TextClassifier.Load(parse.GetValue(model)!);
            string directory = parse.GetValue(output)!;
            classifier.ExportOnnx(directory);
            cli.Output.WriteLine($"wrote {Path.Combine(directory, "model.onnx")} ({new FileInfo(Path.Combine(directory, "model.onnx")).Length:N0} bytes), config.json and the tokenizer files");
            return ExitCodes.Success;
        }));
        return command;
    }
}
