using System.Globalization;

namespace EsDr.Infra.Config;

/// <summary>
/// Secret config keys whose values the compiler never uses (it reads at most their length, <see cref="TooLong"/>):
/// the emitted program declares them in its <c>config:</c> section as secrets and reads them only through
/// <c>fn::secret</c>, so Pulumi decrypts them at deploy time and their values never reach program text, the
/// compiler's output or its logs. A stack that lacks one its program
/// declares is stopped by Pulumi itself ("missing required configuration variable"); <c>es-dr show</c> lists them
/// with the command that sets each. Everything else in the namespace is plain config that is written into the
/// program, and is refused when set as a secret.
/// </summary>
public static class ProgramSecrets
{
    /// <summary>The bearer token Alertmanager sends to the recovery program's webhook.</summary>
    public const string AlertWebhookToken = "alertWebhookToken";

    /// <summary>The SSH private key (of one of <c>ssh.publicKeys</c>) that pushes rendered configs to running hosts.</summary>
    public const string DeployKey = "deployKey";

    public static readonly string[] Keys = [AlertWebhookToken, DeployKey];

    /// <summary>What each secret is and how its value reaches <c>pulumi config set</c>: through stdin, never the command line.</summary>
    private static readonly Dictionary<string, ProgramSecret> Described = new(StringComparer.Ordinal)
    {
        [AlertWebhookToken] = new(AlertWebhookToken, "the bearer token Alertmanager sends to the recovery webhook", "openssl rand -hex 32 | {0}"),
        [DeployKey] = new(DeployKey, "the private key of one of ssh.publicKeys, which pushes HAProxy's config over SSH", "{0} < ~/.ssh/id_ed25519"),
    };

    /// <summary>
    /// The longest token accepted, in UTF-8 bytes. It is written into the monitoring host's user-data, whose size is
    /// checked before deploying; the program is compiled with the decrypted value, so the parser holds it to this.
    /// </summary>
    public const int AlertWebhookTokenMaxBytes = 256;

    /// <summary>The most UTF-8 bytes the secret may hold, where the program's size checks need one; null for no maximum.</summary>
    public static int? MaxBytes(string name) => name == AlertWebhookToken ? AlertWebhookTokenMaxBytes : null;

    /// <summary>
    /// Why <paramref name="value"/> is too long for <paramref name="name"/>, or null. Only its length is read: offline the
    /// value is a placeholder, under Pulumi the decrypted secret, which is how every deployed value is held to it.
    /// </summary>
    public static string? TooLong(string name, string value)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(value);
        return MaxBytes(name) is { } max && bytes > max
            ? $"must be at most {max} bytes (it is written into the monitoring host's user-data, whose size is limited), got {bytes}"
            : null;
    }

    public static bool IsProgramSecret(string name) => Array.IndexOf(Keys, name) >= 0;

    public static ProgramSecret Describe(string name) =>
        Described.TryGetValue(name, out var secret) ? secret : throw new ArgumentException($"'{name}' is not a program secret", nameof(name));
}

/// <summary>One program secret; <see cref="SetCommandTemplate"/> wraps the <c>pulumi config set</c> call with the value's source.</summary>
public sealed record ProgramSecret(string Key, string Purpose, string SetCommandTemplate)
{
    /// <param name="target">Which stack file receives it: <c>-s prod</c>, or <c>--config-file stacks/Pulumi.x.yaml</c>.</param>
    public string SetCommand(string target) =>
        string.Format(CultureInfo.InvariantCulture, SetCommandTemplate, $"pulumi config set --secret {target} {Key}");
}
