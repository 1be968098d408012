using System.Globalization;
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
    public static string Write(PulumiProgram program)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(text, new EmitterSettings(2, int.MaxValue, false, 1024, false, false));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        emitter.Emit(new MappingStart());
        Scalar(emitter, "name");
        Scalar(emitter, program.Name);
        Scalar(emitter, "runtime");
        Scalar(emitter, "yaml");
        Section(emitter, "config", program.Config);
        Section(emitter, "variables", program.Variables);
        if (program.Resources.Count > 0)
        {
            Scalar(emitter, "resources");
            emitter.Emit(new MappingStart());
            foreach (var r in program.Resources)
            {
                Scalar(emitter, r.Name);
                Value(emitter, ResourceBody(r));
            }
            emitter.Emit(new MappingEnd());
        }
        Section(emitter, "outputs", program.Outputs);
        emitter.Emit(new MappingEnd());
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

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

    private static void Section(IEmitter emitter, string name, PMap map)
    {
        if (map.Count == 0) return;
        Scalar(emitter, name);
        Value(emitter, map);
    }

    private static void Value(IEmitter emitter, object? value)
    {
        switch (value)
        {
            case null:
                emitter.Emit(new YamlDotNet.Core.Events.Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case string s:
                Scalar(emitter, s);
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
                    Scalar(emitter, k);
                    Value(emitter, v);
                }
                emitter.Emit(new MappingEnd());
                break;
            case System.Collections.IEnumerable list:
                emitter.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
                foreach (var item in list) Value(emitter, item);
                emitter.Emit(new SequenceEnd());
                break;
            default:
                throw new InvalidOperationException($"cannot write a {value.GetType().Name} into a program");
        }
    }

    private static void Scalar(IEmitter emitter, string s)
    {
        if (HasLoneSurrogate(s)) throw new InvalidOperationException($"a program string holds a lone surrogate, which no YAML reader takes: '{Escaped(s)}'");
        var style = s.Contains('\n', StringComparison.Ordinal) && LiteralSafe(s) ? ScalarStyle.Literal
            : NeedsQuotes(s) ? ScalarStyle.DoubleQuoted
            : ScalarStyle.Any;
        emitter.Emit(new YamlDotNet.Core.Events.Scalar(null, null, s, style, true, style != ScalarStyle.Literal));
    }

    /// <summary>
    /// Plain only for printable ASCII that no YAML 1.1 or 1.2 reader resolves to another type (the emitter then
    /// quotes indicators such as <c>*x</c>, <c>- x</c> or <c>a: b</c> itself); anything else is double-quoted, where
    /// every other character is escaped.
    /// </summary>
    private static bool NeedsQuotes(string s) => s.Length == 0 || s.Any(c => c is < ' ' or > '~') || NotAString().IsMatch(s);

    /// <summary>A literal block keeps every character but line breaks as written: only tabs, newlines and printable text.</summary>
    private static bool LiteralSafe(string s) =>
        !HasTrailingSpace().IsMatch(s) && s.All(c => c is '\t' or '\n' || (c >= ' ' && c != '\u007f' && c is < '\u0080' or > '\u009f' && c is not ('\u2028' or '\u2029' or '\ufeff' or '\ufffe' or '\uffff')));

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

    [GeneratedRegex(@"[ \t]\n|[ \t]$|^\s")]
    private static partial Regex HasTrailingSpace();
}
