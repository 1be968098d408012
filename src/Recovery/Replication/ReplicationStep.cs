using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Replication;

/// <summary>Which of the two clusters a step is sent to.</summary>
public enum ClusterRole { Leader, Follower }

/// <summary>What a step does; each kind is one Elasticsearch API.</summary>
public enum StepKind
{
    /// <summary><c>POST /_license/start_trial?acknowledge=true</c> (the config asks for a trial; the cluster is on basic).</summary>
    StartTrial,

    /// <summary><c>PUT /_cluster/settings</c> with persistent <c>cluster.remote.&lt;alias&gt;.*</c>.</summary>
    ConfigureRemote,

    /// <summary><c>DELETE /_ccr/auto_follow/&lt;name&gt;</c> of an es-dr pattern on the cluster that now leads.</summary>
    RemoveStaleAutoFollow,

    /// <summary><c>PUT /_ccr/auto_follow/&lt;name&gt;</c>: new leader indices are followed automatically.</summary>
    PutAutoFollow,

    /// <summary><c>POST /_ccr/auto_follow/&lt;name&gt;/resume</c> of a paused es-dr pattern.</summary>
    ResumeAutoFollow,

    /// <summary><c>PUT /&lt;index&gt;/_ccr/follow</c>: an existing leader index, which auto-follow never picks up.</summary>
    Follow,

    /// <summary><c>POST /&lt;index&gt;/_ccr/resume_follow</c> of a paused follower of the leader.</summary>
    ResumeFollow,
}

/// <summary>
/// One idempotent request: the exact method, path (with query) and JSON body (compact, or null for none)
/// sent to <see cref="Target"/>. <see cref="Description"/> says why, for dry runs and errors.
/// </summary>
public sealed record ReplicationStep(
    StepKind Kind,
    ClusterRole Target,
    string Method,
    string Path,
    string? Body,
    string Description)
{
    /// <summary>The typed request whose rendering <see cref="Method"/>, <see cref="Path"/> and <see cref="Body"/> are; what is sent.</summary>
    internal TypedElasticsearchCall? Typed { get; init; }

    public override string ToString() => $"{RoleName(Target)}: {Description} ({Method} {Path})";

    internal static string RoleName(ClusterRole role) => role == ClusterRole.Leader ? "leader" : "follower";
}
