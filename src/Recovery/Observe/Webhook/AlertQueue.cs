using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace EsDr.Recovery.Observe.Webhook;

/// <summary>
/// The alerts the webhook accepted, waiting for the watch loop (which takes them all once a round), bounded by count
/// and by bytes (<see cref="WebhookLimits.Footprint"/>). A notification's alerts go in all together or not at all:
/// half a notification could keep an alert's firing and lose another's resolution. A part of it is kept for small
/// notifications (<paramref name="reserve"/>). Read it as a channel.
/// </summary>
internal sealed class AlertQueue(int maxAlerts, long maxBytes, (int Alerts, long Bytes) reserve) : ChannelReader<AlertReceived>
{
    private readonly Channel<(AlertReceived Alert, long Bytes)> channel = Channel.CreateUnbounded<(AlertReceived, long)>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly Lock gate = new();
    private int count;
    private long bytes;

    /// <summary>Bytes of the alerts waiting.</summary>
    public long Bytes
    {
        get
        {
            lock (gate)
                return bytes;
        }
    }

    public override bool CanCount => true;

    public override int Count
    {
        get
        {
            lock (gate)
                return count;
        }
    }

    /// <summary>
    /// Whether alerts of these sizes fit now; only a <paramref name="small"/> notification may use the reserve. Only the
    /// one writer may rely on it staying true until it writes.
    /// </summary>
    public bool HasRoomFor(IReadOnlyCollection<long> sizes, bool small)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var (alerts, bytesKept) = small ? (0, 0L) : reserve;
        lock (gate)
            return count + sizes.Count <= maxAlerts - alerts && bytes + sizes.Sum() <= maxBytes - bytesKept;
    }

    /// <summary>Queues every alert; the caller has made sure they fit (<see cref="HasRoomFor"/>).</summary>
    public void EnqueueAll(IReadOnlyList<(AlertReceived Alert, long Bytes)> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        lock (gate)
        {
            foreach (var alert in alerts)
                channel.Writer.TryWrite(alert); // unbounded: always written
            count += alerts.Count;
            bytes += alerts.Sum(a => a.Bytes);
        }
    }

    public override bool TryRead([MaybeNullWhen(false)] out AlertReceived item)
    {
        lock (gate)
        {
            if (!channel.Reader.TryRead(out var next))
            {
                item = default;
                return false;
            }
            count--;
            bytes -= next.Bytes;
            item = next.Alert;
            return true;
        }
    }

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
        channel.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>No more alerts will come; a reader waiting for one is told so.</summary>
    public void Complete() => channel.Writer.TryComplete();
}
