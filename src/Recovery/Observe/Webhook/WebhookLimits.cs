namespace EsDr.Recovery.Observe.Webhook;

/// <summary>
/// What the webhook accepts and keeps, so that what an authenticated sender can make it hold is bounded
/// (docs/recovery.md, "Webhook limits"). The answers are chosen for how Alertmanager's webhook notifier treats them
/// (prometheus/alertmanager, v0.25 as Debian ships it and main alike):
/// <list type="bullet">
/// <item><c>notify/util.go</c>, <c>Retrier.Check</c>: 2xx is success; 5xx is retried; any other status (4xx) is
/// "unrecoverable": <c>RetryStage.exec</c> (<c>notify/notify.go</c> in v0.25, <c>notify/retry_stage.go</c> on main)
/// stops retrying at once. A 5xx is retried with exponential backoff until the flush's context ends (the
/// group_interval, at least <c>notify.MinTimeout</c> = 10 s).</item>
/// <item>A failed notification is not written to the notification log, so the next flush (one group_interval later)
/// sends the group again (<c>DedupStage.needsUpdate</c>, <c>notify/dedup_stage.go</c>: no entry → notify). So a
/// 4xx is re-sent once per group_interval while the group fires, never in a retry loop.</item>
/// <item><c>notify/webhook/webhook.go</c>, <c>truncateAlerts</c>: with <c>max_alerts</c> set, a notification carries
/// at most that many alerts (the first ones) and says how many it left out in <c>truncatedAlerts</c>.</item>
/// </list>
/// Hence: what can never be accepted (too big, too many alerts, an alert too large) is refused whole with 413, which
/// Alertmanager does not retry; what would fit once the watch loop has taken the queued alerts (its next round) is
/// refused whole with 503, which it retries.
/// </summary>
internal sealed record WebhookLimits
{
    private const int KiB = 1024;

    /// <summary>
    /// Bytes of one <c>POST /alerts</c> body (Kestrel's <c>MaxRequestBodySize</c> for that endpoint; other routes take
    /// no body). Over it: 413.
    /// </summary>
    public long MaxBodyBytes { get; init; } = 1024 * KiB;

    /// <summary>
    /// Alerts in one notification; over it: 413, naming <c>max_alerts</c>, which makes Alertmanager send the first
    /// ones instead. The stack groups by alert name, region and cluster, so a group holds one alert per node,
    /// endpoint or follower index.
    /// </summary>
    public int MaxAlertsPerNotification { get; init; } = EsDr.Infra.Config.MonitoringDefaults.WebhookMaxAlerts;

    /// <summary>Labels of one alert, and annotations of one alert (each). Over it: 413.</summary>
    public int MaxPairsPerAlert { get; init; } = 32;

    /// <summary>
    /// UTF-8 bytes of the text kept of one alert (<see cref="PayloadValidator.KeptBytes"/>: its labels' and
    /// annotations' names and values, fingerprint and generatorURL, its notification's groupKey and receiver; the
    /// stack's own alerts keep about 1 KiB). Over it: 413.
    /// </summary>
    public int MaxAlertBytes { get; init; } = 4 * KiB;

    /// <summary>Characters of a fingerprint (Alertmanager's are 16 hex digits). Over it: 413.</summary>
    public int MaxFingerprintLength { get; init; } = 64;

    /// <summary>Alerts waiting for the watch loop's next round. A notification that does not fit: 503.</summary>
    public int QueueAlerts { get; init; } = 8 * 1000;

    /// <summary>
    /// <see cref="Footprint"/> of the alerts waiting for the watch loop: room for the largest possible notification
    /// and then some, so one large notification never fills it. A notification that does not fit: 503.
    /// </summary>
    public long QueueBytes { get; init; } = 32 * 1024 * KiB;

    /// <summary>
    /// A notification of at most this many alerts is small: it may use the last eighth of the queue, which larger ones
    /// may not, so a flood of large notifications never refuses Alertmanager's usual ones (one group: a few alerts).
    /// </summary>
    public int SmallNotificationAlerts { get; init; } = 16;

    /// <summary>What of the queue only small notifications may use: an eighth of its alerts and of its bytes.</summary>
    public (int Alerts, long Bytes) QueueReserve => (QueueAlerts / 8, QueueBytes / 8);

    /// <summary>Bodies read and parsed at once; the others wait for a turn (at most <see cref="TurnWait"/>, then 503).</summary>
    public int ConcurrentNotifications { get; init; } = 2;

    /// <summary>How long a notification waits for its turn to be read before it is answered 503.</summary>
    public TimeSpan TurnWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Open connections to the listener (Alertmanager keeps a few, Prometheus scrapes /metrics); Kestrel closes one
    /// past it at once, which Alertmanager retries like a 5xx.
    /// </summary>
    public int MaxConnections { get; init; } = 256;

    /// <summary>Bytes Kestrel buffers per connection ahead of the handler (its default is 1 MiB).</summary>
    public long ConnectionBufferBytes { get; init; } = 64 * KiB;

    /// <summary>How long the same delivery of a still-firing alert is not passed on again (Alertmanager repeats it).</summary>
    public TimeSpan DedupeWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long the replay guard remembers an alert after it last passed one on: longer than Alertmanager's default
    /// repeat_interval (4 h; the stack renders 30 m), so a firing alert's entry is refreshed before it expires.
    /// </summary>
    public TimeSpan ReplayRetention { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Fingerprints the replay guard remembers (memory and audit database); past it the least recent go.</summary>
    public int ReplayEntries { get; init; } = 50_000;

    /// <summary>
    /// What a queued alert counts against <see cref="QueueBytes"/>: an estimate of the memory it holds, from its kept
    /// text (<see cref="PayloadValidator.KeptBytes"/>, UTF-16 in memory) and its labels and annotations (each pair two
    /// strings and a dictionary entry), plus its record and dictionaries.
    /// </summary>
    public static long Footprint(long textBytes, int pairs) => (2 * textBytes) + (128L * pairs) + 640;

    /// <summary>The most one accepted notification can count against <see cref="QueueBytes"/>.</summary>
    public long LargestNotificationBytes => MaxAlertsPerNotification * Footprint(MaxAlertBytes, 2 * MaxPairsPerAlert);

    /// <summary>Why these limits cannot work together; null when they can (the largest notification fits an empty queue).</summary>
    public string? Problem() =>
        MaxAlertsPerNotification < 1 || MaxAlertsPerNotification > QueueAlerts - QueueReserve.Alerts
            ? "the largest notification's alerts must fit the queue outside its reserve"
        : LargestNotificationBytes > QueueBytes - QueueReserve.Bytes ? "the largest notification's bytes must fit the queue outside its reserve"
        : ConcurrentNotifications < 1 || MaxConnections < 1 || ReplayEntries < 1 ? "at least one notification, connection and replay entry"
        : null;
}
