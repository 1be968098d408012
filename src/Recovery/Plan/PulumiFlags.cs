namespace EsDr.Recovery.Plan;

/// <summary>An argument list uses a flag the real <c>pulumi</c> CLI does not have, or misuses one.</summary>
internal sealed class UnknownPulumiFlagException(string message) : ArgumentException(message);

/// <summary>
/// The flags of the <c>pulumi</c> commands recovery runs, copied from the CLI's reference pages
/// (pulumi/docs <c>content/docs/iac/cli/commands/pulumi_*.md</c>). Value flags take an argument,
/// switches do not (<c>--flag=true</c> is allowed), optional-value flags take one only as <c>--flag=v</c>.
/// </summary>
internal static class PulumiFlags
{
    /// <summary>One command's flags by kind.</summary>
    internal sealed record Flags(string[] Value, string[] Switch, string[] OptionalValue);

    /// <summary>The whole table: command ("" for the global flags) → its flags; the test stand-in is generated from it.</summary>
    public static IReadOnlyDictionary<string, Flags> Table =>
        Commands.Append(new KeyValuePair<string, Flags>("", Global)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    private static readonly Flags Global = new(
        ["--color", "-C", "--cwd", "--memprofilerate", "--profiling", "--tracing", "-v", "--verbose", "--otel-traces"],
        ["--disable-integrity-checking", "-e", "--emoji", "-Q", "--fully-qualify-stack-names", "--logflow", "--logtostderr", "--non-interactive", "-h", "--help"],
        []);

    private static readonly Dictionary<string, Flags> Commands = new(StringComparer.Ordinal)
    {
        ["up"] = new(
            ["-c", "--config", "--config-file", "-m", "--message", "-p", "--parallel", "--policy-pack", "--policy-pack-config", "--replace", "--secrets-provider", "-s", "--stack", "-t", "--target", "--target-replace"],
            ["--attach-debugger", "--config-path", "--continue-on-error", "-d", "--debug", "--diff", "--expect-no-changes", "-j", "--json", "--show-config", "--show-full-output", "--show-policy-remediations", "--show-reads", "--show-replacement-steps", "--show-sames", "-f", "--skip-preview", "--suppress-outputs", "--suppress-progress", "--target-dependents", "-y", "--yes"],
            ["-r", "--refresh", "--suppress-permalink"]),
        ["preview"] = new(
            ["-c", "--config", "--config-file", "--import-file", "-m", "--message", "-p", "--parallel", "--policy-pack", "--policy-pack-config", "--replace", "-s", "--stack", "-t", "--target", "--target-replace"],
            ["--attach-debugger", "--config-path", "-d", "--debug", "--diff", "--expect-no-changes", "-j", "--json", "--show-config", "--show-policy-remediations", "--show-reads", "--show-replacement-steps", "--show-sames", "--show-secrets", "--suppress-outputs", "--suppress-progress", "--target-dependents"],
            ["-r", "--refresh", "--suppress-permalink"]),
        ["refresh"] = new(
            ["-c", "--config", "--config-file", "-x", "--exclude", "--import-pending-creates", "-m", "--message", "-p", "--parallel", "-s", "--stack", "-t", "--target"],
            ["--clear-pending-creates", "--config-path", "-d", "--debug", "--diff", "--exclude-dependents", "--expect-no-changes", "-j", "--json", "--preview-only", "--run-program", "--show-replacement-steps", "--show-sames", "--skip-pending-creates", "-f", "--skip-preview", "--suppress-outputs", "--suppress-progress", "--target-dependents", "--urns", "-y", "--yes"],
            ["--suppress-permalink"]),
        ["config set"] = new(["--type", "--config-file", "-s", "--stack"], ["--path", "--plaintext", "--secret"], []),
        ["stack output"] = new(["-s", "--stack"], ["-j", "--json", "--shell", "--show-secrets"], []),
    };

    /// <summary>Throws <see cref="UnknownPulumiFlagException"/> unless every flag exists for the command.</summary>
    public static void Validate(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var (command, start) = args.Count >= 2 && Commands.ContainsKey($"{args[0]} {args[1]}")
            ? ($"{args[0]} {args[1]}", 2)
            : (args.Count >= 1 ? args[0] : "", 1);
        if (!Commands.TryGetValue(command, out var flags))
            throw new UnknownPulumiFlagException($"pulumi command '{command}' is not in the flag table");
        for (var i = start; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg == "-") continue;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? arg : arg[..eq];
            if (Has(flags.Value, name) || Has(Global.Value, name))
            {
                if (eq < 0 && ++i >= args.Count)
                    throw new UnknownPulumiFlagException($"pulumi {command}: flag '{name}' needs a value");
            }
            else if (Has(flags.Switch, name) || Has(Global.Switch, name))
            {
                if (eq >= 0 && arg[(eq + 1)..] is not ("true" or "false"))
                    throw new UnknownPulumiFlagException($"pulumi {command}: switch '{name}' takes no value");
            }
            else if (!Has(flags.OptionalValue, name))
            {
                throw new UnknownPulumiFlagException($"pulumi {command}: unknown flag '{name}'");
            }
        }
    }

    private static bool Has(string[] set, string name) => Array.IndexOf(set, name) >= 0;
}
