using System.Text.Json;

namespace EsDr.Recovery.Plan;

/// <summary>An argument list uses a flag the real <c>pulumi</c> CLI does not have, or misuses one.</summary>
internal sealed class UnknownPulumiFlagException(string message) : ArgumentException(message);

/// <summary>
/// The flags of the <c>pulumi</c> commands recovery runs, read from the CLI's flag table
/// (<c>Data/pulumi-commands.json</c>, generated from the cobra definitions of the release its <c>source</c> names,
/// copied unchanged). Value flags take an argument, switches do not (<c>--flag=true</c> is allowed),
/// optional-value flags take one only as <c>--flag=v</c>. The test stand-in <c>pulumi</c> is generated from
/// <see cref="Table"/> and <see cref="ExclusiveGroups"/>, so it accepts exactly what this class accepts.
/// </summary>
internal static class PulumiFlags
{
    private const string TableResource = "pulumi-commands.json";

    /// <summary>One command's flags by kind, and how many positional arguments it takes.</summary>
    internal sealed record Flags(string[] Value, string[] Switch, string[] OptionalValue)
    {
        public int MinArgs { get; init; }
        public int MaxArgs { get; init; }
    }

    /// <summary>
    /// The commands recovery runs. The table also lists commands recovery must never run (<c>destroy</c>,
    /// <c>stack import</c>, …); those stay unknown here, so no plan can contain them.
    /// </summary>
    private static readonly string[] RecoveryCommands = ["up", "preview", "refresh", "config set", "stack output"];

    /// <summary>
    /// <c>pulumi version</c> is not in the table: it has no flags of its own and takes no argument
    /// (pkg/cmd/pulumi/version/version.go, <c>NewVersionCmd</c>: <c>constrictor.NoArgs</c>).
    /// </summary>
    private const string VersionCommand = "version";

    /// <summary>
    /// Flags cobra refuses together (<c>MarkFlagsMutuallyExclusive</c> in pulumi v3.259.0): operations/up.go
    /// <c>NewUpCmd</c>, preview.go and refresh.go mark <c>("target", "exclude")</c> and <c>("json", "output")</c>;
    /// config/config.go <c>newConfigSetCmd</c> marks <c>("secret", "plaintext", "type")</c>. Members by long name.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string[]>> ExclusiveGroups { get; } =
        new Dictionary<string, IReadOnlyList<string[]>>(StringComparer.Ordinal)
        {
            ["up"] = [["--target", "--exclude"], ["--json", "--output"]],
            ["preview"] = [["--target", "--exclude"], ["--json", "--output"]],
            ["refresh"] = [["--target", "--exclude"], ["--json", "--output"]],
            ["config set"] = [["--secret", "--plaintext", "--type"]],
        };

    /// <summary>The shorthands of the grouped flags (cobra counts a shorthand as its long flag).</summary>
    private static readonly Dictionary<string, string> Shorthands = new(StringComparer.Ordinal)
    {
        ["-t"] = "--target", ["-x"] = "--exclude", ["-j"] = "--json",
    };

    private static readonly (string Source, Flags Global, Dictionary<string, Flags> Commands) Loaded = Load();

    /// <summary>Where the table comes from (the pulumi release and the files it was generated from).</summary>
    public static string Source => Loaded.Source;

