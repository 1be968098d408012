using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Tests.Policies;
using EsDr.Infra.Tests.Support;
using Xunit.Abstractions;

namespace EsDr.Infra.Tests.Fuzz;

/// <summary>
/// The compiler on mutated example stacks: every mutation either compiles to a program that passes the exposure and
/// no-interpolation policies, or is refused with <see cref="InvalidConfigException"/> errors each naming a key path
/// under <c>es-dr:</c> (through the real <c>bin/es-dr program</c>: exit 1, the key paths on stderr, nothing on
/// stdout). Any other exception is a crash. Seeded and bounded: <c>ESDR_FUZZ_SEED</c> and <c>ESDR_FUZZ_CASES</c>
/// explore further; a failure prints the seed, the case and its mutations, so it replays exactly.
/// </summary>
public sealed partial class ConfigFuzzTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20_250_909;
    private const int DefaultCases = 300;

    /// <summary>Every this many cases also runs through the real process, as Pulumi starts it.</summary>
    private const int ProcessEvery = 50;

    private static readonly Lazy<Corpus> Stacks = new(Corpus.Load);

    [Fact]
    public void MutatedStacks_CompileWithinThePolicies_OrAreRefusedAtKeyPaths()
    {
        var seed = FromEnvironment("ESDR_FUZZ_SEED", DefaultSeed);
        var cases = FromEnvironment("ESDR_FUZZ_CASES", DefaultCases);
        var random = new Random(seed);
        var mutator = new ConfigMutator(random, Stacks.Value.Configs);
        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < cases && failures.Count < 5; i++)
        {
            var file = Stacks.Value.Files[random.Next(Stacks.Value.Files.Count)];
            var (config, mutations) = mutator.Mutate(Stacks.Value.Config(file));
            var outcome = Check(Stacks.Value.Stack(file), config);
            if (outcome.Failure is null && i % ProcessEvery == 0) outcome = outcome with { Failure = CheckProcess(Stacks.Value.Stack(file), config, outcome) };
            outcomes[outcome.Kind] = outcomes.GetValueOrDefault(outcome.Kind) + 1;
            if (outcome.Failure is { } failure)
                failures.Add($"seed {seed}, case {i}, {file}: {string.Join("; ", mutations)}\n  {failure}");
        }
        output.WriteLine($"seed {seed} (ESDR_FUZZ_SEED), {cases} cases (ESDR_FUZZ_CASES) in {clock.Elapsed.TotalSeconds:F1} s: "
            + string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Value} {o.Key}")));

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(outcomes.GetValueOrDefault("compiled") > 0 && outcomes.GetValueOrDefault("refused") > 0, "the mutations should both compile and be refused");
    }

    /// <summary>
    /// The stack files' text mutated character by character (YAML indicators, quotes, tabs, line breaks, anchors and
    /// aliases inserted, replaced or deleted): each is read, or refused with <see cref="InvalidConfigException"/>, and
    /// what is read goes through the same check as the mutated config.
    /// </summary>
    [Fact]
    public void MutatedStackFileText_IsReadAndChecked_OrRefusedWithWhere()
    {
        var seed = FromEnvironment("ESDR_FUZZ_SEED", DefaultSeed);
        var cases = FromEnvironment("ESDR_FUZZ_CASES", DefaultCases);
        var random = new Random(seed);
        string[] pieces = ["[", "]", "{", "}", ":", ": ", "- ", "? ", "*a", "&a ", "!!str ", "|", ">", "'", "\"", "#", "%", "@", "\t", "\n", "\r", "\u0000",
            " ", "\\", ",", "<<: ", "---\n", "...\n", "\ufeff", "\u2028", "é", "${x}"];
        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < cases && failures.Count < 5; i++)
        {
            var file = Stacks.Value.Files[random.Next(Stacks.Value.Files.Count)];
            var text = File.ReadAllText(Path.Combine(Repository.Root, file));
            var edits = new List<string>();
            for (var n = random.Next(1, 4); n > 0; n--)
            {
                var at = random.Next(text.Length);
                var piece = pieces[random.Next(pieces.Length)];
                var cut = random.Next(3) == 0 ? Math.Min(random.Next(1, 8), text.Length - at) : 0;
                text = text[..at] + piece + text[(at + cut)..];
                edits.Add($"at {at}: {cut} characters replaced by {ConfigText.Escape(piece)}");
            }
            Outcome outcome;
            try
            {
                var stack = StackFile.Parse(text, Stacks.Value.Stack(file), TestConfig.Project, "Pulumi.x.yaml");
                outcome = Check(stack.Stack, stack.Config.ToDictionary(kv => kv.Key, kv => kv.Value));
            }
            catch (InvalidConfigException e) when (e.Errors.Count == 1 && FileError().IsMatch(e.Errors[0].ToString()))
            {
                outcome = new("refused", null);
            }
#pragma warning disable CA1031 // any other exception is the crash this suite looks for
            catch (Exception e)
#pragma warning restore CA1031
            {
                outcome = new("failed", $"crashed: {e}");
            }
            outcomes[outcome.Kind] = outcomes.GetValueOrDefault(outcome.Kind) + 1;
            if (outcome.Failure is { } failure) failures.Add($"seed {seed}, case {i}, {file}: {string.Join("; ", edits)}\n  {failure}");
        }
        output.WriteLine($"seed {seed}, {cases} stack file texts: " + string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Value} {o.Key}")));

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>A stack file's own problem: where in it (file:line:column), or the file when it is too large.</summary>
    [GeneratedRegex(@"^(Pulumi\.x\.yaml(:\d+:\d+)?|es-dr:[^ ]+): ")]
    private static partial Regex FileError();

    public static TheoryData<string> Reproducers()
    {
        var data = new TheoryData<string>();
        foreach (var name in ConfigReproducers.Keys.Order(StringComparer.Ordinal)) data.Add(name);
        return data;
    }

    /// <summary>Issue 9's config-model reproducers, each a named mutation of an example stack, through the same check.</summary>
    private static readonly Dictionary<string, (string File, Func<Dictionary<string, string>, Dictionary<string, string>> Mutate, string Expected)> ConfigReproducers = new()
    {
        ["empty duration (monitoring.alerts.redFor: '')"] =
            ("Pulumi.prod.yaml", c => c.With("monitoring", "alerts.redFor", ""), "refused"),
        ["list key as a scalar (application.cloudConfig.runcmd: echo hi)"] =
            ("Pulumi.dev.yaml", c => c.With("application", "cloudConfig", new JsonObject { ["runcmd"] = "echo hi" }), "refused"),
        ["21 regions with monitoring (exporter ports)"] =
            ("Pulumi.prod.yaml", WithRegions(ConfigRules.MaxRegions + 1), "refused"),
        ["20 regions with monitoring"] =
            ("Pulumi.prod.yaml", WithRegions(ConfigRules.MaxRegions), "any"),
        ["duplicate CIDRs after normalisation (0.0.0.0/0 and 0.0.0.0/+0)"] =
            ("stacks/Pulumi.aws.yaml", c => c.With("application", "clientCidrs", new JsonArray("0.0.0.0/0", "0.0.0.0/+0")), "refused"),
        ["control character in a string"] =
            ("Pulumi.dev.yaml", c => c.With("tags", "env", "d\u0001ev"), "refused"),
        ["escape sequence in a top-level key"] =
            ("Pulumi.dev.yaml", c => new(c) { ["es-dr:\u001b[2J"] = "x" }, "refused"),
        ["lone surrogate in a string"] =
            ("Pulumi.dev.yaml", c => new(c) { ["es-dr:namePrefix"] = "dev\ud800" }, "refused"),
        ["duplicate keys in a structured value"] =
            ("Pulumi.dev.yaml", c => new(c) { ["es-dr:tags"] = """{"env":"dev","env":"prod"}""" }, "refused"),
        ["application.publicPort: 9210 (the HAProxy cluster port)"] =
            ("stacks/Pulumi.ovh-haproxy.yaml", c => c.With("application", "publicPort", 9210), "refused"),
        ["monitoring.size: << (a YAML merge key)"] =
            ("Pulumi.prod.yaml", c => c.With("monitoring", "size", "<<"), "refused"),
    };

    [Theory]
    [MemberData(nameof(Reproducers))]
    public void Reproducer_CompilesWithinThePolicies_OrIsRefusedAtKeyPaths(string name)
    {
        var (file, mutate, expected) = ConfigReproducers[name];
        var config = mutate(Stacks.Value.Config(file));

        var outcome = Check(Stacks.Value.Stack(file), config);

        Assert.True(outcome.Failure is null, outcome.Failure);
        if (expected != "any") Assert.Equal(expected, outcome.Kind);
        var process = CheckProcess(Stacks.Value.Stack(file), config, outcome);
        Assert.True(process is null, process);
    }

    public static TheoryData<string, string> StackFileReproducers() => new()
    {
        { "complex key", "config:\n  es-dr:namePrefix: dev\n  ? [a, b]\n  : c\n" },
        { "recursive alias", "config:\n  es-dr:tags: &a\n    x: *a\n" },
        { "deep nesting", "config:\n  es-dr:tags: " + new string('[', 10_000) + new string(']', 10_000) + "\n" },
        { "billion laughs", "config:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n" + string.Concat(Enumerable.Range(0, 9).Select(i =>
            $"  {(char)('b' + i)}: &{(char)('b' + i)} [{string.Join(", ", Enumerable.Repeat($"*{(char)('a' + i)}", 10))}]\n")) },
        { "control character (escaped in YAML)", "config:\n  es-dr:namePrefix: \"de\\x01v\"\n" },
        { "tab indentation", "config:\n  es-dr:namePrefix: dev\n\tes-dr:activeRegion: fra\n" },
        { "duplicate key", "config:\n  es-dr:namePrefix: dev\n  es-dr:namePrefix: prod\n" },
    };

    /// <summary>Issue 9's stack-file reproducers through <c>es-dr emit</c>: exit 1, where on stderr, nothing on stdout.</summary>
    [Theory]
    [MemberData(nameof(StackFileReproducers))]
    public void StackFileReproducer_IsRefusedWithWhereOnStderrAndNothingOnStdout(string name, string yaml)
    {
        var dir = Directory.CreateTempSubdirectory("esdr-fuzz-");
        try
        {
            var path = Path.Combine(dir.FullName, "Pulumi.x.yaml");
            File.WriteAllText(path, yaml);
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();

            var exit = EsDr.Compiler.Program.Run(["emit", path], stdout, stderr);

            Assert.True(exit == 1, $"{name}: exit {exit}\n{stderr}");
            Assert.Equal("", stdout.ToString());
            Assert.Matches(@"^error: (Pulumi\.x\.yaml:\d+:\d+: |stack 'x' has \d+ config problems?:\n  es-dr:)", stderr.ToString());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private sealed record Outcome(string Kind, string? Failure, string? Yaml = null);

    /// <summary>In process: compile, then either the policies hold or the refusal names key paths; anything else fails.</summary>
    private static Outcome Check(string stack, Dictionary<string, string> config)
    {
        try
        {
            var compiled = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack, config));
            if (compiled.Problems.Count > 0)
                return new("failed", $"compiled to a program that does not match the provider schemas: {string.Join("; ", compiled.Problems.Take(3).Select(p => $"{p.Where}: {p.Message}"))}");
            if (ExposurePolicy.Violations(compiled.Yaml) is { Count: > 0 } exposed)
                return new("failed", $"exposes a protected port beyond the public-address limit: {string.Join("; ", exposed)}");
            if (ProgramInterpolations.Unknown(compiled, Stacks.Value.Shapes) is { Count: > 0 } injected)
                return new("failed", $"holds interpolations the compiler never writes (config introduced a reference): {string.Join(", ", injected)}");
            if (Defanged(stack, config) is { } baseline && NoInterpolationPolicy.Violations(compiled.Yaml, baseline) is { Count: > 0 } smuggled)
                return new("failed", $"config changed what the program refers to or calls: {string.Join("; ", smuggled.Take(3))}");
            return new("compiled", null, compiled.Yaml);
        }
        catch (InvalidConfigException e)
        {
            var unnamed = e.Errors.Where(error => !NamesAKeyPath(error)).ToList();
            return e.Errors.Count == 0 || unnamed.Count > 0
                ? new("failed", $"refused without naming a key path: {string.Join("; ", unnamed)}")
                : new("refused", null);
        }
#pragma warning disable CA1031 // any other exception is the crash this suite looks for
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new("failed", $"crashed: {e}");
        }
    }

    /// <summary>The program of the same config with every <c>$</c> and <c>fn::</c> defanged, or null when that does not compile.</summary>
    private static string? Defanged(string stack, Dictionary<string, string> config)
    {
        try
        {
            return StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack, NoInterpolationPolicy.Defanged(config))).Yaml;
        }
        catch (InvalidConfigException)
        {
            return null;
        }
    }

    /// <summary>A key under es-dr:, or (documented) the VM whose user-data cannot fit its cloud's limit.</summary>
    private static bool NamesAKeyPath(ConfigError error) =>
        error.Path.StartsWith($"{TestConfig.Project}:", StringComparison.Ordinal)
        || (error.Message.StartsWith("user-data can reach", StringComparison.Ordinal) && !error.Path.Contains(' ', StringComparison.Ordinal));

    /// <summary>Through <c>bin/es-dr program</c> as Pulumi runs it: the same outcome, the documented exit code and streams.</summary>
    private static string? CheckProcess(string stack, Dictionary<string, string> config, Outcome inProcess)
    {
        var pulumiConfig = PulumiConfigJson(config);
        if (pulumiConfig.Length > 100_000) return null; // past what one environment variable may hold (128 KiB on Linux)
        var result = PulumiLikeRunner.Run(PulumiLikeRunner.DeployingShell, new Dictionary<string, string>
        {
            ["PULUMI_STACK"] = stack, ["PULUMI_PROJECT"] = TestConfig.Project, ["PULUMI_CONFIG"] = pulumiConfig,
        });
        return inProcess.Kind switch
        {
            "compiled" when result.ExitCode != 0 || result.Stdout != inProcess.Yaml => $"the process did not print the program: exit {result.ExitCode}\n{result.Stderr}",
            "refused" when result.ExitCode != 1 || result.Stdout.Length > 0 => $"the process did not refuse with exit 1 and an empty stdout: exit {result.ExitCode}\n{result.Stderr}",
            "refused" when !result.Stderr.Split('\n').Where(l => l.Length > 0).All(l => StderrLine().IsMatch(l)) || !result.Stderr.Contains("es-dr:", StringComparison.Ordinal)
                => $"the process's stderr does not list the key paths:\n{result.Stderr}",
            _ => null,
        };
    }

    /// <summary>PULUMI_CONFIG as JSON text in ASCII, with every other character escaped (a lone surrogate as its escape, as Go's encoder cannot).</summary>
    private static string PulumiConfigJson(Dictionary<string, string> config)
    {
        var json = new StringBuilder("{");
        foreach (var (key, value) in config.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            json.Append(json.Length > 1 ? "," : "").Append(JsonString(key)).Append(':').Append(JsonString(value));
        return json.Append('}').ToString();
    }

    private static string JsonString(string s)
    {
        var json = new StringBuilder("\"");
        foreach (var c in s)
        {
            if (c is '"' or '\\') json.Append('\\').Append(c);
            else if (c is >= ' ' and <= '~') json.Append(c);
            else json.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }
        return json.Append('"').ToString();
    }

    private static Func<Dictionary<string, string>, Dictionary<string, string>> WithRegions(int count) => config =>
    {
        var regions = (JsonArray)JsonNode.Parse(config["es-dr:regions"])!;
        var template = regions[^1]!;
        for (var i = regions.Count; i < count; i++)
        {
            var region = template.DeepClone();
            region["name"] = $"r{i}";
            region["location"] = $"location-{i}";
            region["network"]!["cidr"] = $"10.{100 + i}.0.0/16";
            regions.Add(region);
        }
        config["es-dr:regions"] = regions.ToJsonString();
        return config;
    };

    /// <summary>What a refusal's stderr may hold: the problem count, then each problem at its key path (or the VM too large).</summary>
    [GeneratedRegex(@"^(error: stack '.*' has \d+ config problems?:|  es-dr:.*|error: es-dr:.*|  [a-z0-9-]+: user-data can reach .*)$")]
    private static partial Regex StderrLine();

    private static int FromEnvironment(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    /// <summary>The example stacks, and the interpolation shapes their programs hold.</summary>
    private sealed class Corpus
    {
        private readonly Dictionary<string, StackFile> stacks;

        private Corpus(Dictionary<string, StackFile> stacks, HashSet<string> shapes)
        {
            this.stacks = stacks;
            Shapes = shapes;
        }

        public IReadOnlyList<string> Files => [.. stacks.Keys.Order(StringComparer.Ordinal)];
        public IReadOnlyList<IReadOnlyDictionary<string, string>> Configs => [.. Files.Select(f => stacks[f].Config)];
        public HashSet<string> Shapes { get; }

        public string Stack(string file) => stacks[file].Stack;
        public Dictionary<string, string> Config(string file) => stacks[file].Config.ToDictionary(kv => kv.Key, kv => kv.Value);

        public static Corpus Load()
        {
            var stacks = Repository.StackFiles().ToDictionary(f => f, Repository.Load);
            var shapes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var stack in stacks.Values)
                shapes.UnionWith(ProgramInterpolations.Shapes(StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config))));
            return new Corpus(stacks, shapes);
        }
    }
}
