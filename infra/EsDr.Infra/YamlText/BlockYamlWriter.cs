using System.Globalization;
using System.Text;
using YamlDotNet.Core;

namespace EsDr.Infra.YamlText;

/// <summary>
/// Writes block-style YAML straight to text, making the decisions YamlDotNet's emitter makes (which scalar style,
/// where lines break, how far each level is indented) for the subset of YAML this project writes: block mappings and
/// sequences, <c>{}</c> and <c>[]</c> for empty ones, simple keys, plain, single-quoted, double-quoted and literal
/// scalars, no tags or anchors. The emitter analyses every character of every scalar through a look-ahead buffer and
/// queues every event; writing directly takes a fraction of the time on a large program (0.6 MB for ten regions).
/// Anything outside the subset (a break other than <c>\n</c> where a literal or plain scalar would hold it, a lone
/// surrogate, a key that would not be simple, non-ASCII plain text) sets <see cref="Declined"/>, and the caller
/// writes that document with the emitter itself. Tests hold the two byte for byte equal on every example stack and
/// every hostile scalar, in every position, with both sequence indentations.
/// </summary>
internal sealed class BlockYamlWriter(bool indentSequences, int capacity = 1024) : IBlockYamlTarget
{
    private const int BestIndent = 2;
    private const int MaxSimpleKeyLength = 1024;

    private readonly StringBuilder text = new(capacity);
    // The indentation of each open block collection's entries (a mapping's keys, a sequence's dashes).
    private readonly Stack<int> indents = new();
    private Position position = Position.DocumentStart;

    private enum Position
    {
        /// <summary>Nothing written yet.</summary>
        DocumentStart,
        /// <summary>At the start of an empty line: a literal block ended with its line break.</summary>
        LineStart,
        /// <summary>After <c>key:</c>, where the value goes.</summary>
        AfterKey,
        /// <summary>After a sequence's <c>-</c>, where the item goes.</summary>
        AfterDash,
        /// <summary>After a value, on its line.</summary>
        Inline,
    }

    /// <summary>Something this writer does not write as the emitter would was met; the text is then incomplete.</summary>
    public bool Declined { get; private set; }

    /// <summary>The document, ended as the emitter ends an implicit document (with a line break unless at a line start).</summary>
    public string Finish()
    {
        if (position is Position.AfterKey or Position.AfterDash or Position.Inline) text.Append('\n');
        return text.ToString();
    }

    public void EmptyMapping() => Flow("{}");

    public void EmptySequence() => Flow("[]");

    /// <summary>A mapping with at least one entry; each entry is <see cref="Key"/> and one value.</summary>
    public void MappingStart() => indents.Push(EntriesIndent(underKey: BestIndent));

    public void MappingEnd() => indents.Pop();

    /// <summary>
    /// A sequence with at least one item; each item is <see cref="Item"/> and one value. Under a key it is indented only
    /// when the emitter would be told to (its indentSequences setting).
    /// </summary>
    public void SequenceStart() => indents.Push(EntriesIndent(underKey: indentSequences ? BestIndent : 0));

    public void SequenceEnd() => indents.Pop();

    /// <summary>Leaves this document to the emitter: something in it is outside the subset this writer takes.</summary>
    public void Decline() => Declined = true;

    // Where a new collection's entries go: the left margin for the document, `underKey` deeper than a key it is the
    // value of, one step deeper than the dash of an item it is.
    private int EntriesIndent(int underKey)
    {
        switch (position)
        {
            case Position.DocumentStart:
                return 0;
            case Position.AfterKey:
                return indents.Peek() + underKey;
            case Position.AfterDash:
                return indents.Peek() + BestIndent;
            default:
                Decline();
                return 0;
        }
    }

    public void Item()
    {
        if (Declined) return;
        StartEntry();
        text.Append('-');
        position = Position.AfterDash;
    }

