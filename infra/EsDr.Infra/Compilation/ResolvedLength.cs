using System.Globalization;
using System.Text;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Schemas;

namespace EsDr.Infra.Compilation;

/// <summary>A program value the compiler cannot bound: a new kind of value in user-data needs a bound before it ships.</summary>
internal sealed class UnboundedValueException(string value, string reason) : Exception($"{value}: {reason}");

/// <summary>
/// An upper bound on the UTF-8 bytes a program value becomes once Pulumi resolves it at deploy time. Literal text
/// counts as Pulumi leaves it (<c>$$</c> as <c>$</c>); each <c>${…}</c> counts as a bound on what it names: a
/// variable by its value, secret config by its declared maximum (<see cref="ProgramSecrets.MaxBytes"/>), a resource
/// output by <see cref="OutputLengths"/>, which derives it from the resource's own properties (a password's
/// <c>length</c>, a certificate's keys and names), so the bound follows the program when the program changes.
/// </summary>
internal sealed class ResolvedLength
{
    private readonly PulumiProgram program;
    private readonly Dictionary<string, ProgramResource> resources;
    private readonly Dictionary<string, long> variables = new(StringComparer.Ordinal);
    private readonly HashSet<string> resolving = new(StringComparer.Ordinal);

    public ResolvedLength(PulumiProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        this.program = program;
        resources = program.Resources.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    /// <summary>The length of base64 text for <paramref name="bytes"/> bytes (padded, no line breaks), as <c>fn::toBase64</c> writes it.</summary>
    public static long Base64(long bytes) => (bytes + 2) / 3 * 4;

    /// <exception cref="UnboundedValueException">Part of the value has no known bound.</exception>
    public long Of(object value) => value switch
    {
        string text => OfText(text),
        PMap { Count: 1 } f when f.ContainsKey("fn::toBase64") => Base64(Of(f["fn::toBase64"])),
        PMap { Count: 1 } f when f.ContainsKey("fn::secret") => Of(f["fn::secret"]),
        _ => throw new UnboundedValueException(value.ToString() ?? "", "only text, fn::toBase64 and fn::secret are bounded"),
    };

    /// <summary>The resource a value names whole, as <c>${resource.output}</c>: how certificates name their keys.</summary>
    internal ProgramResource Referenced(object value, string output)
    {
        var parsed = value is string text ? InterpolatedString.Parse(text) : null;
        if (parsed is { IsSingleExpression: true, Interpolations: [{ Path: [{ Name: { } root }, { Name: { } name }] }] }
            && name == output && resources.TryGetValue(root, out var resource))
            return resource;
        throw new UnboundedValueException(value.ToString() ?? "", $"expected a reference to a resource's {output}");
    }

    private long OfText(string text)
    {
        var parsed = InterpolatedString.Parse(text);
        if (parsed.SyntaxError is { } error) throw new UnboundedValueException(text, error);
        return parsed.LiteralUtf8Length + parsed.Interpolations.Sum(OfReference);
    }

    private long OfReference(Interpolation reference)
    {
        var root = reference.RootName;
        var output = OutputName(reference.Path.Skip(1));
        if (program.Variables.ContainsKey(root) && output.Length == 0) return Variable(root);
        if (program.Config.ContainsKey(root) && output.Length == 0)
            return ProgramSecrets.MaxBytes(root) ?? throw new UnboundedValueException(reference.Source, "config with no maximum length");
        if (resources.TryGetValue(root, out var resource))
            return OutputLengths.Of(resource, output, this) ?? throw new UnboundedValueException(reference.Source, $"no known bound for {resource.Type}'s {output}");
        throw new UnboundedValueException(reference.Source, "names nothing the program declares");
    }

    private long Variable(string name)
    {
        if (variables.TryGetValue(name, out var known)) return known;
        if (!resolving.Add(name)) throw new UnboundedValueException($"${{{name}}}", "refers to itself");
        var length = Of(program.Variables[name]);
        resolving.Remove(name);
        variables[name] = length;
        return length;
    }

    /// <summary>The output path as the bounds name it: <c>ipAddress</c>, <c>externalInformations[0].ips[0].ip</c>.</summary>
    private static string OutputName(IEnumerable<PropertyAccessor> path)
    {
        var name = new StringBuilder();
        foreach (var step in path)
        {
            if (step.Name is { } property) name.Append(name.Length == 0 ? "" : ".").Append(property);
            else name.Append('[').Append(step.Index!.Value.ToString(CultureInfo.InvariantCulture)).Append(']');
        }
        return name.ToString();
    }
}
