using System.Text;

namespace LlmFineTune.Data;

/// <summary>Reads RFC 4180 records (quoted fields, doubled quotes, delimiters and line breaks inside quotes) from a line reader.</summary>
internal sealed class CsvRecordReader(Utf8LineReader lines, char delimiter, int maxRecordChars)
{
    private readonly StringBuilder field = new();

    /// <summary>The line the last record started on.</summary>
    public long Line { get; private set; }

    /// <summary>Whether any line of the last record had invalid UTF-8.</summary>
    public bool Invalid { get; private set; }

    /// <summary>Reads the next record that is not blank (nor only white space) into <paramref name="fields"/>.</summary>
    /// <returns>False at the end of the file.</returns>
    /// <exception cref="InvalidDataException">A quote is left open, or a closing quote is followed by text.</exception>
    public bool TryRead(List<string> fields)
    {
        fields.Clear();
        string line;
        do
        {
            if (!lines.TryReadLine(out line)) return false;
        }
        while (string.IsNullOrWhiteSpace(line));
        Line = lines.LineNumber;
        Invalid = lines.LastLineInvalid;
        field.Clear();
        bool quoted = false, wasQuoted = false;
        long quoteLine = Line; // where the open quoted field began: the place to look when it never closes properly
        int i = 0;
        while (true)
        {
            if (i == line.Length)
            {
                if (!quoted)
                {
                    fields.Add(field.ToString());
                    return true;
                }
                // a line break inside quotes belongs to the field
                if (!lines.TryReadLine(out line))
                    throw DataFileError.Create(lines.Path, quoteLine, SkipReason.Malformed,
                        "a quoted field is never closed. Close it with a double quote, and double any quote inside quoted text (\"\").");
                Invalid |= lines.LastLineInvalid;
                field.Append('\n');
                if (field.Length > maxRecordChars)
                    throw DataFileError.Create(lines.Path, quoteLine, SkipReason.Malformed,
                        $"the record is longer than {maxRecordChars:N0} characters; a quote is probably left open.");
                i = 0;
                continue;
            }
            char c = line[i++];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i < line.Length && line[i] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
                wasQuoted = false;
            }
            else if (c == '"' && field.Length == 0 && !wasQuoted)
            {
                quoted = wasQuoted = true;
                quoteLine = lines.LineNumber;
            }
            else if (wasQuoted && quoteLine < lines.LineNumber)
            {
                // the quote that "closes" here most likely opens the next record: the one opened earlier was never closed
                throw DataFileError.Create(lines.Path, quoteLine, SkipReason.Malformed,
                    $"the quote that opens field {fields.Count + 1} is probably never closed: the field runs on to line {lines.LineNumber}, where text follows a quote. Close the quote on line {quoteLine}, and double any quote inside quoted text (\"\").");
            }
            else if (wasQuoted)
            {
                throw DataFileError.Create(lines.Path, lines.LineNumber, SkipReason.Malformed,
                    $"text follows the closing quote of field {fields.Count + 1}. Double any quote inside quoted text (\"\"), or quote the whole field.");
            }
            else
            {
                field.Append(c);
            }
        }
    }
}
