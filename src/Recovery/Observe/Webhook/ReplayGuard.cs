namespace EsDr.Recovery.Observe.Webhook;

/// <summary>
/// Remembers (fingerprint, startsAt, status) for a window so that Alertmanager's repeats and replays
/// are accepted but not acted on twice. Bounded: beyond <see cref="MaxEntries"/> the oldest are forgotten.
/// </summary>
internal sealed class ReplayGuard(TimeProvider time, TimeSpan window, int maxEntries = 100_000)
{
    private readonly Lock gate = new();
    private readonly Dictionary<AlertKey, DateTimeOffset> seen = [];
    private readonly Queue<(AlertKey Key, DateTimeOffset At)> order = new();

    public int MaxEntries { get; } = maxEntries > 0 ? maxEntries : throw new ArgumentOutOfRangeException(nameof(maxEntries));

    public TimeSpan Window { get; } = window > TimeSpan.Zero ? window : throw new ArgumentOutOfRangeException(nameof(window));

    /// <summary>True the first time a key is seen within the window (and records it); false for a replay.</summary>
    public bool TryAdmit(AlertKey key)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            Prune(now);
            if (seen.TryGetValue(key, out var at) && now - at < Window)
            {
                return false;
            }

            seen[key] = now;
            order.Enqueue((key, now));
            while (seen.Count > MaxEntries && order.TryDequeue(out var oldest))
            {
                if (seen.TryGetValue(oldest.Key, out var recorded) && recorded == oldest.At)
                {
                    seen.Remove(oldest.Key);
                }
            }

            return true;
        }
    }

    /// <summary>Undoes an admission whose alert could not be enqueued, so a retry is accepted.</summary>
    public void Forget(AlertKey key)
    {
        lock (gate)
        {
            seen.Remove(key);
        }
    }

    private void Prune(DateTimeOffset now)
    {
        while (order.TryPeek(out var head) && now - head.At >= Window)
        {
            order.Dequeue();
            if (seen.TryGetValue(head.Key, out var recorded) && recorded == head.At)
            {
                seen.Remove(head.Key);
            }
        }
    }
}

/// <summary>What makes two deliveries the same alert event.</summary>
internal readonly record struct AlertKey(string Fingerprint, DateTimeOffset StartsAt, string Status);
