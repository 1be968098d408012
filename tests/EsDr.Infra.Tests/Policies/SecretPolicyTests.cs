using System.Text.Json;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Schemas;
using EsDr.Infra.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Tests.Policies;

/// <summary>
/// A policy over every emitted program: no secret reaches Pulumi unwrapped. pulumi-yaml registers the stack's
/// own value of a config key ahead of the program's declaration of it, and marks it secret only when it was
/// stored with <c>--secret</c> (pkg/pulumiyaml/run.go <c>registerConfig</c>, pkg/server/server.go
/// <c>ConfigSecretKeys</c>): <c>secret: true</c> in the program's <c>config:</c> is then skipped. So a program
/// secret is read only inside an <c>fn::secret</c>, and every output that carries a secret (a program secret, or
/// a resource output the provider schema marks secret) is wrapped in <c>fn::secret</c>.
/// </summary>
public class SecretPolicyTests
{
    private const string FnSecret = "fn::secret";

    public static TheoryData<string> Stacks() => Repository.StackFileData();

    [Theory]
    [MemberData(nameof(Stacks))]
    public void EveryConfigKeyTheProgramDeclares_IsAProgramSecretDeclaredSecret(string file)
    {
        var program = Program(file);

        Assert.All(Section(program, "config"), entry =>
        {
            Assert.Contains(Text(entry.Key), ProgramSecrets.Keys);
            Assert.Equal("true", Text(((YamlMappingNode)entry.Value)["secret"]));
        });
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void ProgramSecrets_AreReadOnlyInsideFnSecret(string file)
    {
        var violations = UnwrappedSecretConfigReads(Program(file));

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void OutputsCarryingASecret_AreWrappedInFnSecret(string file)
    {
        var violations = UnwrappedSecretOutputs(Program(file));

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void TheStacksExercise_BothProgramSecrets()
    {
        var declared = Repository.StackFiles().SelectMany(f => Section(Program(f), "config")).Select(e => Text(e.Key)).ToHashSet();

        Assert.Equal(ProgramSecrets.Keys.Order(StringComparer.Ordinal), declared.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Checker_FindsAProgramSecretReadOutsideFnSecret()
    {
        var program = Parse("""
            config:
              deployKey: { type: string, secret: true }
            variables:
              ok: { fn::secret: "${deployKey}" }
              alsoOk: { fn::secret: { text: "key=${deployKey}" } }
              plain: "key=${deployKey}"
            resources:
              push:
                type: command:remote:Command
                properties:
                  connection: { host: h, privateKey: "${deployKey}" }
            """);

        var violations = UnwrappedSecretConfigReads(program);

        Assert.Equal(2, violations.Count);
        Assert.Contains(violations, v => v.StartsWith("variables.plain", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("resources.push.properties.connection.privateKey", StringComparison.Ordinal));
    }

    [Fact]
    public void Checker_FindsAnOutputCarryingASecretUnwrapped_DirectlyOrThroughAVariable()
    {
        var program = Parse("""
            config:
              alertWebhookToken: { type: string, secret: true }
            variables:
              token: { fn::secret: "${alertWebhookToken}" }
              header: "Bearer ${token}"
            resources:
              pw: { type: "random:index/randomPassword:RandomPassword", properties: { length: 24 } }
            outputs:
              wrapped: { fn::secret: { password: "${pw.result}", header: "${header}" } }
              password: ${pw.result}
              nested: { auth: "${header}" }
              length: ${pw.length}
            """);

        var violations = UnwrappedSecretOutputs(program);

        Assert.Equal(2, violations.Count);
        Assert.Contains(violations, v => v.StartsWith("outputs.password", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("outputs.nested.auth", StringComparison.Ordinal));
    }

    private static YamlMappingNode Program(string file)
    {
        var stack = Repository.Load(file);
        return Parse(StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, Repository.WithSecretSentinels(stack))).Yaml);
    }

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static IEnumerable<KeyValuePair<YamlNode, YamlNode>> Section(YamlMappingNode program, string name) =>
        program.Children.TryGetValue(new YamlScalarNode(name), out var section) && section is YamlMappingNode map ? map.Children : [];

    private static string Text(YamlNode node) => ((YamlScalarNode)node).Value ?? "";

    private static HashSet<string> SecretConfigKeys(YamlMappingNode program) =>
        Section(program, "config").Where(e => e.Value is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode("secret"), out var s) && Text(s) == "true")
            .Select(e => Text(e.Key)).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every read of a secret config key outside an <c>fn::secret</c>.</summary>
    private static List<string> UnwrappedSecretConfigReads(YamlMappingNode program)
    {
        var secrets = SecretConfigKeys(program);
        var violations = new List<string>();
        foreach (var section in new[] { "variables", "resources", "outputs" })
            foreach (var (key, value) in Section(program, section))
                WalkOutsideFnSecret(value, $"{section}.{Text(key)}", (path, text) =>
                {
                    if (InterpolatedString.Parse(text).Interpolations.Any(i => secrets.Contains(i.RootName)))
                        violations.Add($"{path}: reads a program secret outside fn::secret: {text}");
                });
        return violations;
    }

    /// <summary>Every output value that carries a secret, directly or through variables, outside an <c>fn::secret</c>.</summary>
    private static List<string> UnwrappedSecretOutputs(YamlMappingNode program)
    {
        var secretOutputs = SecretResourceOutputs(program);
        var carriers = SecretConfigKeys(program);
        bool Carries(string text) => InterpolatedString.Parse(text).Interpolations.Any(i =>
            carriers.Contains(i.RootName) || (i.Path.Count > 1 && secretOutputs.Contains($"{i.RootName}.{i.Path[1].Name}")));

        // A variable carries a secret when anything in it does; repeat until no new carrier turns up.
        var variables = Section(program, "variables").ToList();
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (key, value) in variables.Where(v => !carriers.Contains(Text(v.Key))))
                if (Strings(value).Any(Carries)) grew = carriers.Add(Text(key));
        }

        var violations = new List<string>();
        foreach (var (key, value) in Section(program, "outputs"))
            WalkOutsideFnSecret(value, $"outputs.{Text(key)}", (path, text) =>
            {
                if (Carries(text)) violations.Add($"{path}: carries a secret outside fn::secret: {text}");
            });
        return violations;
    }

    /// <summary><c>resource.output</c> for every output of a declared resource that its provider schema marks secret.</summary>
    private static HashSet<string> SecretResourceOutputs(YamlMappingNode program)
    {
        var secretByType = SchemaSecretOutputs.Value;
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, body) in Section(program, "resources"))
            if (body is YamlMappingNode resource && resource.Children.TryGetValue(new YamlScalarNode("type"), out var type)
                && secretByType.TryGetValue(Text(type), out var outputs))
                foreach (var output in outputs) found.Add($"{Text(name)}.{output}");
        return found;
    }

