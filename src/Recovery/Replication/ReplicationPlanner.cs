namespace EsDr.Recovery.Replication;

/// <summary>
/// The ordered, idempotent steps that bring two clusters to the replication <see cref="ReplicationSpec"/>
/// describes. <see cref="Blockers"/> are things no step may safely fix (apply reports them and fails);
/// <see cref="Notes"/> are worth knowing but need nothing.
/// </summary>
public sealed record ReplicationPlan(
    IReadOnlyList<ReplicationStep> Steps,
    IReadOnlyList<string> Blockers,
    IReadOnlyList<string> Notes)
{
    /// <summary>No request to send.</summary>
    public bool IsEmpty => Steps.Count == 0;

    /// <summary>Nothing to send and nothing in the way: replication is as the spec describes.</summary>
    public bool IsConverged => IsEmpty && Blockers.Count == 0;
}

/// <summary>
/// Pure planning: spec + what the leader and follower look like now → the steps, in this order:
/// <list type="number">
/// <item>start a trial licence on a cluster on basic, when the config asks for a trial;</item>
/// <item>the follower knows the leader as a remote cluster, and the leader the follower (so the
///   reverse set-up after a failover needs no new connection);</item>
/// <item>es-dr's auto-follow patterns on the leader are deleted: the cluster that takes writes follows nobody;</item>
/// <item>the follower's auto-follow pattern for the leader exists, matches and is active;</item>
/// <item>every open leader index matching the patterns is followed under its own name (auto-follow
///   only picks up indices created after the pattern).</item>
/// </list>
/// Each step appears only when the observed state differs, so a converged pair plans nothing.
/// </summary>
public static class ReplicationPlanner
{
    public static ReplicationPlan Plan(ReplicationSpec spec, ObservedCluster leader, ObservedCluster follower)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(leader);
        ArgumentNullException.ThrowIfNull(follower);
        var problems = spec.Problems();
        if (problems.Count > 0) throw new ArgumentException("invalid replication spec: " + string.Join("; ", problems), nameof(spec));

        var steps = new List<ReplicationStep>();
        var blockers = new List<string>();
        var notes = new List<string>();

        var licensed = PlanLicence(spec, ClusterRole.Leader, leader.License, steps, blockers)
            & PlanLicence(spec, ClusterRole.Follower, follower.License, steps, blockers);

        PlanRemote(ClusterRole.Follower, spec.Leader, follower, steps);
        PlanRemote(ClusterRole.Leader, spec.Follower, leader, steps);

        // Without a licence that includes CCR every CCR call answers 403: stop at what works without one.
        if (!licensed) return new(steps, blockers, notes);

