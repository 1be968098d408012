using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace EsDr.Infra.Program;

/// <summary>
/// Serialises a <see cref="PulumiProgram"/> to YAML once, deterministically: sections in a fixed order,
/// maps in insertion order, multi-line text as literal blocks so rendered files stay readable in diffs,
/// and strings that YAML would read as another type quoted.
/// </summary>
public static partial class ProgramYamlWriter
{
    public static string Write(PulumiProgram program) => WriteLiteralsApart(program) ?? WriteThroughEmitter(program);

    /// <summary>The program written by YamlDotNet's emitter alone, literal blocks too: what <see cref="Write"/> must equal byte for byte.</summary>
    internal static string WriteThroughEmitter(PulumiProgram program) => Write(program, null)!;

    /// <summary>The program with its literal blocks written apart from the emitter; null if a stand-in was not where expected.</summary>
    internal static string? WriteLiteralsApart(PulumiProgram program) => Write(program, new Literals());

    /// <summary>
    /// YamlDotNet's emitter decides the layout; but it analyses every character of every scalar, and the user-data
    /// literal blocks are most of a large program's text (0.5 of 0.6 MB for ten regions). So each literal block is
    /// handed to the emitter as a short stand-in with the same trailing line breaks (hence the same header, the same
    /// indentation and the same state after it), and its lines are put in place of the stand-in afterwards, indented
    /// as the emitter indented the stand-in, written as the emitter writes a literal block (each line indented, empty
    /// lines empty). Tests hold the result equal to the emitter's own output for every example stack and hostile scalar.
    /// </summary>
    private static string? Write(PulumiProgram program, Literals? literals)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(text, new EmitterSettings(2, int.MaxValue, false, 1024, false, false));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        emitter.Emit(new MappingStart());
        Scalar(emitter, "name", null);
        Scalar(emitter, program.Name, literals);
        Scalar(emitter, "runtime", null);
        Scalar(emitter, "yaml", literals);
        Section(emitter, "config", program.Config, literals);
        Section(emitter, "variables", program.Variables, literals);
        if (program.Resources.Count > 0)
        {
            Scalar(emitter, "resources", null);
            emitter.Emit(new MappingStart());
            foreach (var r in program.Resources)
            {
                Scalar(emitter, r.Name, null);
                Value(emitter, ResourceBody(r), literals);
            }
            emitter.Emit(new MappingEnd());
        }
        Section(emitter, "outputs", program.Outputs, literals);
        emitter.Emit(new MappingEnd());
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        var written = text.ToString();
        return literals is null || literals.Count == 0 ? written : literals.PutInPlace(written);
    }

    /// <summary>The literal blocks taken apart from the emitter, in document order, and their stand-ins.</summary>
    private sealed class Literals
    {
        // Unique to this process: a program string holding it makes PutInPlace decline (then the emitter writes all).
        private readonly string marker = "esdr-literal-" + Guid.NewGuid().ToString("N") + "-";
        private readonly List<string> bodies = [];

        public int Count => bodies.Count;

        /// <summary>The stand-in for a literal block (which starts with neither whitespace nor a line break).</summary>
        public string StandIn(string literal)
        {
            var body = literal.AsSpan().TrimEnd('\n');
            var standIn = string.Concat(marker, bodies.Count.ToString(CultureInfo.InvariantCulture), ".", literal.AsSpan(body.Length));
            bodies.Add(literal[..body.Length]);
            return standIn;
        }

        /// <summary>The text with every stand-in replaced by its block's lines; null if the stand-ins are not exactly where expected.</summary>
        public string? PutInPlace(string written)
        {
            var found = 0;
            for (var at = written.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = written.IndexOf(marker, at + marker.Length, StringComparison.Ordinal)) found++;
            if (found != bodies.Count) return null;
            var result = new StringBuilder(written.Length + bodies.Sum(b => b.Length + (b.Length / 16)));
            var position = 0;
            for (var k = 0; k < bodies.Count; k++)
            {
                var token = string.Concat(marker, k.ToString(CultureInfo.InvariantCulture), ".");
                var at = written.IndexOf(token, position, StringComparison.Ordinal);
                if (at < 0) return null;
                var end = at + token.Length;
                if (end < written.Length && written[end] != '\n') return null;
                var lineStart = at;
                while (lineStart > position && written[lineStart - 1] == ' ') lineStart--;
                // The stand-in is the first line of a block: alone on its line, under a header ending in the indicator.
                if (lineStart < 2 || written[lineStart - 1] != '\n' || written[lineStart - 2] is not ('|' or '-' or '+')) return null;
                var indent = written.AsSpan(lineStart, at - lineStart);
                result.Append(written, position, lineStart - position);
                // Line breaks in a literal block are '\n' only (LiteralSafe).
                var rest = bodies[k].AsSpan();
                while (true)
                {
                    var newline = rest.IndexOf('\n');
                    var line = newline < 0 ? rest : rest[..newline];
                    if (line.Length > 0) result.Append(indent).Append(line);
                    if (newline < 0) break;
                    result.Append('\n');
                    rest = rest[(newline + 1)..];
                }
                position = end;
            }
            return result.Append(written, position, written.Length - position).ToString();
        }
    }

    /// <summary>
    /// The program as a YAML reader (Pulumi's, or <see cref="Schemas.ProgramText"/>) reads the text <see cref="Write"/>
    /// produces, built from the same decisions instead of by parsing that text again: reading back a 10-region
    /// program's 0.6 MB took a third of a compile. The round-trip tests hold the two equal for every example stack.
    /// </summary>
    internal static Schemas.MapValue AsRead(PulumiProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var entries = new List<Schemas.MapEntry> { new("name", ReadString(program.Name)), new("runtime", ReadString("yaml")) };
        void Section(string name, PMap map)
        {
            if (map.Count > 0) entries.Add(new(name, ReadValue(map)));
        }
        Section("config", program.Config);
        Section("variables", program.Variables);
        if (program.Resources.Count > 0)
        {
            entries.Add(new("resources", new Schemas.MapValue(program.Resources.Select(r => new Schemas.MapEntry(r.Name, ReadValue(ResourceBody(r)))).ToArray())));
        }
        Section("outputs", program.Outputs);
        return new Schemas.MapValue(entries);
    }

    // Mirrors Value: what each kind of value is written as, read back.
    private static Schemas.ProgramValue ReadValue(object? value) => value switch
    {
        null => new Schemas.ScalarValue(Schemas.ScalarKind.Null, "null"),
        string s => ReadString(s),
        bool b => new Schemas.ScalarValue(Schemas.ScalarKind.Boolean, b ? "true" : "false"),
        int or long or double => ReadPlain(Convert.ToString(value, CultureInfo.InvariantCulture)!),
        PMap map => new Schemas.MapValue(map.Select(e => new Schemas.MapEntry(e.Key, ReadValue(e.Value))).ToArray()),
        System.Collections.IEnumerable list => new Schemas.ListValue(list.Cast<object?>().Select(ReadValue).ToArray()),
        _ => throw new InvalidOperationException($"cannot write a {value.GetType().Name} into a program"),
    };

    // Every string Scalar writes reads back as a string: quoted when a plain scalar would be another type, a literal
    // block when multi-line. It refuses what no reader takes, as Scalar does.
    private static Schemas.ScalarValue ReadString(string s) =>
        HasLoneSurrogate(s)
            ? throw new InvalidOperationException($"a program string holds a lone surrogate, which no YAML reader takes: '{Escaped(s)}'")
            : new Schemas.ScalarValue(Schemas.ScalarKind.String, s);

    private static Schemas.ScalarValue ReadPlain(string text) => new(Schemas.ProgramText.PlainKind(text), text);

    private static PMap ResourceBody(ProgramResource r)
    {
        var body = new PMap { { "type", r.Type } };
        if (r.Properties.Count > 0) body.Add("properties", r.Properties);
        var o = r.Options;
        var options = new PMap()
            .AddIf("provider", o.Provider)
            .AddIf("dependsOn", o.DependsOn?.Select(name => $"${{{name}}}").ToList())
            .AddIf("ignoreChanges", o.IgnoreChanges)
            .AddIf("additionalSecretOutputs", o.AdditionalSecretOutputs)
            .AddIf("deleteBeforeReplace", o.DeleteBeforeReplace)
            .AddIf("protect", o.Protect)
            .AddIf("version", o.Version)
            .AddIf("pluginDownloadURL", o.PluginDownloadUrl);
        if (options.Count > 0) body.Add("options", options);
        return body;
    }

    private static void Section(IEmitter emitter, string name, PMap map, Literals? literals)
    {
        if (map.Count == 0) return;
        Scalar(emitter, name, null);
        Value(emitter, map, literals);
    }

    private static void Value(IEmitter emitter, object? value, Literals? literals)
    {
        switch (value)
        {
            case null:
                emitter.Emit(new YamlDotNet.Core.Events.Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case string s:
                Scalar(emitter, s, literals);
                break;
            case bool b:
                emitter.Emit(new YamlDotNet.Core.Events.Scalar(null, null, b ? "true" : "false", ScalarStyle.Plain, true, false));
                break;
            case int or long or double:
                emitter.Emit(new YamlDotNet.Core.Events.Scalar(null, null, Convert.ToString(value, CultureInfo.InvariantCulture)!, ScalarStyle.Plain, true, false));
                break;
            case PMap map:
                emitter.Emit(new MappingStart());
                foreach (var (k, v) in map)
                {
                    Scalar(emitter, k, null);
                    Value(emitter, v, literals);
                }
                emitter.Emit(new MappingEnd());
                break;
            case System.Collections.IEnumerable list:
                emitter.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
                foreach (var item in list) Value(emitter, item, literals);
                emitter.Emit(new SequenceEnd());
                break;
            default:
                throw new InvalidOperationException($"cannot write a {value.GetType().Name} into a program");
        }
    }

    // Keys are never taken apart (a multi-line key is written as a complex key, and none is large): literals is null.
    private static void Scalar(IEmitter emitter, string s, Literals? literals)
    {
        if (HasLoneSurrogate(s)) throw new InvalidOperationException($"a program string holds a lone surrogate, which no YAML reader takes: '{Escaped(s)}'");
        var style = s.Contains('\n', StringComparison.Ordinal) && LiteralSafe(s) ? ScalarStyle.Literal
            : NeedsQuotes(s) ? ScalarStyle.DoubleQuoted
            : ScalarStyle.Any;
        var written = style == ScalarStyle.Literal && literals is not null ? literals.StandIn(s) : s;
        emitter.Emit(new YamlDotNet.Core.Events.Scalar(null, null, written, style, true, style != ScalarStyle.Literal));
    }

    /// <summary>
    /// Plain only for printable ASCII that no YAML 1.1 or 1.2 reader resolves to another type (the emitter then
    /// quotes indicators such as <c>*x</c>, <c>- x</c> or <c>a: b</c> itself); anything else is double-quoted, where
    /// every other character is escaped.
    /// </summary>
    private static bool NeedsQuotes(string s) => s.Length == 0 || s.AsSpan().ContainsAnyExceptInRange(' ', '~') || NotAString().IsMatch(s);

    /// <summary>A literal block keeps every character but line breaks as written: only tabs, newlines and printable text.</summary>
    private static bool LiteralSafe(string s) => !HasTrailingSpace(s) && !s.AsSpan().ContainsAny(NotInLiteral);

    // Control characters but tab and newline, DEL and the C1 controls, the Unicode line and paragraph separators, the
    // byte-order mark and the two non-characters. Searched vectorised: user-data scalars run to tens of kilobytes.
    private static readonly SearchValues<char> NotInLiteral = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0xa0).Select(c => (char)c).Where(c => c is < ' ' and not ('\t' or '\n') or >= '\u007f'))
        + "\u2028\u2029\ufeff\ufffe\uffff");

    /// <summary>A space or tab before a line break or at the end, or whitespace first: a literal block would lose or misplace it.</summary>
    private static bool HasTrailingSpace(string s) =>
        s.Length > 0 && (char.IsWhiteSpace(s[0]) || s[^1] is ' ' or '\t'
            || s.Contains(" \n", StringComparison.Ordinal) || s.Contains("\t\n", StringComparison.Ordinal));

    private static bool HasLoneSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return true;
        }
        return false;
    }

    private static string Escaped(string s) => string.Concat(s.Select(c => char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));

    /// <summary>
    /// Plain scalars a YAML 1.1 or 1.2 reader takes for another type: null, booleans (1.1's yes/no/on/off too),
    /// numbers (1.1's binary, octal, sexagesimal and underscores too), timestamps, and 1.1's merge (&lt;&lt;) and value (=) keys.
    /// </summary>
    [GeneratedRegex(@"^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|<<|=|[-+]?(\.?[0-9][0-9_.:eE+-]*|\.inf|\.Inf|\.INF|\.nan|\.NaN|\.NAN|0x[0-9a-fA-F_]+|0o[0-7]+|0b[01_]+)|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt \t].*)?)$")]
    private static partial Regex NotAString();
}
