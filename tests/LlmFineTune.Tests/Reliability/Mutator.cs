using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace LlmFineTune.Tests.Reliability;

/// <summary>Seeded mutations of valid files: the fuzzing half of the hostile-file tests.</summary>
internal sealed partial class Mutator(int seed)
{
    private static readonly string[] Values =
    [
        "-1", "0", "1", "2147483647", "2147483648", "-2147483649", "4611686018427387904", "1e308", "3.5", "-0.0",
        "123456789012345678901234567890", "\"x\"", "\"\"", "\"../../../etc/passwd\"", "null", "true", "[]", "{}", "[1,2,3]", "[-4,8]",
        "\"bert\"", "\"bag\"", "\"F64\"", "\"I64\"", "\"BOOL\"", "\"NaN\"",
    ];

    private const string Noise = "{}[]\",:-0123456789eE.\\ ";
    private readonly Random random = new(seed);

    public int Next(int max) => random.Next(max);

    /// <summary>One to three JSON-aware or blind text mutations.</summary>
    public string MutateJson(string json)
    {
        int count = 1 + random.Next(3);
        for (int i = 0; i < count && json.Length > 0; i++)
        {
            json = random.Next(6) switch
            {
                0 or 1 => ReplaceRandom(json, Numbers()),
                2 => ReplaceRandom(json, Strings()),
                3 => json.Remove(random.Next(json.Length), 1),
                4 => json.Insert(random.Next(json.Length), Noise[random.Next(Noise.Length)].ToString()),
                _ => json[..random.Next(json.Length)],
            };
        }
        return json;
    }

    /// <summary>A mutated safetensors file: header JSON mutations (length kept right or not), bit flips, truncation, trailing bytes.</summary>
    public byte[] MutateSafeTensors(byte[] file)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        string header = Encoding.UTF8.GetString(file, 8, headerLength);
        byte[] data = file[(8 + headerLength)..];
        switch (random.Next(5))
        {
            case 0:
            case 1:
                byte[] json = Encoding.UTF8.GetBytes(MutateJson(header));
                ulong declared = random.Next(4) == 0 ? (ulong)(json.Length + random.Next(-3, 4)) : (ulong)json.Length;
                return [.. BitConverter.GetBytes(declared), .. json, .. data];
            case 2:
                var flipped = (byte[])file.Clone();
                int flips = 1 + random.Next(4);
                for (int i = 0; i < flips; i++)
                {
                    // Mostly in the length field and header, where the parser looks.
                    int at = random.Next(3) == 0 ? random.Next(8) : random.Next(Math.Min(flipped.Length, 8 + headerLength));
                    flipped[at] ^= (byte)(1 << random.Next(8));
                }
                return flipped;
            case 3:
                return file[..random.Next(file.Length)];
            default:
                var extra = new byte[1 + random.Next(16)];
                random.NextBytes(extra);
                return [.. file, .. extra];
        }
    }

    /// <summary>Replaces a random number or string literal by any value, so types get confused as well as ranges.</summary>
    private string ReplaceRandom(string json, Regex literals)
    {
        var matches = literals.Matches(json);
        if (matches.Count == 0) return json;
        var m = matches[random.Next(matches.Count)];
        return string.Concat(json.AsSpan(0, m.Index), Values[random.Next(Values.Length)], json.AsSpan(m.Index + m.Length));
    }

    [GeneratedRegex(@"-?\d+(\.\d+)?([eE][-+]?\d+)?")]
    private static partial Regex Numbers();

    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex Strings();
}
