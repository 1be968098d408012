using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Schemas;
using EsDr.Infra.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Tests.Policies;

/// <summary>
/// Every string that comes from config is data, never an expression. A stack setting every key the parser knows
/// (<c>every-key.yaml</c>, checked against the parser's own lists of keys) has each of its values and each of its
/// keys in turn made hostile: followed by references to the webhook token and the CA's private key, one of them in
/// the <c>$${…}</c> form that escaping only <c>${</c> would turn into a reference. Each such config is either refused,
/// naming that key, or compiles to a valid program with exactly the baseline's references (<see cref="NoInterpolationPolicy"/>),
/// the value arriving as the text written, and nothing opened (<see cref="ExposurePolicy"/>).
/// </summary>
public partial class ConfigTextIsDataTests
{
    private const string Hostile = " ${alertWebhookToken} $${es-ca-key.privateKeyPem} ${deployKey-secret}";
    private const string Stack = "every-key";

    private static readonly Lazy<IReadOnlyDictionary<string, string>> Fixture = new(() =>
        StackFile.Load(Path.Combine(Repository.Root, "tests", "EsDr.Infra.Tests", "Policies", "every-key.yaml"), TestConfig.Project).Config);

    private static readonly Lazy<StackCompilation> Baseline = new(() => Compile(Fixture.Value));

    private static readonly Lazy<Dictionary<string, Mutation>> All = new(() => Mutations(Fixture.Value).ToDictionary(m => m.Name, StringComparer.Ordinal));

    /// <summary>One hostile change: which key, the path an error about it carries, and the config it makes.</summary>
    private sealed record Mutation(string Name, string ErrorPath, bool ReachesTheProgram, Func<Dictionary<string, string>> Apply);