        PlanLeaderPatterns(spec, leader, steps, notes);
        PlanAutoFollow(spec, follower, steps);
        PlanFollows(spec, leader, follower, steps, blockers, notes);
        return new(steps, blockers, notes);
    }

    private static bool PlanLicence(ReplicationSpec spec, ClusterRole role, ObservedLicense licence, List<ReplicationStep> steps, List<string> blockers)
    {
        if (licence.AllowsCcr) return true;
        var who = ReplicationStep.RoleName(role);
        if (spec.License == LicenseTier.Trial && licence is { Type: "basic", Status: "active" })
        {
            steps.Add(ReplicationRequests.StartTrial(role, licence.Type));
            return true;
        }
        blockers.Add(spec.License == LicenseTier.Basic
            ? $"{who}: cross-cluster replication needs a trial, platinum or enterprise licence, but elasticsearch.license is 'basic'"
            : $"{who}: the licence is '{licence.Type}' ({licence.Status}), which does not include cross-cluster replication; " +
              $"install the {spec.License.ToString().ToLowerInvariant()} licence (POST /_license) — es-dr starts trials only, and only from basic");
        return false;
    }

    private static void PlanRemote(ClusterRole target, ClusterDescription remote, ObservedCluster on, List<ReplicationStep> steps)
    {
        var current = on.Remotes.FirstOrDefault(r => r.Alias == remote.Alias);
        if (current is null || !SameConnection(remote, current))
            steps.Add(ReplicationRequests.ConfigureRemote(target, remote, current));
    }

    private static bool SameConnection(ClusterDescription desired, ObservedRemote current) =>
        desired.Mode == current.Mode && desired.Mode switch
        {
            RemoteMode.Sniff => SameSet(desired.Seeds, current.Seeds),
            _ => desired.ProxyAddress == current.ProxyAddress && (desired.ServerName ?? "") == (current.ServerName ?? ""),
        };

    /// <summary>
    /// es-dr's patterns on the leader are what made it a follower before the active region changed.
    /// Deleting one stops only future auto-follows (no index, follower or document is touched), so it is
    /// safe; left in place it would try to follow the new follower's indices back into the leader.
    /// Patterns es-dr did not create are never deleted — one pointing at the follower is noted.
    /// </summary>
    private static void PlanLeaderPatterns(ReplicationSpec spec, ObservedCluster leader, List<ReplicationStep> steps, List<string> notes)
    {
        foreach (var pattern in leader.AutoFollowPatterns.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (pattern.Name.StartsWith(ReplicationSpec.ManagedPatternPrefix, StringComparison.Ordinal))
                steps.Add(ReplicationRequests.DeleteAutoFollow(ClusterRole.Leader, pattern));
            else if (pattern.RemoteCluster == spec.Follower.Alias)
                notes.Add($"leader: auto-follow pattern '{pattern.Name}' (not es-dr's, left alone) follows '{pattern.RemoteCluster}', " +
                          "the follower: make sure its patterns cannot match replicated indices, or replication runs in a circle");
        }
    }

    private static void PlanAutoFollow(ReplicationSpec spec, ObservedCluster follower, List<ReplicationStep> steps)
    {
        var existing = follower.AutoFollowPatterns.FirstOrDefault(p => p.Name == spec.AutoFollowName);
        if (existing is null || !IsDesired(spec, existing))
            steps.Add(ReplicationRequests.PutAutoFollow(spec, exists: existing is not null));
        if (existing is { Active: false })
            steps.Add(ReplicationRequests.ResumeAutoFollow(spec.AutoFollowName));
    }

    private static bool IsDesired(ReplicationSpec spec, ObservedAutoFollowPattern p) =>
        p.RemoteCluster == spec.Leader.Alias
        && SameSet(p.LeaderIndexPatterns, spec.IndexPatterns)
        && p.LeaderIndexExclusionPatterns.Count == 0
        && p.FollowIndexPattern == ReplicationRequests.KeepLeaderName;

    private static void PlanFollows(ReplicationSpec spec, ObservedCluster leader, ObservedCluster follower,
        List<ReplicationStep> steps, List<string> blockers, List<string> notes)
    {
        var followingOnLeader = leader.Followers.ToDictionary(f => f.FollowerIndex, StringComparer.Ordinal);
        var followers = follower.Followers.ToDictionary(f => f.FollowerIndex, StringComparer.Ordinal);
        var followerIndices = follower.Indices.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var alias = spec.Leader.Alias;

        var matching = leader.Indices
            .Where(i => spec.IndexPatterns.Any(p => SimplePattern.Matches(p, i.Name)))
            .OrderBy(i => i.Name, StringComparer.Ordinal);
        foreach (var index in matching)
        {
            if (followingOnLeader.TryGetValue(index.Name, out var upstream))
            {
                blockers.Add($"leader: '{index.Name}' is still a follower of '{upstream.LeaderIndex}' on '{upstream.RemoteCluster}'; " +
                             "promote it first (pause_follow, close, unfollow, open) — following a follower would replicate in a circle");
                continue;
            }
            if (!index.Open)
            {
                notes.Add($"leader: '{index.Name}' is closed and is not followed; open it and apply again to follow it");
                continue;
            }
            if (followers.TryGetValue(index.Name, out var existing))
            {
                if (existing.RemoteCluster == alias && existing.LeaderIndex == index.Name)
                {
                    if (!existing.Active) steps.Add(ReplicationRequests.ResumeFollow(alias, index.Name));
                }
                else
                {
                    blockers.Add($"follower: '{index.Name}' already follows '{existing.LeaderIndex}' on '{existing.RemoteCluster}', " +
                                 $"not '{index.Name}' on '{alias}'; es-dr does not re-point followers: unfollow it and apply again");
                }
                continue;
            }
            if (followerIndices.Contains(index.Name))
            {
                blockers.Add($"follower: '{index.Name}' exists as a regular index (for example the old leader's copy after a failover), " +
                             "so a follower of the same name cannot be created; es-dr never deletes data: delete or reindex it elsewhere, then apply again");
                continue;
            }
            steps.Add(ReplicationRequests.Follow(alias, index.Name));
        }
    }

    private static bool SameSet(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.ToHashSet(StringComparer.Ordinal).SetEquals(b);
}

/// <summary>Elasticsearch's simple index patterns: <c>*</c> matches any run of characters, nothing else is special.</summary>
public static class SimplePattern
{
    public static bool Matches(string pattern, string name)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(name);
        var parts = pattern.Split('*');
        if (parts.Length == 1) return pattern == name;
        if (!name.StartsWith(parts[0], StringComparison.Ordinal)) return false;
        var at = parts[0].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = name.IndexOf(parts[i], at, StringComparison.Ordinal);
            if (found < 0) return false;
            at = found + parts[i].Length;
        }
        var last = parts[^1];
        return name.Length - at >= last.Length && name.EndsWith(last, StringComparison.Ordinal);
    }
}
