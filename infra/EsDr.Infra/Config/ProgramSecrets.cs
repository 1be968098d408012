namespace EsDr.Infra.Config;

/// <summary>
/// Secret config keys the compiler never reads: the emitted program declares them in its <c>config:</c>
/// section as secrets and references them, so Pulumi decrypts them at deploy time and their values never
/// reach program text, the compiler's output or its logs. Everything else in the namespace is plain
/// config that is written into the program, and is refused when set as a secret.
/// </summary>
public static class ProgramSecrets
{
    /// <summary>The bearer token Alertmanager sends to the recovery program's webhook.</summary>
    public const string AlertWebhookToken = "alertWebhookToken";

    /// <summary>The SSH private key (of one of <c>ssh.publicKeys</c>) that pushes rendered configs to running hosts.</summary>
    public const string DeployKey = "deployKey";

    public static readonly string[] Keys = [AlertWebhookToken, DeployKey];

    public static bool IsProgramSecret(string name) => Array.IndexOf(Keys, name) >= 0;
}