    /// <summary>Resource type → its outputs marked <c>"secret": true</c> in the embedded provider schemas.</summary>
    private static readonly Lazy<Dictionary<string, List<string>>> SchemaSecretOutputs = new(() =>
    {
        var assembly = typeof(ProviderSchemas).Assembly;
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("schemas/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var schema = JsonDocument.Parse(stream);
            if (!schema.RootElement.TryGetProperty("resources", out var resources)) continue;
            foreach (var resource in resources.EnumerateObject())
                if (resource.Value.TryGetProperty("properties", out var properties))
                    result[resource.Name] = properties.EnumerateObject()
                        .Where(p => p.Value.TryGetProperty("secret", out var s) && s.ValueKind == JsonValueKind.True)
                        .Select(p => p.Name).ToList();
        }
        return result;
    });

    private static IEnumerable<string> Strings(YamlNode node) => node switch
    {
        YamlScalarNode s => [s.Value ?? ""],
        YamlSequenceNode seq => seq.Children.SelectMany(Strings),
        YamlMappingNode map => map.Children.SelectMany(e => Strings(e.Value)),
        _ => [],
    };

    /// <summary>Visits every string with its path, except those anywhere under an <c>fn::secret</c>.</summary>
    private static void WalkOutsideFnSecret(YamlNode node, string path, Action<string, string> visit)
    {
        switch (node)
        {
            case YamlScalarNode s:
                visit(path, s.Value ?? "");
                break;
            case YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++) WalkOutsideFnSecret(seq.Children[i], $"{path}[{i}]", visit);
                break;
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children.Where(e => Text(e.Key) != FnSecret)) WalkOutsideFnSecret(v, $"{path}.{Text(k)}", visit);
                break;
        }
    }
}
