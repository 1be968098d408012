using System.Globalization;
using System.Text.RegularExpressions;

namespace EsDr.Infra.Config;

/// <summary>The recoveries that may run without an operator (failback is always planned by a person).</summary>
public enum AutoRecovery { NodeRebuild, RegionFailover, RegionRebuild }

/// <summary>
/// The recovery program's settings (<c>es-dr:recovery</c>, optional). Every member left out keeps the
/// recovery program's own default, so this record says only what the stack's owner chose.
/// </summary>
public sealed record RecoverySettings
{
    /// <summary>What the daemon may do on its own; empty: it only reports.</summary>
    public IReadOnlyList<AutoRecovery> Auto { get; init; } = [];

    public TimeSpan? BlockPeriod { get; init; }
    public TimeSpan? MaxPromotionLag { get; init; }
    public string? PauseFile { get; init; }
    public string? AuditDatabase { get; init; }
    public IReadOnlyList<string> PreHooks { get; init; } = [];
    public IReadOnlyList<string> PostHooks { get; init; } = [];
    public EtcdSettings? Etcd { get; init; }

    /// <summary>Where recovery commits and pushes the stack file it changed (<c>es-dr:recovery.git</c>); null: it does not.</summary>
    public GitPublishSettings? Git { get; init; }

    /// <summary>Consecutive failed observations that confirm a failure.</summary>
    public int? ConfirmAfter { get; init; }

    /// <summary>Consecutive healthy observations that clear it (hysteresis).</summary>
    public int? ClearAfter { get; init; }

    public int? MinAgreeingVantages { get; init; }

    /// <summary>
    /// Independent vantages that must confirm a region-level diagnosis before the daemon acts on it alone; the
    /// recovery program's default is 2. 1 lets one vantage (one Prometheus, or the probe alone) move a region.
    /// </summary>
    public int? MinVantagesForRegionActions { get; init; }
    public TimeSpan? RedGracePeriod { get; init; }
}

/// <summary>The etcd cluster several recovery replicas share their lease through.</summary>
public sealed record EtcdSettings(IReadOnlyList<Uri> Endpoints, int LeaseTtlSeconds);

/// <summary>
/// The repository the stack file is kept in: recovery commits the file it changed and pushes <c>HEAD</c> to
/// <see cref="Branch"/> on <see cref="Remote"/>. Null members keep git's own choice: the work tree's current branch,
/// and the author git is configured with (else a fixed es-dr identity).
/// </summary>
public sealed record GitPublishSettings(string Remote, string? Branch, string? AuthorName, string? AuthorEmail)
{
    public const string DefaultRemote = "origin";
}

/// <summary>Reads <c>es-dr:recovery</c>; each problem is reported under its key path.</summary>
internal static partial class RecoverySettingsReader
{
    private static readonly Dictionary<string, AutoRecovery> AutoSpellings = new(StringComparer.Ordinal)
    {
        ["nodeRebuild"] = AutoRecovery.NodeRebuild,
        ["regionFailover"] = AutoRecovery.RegionFailover,
        ["regionRebuild"] = AutoRecovery.RegionRebuild,
    };

    public static RecoverySettings? Read(ConfigNode n)
    {
        if (n.IsMissing || !n.IsObject()) return null;
        n.RejectUnknownKeys("auto", "blockPeriod", "maxPromotionLag", "pauseFile", "auditDatabase", "hooks", "etcd", "analysis", "git");

        var auto = new List<AutoRecovery>();
        foreach (var item in n.Child("auto").Items(required: false))
        {
            var kind = item.Enum<AutoRecovery>(AutoSpellings);
            if (!auto.Contains(kind)) auto.Add(kind);
        }

        IReadOnlyList<string> pre = [], post = [];
        var hooks = n.Child("hooks");
        if (!hooks.IsMissing && hooks.IsObject())
        {
            hooks.RejectUnknownKeys("pre", "post");
            pre = Commands(hooks.Child("pre"));
            post = Commands(hooks.Child("post"));
        }

        var settings = new RecoverySettings
        {
            Auto = auto,
            BlockPeriod = Duration(n.Child("blockPeriod")),
            MaxPromotionLag = Duration(n.Child("maxPromotionLag")),
            PauseFile = NonEmpty(n.Child("pauseFile")),
            AuditDatabase = NonEmpty(n.Child("auditDatabase")),
            PreHooks = pre,
            PostHooks = post,
            Etcd = ReadEtcd(n.Child("etcd")),
            Git = ReadGit(n.Child("git")),
        };

        var analysis = n.Child("analysis");
        if (analysis.IsMissing || !analysis.IsObject()) return settings;
        analysis.RejectUnknownKeys("confirmAfter", "clearAfter", "minAgreeingVantages", "minVantagesForRegionActions", "redGracePeriod");
        return settings with
        {
            ConfirmAfter = AtLeastOne(analysis.Child("confirmAfter")),
            ClearAfter = AtLeastOne(analysis.Child("clearAfter")),
            MinAgreeingVantages = AtLeastOne(analysis.Child("minAgreeingVantages")),
            MinVantagesForRegionActions = AtLeastOne(analysis.Child("minVantagesForRegionActions")),
            RedGracePeriod = Duration(analysis.Child("redGracePeriod")),
        };
    }

