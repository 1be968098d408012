using System.Text.RegularExpressions;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Execute.Pulumi;

/// <summary>Replaces known secret values (from the environment and from <c>config set --secret</c>) with <c>[secret]</c>.</summary>
internal sealed partial class SecretRedactor
{
    public const string Mask = "[secret]";
    private const int MinLength = 4;
    private readonly string[] secrets;

    public SecretRedactor(IEnumerable<string> secrets) =>
        this.secrets = secrets.Where(s => s.Length >= MinLength).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToArray();

    /// <summary>Values of environment variables whose names mark them as secret (passphrases, tokens, keys, passwords).</summary>
    public static IEnumerable<string> FromEnvironment(IEnumerable<KeyValuePair<string, string?>> environment) =>
        environment.Where(e => e.Value is not null && SecretName().IsMatch(e.Key)).Select(e => e.Value!);

    /// <summary>The value positionals of a <c>pulumi config set --secret</c> command (everything but the key).</summary>
    public static IEnumerable<string> FromArguments(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count < 2 || args[0] != "config" || args[1] != "set" || !args.Any(a => a is "--secret" or "--secret=true"))
            yield break;
        var positionals = 0;
        for (var i = 2; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith('-') && arg != "-")
            {
                if (!arg.Contains('=', StringComparison.Ordinal) && TakesValue(arg)) i++;
                continue;
            }
            if (positionals++ > 0) yield return arg;
        }
    }

    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in secrets)
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        return text;
    }

    /// <summary>Asks the one flag table (<see cref="PulumiFlags"/>) whether a known <c>config set</c> flag takes a value.</summary>
    private static bool TakesValue(string flag)
    {
        try
        {
            PulumiFlags.Validate(["config", "set", flag]);
            return false;
        }
        catch (UnknownPulumiFlagException)
        {
            return true;
        }
    }

    [GeneratedRegex("PASSPHRASE|PASSWORD|SECRET|TOKEN|ACCESS_KEY|PRIVATE_KEY|API_KEY|CREDENTIAL", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();
}
