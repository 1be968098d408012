using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Tests.Execute.Runner;

/// <summary>A clock that only moves when told to.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}

/// <summary>Stands in for the process dying mid-step: it escapes the executor, which records nothing more.</summary>
internal sealed class SimulatedCrash : OperationCanceledException
{
    public SimulatedCrash() : base("simulated crash") { }
}

/// <summary>
/// A fake world for the steps: step i sets key k{i} to v{i} (idempotent — setting it again changes nothing)
/// and needs step i-1's key in place first, so a resume that skipped a step would be caught.
/// Can fail or crash at a chosen step, before or after its effect lands.
/// </summary>
internal sealed class FakeWorld : IStepRunner
{
    private readonly ManualTime time;

    public FakeWorld(ManualTime time) => this.time = time;

    public SortedDictionary<string, string> State { get; } = new(StringComparer.Ordinal);
    public List<int> Calls { get; } = [];
    public int? CrashAt { get; set; }
    public bool CrashAfterEffect { get; set; }
    public int? FailAt { get; set; }
    public string? Detail { get; set; }

    public static RecoveryPlan Plan(int steps) => new(RecoveryKind.RegionFailover, "fail over fra to dub",
        Enumerable.Range(0, steps).Select(i => (RecoveryStep)new MySqlStatement("dub", $"SET k{i} = 'v{i}'", $"step {i}", $"k{i} already v{i}")).ToList());

    public static int IndexOf(RecoveryStep step) => int.Parse(step.Describe()["step ".Length..], System.Globalization.CultureInfo.InvariantCulture);

    public Task<string?> RunAsync(RecoveryStep step, CancellationToken cancellationToken = default)
    {
        var i = IndexOf(step);
        Calls.Add(i);
        time.Advance(TimeSpan.FromSeconds(1));
        if (i == FailAt)
            throw new InvalidOperationException($"step {i} failed: server said no");
        if (i == CrashAt && !CrashAfterEffect)
            throw new SimulatedCrash();
        if (i > 0 && !State.ContainsKey($"k{i - 1}"))
            throw new InvalidOperationException($"step {i} ran before step {i - 1}");
        State[$"k{i}"] = $"v{i}";
        if (i == CrashAt)
            throw new SimulatedCrash();
        return Task.FromResult(Detail);
    }
}