    /// <summary>The whole table: command ("" for the global flags) → its flags; the test stand-in is generated from it.</summary>
    public static IReadOnlyDictionary<string, Flags> Table =>
        Loaded.Commands.Append(new KeyValuePair<string, Flags>("", Loaded.Global)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    /// <summary>A flag's long name: the long flag a shorthand stands for, else the flag itself.</summary>
    public static string LongName(string flag) => Shorthands.GetValueOrDefault(flag, flag);

    /// <summary>Throws <see cref="UnknownPulumiFlagException"/> unless every flag exists for the command and no two exclude each other.</summary>
    public static void Validate(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var (command, start) = args.Count >= 2 && Loaded.Commands.ContainsKey($"{args[0]} {args[1]}")
            ? ($"{args[0]} {args[1]}", 2)
            : (args.Count >= 1 ? args[0] : "", 1);
        if (!Loaded.Commands.TryGetValue(command, out var flags))
            throw new UnknownPulumiFlagException($"pulumi command '{command}' is not in the flag table");
        var used = new List<string>();
        for (var i = start; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg == "-") continue;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? arg : arg[..eq];
            used.Add(LongName(name));
            if (Has(flags.Value, name) || Has(Loaded.Global.Value, name))
            {
                if (eq < 0 && ++i >= args.Count)
                    throw new UnknownPulumiFlagException($"pulumi {command}: flag '{name}' needs a value");
            }
            else if (Has(flags.Switch, name) || Has(Loaded.Global.Switch, name))
            {
                if (eq >= 0 && arg[(eq + 1)..] is not ("true" or "false"))
                    throw new UnknownPulumiFlagException($"pulumi {command}: switch '{name}' takes no value");
            }
            else if (!Has(flags.OptionalValue, name))
            {
                throw new UnknownPulumiFlagException($"pulumi {command}: unknown flag '{name}'");
            }
        }
        RefuseExclusiveFlags(command, used);
        RefuseExcludeWithTargetReplace(command, used);
    }

    private static void RefuseExclusiveFlags(string command, List<string> used)
    {
        foreach (var group in ExclusiveGroups.GetValueOrDefault(command) ?? [])
        {
            var set = group.Where(used.Contains).ToList();
            if (set.Count > 1)
                throw new UnknownPulumiFlagException($"pulumi {command}: {string.Join(" and ", set)} cannot be used together");
        }
    }

    /// <summary>
    /// The CLI accepts <c>--target-replace</c> with <c>--exclude</c>, but folds it into the targets (up.go) and the
    /// engine then ignores every exclude (pkg/resource/deploy/step_generator.go <c>isIncludedInOperation</c>:
    /// targets take precedence), so the command would not do what it says.
    /// </summary>
    private static void RefuseExcludeWithTargetReplace(string command, List<string> used)
    {
        if (used.Contains("--target-replace") && used.Contains("--exclude"))
            throw new UnknownPulumiFlagException($"pulumi {command}: --target-replace makes pulumi ignore --exclude; use one or the other");
    }

    private static bool Has(string[] set, string name) => Array.IndexOf(set, name) >= 0;

    private static (string Source, Flags Global, Dictionary<string, Flags> Commands) Load()
    {
        using var stream = typeof(PulumiFlags).Assembly.GetManifestResourceStream(TableResource)
            ?? throw new InvalidOperationException($"the embedded resource {TableResource} is missing");
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        var commands = new Dictionary<string, Flags>(StringComparer.Ordinal);
        var table = root.GetProperty("commands");
        foreach (var name in RecoveryCommands)
            commands[name] = Read(table.TryGetProperty(name, out var entry) ? entry
                : throw new InvalidOperationException($"the pulumi flag table has no command '{name}'"));
        commands[VersionCommand] = new Flags([], [], []);
        return (root.GetProperty("source").GetString()!, Read(root.GetProperty("global")), commands);
    }

    private static Flags Read(JsonElement entry)
    {
        string[] Kind(string kind) => entry.TryGetProperty(kind, out var list) ? [.. list.EnumerateArray().Select(f => f.GetString()!)] : [];
        var (min, max) = entry.TryGetProperty("args", out var args) ? Positionals(args.GetString()!) : (0, 0);
        return new Flags(Kind("value"), Kind("switch"), Kind("optional_value")) { MinArgs = min, MaxArgs = max };
    }

    /// <summary>cobra's use line: <c>&lt;key&gt; [value]</c> is one required and one optional argument.</summary>
    private static (int Min, int Max) Positionals(string use)
    {
        var words = use.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (words.Count(w => w.StartsWith('<')), words.Length);
    }
}
