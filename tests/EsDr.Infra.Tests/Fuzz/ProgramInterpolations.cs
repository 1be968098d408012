using System.Text.RegularExpressions;
using EsDr.Infra.Compilation;
using EsDr.Infra.Schemas;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Tests.Fuzz;

/// <summary>
/// A simple no-interpolation check: config cannot introduce a reference. Every <c>${…}</c> of a compiled program,
/// reduced to its shape (region keys as <c>R</c>, zones as <c>Z</c>, hashes as <c>H</c>, numbers as <c>N</c>, generations and quoted keys
/// dropped, so a renamed region or a fourth node keeps the shape), must be a shape the compiler itself writes for the
/// example stacks; an interpolation smuggled in through a config string (<c>${fra-es-1.rootPass}</c>) is not.
/// </summary>
internal static partial class ProgramInterpolations
{
    public static HashSet<string> Shapes(StackCompilation compiled)
    {
        var names = new List<(string Name, string Placeholder)>();
        names.AddRange(compiled.Topology.Regions.Select(r => (r.Key, "R")));
        names.AddRange(compiled.Config.Regions.SelectMany(r => r.Zones).Select(z => (z, "Z")));
        var segment = names.Count == 0 ? null : new Regex(
            @"(?<=[{\-.])(" + string.Join("|", names.Select(n => n.Name).Distinct().OrderByDescending(n => n.Length).Select(Regex.Escape)) + @")(?=[\-.}\[])",
            RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));
        var placeholders = names.GroupBy(n => n.Name).ToDictionary(g => g.Key, g => g.First().Placeholder, StringComparer.Ordinal);
        var stream = new YamlStream();
        stream.Load(new StringReader(compiled.Yaml));
        var shapes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var scalar in stream.Documents[0].AllNodes.OfType<YamlScalarNode>())
            foreach (var interpolation in InterpolatedString.Parse(scalar.Value ?? "").Interpolations)
                shapes.Add(Shape(interpolation.Source, segment, placeholders));
        return shapes;
    }

    /// <summary>The shapes of <paramref name="compiled"/> that none of <paramref name="known"/> has.</summary>
    public static IReadOnlyList<string> Unknown(StackCompilation compiled, IReadOnlySet<string> known) =>
        Shapes(compiled).Where(s => !known.Contains(s)).Order(StringComparer.Ordinal).ToList();

    /// <summary>Region keys and zones (names config chooses) as placeholders wherever they are a whole segment of a name.</summary>
    private static string Shape(string source, Regex? names, Dictionary<string, string> placeholders)
    {
        var shape = names is null ? source : names.Replace(source, m => placeholders[m.Value]);
        shape = Generation().Replace(shape, "");
        shape = Hash().Replace(shape, "H");
        shape = QuotedKey().Replace(shape, "[\"K\"]");
        return Number().Replace(shape, "N");
    }

    /// <summary>A hash in a name (DigitalOcean's SSH key resources are named after the key's).</summary>
    [GeneratedRegex(@"(?<=-)[0-9a-f]{6,}(?=[.}\-])")]
    private static partial Regex Hash();

    [GeneratedRegex(@"-gen\d+")]
    private static partial Regex Generation();

    [GeneratedRegex("\\[\"[^\"]*\"\\]")]
    private static partial Regex QuotedKey();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Number();
}
