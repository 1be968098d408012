using EsDr.Recovery.Observe;

namespace EsDr.Recovery.Watch;

/// <summary>
/// The most recent snapshots of every vantage, oldest first, in a fixed-size ring: the daemon runs for months, so
/// its history must not grow with time. Analysis keeps its own (bounded) state; this is for the operator.
/// </summary>
internal sealed class SnapshotTimeline(int capacity)
{
    private readonly Lock gate = new();
    private readonly HealthSnapshot?[] ring = new HealthSnapshot?[capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity))];
    private int next;
    private int count;

    public int Capacity => ring.Length;

    public int Count
    {
        get
        {
            lock (gate)
                return count;
        }
    }

    public void Append(HealthSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (gate)
        {
            ring[next] = snapshot;
            next = (next + 1) % ring.Length;
            count = Math.Min(count + 1, ring.Length);
        }
    }

    public IReadOnlyList<HealthSnapshot> Recent()
    {
        lock (gate)
        {
            var start = (next - count + ring.Length) % ring.Length;
            return [.. Enumerable.Range(0, count).Select(i => ring[(start + i) % ring.Length]!)];
        }
    }
}
