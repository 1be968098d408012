using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using EsDr.Infra.YamlText;
using YamlDotNet.Core;

namespace EsDr.Infra.Program;

/// <summary>
/// Serialises a <see cref="PulumiProgram"/> to YAML once, deterministically: sections in a fixed order,
/// maps in insertion order, multi-line text as literal blocks so rendered files stay readable in diffs,
/// and strings that YAML would read as another type quoted. Written straight to text as YamlDotNet's emitter would
/// write it (<see cref="BlockYamlWriter"/>; the emitter itself writes what that declines).
/// </summary>
public static partial class ProgramYamlWriter
{
    public static string Write(PulumiProgram program) => WriteDirect(program) ?? WriteThroughEmitter(program);

    /// <summary>The program written by YamlDotNet's emitter: what <see cref="Write"/> must equal byte for byte.</summary>
    internal static string WriteThroughEmitter(PulumiProgram program)
    {
        using var emitter = new EmitterTarget(new EmitterSettings(2, int.MaxValue, false, 1024, false, false));
        Write(emitter, program);
        return emitter.Finish();
    }

    /// <summary>
    /// The program written straight to text (<see cref="BlockYamlWriter"/>), as the emitter writes it in a fraction of
    /// the time; null when it holds something that writer leaves to the emitter.
    /// </summary>
    internal static string? WriteDirect(PulumiProgram program)
    {
        var writer = new BlockYamlWriter(indentSequences: false, capacity: 64 * 1024);
        Write(writer, program);
        return writer.Declined ? null : writer.Finish();
    }

    private static void Write(IBlockYamlTarget target, PulumiProgram program)
    {
        target.MappingStart();
        Entry(target, "name", program.Name);
        Entry(target, "runtime", "yaml");
        Section(target, "config", program.Config);
        Section(target, "variables", program.Variables);
        if (program.Resources.Count > 0)
        {
            Key(target, "resources");
            target.MappingStart();
            foreach (var r in program.Resources)
            {
                Key(target, r.Name);
                Value(target, ResourceBody(r));
            }
            target.MappingEnd();
        }
        Section(target, "outputs", program.Outputs);
        target.MappingEnd();
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

    private static void Section(IBlockYamlTarget target, string name, PMap map)
    {
        if (map.Count == 0) return;
        Key(target, name);
        Value(target, map);
    }

    private static void Entry(IBlockYamlTarget target, string key, string value)
    {
        Key(target, key);
        Value(target, value);
    }

    private static void Value(IBlockYamlTarget target, object? value)
    {
        switch (value)
        {
            case null:
                target.Scalar("null", ScalarStyle.Plain);
                break;
            case string s:
                target.Scalar(s, StyleOf(s));
                break;
            case bool b:
                target.Scalar(b ? "true" : "false", ScalarStyle.Plain);
                break;
            case int or long or double:
                target.Scalar(Convert.ToString(value, CultureInfo.InvariantCulture)!, ScalarStyle.Plain);
                break;
            case PMap { Count: 0 }:
                target.EmptyMapping();
                break;
            case PMap map:
                target.MappingStart();
                foreach (var (k, v) in map)
                {
                    Key(target, k);
                    Value(target, v);
                }
                target.MappingEnd();
                break;
            case System.Collections.IEnumerable list:
                var items = list.Cast<object?>().ToList();
                if (items.Count == 0)
                {
                    target.EmptySequence();
                    break;
                }
                target.SequenceStart();
                foreach (var item in items)
                {
                    target.Item();
                    Value(target, item);
                }
                target.SequenceEnd();
                break;
            default:
                throw new InvalidOperationException($"cannot write a {value.GetType().Name} into a program");
        }
    }

    private static void Key(IBlockYamlTarget target, string key) => target.Key(key, StyleOf(key));

    /// <summary>
    /// A literal block for multi-line text a literal block keeps as it is, double quotes where a plain scalar would be
    /// read as another type or could not hold the text, else whatever the emitter finds plain enough. Refuses what no
    /// reader takes.
    /// </summary>
    private static ScalarStyle StyleOf(string s)
    {
        if (HasLoneSurrogate(s)) throw new InvalidOperationException($"a program string holds a lone surrogate, which no YAML reader takes: '{Escaped(s)}'");
        return s.Contains('\n', StringComparison.Ordinal) && LiteralSafe(s) ? ScalarStyle.Literal
            : NeedsQuotes(s) ? ScalarStyle.DoubleQuoted
            : ScalarStyle.Any;
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
        // Most text has no surrogate at all: one vectorised search instead of a look at every character.
        if (!s.AsSpan().ContainsAnyInRange('\ud800', '\udfff')) return false;
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