    public static TheoryData<string> MutationNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in All.Value.Keys) data.Add(name);
        return data;
    }

    [Fact]
    public void TheFixture_SetsEveryKeyTheParserKnows()
    {
        var missing = new List<string>();
        foreach (var (path, present) in ObjectsByShape(Fixture.Value))
            missing.AddRange(KnownKeys(path).Except(present, StringComparer.Ordinal).Select(k => $"{path}.{k}"));

        Assert.True(missing.Count == 0, "every-key.yaml does not set: " + string.Join(", ", missing));
    }

    [Fact]
    public void TheFixture_CompilesToAValidProgram_ThatPassesTheExposurePolicy()
    {
        Assert.Empty(Baseline.Value.Problems);
        Assert.Empty(ExposurePolicy.Violations(Baseline.Value.Yaml));
        Assert.True(All.Value.Count > 150, $"only {All.Value.Count} mutations");
    }

    [Theory]
    [MemberData(nameof(MutationNames))]
    public void HostileText_AtAnyKey_IsRefusedNamingTheKey_OrCompiledAsData(string name)
    {
        var mutation = All.Value[name];
        StackCompilation compiled;
        try
        {
            compiled = Compile(mutation.Apply());
        }
        catch (InvalidConfigException refused)
        {
            // The key itself, or a value under it (a renamed key's content is checked as what it now is).
            Assert.Contains(refused.Errors, e => e.Path == mutation.ErrorPath
                || e.Path.StartsWith(mutation.ErrorPath + ".", StringComparison.Ordinal)
                || e.Path.StartsWith(mutation.ErrorPath + "[", StringComparison.Ordinal));
            return;
        }

        Assert.Empty(compiled.Problems);
        Assert.Empty(NoInterpolationPolicy.Violations(compiled.Yaml, Baseline.Value.Yaml));
        Assert.Empty(ExposurePolicy.Violations(compiled.Yaml));
        if (mutation.ReachesTheProgram) Assert.Contains(Hostile, TextAsPulumiReadsIt(compiled.Yaml), StringComparison.Ordinal);
    }

    [Fact]
    public void NoInterpolationPolicy_FindsAReferenceAddedByConfig()
    {
        // What the compiler emitted for a hostile tag before tags were escaped.
        var smuggled = Baseline.Value.Yaml.Replace("- env:every\n", "- env:${alertWebhookToken}\n", StringComparison.Ordinal);

        var violations = NoInterpolationPolicy.Violations(smuggled, Baseline.Value.Yaml);

        Assert.NotEqual(Baseline.Value.Yaml, smuggled);
        Assert.Contains(violations, v => v.StartsWith("reference to config alertWebhookToken:", StringComparison.Ordinal));
    }

    [Fact]
    public void NoInterpolationPolicy_FindsAFunctionCallAddedByConfig()
    {
        var smuggled = Baseline.Value.Yaml.Replace("        env: every\n", "        fn::readFile: /etc/passwd\n", StringComparison.Ordinal);

        Assert.NotEqual(Baseline.Value.Yaml, smuggled);
        Assert.Contains(NoInterpolationPolicy.Violations(smuggled, Baseline.Value.Yaml), v => v.StartsWith("function fn::readfile:", StringComparison.Ordinal));
    }

    [Fact]
    public void DefangedConfig_IsTheBaselineOfAHostileOne()
    {
        var hostile = All.Value["es-dr:tags.env"].Apply();

        var violations = NoInterpolationPolicy.Violations(Compile(hostile).Yaml, Compile(NoInterpolationPolicy.Defanged(hostile)).Yaml);

        Assert.Empty(violations);
    }

    [Fact]
    public void CompilerRun_OnAHostileName_ExitsOneNamingTheKey_AndPrintsNothing()
    {
        var config = All.Value["es-dr:regions[0].database.size"].Apply();

        var result = PulumiLikeRunner.RunForStack(Stack, config);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("es-dr:regions[0].database.size: must be a name such as", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public void CompilerRun_OnAHostileTag_PrintsTheTagEscaped()
    {
        var config = All.Value["es-dr:tags.env"].Apply();

        var result = PulumiLikeRunner.RunForStack(Stack, config);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("every $${alertWebhookToken} $$$${es-ca-key.privateKeyPem} $${deployKey-secret}", result.Stdout, StringComparison.Ordinal);
    }

    private static StackCompilation Compile(IReadOnlyDictionary<string, string> config) =>
        StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, Stack, config));

    /// <summary>
    /// Every value and key of the config, as a hostile mutation. Keys and values are walked from the config itself,
    /// so a key added to the parser is covered once the fixture sets it (which the test above demands).
    /// </summary>
    private static IEnumerable<Mutation> Mutations(IReadOnlyDictionary<string, string> flat)
    {
        foreach (var (key, raw) in flat)
        {
            var rename = key + Hostile;
            yield return new($"{key} (key)", rename, false, () => Renamed(flat, key, rename));
            if (Structured(raw) is not { } json)
            {
                yield return new(key, key, Reaches(key), () => new Dictionary<string, string>(flat) { [key] = raw + Hostile });
                continue;
            }
            foreach (var mutation in Walk(flat, key, json, [], key)) yield return mutation;
        }
    }

    private static IEnumerable<Mutation> Walk(IReadOnlyDictionary<string, string> flat, string key, JsonNode node, List<object> steps, string path)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o)
                {
                    var renamed = name + Hostile;
                    List<object> at = [.. steps];
                    yield return new($"{path}.{name} (key)", $"{path}.{renamed}", Reaches(path),
                        () => Edited(flat, key, root => RenameKey(Navigate(root, at), name, renamed)));
                    if (child is not null) foreach (var m in Walk(flat, key, child, [.. steps, name], $"{path}.{name}")) yield return m;
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    if (a[i] is { } item) foreach (var m in Walk(flat, key, item, [.. steps, i], $"{path}[{i}]")) yield return m;
                break;
            case JsonValue v:
                List<object> to = [.. steps];
                var text = v.ToString();
                yield return new(path, path, Reaches(path), () => Edited(flat, key, root => Set(root, to, JsonValue.Create(text + Hostile))));
                break;
        }
    }

    /// <summary>The recovery program's settings and the program secrets are read, but never written into the program.</summary>
    private static bool Reaches(string path) =>
        !path.StartsWith("es-dr:recovery", StringComparison.Ordinal) && !ProgramSecrets.Keys.Any(k => path == $"es-dr:{k}");

    private static JsonNode? Structured(string raw)
    {
        var trimmed = raw.TrimStart();
        return trimmed.StartsWith('{') || trimmed.StartsWith('[') ? JsonNode.Parse(raw) : null;
    }

    private static Dictionary<string, string> Renamed(IReadOnlyDictionary<string, string> flat, string key, string renamed)
    {
        var config = new Dictionary<string, string>(flat);
        config.Remove(key);
        config[renamed] = flat[key];
        return config;
    }

    private static Dictionary<string, string> Edited(IReadOnlyDictionary<string, string> flat, string key, Action<JsonNode> edit)
    {
        var root = JsonNode.Parse(flat[key])!;
        edit(root);
        return new Dictionary<string, string>(flat) { [key] = root.ToJsonString() };
    }

    private static JsonNode Navigate(JsonNode root, List<object> steps) =>
        steps.Aggregate(root, (node, step) => step is int i ? node[i]! : node[(string)step]!);

    private static void Set(JsonNode root, List<object> steps, JsonNode value)
    {
        var parent = Navigate(root, steps[..^1]);
        if (steps[^1] is int i) parent[i] = value;
        else parent[(string)steps[^1]] = value;
    }

    private static void RenameKey(JsonNode node, string name, string renamed)
    {
        var o = node.AsObject();
        var entries = o.Select(kv => KeyValuePair.Create(kv.Key == name ? renamed : kv.Key, kv.Value?.DeepClone())).ToList();
        o.Clear();
        foreach (var (k, v) in entries) o[k] = v;
    }

    /// <summary>
    /// Each object of the config by its shape's path (list indexes dropped: every region is one shape), with the keys
    /// set anywhere in that shape. Maps keyed by the user (tags, node generations, the user's cloud-config) are left out.
    /// </summary>
    private static Dictionary<string, HashSet<string>> ObjectsByShape(IReadOnlyDictionary<string, string> flat)
    {
        var shapes = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal) { ["es-dr:"] = [.. flat.Keys.Select(k => k["es-dr:".Length..])] };
        void Visit(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject o when !UserKeyed().IsMatch(path):
                    if (!shapes.TryGetValue(path, out var keys)) shapes[path] = keys = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var (k, v) in o)
                    {
                        keys.Add(k);
                        Visit(v, $"{path}.{k}");
                    }
                    break;
                case JsonArray a:
                    foreach (var item in a) Visit(item, path + "[]");
                    break;
            }
        }
        foreach (var (key, raw) in flat) Visit(Structured(raw), key);
        return shapes;
    }

    /// <summary>
    /// The keys the parser accepts for an object of this shape, from its own "unknown key (expected one of: …)" error
    /// for a key nobody would set.
    /// </summary>
    private static string[] KnownKeys(string shape)
    {
        const string probe = "zz-probe";
        var config = Fixture.Value.ToDictionary(kv => kv.Key, kv => kv.Value);
        if (shape == "es-dr:")
            config[$"es-dr:{probe}"] = "x";
        else
        {
            var flatKey = shape.Split('.')[0].Replace("[]", "", StringComparison.Ordinal);
            var root = JsonNode.Parse(config[flatKey])!;
            foreach (var target in Objects(root, shape[flatKey.Length..])) target[probe] = "x";
            config[flatKey] = root.ToJsonString();
        }
        var errors = Assert.Throws<InvalidConfigException>(() => StackConfigParser.Parse(TestConfig.Project, Stack, config)).Errors;
        var unknown = errors.First(e => e.Path.EndsWith(probe, StringComparison.Ordinal)).Message;
        var list = ExpectedKeys().Match(unknown);
        Assert.True(list.Success, unknown);
        return list.Groups[1].Value.Split(", ");
    }

    /// <summary>The objects at a shape path (".elasticsearch", "[].loadBalancer") below a config value.</summary>
    private static IEnumerable<JsonObject> Objects(JsonNode node, string rest)
    {
        if (rest.Length == 0)
        {
            if (node is JsonObject o) yield return o;
            yield break;
        }
        if (rest.StartsWith("[]", StringComparison.Ordinal))
        {
            foreach (var item in node.AsArray().OfType<JsonNode>()) foreach (var o in Objects(item, rest[2..])) yield return o;
            yield break;
        }
        var name = rest[1..].Split('.', '[')[0];
        if (node[name] is { } child) foreach (var o in Objects(child, rest[(1 + name.Length)..])) yield return o;
    }

    /// <summary>Every string of the program read as Pulumi reads it: <c>$$</c> as <c>$</c>, references left out.</summary>
    private static string TextAsPulumiReadsIt(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var text = new System.Text.StringBuilder();
        void Visit(YamlNode node)
        {
            switch (node)
            {
                case YamlScalarNode { Value: { } s }:
                    text.Append(InterpolatedString.Parse(s).LiteralText).Append('\n');
                    // Files a cloud-config carries compressed: Pulumi passes them through, cloud-init writes them out.
                    foreach (var (_, content) in ExposurePolicy.EncodedFiles(s)) text.Append(content).Append('\n');
                    break;
                case YamlMappingNode m: foreach (var (k, v) in m.Children) { Visit(k); Visit(v); } break;
                case YamlSequenceNode l: foreach (var i in l.Children) Visit(i); break;
            }
        }
        Visit(stream.Documents[0].RootNode);
        return text.ToString();
    }

    [GeneratedRegex(@"^es-dr:(tags|application\.cloudConfig|regions\[\]\.elasticsearch\.nodeGenerations)")]
    private static partial Regex UserKeyed();

    [GeneratedRegex(@"unknown key \(expected one of: (.*)\)$")]
    private static partial Regex ExpectedKeys();
}
