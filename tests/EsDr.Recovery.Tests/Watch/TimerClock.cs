namespace EsDr.Recovery.Tests.Watch;

/// <summary>
/// A clock the test moves by hand whose timers fire as it moves, so delays, timeouts and
/// <see cref="PeriodicTimer"/> run on test time (Microsoft.Extensions.TimeProvider.Testing is not in this package source).
/// </summary>
internal sealed class TimerClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<Timer> timers = [];
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
            return now;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way, in order.</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (gate)
            target = now + by;
        while (true)
        {
            Timer? due;
            lock (gate)
            {
                due = timers.Where(t => t.Due is { } d && d <= target).MinBy(t => t.Due);
                if (due is null)
                {
                    now = target;
                    return;
                }
                now = due.Due!.Value;
                due.Due = due.Period is { } p ? now + p : null;
                if (due.Due is null)
                    timers.Remove(due);
            }
            due.Fire();
        }
    }

    private sealed class Timer(TimerClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }
        public TimeSpan? Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock.gate)
            {
                clock.timers.Remove(this);
                Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock.now + dueTime;
                if (Due is not null)
                    clock.timers.Add(this);
            }
            return true;
        }

        public void Dispose()
        {
            lock (clock.gate)
                clock.timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