    private static EtcdSettings? ReadEtcd(ConfigNode n)
    {
        if (n.IsMissing || !n.IsObject()) return null;
        n.RejectUnknownKeys("endpoints", "leaseTtlSeconds");
        var endpoints = new List<Uri>();
        foreach (var item in n.Child("endpoints").Items(required: true))
        {
            var text = item.String();
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                endpoints.Add(uri);
            else
                item.Error($"must be an http(s) URL of etcd's gateway, got '{text}'");
        }
        if (endpoints.Count == 0 && !n.Child("endpoints").IsMissing) n.Child("endpoints").Error("must list at least one endpoint");
        var ttl = n.Child("leaseTtlSeconds");
        return new EtcdSettings(endpoints, ttl.IsMissing ? 15 : AtLeastOne(ttl) ?? 15);
    }

    private static GitPublishSettings? ReadGit(ConfigNode n)
    {
        if (n.IsMissing || !n.IsObject()) return null;
        n.RejectUnknownKeys("remote", "branch", "authorName", "authorEmail");
        var remote = NonEmpty(n.Child("remote"));
        // Passed to git as arguments: a leading '-' would be read as an option.
        if (remote is not null && (remote.StartsWith('-') || remote.Any(char.IsWhiteSpace)))
            n.Child("remote").Error($"must be a git remote's name or URL, got '{remote}'");
        else if (remote is not null && Uri.TryCreate(remote, UriKind.Absolute, out var url) && url.UserInfo.Contains(':', StringComparison.Ordinal))
            n.Child("remote").Error("must not carry a password: the stack file is committed; use a credential helper or an SSH key");
        var branch = NonEmpty(n.Child("branch"));
        if (branch is not null && !BranchName().IsMatch(branch))
            n.Child("branch").Error($"must be a branch name such as main or deploy/prod, got '{branch}'");
        var name = NonEmpty(n.Child("authorName"));
        if (name is not null && name.IndexOfAny(['<', '>']) >= 0)
            n.Child("authorName").Error($"must be a name without '<' or '>', got '{name}'");
        var email = NonEmpty(n.Child("authorEmail"));
        if (email is not null && (!email.Contains('@', StringComparison.Ordinal) || email.IndexOfAny(['<', '>', ' ']) >= 0))
            n.Child("authorEmail").Error($"must be an e-mail address, got '{email}'");
        return new GitPublishSettings(remote ?? GitPublishSettings.DefaultRemote, branch, name, email);
    }

    private static List<string> Commands(ConfigNode n)
    {
        var commands = new List<string>();
        foreach (var item in n.Items(required: false))
        {
            var command = item.String();
            if (string.IsNullOrWhiteSpace(command)) item.Error("must be a shell command, got an empty string");
            else commands.Add(command);
        }
        return commands;
    }

    private static string? NonEmpty(ConfigNode n)
    {
        var s = n.OptionalString();
        if (s is not null && s.Trim().Length == 0) n.Error("must not be empty");
        return string.IsNullOrWhiteSpace(s) ? null : s;
    }

    private static int? AtLeastOne(ConfigNode n)
    {
        var i = n.OptionalInt();
        if (i is < 1) n.Error($"must be at least 1, got {i}");
        return i is >= 1 ? i : null;
    }

    /// <summary>"90s", "30m", "2h", or a whole number of seconds.</summary>
    internal static TimeSpan? Duration(ConfigNode n)
    {
        var s = n.OptionalString();
        if (s is null) return null;
        var m = DurationPattern().Match(s.Trim());
        if (!m.Success)
        {
            n.Error($"must be a duration such as 90s, 30m or 2h, got '{s}'");
            return null;
        }
        var value = long.Parse(m.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        return m.Groups["unit"].Value switch
        {
            "m" => TimeSpan.FromMinutes(value),
            "h" => TimeSpan.FromHours(value),
            _ => TimeSpan.FromSeconds(value),
        };
    }

    // A plain refs/heads name: no leading '-' or '/', no '..', no '//', no trailing '/' or '.lock'.
    [GeneratedRegex(@"^(?!-)(?!/)(?!.*\.\.)(?!.*//)(?!.*/$)(?!.*\.lock$)[A-Za-z0-9._/-]{1,200}$", RegexOptions.CultureInvariant)]
    private static partial Regex BranchName();

    [GeneratedRegex(@"^(?<n>[0-9]{1,7})(?<unit>s|m|h)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
