using ScottPlot;
using SkiaSharp;

namespace LlmFineTune.Plotting;

/// <summary>
/// Serves the DejaVu Sans font shipped inside this assembly to ScottPlot, so plot text renders the same on every
/// machine, including containers that have no font files at all (where Skia would otherwise draw no text).
/// </summary>
internal sealed class EmbeddedFontResolver : IFontResolver
{
    /// <summary>The family name plots ask for; distinct from any system font so the embedded file always wins.</summary>
    public const string Family = "LlmFineTune DejaVu Sans";

    private const string ResourceName = "LlmFineTune.Plotting.Fonts.DejaVuSans.ttf";

    private static readonly Lazy<SKData> FontData = new(() =>
    {
        using var stream = typeof(EmbeddedFontResolver).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded font '{ResourceName}' is missing from the LlmFineTune.Plotting assembly; the package is damaged.");
        return SKData.Create(stream);
    });

    private static readonly Lazy<bool> Registered = new(() =>
    {
        Fonts.FontResolvers.Add(new EmbeddedFontResolver());
        return true;
    });

    /// <summary>Adds the resolver to ScottPlot once per process.</summary>
    public static void EnsureRegistered() => _ = Registered.Value;

    // One regular face serves every weight and slant: a bold face would double the font's size in the package.
    public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
        fontName == Family ? SKTypeface.FromData(FontData.Value) : null;

    public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
        CreateTypeface(fontName, FontWeight.Normal, FontSlant.Upright, FontSpacing.Normal);
}