    /// <summary>A simple key (one line, at most 1024 characters), styled as the emitter styles a key scalar.</summary>
    public void Key(string key, ScalarStyle style)
    {
        if (Declined) return;
        StartEntry();
        if (key.Length > MaxSimpleKeyLength || key.AsSpan().ContainsAny(Breaks))
        {
            Decline();
            return;
        }
        if (style is ScalarStyle.Any or ScalarStyle.Plain && key.Length > 0 && IsPrintableAscii(key)) WriteSingleLine(key);
        else if (style == ScalarStyle.DoubleQuoted) WriteDoubleQuoted(key);
        else Decline();
        text.Append(':');
        position = Position.AfterKey;
    }

    private static readonly System.Buffers.SearchValues<char> Breaks = System.Buffers.SearchValues.Create("\n\r\x85\u2028\u2029");

    /// <summary>A value scalar in the style asked for, changed as the emitter would change it.</summary>
    public void Scalar(string value, ScalarStyle style)
    {
        // A document that is one scalar is not in the subset.
        if (Declined || position is not (Position.AfterKey or Position.AfterDash))
        {
            Decline();
            return;
        }
        text.Append(' ');
        switch (style)
        {
            case ScalarStyle.Literal when value.Length > 0 && LiteralAllowed(value):
                WriteLiteral(value);
                return;
            case ScalarStyle.Literal or ScalarStyle.DoubleQuoted:
                WriteDoubleQuoted(value);
                break;
            case ScalarStyle.Any or ScalarStyle.Plain when value.Length > 0 && IsPrintableAscii(value):
                WriteSingleLine(value);
                break;
            case ScalarStyle.SingleQuoted when IsPrintableAscii(value):
                text.Append('\'').Append(value.Replace("'", "''", StringComparison.Ordinal)).Append('\'');
                break;
            default:
                Decline();
                return;
        }
        position = Position.Inline;
    }

    private void Flow(string empty)
    {
        if (Declined || position is not (Position.AfterKey or Position.AfterDash))
        {
            Decline();
            return;
        }
        text.Append(' ');
        text.Append(empty);
        position = Position.Inline;
    }

    // A key or a dash: inline after a parent's dash ("- a: 1", "- - x"), else on a line of its own at the entries' indent.
    private void StartEntry()
    {
        var indent = indents.Peek();
        switch (position)
        {
            case Position.AfterDash:
                text.Append(' ');
                return;
            case Position.AfterKey or Position.Inline:
                text.Append('\n');
                break;
        }
        text.Append(' ', indent);
    }

    // Printable ASCII on one line: plain where a block plain scalar may stand, else single-quoted unless it holds a
    // quote, else double-quoted (the emitter's SelectScalarStyle for a scalar that analyses as this one does).
    private void WriteSingleLine(string value)
    {
        if (PlainAllowed(value)) text.Append(value);
        else if (!value.Contains('\'', StringComparison.Ordinal)) text.Append('\'').Append(value).Append('\'');
        else WriteDoubleQuoted(value);
    }

    // The emitter's analysis of a single-line printable ASCII scalar, for block context.
    private static bool PlainAllowed(string s)
    {
        if (s[0] == ' ' || s[^1] == ' ' || s.StartsWith("---", StringComparison.Ordinal) || s.StartsWith("...", StringComparison.Ordinal)) return false;
        if ("#,[]{}&*!|>\"%@`'".Contains(s[0], StringComparison.Ordinal)) return false;
        if (s[0] is '?' or ':' or '-' && FollowedByWhitespace(s, 1)) return false;
        for (var i = 1; i < s.Length; i++)
        {
            if (s[i] == ':' && FollowedByWhitespace(s, i + 1)) return false;
            if (s[i] == '#' && s[i - 1] is ' ' or '\t') return false;
        }
        return true;
    }

    private static bool FollowedByWhitespace(string s, int at) => at >= s.Length || s[at] is ' ' or '\t';

