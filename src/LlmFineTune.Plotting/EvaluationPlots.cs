using System.Globalization;
using LlmFineTune.Evaluation;
using ScottPlot;

namespace LlmFineTune.Plotting;

/// <summary>Draws evaluation pictures as PNG files: confusion-matrix heat map, reliability diagram, training curves.</summary>
/// <remarks>Files are written to a temporary sibling and renamed into place. Rendering uses ScottPlot (SkiaSharp) and needs no display.</remarks>
public static class EvaluationPlots
{
    private const float TitleSize = 20;
    private const float AxisLabelSize = 16;
    private const float TickSize = 13;

    /// <summary>Draws the confusion matrix as a heat map with class names on both axes and counts in the cells.</summary>
    /// <param name="report">A single-label report.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="normalize">Colour each row by the fraction of its true class (so small classes stay visible); counts are still printed. Default true.</param>
    /// <exception cref="ArgumentException">The report has no confusion matrix (not single-label).</exception>
    public static void ConfusionMatrix(EvaluationReport report, string path, bool normalize = true)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var matrix = report.ConfusionMatrix
            ?? throw new ArgumentException($"A {report.Task} report has no confusion matrix; only single-label reports do.", nameof(report));
        int k = matrix.Count;
        var intensities = new double[k, k];
        for (int t = 0; t < k; t++)
        {
            double rowTotal = matrix[t].Sum();
            for (int p = 0; p < k; p++)
                intensities[t, p] = normalize ? (rowTotal == 0 ? 0 : matrix[t][p] / rowTotal) : matrix[t][p];
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(intensities);
        // ScottPlot's Blues runs dark to light; reversed, the frequent cells are the dark ones, as readers expect.
        heatmap.Colormap = new Reversed(new ScottPlot.Colormaps.Blues());
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = normalize ? "share of the true class" : "examples";
        colorBar.LabelStyle.FontSize = AxisLabelSize;
        colorBar.LabelStyle.FontName = EmbeddedFontResolver.Family;
        colorBar.Axis.TickLabelStyle.FontName = EmbeddedFontResolver.Family;
        colorBar.Axis.TickLabelStyle.FontSize = TickSize;
        if (normalize)
        {
            // A fixed 0–100 % scale with few ticks: comparable across pictures, and narrow enough that the bar's title clears its tick labels.
            heatmap.ManualRange = new ScottPlot.Range(0, 1);
            double[] ticks = [0, 0.25, 0.5, 0.75, 1];
            colorBar.Axis.SetTicks(ticks, ticks.Select(t => t.ToString("0%", CultureInfo.InvariantCulture)).ToArray());
        }

        // Light text on the darker half of the colour scale.
        double dark = 0.55 * (normalize ? 1 : intensities.Cast<double>().DefaultIfEmpty(0).Max());
        float cellFont = Math.Clamp(220f / k, 9, 22);
        for (int t = 0; t < k; t++)
        {
            for (int p = 0; p < k; p++)
            {
                var text = plot.Add.Text(matrix[t][p].ToString(CultureInfo.InvariantCulture), p, k - 1 - t);
                text.LabelFontSize = cellFont;
                text.LabelFontName = EmbeddedFontResolver.Family;
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = intensities[t, p] > dark ? Colors.White : Colors.Black;
            }
        }

        var positions = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, report.Labels.ToArray());
        plot.Axes.Left.SetTicks(positions, report.Labels.Reverse().ToArray());
        int longest = report.Labels.Max(l => l.Length);
        if (longest * k > 60)
        {
            // Slanted names end at their tick and run down-left, so the last one is not cut off by the colour bar;
            // they need room below the axis, which the layout does not reserve by itself.
            plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = 40 + longest * TickSize * 0.45f;
        }
        plot.Axes.Margins(0, 0);
        StyleAxes(plot, $"Confusion matrix ({report.Count} examples, accuracy {report.Accuracy:0.###})", "predicted class", "true class");
        plot.HideGrid();
        int side = Math.Clamp(200 + 70 * k, 600, 2400);
        Write(plot, path, side + 160, side);
    }

    /// <summary>Draws the reliability diagram: accuracy against mean confidence per confidence bin, with the diagonal of perfect calibration.</summary>
    /// <param name="report">A single-label report.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <exception cref="ArgumentException">The report has no calibration bins (not single-label).</exception>
    public static void ReliabilityDiagram(EvaluationReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var bins = report.Calibration
            ?? throw new ArgumentException($"A {report.Task} report has no calibration bins; only single-label reports do.", nameof(report));

        var plot = new Plot();
        var filled = bins.Where(b => b.Count > 0).ToArray();
        var bars = filled.Select(b => new Bar
        {
            Position = (b.Lower + b.Upper) / 2,
            Value = b.Accuracy,
            Size = (b.Upper - b.Lower) * 0.9,
            FillColor = Colors.SteelBlue,
            Label = b.Count.ToString(CultureInfo.InvariantCulture),
        }).ToArray();
        var barPlot = plot.Add.Bars(bars);
        barPlot.LegendText = "accuracy in bin (label: examples)";
        barPlot.ValueLabelStyle.FontSize = TickSize;
        barPlot.ValueLabelStyle.FontName = EmbeddedFontResolver.Family;

        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.LineColor = Colors.Gray;
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LineWidth = 2;
        diagonal.LegendText = "perfect calibration";

        var gaps = plot.Add.Scatter(filled.Select(b => b.MeanConfidence).ToArray(), filled.Select(b => b.Accuracy).ToArray());
        gaps.LineWidth = 0;
        gaps.MarkerSize = 9;
        gaps.Color = Colors.OrangeRed;
        gaps.LegendText = "mean confidence of bin";

        plot.Axes.SetLimits(0, 1, 0, 1.08);
        StyleAxes(plot, $"Reliability diagram (ECE {report.ExpectedCalibrationError:0.###})", "confidence (top probability)", "accuracy");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Legend.FontSize = TickSize;
        Write(plot, path, 800, 700);
    }

    /// <summary>Draws training curves, for example training loss and a validation metric per step.</summary>
    /// <param name="series">The curves; those with <see cref="MetricSeries.RightAxis"/> use the right-hand axis.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="title">The picture's title. Default "Training curves".</param>
    /// <param name="stepLabel">The horizontal axis's label. Default "step".</param>
    /// <param name="valueLabel">The left axis's label; null names the left-axis series. Default null.</param>
    /// <param name="stepTicks">Labelled ticks for the horizontal axis (e.g. label counts on a log scale); null lets the axis choose. Default null.</param>
    /// <exception cref="ArgumentException">No series has points, or a value is not finite.</exception>
    public static void TrainingCurves(IEnumerable<MetricSeries> series, string path, string title = "Training curves", string stepLabel = "step",
        string? valueLabel = null, IReadOnlyList<(double Position, string Label)>? stepTicks = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var curves = series.Where(s => s.Points.Count > 0).ToList();
        if (curves.Count == 0)
            throw new ArgumentException("No series has any points to draw.", nameof(series));
        foreach (var curve in curves)
            foreach (var (step, value) in curve.Points)
                if (!double.IsFinite(step) || !double.IsFinite(value))
                    throw new ArgumentException($"Series '{curve.Name}' has a non-finite point ({step}, {value}); drop it before plotting.", nameof(series));

        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < curves.Count; i++)
        {
            var curve = curves[i];
            var line = plot.Add.Scatter(curve.Points.Select(p => p.Step).ToArray(), curve.Points.Select(p => p.Value).ToArray());
            line.Color = palette.GetColor(i);
            line.LineWidth = 2;
            line.MarkerSize = curve.Points.Count <= 50 ? 5 : 0;
            line.LegendText = curve.Name;
            if (curve.RightAxis) line.Axes.YAxis = plot.Axes.Right;
        }
        string Names(bool right) => string.Join(", ", curves.Where(c => c.RightAxis == right).Select(c => c.Name));
        StyleAxes(plot, title, stepLabel, valueLabel ?? Names(false));
        if (stepTicks is { Count: > 0 })
            plot.Axes.Bottom.SetTicks([.. stepTicks.Select(t => t.Position)], [.. stepTicks.Select(t => t.Label)]);
        if (curves.Any(c => c.RightAxis))
        {
            plot.Axes.Right.Label.Text = Names(true);
            plot.Axes.Right.Label.FontSize = AxisLabelSize;
            plot.Axes.Right.TickLabelStyle.FontSize = TickSize;
        }
        // Below the axes, so the legend never hides a curve.
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.FontSize = TickSize;
        Write(plot, path, 1000, 650);
    }

    private static void StyleAxes(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Title(title, TitleSize);
        plot.XLabel(xLabel, AxisLabelSize);
        plot.YLabel(yLabel, AxisLabelSize);
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickSize;
    }

    /// <summary>A colormap run backwards.</summary>
    private sealed class Reversed(IColormap inner) : IColormap
    {
        public string Name => inner.Name + " (reversed)";

        public Color GetColor(double normalizedIntensity) => inner.GetColor(1 - normalizedIntensity);
    }

    private static void Write(Plot plot, string path, int width, int height)
    {
        EmbeddedFontResolver.EnsureRegistered();
        plot.Font.Set(EmbeddedFontResolver.Family);
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
