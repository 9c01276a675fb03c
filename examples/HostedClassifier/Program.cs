// Serves a text classifier over HTTP on 127.0.0.1 with ASP.NET Core's own server (Kestrel).
//
//   dotnet run --project examples/HostedClassifier -- [--model DIR] [--train FILE.tsv] [--epochs N] [--port N] [--queue N] [--reload | --onnx]
//
// --model DIR    the model directory to serve (saved by TextClassifier.Save or `llmft finetune`).
// --train FILE   when DIR holds no model yet, first train a small bag-of-n-grams model on this
//                label<TAB>text file and save it to DIR. Default: the support-ticket set the project ships.
// --epochs N     training epochs. Default 10.
// --port N       the loopback port. Default 5080.
// --queue N      most requests waiting for the model; more are answered 429 Too Many Requests. Default 256.
// --reload       serve a new model saved to DIR without a restart.
// --onnx         export the model to DIR-onnx (once) and serve that with ONNX Runtime, behind the same micro-batching service.
//
//   curl -s localhost:5080/classify -H 'content-type: application/json' -d '{"text":"my parcel never arrived"}'
//   curl -s localhost:5080/stats
//   curl -s localhost:5080/health      Healthy, Degraded (queue nearly full, or a reload failed) or Unhealthy
//   dotnet-counters monitor -n HostedClassifier --counters LlmFineTune.Serving
using LlmFineTune.DependencyInjection;
using LlmFineTune.Runtime;
using LlmFineTune.Examples.HostedClassifier;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Serving;
using LlmFineTune.Training;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Onnx;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

// The process is ours: take the allocator and thread tuning (off by default in the library).
TorchRuntime.PerformanceDefaults = true;
var arguments = Arguments.Parse(args);
if (arguments is null)
{
    Console.Error.WriteLine("usage: HostedClassifier [--model DIR] [--train FILE.tsv] [--epochs N] [--port N] [--queue N] [--reload | --onnx]");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls($"http://127.0.0.1:{arguments.Port}");
// The training registrations are only used when there is no model yet; serving needs just AddTextClassifier.
builder.Services.AddLlmFineTune(o =>
{
    o.Backbone = LlmFineTuneNames.BagBackbone;
    o.BagDimension = 32;
    o.HashingTokenizer.Buckets = 1 << 15;
    o.Trainer.Epochs = arguments.Epochs;
    o.Trainer.LearningRate = 0.05;
});
var batching = new MicroBatchingOptions
{
    MaxBatchSize = 32,
    MaxDelay = TimeSpan.FromMilliseconds(2),
    QueueCapacity = arguments.QueueCapacity,
    RequestTimeout = TimeSpan.FromSeconds(10),
};
// Either way the endpoints below see the same keyed TextClassificationService.
if (arguments.Onnx)
{
    builder.Services.AddOnnxTextClassifier("tickets", arguments.OnnxPath, new OnnxTextClassifierOptions { Batching = batching });
}
else
{
    builder.Services.AddTextClassifier("tickets", o =>
    {
        o.ModelPath = arguments.ModelPath;
        o.Batching = batching;
        o.ReloadOnChange = arguments.Reload;
    });
}
builder.Services.AddHealthChecks().Add(TextClassifierHealthCheck.Registration("tickets"));

var app = builder.Build();
// The model is loaded (and its options checked) when the host starts, so it can still be trained here first.
if (!File.Exists(Path.Combine(arguments.ModelPath, ModelDirectory.ConfigFileName)))
{
    if (!File.Exists(arguments.TrainPath))
    {
        Console.Error.WriteLine($"{arguments.ModelPath} holds no model and the training file {arguments.TrainPath} does not exist; pass --model or --train.");
        return 2;
    }
    TrainAndSave(app.Services, arguments.TrainPath, arguments.ModelPath);
}
if (arguments.Onnx && !File.Exists(Path.Combine(arguments.OnnxPath, ModelDirectory.ConfigFileName)))
{
    using var model = TextClassifier.Load(arguments.ModelPath);
    model.ExportOnnx(arguments.OnnxPath);
    Console.WriteLine($"Exported {arguments.ModelPath} to {arguments.OnnxPath}");
}

app.MapHealthChecks("/health");
app.MapPost("/classify", async ([FromKeyedServices("tickets")] TextClassificationService classifier, ClassifyRequest request, HttpResponse response, CancellationToken cancellationToken) =>
{
    if (string.IsNullOrEmpty(request.Text))
        return Results.BadRequest(new { error = "'text' is required." });
    try
    {
        // each kind of model answers in its own shape
        switch (classifier.Kind)
        {
            case TaskKind.MultiLabel:
                var labels = await classifier.ClassifyLabelsAsync(request.Text, cancellationToken);
                return Results.Ok(new MultiLabelResponse(labels.Labels, labels.Scores));
            case TaskKind.Regression:
                return Results.Ok(new ValueResponse((await classifier.PredictValueAsync(request.Text, cancellationToken)).Value));
            default:
                var prediction = await classifier.ClassifyAsync(request.Text, cancellationToken);
                return Results.Ok(new ClassifyResponse(prediction.Label, prediction.Score, prediction.Scores));
        }
    }
    catch (ClassifierOverloadedException e)
    {
        // the queue is full: the client backs off instead of memory and latency growing without limit
        response.Headers.RetryAfter = "1";
        return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status429TooManyRequests);
    }
    catch (TimeoutException e)
    {
        return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
});
app.MapGet("/stats", ([FromKeyedServices("tickets")] TextClassificationService classifier) =>
    new ServiceStats(classifier.RequestsScored, classifier.ForwardPasses, classifier.LargestBatch, classifier.QueueDepth));
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"Serving {arguments.ModelPath} on http://127.0.0.1:{arguments.Port}"));
try
{
    await app.RunAsync();
}
catch (Exception e) when (e is InvalidDataException or OptionsValidationException)
{
    // The host has logged the details; a missing or corrupt model is a user mistake, so one line and exit code 2.
    Console.Error.WriteLine(e.Message);
    return 2;
}
return 0;

static void TrainAndSave(IServiceProvider services, string trainPath, string modelPath)
{
    var train = TextDataset.FromTsv(trainPath);
    using var model = services.GetRequiredService<TextClassifierFactory>().Create(train);
    var result = services.GetRequiredService<Trainer>().Train(model, train);
    model.Save(modelPath);
    Console.WriteLine($"Trained on {train.Count} examples of {train.LabelMap.Count} labels ({result.Steps} steps) and saved to {modelPath}");
}
