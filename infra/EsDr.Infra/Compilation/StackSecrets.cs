using EsDr.Infra.Config;

namespace EsDr.Infra.Compilation;

/// <summary>Where a secret the program needs stands in the stack's config.</summary>
public enum SecretState { NotSet, Set, PlainText }

/// <summary>A secret the compiled program declares (so Pulumi requires it), and where it stands in the stack.</summary>
public sealed record NeededSecret(ProgramSecret Secret, SecretState State);

/// <summary>The secrets a compiled stack needs set before it is deployed: exactly those its program declares.</summary>
public static class StackSecrets
{
    public static IReadOnlyList<NeededSecret> Needed(StackCompilation compiled)
    {
        ArgumentNullException.ThrowIfNull(compiled);
        return compiled.Program.Config.Select(e => new NeededSecret(ProgramSecrets.Describe(e.Key), StateOf(compiled.Config, e.Key))).ToList();
    }

    private static SecretState StateOf(StackConfig config, string key) =>
        !config.SecretsSet.Contains(key) ? SecretState.NotSet
        : config.SecretsInPlainText.Contains(key) ? SecretState.PlainText
        : SecretState.Set;
}