    private static bool IsPrintableAscii(string s) => !s.AsSpan().ContainsAnyExceptInRange(' ', '~');

    // The emitter keeps a literal block unless the text ends in a space or holds a line of spaces only between two
    // breaks (anything else, control characters too, it writes as it is); breaks other than '\n' are left to it.
    private bool LiteralAllowed(string value)
    {
        if (value.AsSpan().ContainsAny(OtherBreaks))
        {
            Decline();
            return false;
        }
        if (value[^1] == ' ') return false;
        for (var at = value.IndexOf("\n ", StringComparison.Ordinal); at >= 0; at = value.IndexOf("\n ", at + 1, StringComparison.Ordinal))
        {
            var end = at + 1;
            while (end < value.Length && value[end] == ' ') end++;
            if (end < value.Length && value[end] == '\n') return false;
        }
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> OtherBreaks = System.Buffers.SearchValues.Create("\r\x85\u2028\u2029");

    private void WriteLiteral(string value)
    {
        var indent = indents.Peek() + BestIndent;
        text.Append('|');
        if (value[0] is ' ' or '\n') text.Append((char)('0' + BestIndent));
        if (value[^1] != '\n') text.Append('-');
        else if (value.Length >= 2 && value[^2] == '\n') text.Append('+');
        text.Append('\n');
        var rest = value.AsSpan();
        while (rest.Length > 0)
        {
            var newline = rest.IndexOf('\n');
            var line = newline < 0 ? rest : rest[..newline];
            if (line.Length > 0) text.Append(' ', indent).Append(line);
            if (newline < 0) break;
            text.Append('\n');
            rest = rest[(newline + 1)..];
        }
        position = value[^1] == '\n' ? Position.LineStart : Position.Inline;
    }

    private void WriteDoubleQuoted(string value)
    {
        text.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            // Runs of printable ASCII (most of any text) go in whole.
            var run = value.AsSpan(i).IndexOfAnyExcept(QuotedAsIs);
            if (run != 0)
            {
                var end = run < 0 ? value.Length : i + run;
                text.Append(value, i, end - i);
                if (run < 0) break;
                i = end;
            }
            var c = value[i];
            if (IsPrintable(c) && c is not ('\n' or '\r' or '\x85' or '\u2028' or '\u2029' or '"' or '\\'))
            {
                text.Append(c);
                continue;
            }
            text.Append('\\');
            switch (c)
            {
                case '\0': text.Append('0'); break;
                case '\a': text.Append('a'); break;
                case '\b': text.Append('b'); break;
                case '\t': text.Append('t'); break;
                case '\n': text.Append('n'); break;
                case '\v': text.Append('v'); break;
                case '\f': text.Append('f'); break;
                case '\r': text.Append('r'); break;
                case '\x1b': text.Append('e'); break;
                case '"': text.Append('"'); break;
                case '\\': text.Append('\\'); break;
                case '\x85': text.Append('N'); break;
                case '\u2028': text.Append('L'); break;
                case '\u2029': text.Append('P'); break;
                default:
                    if (c <= '\xff') text.Append('x').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                        text.Append('U').Append(char.ConvertToUtf32(c, value[++i]).ToString("X8", CultureInfo.InvariantCulture));
                    else if (char.IsSurrogate(c)) Decline();
                    else text.Append('u').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    break;
            }
        }
        text.Append('"');
    }

    private static readonly System.Buffers.SearchValues<char> QuotedAsIs = System.Buffers.SearchValues.Create(
        string.Concat(Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c).Where(c => c is not ('"' or '\\'))) + "\t");

    // YAML's printable set as the emitter reads it (tab and the breaks included; surrogates, which come in pairs, not).
    private static bool IsPrintable(char c) =>
        c is '\t' or '\n' or '\r' or (>= ' ' and <= '~') or '\x85' or (>= '\xa0' and <= '\ud7ff') or (>= '\ue000' and <= '\ufffd');
}
