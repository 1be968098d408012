namespace EsDr.Recovery.Observe.Webhook;

/// <summary>What makes two deliveries the same alert event.</summary>
internal readonly record struct AlertKey(string Fingerprint, DateTimeOffset StartsAt, string Status)
{
    public bool Resolved => Status == "resolved";
}

/// <summary>
/// What the replay guard remembers of one fingerprint: the latest alert instance it passed on (an alert that fires
/// again after resolving is a new instance, with a later startsAt), whether that instance's resolution was passed on,
/// and when an event of it was last passed on.
/// </summary>
internal readonly record struct ReplayEntry(DateTimeOffset StartsAt, bool Resolved, DateTimeOffset PassedAt);

/// <summary>
/// Decides which deliveries are news for the watch loop. Alertmanager delivers the same state again (its
/// repeat_interval, a retry after a lost answer, two Alertmanagers of a pair) and deliveries can be replayed late, so
/// per fingerprint the guard keeps the latest instance and whether it resolved, and passes on only:
/// <list type="bullet">
/// <item>a later instance than the one it knows (a fingerprint it does not know is one);</item>
/// <item>the resolution of the instance it knows;</item>
/// <item>the firing of the instance it knows when this process has not passed it on within the dedupe window.</item>
/// </list>
/// So an earlier instance, or the firing of a resolved instance, never reaches the loop again: that stale state is
/// what could make recovery act on an alert that is over. With a <see cref="ReplayStore"/> it holds across restarts;
/// a still-firing alert is still passed on once by a restarted process, which must learn what fires now (the stack's
/// Alertmanager repeats firing alerts for exactly that; it cannot start a second recovery, which the pipeline's guard
/// rails decide). Bounded: <see cref="WebhookLimits.ReplayEntries"/> fingerprints, each forgotten
/// <see cref="WebhookLimits.ReplayRetention"/> after it last passed one on; past the count, the least recent go.
/// Not thread-safe: the receiver asks and records under one lock.
/// </summary>
internal sealed class ReplayGuard : IDisposable
{
    private readonly WebhookLimits limits;
    private readonly ReplayStore? store;
    private readonly Dictionary<string, (ReplayEntry Entry, bool ThisRun)> entries = new(StringComparer.Ordinal);
    private readonly SortedSet<(DateTimeOffset PassedAt, string Fingerprint)> byAge = new(AgeOrder.Instance);

    /// <param name="store">Where the entries outlive the process (the audit database); null: memory only.</param>
    public ReplayGuard(WebhookLimits limits, DateTimeOffset now, ReplayStore? store = null)
    {
        this.limits = limits ?? throw new ArgumentNullException(nameof(limits));
        this.store = store;
        if (store is null)
            return;
        foreach (var (fingerprint, entry) in store.Load(Cutoff(now), limits.ReplayEntries))
            Remember(fingerprint, entry, thisRun: false);
    }

    public int Count => entries.Count;

    /// <summary>For each delivery, whether it is news to pass on; a repeat within the same list counts as seen. Changes nothing.</summary>
    public bool[] Fresh(IReadOnlyList<AlertKey> deliveries, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        var decided = new Dictionary<string, (ReplayEntry Entry, bool ThisRun)>(StringComparer.Ordinal);
        var fresh = new bool[deliveries.Count];
        for (var i = 0; i < deliveries.Count; i++)
        {
            var key = deliveries[i];
            var known = decided.TryGetValue(key.Fingerprint, out var d) ? d : Known(key.Fingerprint, now);
            fresh[i] = IsNews(key, known, now);
            if (fresh[i])
                decided[key.Fingerprint] = (new ReplayEntry(key.StartsAt, key.Resolved, now), true);
        }
        return fresh;
    }

    /// <summary>
    /// Remembers the deliveries passed on (in order), in the store first: when it cannot be written this throws and
    /// the guard is as it was, so the caller can refuse the notification and Alertmanager send it again.
    /// </summary>
    public void Record(IReadOnlyList<AlertKey> passed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(passed);
        if (passed.Count == 0)
            return;
        var latest = new Dictionary<string, ReplayEntry>(StringComparer.Ordinal);
        foreach (var key in passed)
            latest[key.Fingerprint] = new ReplayEntry(key.StartsAt, key.Resolved, now);
        var trim = entries.Count + latest.Keys.Count(f => !entries.ContainsKey(f)) > limits.ReplayEntries;
        store?.Save([.. latest.Select(l => (l.Key, l.Value))], Cutoff(now), trim ? limits.ReplayEntries : null);
        foreach (var (fingerprint, entry) in latest)
            Remember(fingerprint, entry, thisRun: true);
        Forget(now);
    }

    public void Dispose() => store?.Dispose();

    private (ReplayEntry Entry, bool ThisRun)? Known(string fingerprint, DateTimeOffset now) =>
        entries.TryGetValue(fingerprint, out var known) && known.Entry.PassedAt > Cutoff(now) ? known : null;

    private bool IsNews(AlertKey key, (ReplayEntry Entry, bool ThisRun)? known, DateTimeOffset now)
    {
        if (known is not { } k)
            return true;
        var (entry, thisRun) = k;
        if (key.StartsAt != entry.StartsAt)
            return key.StartsAt > entry.StartsAt;
        if (entry.Resolved)
            return false; // a resolved instance stays resolved: its firing again is a replay of the past
        return key.Resolved || !thisRun || now - entry.PassedAt >= limits.DedupeWindow;
    }

    private void Remember(string fingerprint, ReplayEntry entry, bool thisRun)
    {
        if (entries.TryGetValue(fingerprint, out var old))
            byAge.Remove((old.Entry.PassedAt, fingerprint));
        entries[fingerprint] = (entry, thisRun);
        byAge.Add((entry.PassedAt, fingerprint));
    }

    /// <summary>Drops what expired, then the least recent beyond the bound (the order the store trims in).</summary>
    private void Forget(DateTimeOffset now)
    {
        var cutoff = Cutoff(now);
        while (byAge.Count > 0 && (byAge.Min.PassedAt <= cutoff || byAge.Count > limits.ReplayEntries))
        {
            var oldest = byAge.Min;
            byAge.Remove(oldest);
            entries.Remove(oldest.Fingerprint);
        }
    }

    private DateTimeOffset Cutoff(DateTimeOffset now) => now - limits.ReplayRetention;

    /// <summary>Least recently passed on first; ties by fingerprint, ordinal (as SQLite orders ASCII text).</summary>
    private sealed class AgeOrder : IComparer<(DateTimeOffset PassedAt, string Fingerprint)>
    {
        public static readonly AgeOrder Instance = new();

        public int Compare((DateTimeOffset PassedAt, string Fingerprint) x, (DateTimeOffset PassedAt, string Fingerprint) y)
        {
            var byTime = x.PassedAt.UtcTicks.CompareTo(y.PassedAt.UtcTicks);
            return byTime != 0 ? byTime : string.CompareOrdinal(x.Fingerprint, y.Fingerprint);
        }
    }
}
