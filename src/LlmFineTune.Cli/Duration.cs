using System.Globalization;
using System.Text.RegularExpressions;

namespace LlmFineTune.Cli;

/// <summary>Wall-clock durations on the command line: <c>90s</c>, <c>15m</c>, <c>1h30m</c>, or a plain number of seconds.</summary>
internal static partial class Duration
{
    /// <exception cref="ArgumentException">The text is not a positive duration; the message names the option and shows the forms.</exception>
    public static TimeSpan Parse(string text, string option)
    {
        var match = Pattern().Match(text.Trim());
        if (match.Success && match.Length > 0)
        {
            double seconds = 0;
            foreach (var (group, scale) in new[] { ("h", 3600.0), ("m", 60.0), ("s", 1.0) })
                if (match.Groups[group].Success)
                    seconds += double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) * scale;
            if (seconds > 0 && seconds < TimeSpan.MaxValue.TotalSeconds)
                return TimeSpan.FromSeconds(seconds);
        }
        throw new ArgumentException($"{option} must be a positive duration such as 90s, 15m or 1h30m (a plain number is seconds); was '{text}'.");
    }

    [GeneratedRegex(@"^(?:(?<h>\d+(?:\.\d+)?)h)?(?:(?<m>\d+(?:\.\d+)?)m)?(?:(?<s>\d+(?:\.\d+)?)s?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
